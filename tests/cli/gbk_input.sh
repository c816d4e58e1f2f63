#!/usr/bin/env bash
# gbk_input.sh: GB18030/GBK files, as Excel and older systems in China
# write them, are read as text: the same findings as their UTF-8 twins
# (types, fields, previews, fingerprints), offsets that point at the file's
# own bytes, a CSV header in GBK, GBK after a long ASCII head, gzip-
# compressed GBK; `--encoding utf-8` turns the decoding off.  `mask` writes
# GB18030 back (bytes outside the replaced values unchanged), `unmask`
# restores the input byte for byte, and no raw value reaches any output.
source "$(dirname "$0")/lib.sh"
have python3 || {
    echo "gbk_input.sh: python3 missing, skipped"
    exit 0
}
key=$(test_key)

python3 - <<'EOF'
rows = [("姓名", "手机号", "身份证号", "地址", "备注"),
        ("张伟", "13812345678", "11010519491231002X", "北京市朝阳区建国路88号", "客户"),
        ("欧阳娜娜", "13912345670", "440524188001010014", "广东省深圳市南山区科技园路10号", "机密★10年")]
csv = "".join(",".join(r) + "\r\n" for r in rows)
note = "x" * 20000 + "\n客户资料 联系人：李明，电话 13700001111，车牌 京A12345。\n"
for name, text in (("people", csv), ("note", note)):
    open(name + ".gbk.csv" if name == "people" else name + ".gbk.txt", "wb").write(text.encode("gb18030"))
    open(name + ".utf8.csv" if name == "people" else name + ".utf8.txt", "wb").write(text.encode("utf-8"))
EOF
if have gzip; then gzip -k people.gbk.csv; fi

# --- scan: the same findings as the UTF-8 twins, offsets into the file
for base in people.%s.csv note.%s.txt; do
    g=$(printf "$base" gbk)
    u=$(printf "$base" utf8)
    eg "s-$g" scan --key-file "$key" --format jsonl "$g"
    eg "s-$u" scan --key-file "$key" --format jsonl "$u"
    expect_rc "s-$g" 0
    expect_rc "s-$u" 0
    python3 - "$g" "$u" "s-$g.out" "s-$u.out" <<'EOF' || fail "$g: findings differ from $u"
import json, sys
g, u, fg, fu = sys.argv[1:5]
def load(path, data, enc):
    out = []
    for line in open(path, encoding="utf-8"):
        f = json.loads(line)
        value = data[f["start"]:f["end"]].decode(enc)
        out.append((f["type"], f.get("field"), f["masked"], f["fingerprint"], f["line"], value))
    return out
a = load(fg, open(g, "rb").read(), "gb18030")
b = load(fu, open(u, "rb").read(), "utf-8")
if not a or a != b:
    print("gbk:", a, "\nutf8:", b, file=sys.stderr)
    sys.exit(1)
EOF
    ok
done
contains s-people.gbk.csv.out '"field":"身份证号"'
contains s-people.gbk.csv.out '"type":"person_name"'
contains s-note.gbk.txt.out '"type":"cn_license_plate"'

if [ -f people.gbk.csv.gz ]; then
    eg s-gz scan --key-file "$key" --format jsonl people.gbk.csv.gz
    expect_rc s-gz 0
    same_file s-people.gbk.csv.out <(sed 's/people.gbk.csv.gz/people.gbk.csv/' s-gz.out)
fi

# a warning's byte offset counts the GBK bytes too
printf '姓名,备注\n张伟,"没有结束的引号\n' | iconv -t GB18030 >unbal.gbk.csv
eg s-unbal scan --key-file "$key" --format jsonl unbal.gbk.csv
expect_rc s-unbal 0
want=$(python3 -c 'print(open("unbal.gbk.csv","rb").read().index(b"\x22"))')
contains s-unbal.err "unbalanced quote opened at byte $want"

# --encoding utf-8: read as bytes, the GBK labels mean nothing
eg s-raw scan --key-file "$key" --format jsonl --encoding utf-8 people.gbk.csv
expect_rc s-raw 0
lacks s-raw.out '"type":"person_name"'
eg s-bad scan --encoding latin9 people.gbk.csv
expect_rc s-bad 2
contains s-bad.err "unknown --encoding 'latin9'"

# --- mask writes GB18030 back; unmask restores the input
eg m-builtin mask --key-file "$key" --report rep-builtin.json -o masked.csv people.gbk.csv
expect_rc m-builtin 0
contains rep-builtin.json '"charset":"gb18030"'
python3 - <<'EOF' || fail "masked output is not the GB18030 input with values replaced"
src = open("people.gbk.csv", "rb").read().decode("gb18030")
out = open("masked.csv", "rb").read()
try:
    out.decode("utf-8")
    raise SystemExit("output is UTF-8, not GB18030")
except UnicodeDecodeError:
    pass
text = out.decode("gb18030")
assert text.splitlines()[0] == src.splitlines()[0], "header changed"
assert text.count("\r\n") == src.count("\r\n"), "rows changed"
for raw in ("张伟", "13812345678", "11010519491231002X", "建国路88号"):
    assert raw not in text, raw
EOF
ok
# nothing personal is found again (the built-in policy keeps a secrecy
# marking: it is what tells the reader the file may not leave)
eg s-masked scan --key-file "$key" --format jsonl masked.csv
expect_rc s-masked 0
grep -v '"type":"confidential_marking"' s-masked.out >left.out || true
line_count left.out 0

eg m-enc mask --key-file "$key" --operator encrypt --report rep-enc.json -o enc.csv people.gbk.csv
expect_rc m-enc 0
eg u-enc unmask --key-file "$key" --report rep-enc.json -o back.csv enc.csv
expect_rc u-enc 0
same_file people.gbk.csv back.csv

# --- a damaged GBK input (a stray lead byte right before a value): the
# output is written in UTF-8, which reads back exactly; unmask gives the
# text back, decoded
{ printf '联系人：李明，地址：北京市朝阳区建国路88号\n' | iconv -t GB18030; printf 'x\xd5'
  printf '13812345678\n手机 13912345670\n' | iconv -t GB18030; } >damaged.txt
eg m-dmg mask --key-file "$key" --operator encrypt --report rep-dmg.json -o dmg.out.txt damaged.txt
expect_rc m-dmg 0
lacks rep-dmg.json '"charset":"gb18030"'
eg u-dmg unmask --key-file "$key" --report rep-dmg.json -o dmg.back.txt dmg.out.txt
expect_rc u-dmg 0
python3 - <<'PY' || fail "damaged GBK: unmask did not give the decoded text back"
raw = open("damaged.txt", "rb").read()
want = raw.decode("gb18030", errors="surrogateescape").encode("utf-8", errors="surrogateescape")
got = open("dmg.back.txt", "rb").read()
assert got == want, (got, want)
PY
ok

# --- no raw value, in either encoding, in anything written
for v in 张伟 欧阳娜娜 13812345678 11010519491231002X 建国路 13700001111 李明; do
    gv=$(printf '%s' "$v" | iconv -f UTF-8 -t GB18030)
    for f in *.out *.err rep-*.json; do
        lacks "$f" "$v"
        if [ "$gv" != "$v" ]; then lacks "$f" "$gv"; fi
    done
done
done_ok
