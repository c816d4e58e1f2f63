#!/usr/bin/env bash
# scan_parallel.sh: the output does not depend on threads or chunking.
#
# Multi-megabyte inputs (text with values at every offset modulo the chunk
# size, a 2 MB single line, CSV and JSON Lines with many rows; plus, when
# python3 is there, the evaluation corpus of shared/eval/gen.py) are
# scanned with -j1, -j2 and --chunk-size 32768 (the smallest chunk, so
# thousands of values straddle chunk boundaries and the overlap window):
# the findings must be byte-identical, and equal to those of the same
# values scanned one small file at a time.
source "$(dirname "$0")/lib.sh"

key=$(test_key)

# ---- generated inputs (awk: deterministic, no other tool needed)
# Every line shifts its values by one more byte, so across the file the
# values start at every offset of a 32 KiB chunk.
awk 'BEGIN {
    split("13800138000|11010519491231002X|zhang.san@example.com|6222 0212 3456 7890 128|+86 138-0013-8000|192.168.1.1|姓名：张三|护照号码：E12345678|地址：北京市朝阳区建国路88号|１３８００１３８０００|A123456(3)|2001:db8::1|00:1A:2B:3C:4D:5E|AKIAIOSFODNN7EXAMPLE", v, "|")
    for (i = 0; i < 60000; i++) {
        pad = sprintf("%*s", i % 61, "")
        printf "%d%s 记录 %s，备注\n", i, pad, v[i % 14 + 1]
    }
}' >big.txt
# one 2 MB line: chunk boundaries fall inside it
awk 'BEGIN {
    for (i = 0; i < 70000; i++)
        printf "x%d 电话13912345678， ", i % 997
    printf "\n"
}' >oneline.txt
awk 'BEGIN {
    print "id,姓名,手机号,身份证号,邮箱,备注"
    for (i = 0; i < 40000; i++)
        printf "%d,张三,13800138000,11010519491231002X,a%d@example.com,\"多行\n备注 %d\"\n", i, i % 100, i
}' >big.csv
awk 'BEGIN {
    for (i = 0; i < 40000; i++)
        printf "{\"id\":%d,\"name\":\"李四\",\"phone\":\"1391234%04d\",\"user\":{\"idCard\":\"11010519491231002X\",\"lat\":39.9042,\"lng\":116.4074}}\n", i, i % 10000
}' >big.jsonl
size=$(cat big.txt oneline.txt big.csv big.jsonl | wc -c)
[ "$size" -gt 8000000 ] || fail "generated only $size bytes"
ok
inputs=(big.txt oneline.txt big.csv big.jsonl)

if have python3 && [ -f "${EG_SHARED:-$EG_SRC/../shared}/eval/gen.py" ]; then
    python3 "${EG_SHARED:-$EG_SRC/../shared}/eval/gen.py" --seed 11 --out corpus \
        --docs 300 >/dev/null 2>&1
    inputs+=(corpus)
else
    echo "note: python3 or shared/eval/gen.py missing: generated inputs only"
fi

# ---- the same bytes for -j1, -j2 and the smallest chunks
eg j1 scan -f jsonl --key-file "$key" -j1 --summary j1.json "${inputs[@]}"
expect_rc j1 0
n=$(wc -l <j1.out)
[ "$n" -gt 200000 ] || fail "only $n findings in the generated inputs"
ok
eg j2 scan -f jsonl --key-file "$key" -j2 --summary j2.json "${inputs[@]}"
expect_rc j2 0
same_file j1.out j2.out
same_file j1.json j2.json
eg small scan -f jsonl --key-file "$key" -j1 --chunk-size 32768 "${inputs[@]}"
expect_rc small 0
same_file j1.out small.out
eg small2 scan -f jsonl --key-file "$key" -j2 --chunk-size 32768 "${inputs[@]}"
expect_rc small2 0
same_file j1.out small2.out

# ---- and the same as the values scanned in small pieces: the first 3000
# lines of big.txt as a file of their own give the same findings as the
# first 3000 lines of the big scan
head -n 3000 big.txt >part.txt
eg part scan -f jsonl --key-file "$key" part.txt
expect_rc part 0
lines=$(wc -l <part.txt)
[ "$lines" -eq 3000 ] || fail "part.txt has $lines lines"
grep -F '"path":"big.txt"' j1.out | awk -F'"line":' '{split($2, a, ","); if (a[1] <= 3000) print}' |
    sed 's/"path":"big.txt"/"path":"part.txt"/' >part.want
same_file part.want part.out
# every line of big.txt holds one value: 60000 findings there
nb=$(grep -cF '"path":"big.txt"' j1.out)
[ "$nb" -eq 60000 ] || fail "big.txt: $nb findings, expected 60000"
ok
no=$(grep -cF '"path":"oneline.txt"' j1.out)
[ "$no" -eq 70000 ] || fail "oneline.txt: $no findings, expected 70000"
ok

done_ok
