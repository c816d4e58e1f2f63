#!/usr/bin/env bash
# mask_roundtrip.sh: `egress unmask` restores what `egress mask --operator
# encrypt` wrote, byte for byte, and the masked files keep their shape.
#
# Inputs: the sample text; a CSV with a BOM, CRLF rows, quoted fields with
# embedded newlines and doubled quotes; JSON Lines with escapes and bare
# numbers; a pretty-printed JSON document; the CSV gzip-compressed and the
# JSON Lines zstd-compressed (their outputs must be compressed the same
# way).  With python3 the masked CSV and JSON are parsed and compared in
# shape (rows, columns, keys) to the inputs.
source "$(dirname "$0")/lib.sh"

key=$(test_key)

printf '\xef\xbb\xbf姓名,手机号,备注\r\n张三,13800138000,"第一行\r\n第二行 11010519491231002X"\r\n李四,"139 1234 5678","他说""13800138000"",好"\r\n王五,13700137000,\r\n' >quoted.csv
printf '{"name":"张三","phone":13800138000,"s":"a\\"b\\\\ 13912345678","u":"\\u5f20\\u4e09"}\n{"idCard":"11010519491231002X","email":"zhang.san@example.com","n":[1,2]}\n' >escapes.jsonl
cat >doc.json <<'EOF'
{
  "客户": [
    {"姓名": "张三", "手机": "13800138000", "身份证号": "11010519491231002X"},
    {"姓名": "李四", "手机": 13912345678, "邮箱": "li.si@example.com"}
  ]
}
EOF
cp "$SCANDATA/people.txt" people.txt
inputs="people.txt quoted.csv escapes.jsonl doc.json"
if have gzip; then
    cp quoted.csv packed.csv
    gzip -9 packed.csv
    inputs="$inputs packed.csv.gz"
fi
if have zstd; then
    zstd -q escapes.jsonl -o packed.jsonl.zst
    inputs="$inputs packed.jsonl.zst"
fi

for f in $inputs; do
    eg "m-$f" mask --operator encrypt --key-file "$key" -o "enc-$f" \
        --report "rep-$f.json" "$f"
    expect_rc "m-$f" 0
    contains "m-$f.err" "kept well-formed"
    lacks "m-$f.err" "fallback"
    cmp -s "$f" "enc-$f" && fail "$f: encrypt changed nothing"
    ok
    eg "u-$f" unmask --key-file "$key" --report "rep-$f.json" -o "back-$f" \
        "enc-$f"
    expect_rc "u-$f" 0
    contains "u-$f.err" "spans restored"
    lacks "u-$f.err" "not reversible"
    case $f in
    *.gz) gzip -dc "$f" >a.plain && gzip -dc "back-$f" >b.plain ;;
    *.zst) zstd -dcq "$f" >a.plain && zstd -dcq "back-$f" >b.plain ;;
    *) cp "$f" a.plain && cp "back-$f" b.plain ;;
    esac
    same_file a.plain b.plain
done

# compressed in, compressed out (magic bytes)
if have gzip; then
    [ "$(head -c2 enc-packed.csv.gz | od -An -tx1 | tr -d ' \n')" = 1f8b ] ||
        fail "gzip input did not give a gzip output"
    ok
    gzip -dc enc-packed.csv.gz >plain.csv
    same_file enc-quoted.csv plain.csv
fi
if have zstd; then
    [ "$(head -c4 enc-packed.jsonl.zst | od -An -tx1 | tr -d ' \n')" = 28b52ffd ] ||
        fail "zstd input did not give a zstd output"
    ok
    zstd -dcq enc-packed.jsonl.zst >plain.jsonl
    same_file enc-escapes.jsonl plain.jsonl
fi
# the masked files keep BOM, line endings and shape
[ "$(head -c3 enc-quoted.csv | od -An -tx1 | tr -d ' \n')" = efbbbf ] ||
    fail "BOM lost"
ok
[ "$(grep -c $'\r$' enc-quoted.csv)" = "$(grep -c $'\r$' quoted.csv)" ] ||
    fail "CRLF line endings changed"
ok
if have python3; then
    python3 - quoted.csv enc-quoted.csv <<'EOF' || fail "CSV shape differs"
import csv, sys
def rows(p):
    with open(p, newline="", encoding="utf-8-sig") as f:
        return [len(r) for r in csv.reader(f)]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert a == b, (a, b)
EOF
    ok
    python3 - escapes.jsonl enc-escapes.jsonl doc.json enc-doc.json <<'EOF' || fail "JSON shape differs"
import json, sys
def shape(v):
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x) for x in v]
    return "scalar"
a = [shape(json.loads(l)) for l in open(sys.argv[1], encoding="utf-8")]
b = [shape(json.loads(l)) for l in open(sys.argv[2], encoding="utf-8")]
assert a == b, (a, b)
assert shape(json.load(open(sys.argv[3]))) == shape(json.load(open(sys.argv[4])))
EOF
    ok
fi

# reports carry offsets and types, never the values
for f in $inputs; do
    lacks "rep-$f.json" "13800138000"
    lacks "rep-$f.json" "11010519491231002X"
    contains "rep-$f.json" '"op":"encrypt"'
    grep -Eq '"key_id":"[0-9a-f]{16}","key_ephemeral":false' "rep-$f.json" ||
        fail "rep-$f.json: no key id"
    ok
done

# standard input in, standard output out
eg_in pipe people.txt mask --operator encrypt --key-file "$key" \
    --report pipe.json -
expect_rc pipe 0
same_file enc-people.txt pipe.out
eg_in pipeback pipe.out unmask --key-file "$key" --report pipe.json -
expect_rc pipeback 0
same_file people.txt pipeback.out

done_ok
