#!/usr/bin/env bash
# risk_k.sh: `egress risk` on a small table with known equivalence classes,
# before and after `egress mask` generalizes it.
#
# Raw, every row is unique over (sex, date of birth, address): k = 1, and
# the addresses, which egress finds as personal information, are withheld.
# Masked with the built-in policy (birth dates to the year, addresses to
# the city), the classes are {男 1990 北京市} x2, {女 1985 上海市} x3 and
# {男 1970 广州市} x1: minimum k 1, one record in one class below k = 2,
# none below k = 1; over sex alone the data is 3-anonymous.  Names and
# phone numbers (direct identifiers by their headers) are never printed.
source "$(dirname "$0")/lib.sh"

key=$(test_key)
cat >people.csv <<'CSV'
姓名,性别,出生日期,地址,手机号
张三,男,1990-01-15,北京市朝阳区建国路88号,13800138000
李四,男,1990-06-02,北京市海淀区中关村大街1号,13912345678
王五,女,1985-03-03,上海市浦东新区世纪大道100号,13700137000
赵六,女,1985-12-30,上海市徐汇区漕溪北路18号,13600136000
钱七,女,1985-07-07,上海市静安区南京西路1号,13500135000
孙八,男,1970-02-02,广州市天河区体育西路1号,13800138001
CSV

eg raw risk --quasi 性别,出生日期,地址 --k 2 people.csv
expect_rc raw 0
contains raw.out "records: 6"
contains raw.out "equivalence classes: 6"
contains raw.out "minimum k: 1"
contains raw.out "below k=2: 6 records"
contains raw.out "地址=(withheld)"
lacks raw.out "建国路"

eg mask mask --key-file "$key" -o masked.csv people.csv
expect_rc mask 0
eg masked risk --quasi 性别,出生日期,地址 --k 2 masked.csv
expect_rc masked 0
contains masked.out "equivalence classes: 3"
contains masked.out "minimum k: 1"
contains masked.out "below k=2: 1 records (16.67%) in 1 classes"
contains masked.out "class sizes (size: classes): 1: 1, 2: 1, 3: 1"
contains masked.out "1: 性别=男 | 出生日期=1970 | 地址=广州市"

eg json risk --quasi 2,3,4 --k 3 -f json masked.csv
expect_rc json 0
contains json.out '"records":6,"k":3'
contains json.out '"min_k":1,"records_below_k":3,"classes_below_k":2'
contains json.out '{"size":1,"values":["男","1970","广州市"]}'
contains json.out '{"size":2,"values":["男","1990","北京市"]}'
if have python3; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' json.out ||
        fail "risk JSON does not parse"
    ok
fi

# direct identifiers by header: never printed
eg direct risk --quasi 姓名,手机号,性别 --k 2 people.csv
expect_rc direct 0
contains direct.out "direct identifier: values withheld"
lacks direct.out "张三"
lacks direct.out "13800138000"

# --fail-below, and a table that passes
eg fail risk --quasi 性别,出生日期,地址 --k 2 --fail-below masked.csv
expect_rc fail 1
eg pass risk --quasi 性别 --k 3 --fail-below masked.csv
expect_rc pass 0
contains pass.out "3-anonymous"

# errors
eg unknown risk --quasi 年龄 people.csv
expect_rc unknown 2
contains unknown.err "no column '年龄'"
eg noquasi risk people.csv
expect_rc noquasi 2
eg stdin risk --quasi 性别 -
expect_rc stdin 2

done_ok
