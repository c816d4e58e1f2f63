#!/usr/bin/env bash
# scan_leak_canary.sh: no raw value ever leaves egress.
#
# Known values (a resident ID, a mobile, a bank card, an e-mail, a passport,
# an HKID, a Taiwan ID, names, an address, a birth date, coordinates and an
# AWS key), each in its plain, separated, full-width and lower-case forms,
# are seeded into inputs of every format (text, CSV, JSON Lines, JSON, gzip,
# zstd) and into broken inputs (a truncated gzip after the values, an
# unbalanced CSV quote, JSON with a syntax error right after a value,
# invalid UTF-8 and NUL bytes next to values), and text and CSV in GB18030
# (GBK) as Excel writes them in China.  egress scan runs over them
# with every output (jsonl, text, colour, sarif, -o, --summary, --state),
# with and without a key, and on error paths (a file given twice, missing
# and unreadable paths, a bad option, an output it cannot create); then
# assess, merge and keygen run on what scan wrote; mask runs over the good
# inputs with the built-in policy, a drop policy, pseudonyms and encrypt
# (outputs and reports are searched too: a value left in a masked file is
# a leak), and on its error paths; unmask and risk run on what mask wrote
# (unmask's output is the one file that holds values again, by design: it
# is written outside the searched tree, its messages are searched).  Finally every byte
# egress produced -- stdout, stderr, every output file, anything left in
# TMPDIR (a private directory here) -- is searched for each raw value, its
# normalized form, its digits alone and every 8-digit window of them.
source "$(dirname "$0")/lib.sh"

key=$(test_key)
mkdir in out

# ---- the canaries: raw written forms (one per line)
cat >canaries.txt <<'EOF'
11010519491231002X
11010519491231002x
110105 19491231 002X
１１０１０５１９４９１２３１００２X
13912345678
139 1234 5678
+86 139-1234-5678
１３９１２３４５６７８
6222021234567890128
6222 0212 3456 7890 128
canary.person@example.org
E12345678
A123456(3)
A1234563
A123456789
欧阳娜娜
陳大文
北京市朝阳区建国路88号
1990-01-15
39.9042,116.4074
AKIAIOSFODNN7EXAMPLE
EOF
# digit-only forms of the numeric values (8 digits or more)
cat >digits.txt <<'EOF'
11010519491231002
110105194912310020
6222021234567890128
13912345678
8613912345678
19900115
399042
1164074
EOF

# ---- inputs of every format
text_body() {
    cat <<'EOF'
身份证号：11010519491231002X，小写 11010519491231002x，分组 110105 19491231 002X
全角 １１０１０５１９４９１２３１００２X 电话13912345678，139 1234 5678，+86 139-1234-5678
全角手机 １３９１２３４５６７８ 银行卡号：6222021234567890128 / 6222 0212 3456 7890 128
邮箱 canary.person@example.org 护照号码：E12345678 香港身份证 A123456(3) HKID: A1234563
身分證字號：A123456789 联系人：欧阳娜娜 聯繫人：陳大文 地址：北京市朝阳区建国路88号
出生日期：1990-01-15 坐标 39.9042,116.4074 AKIAIOSFODNN7EXAMPLE
EOF
}
text_body >in/people.txt
{
    printf '\xef\xbb\xbf姓名,手机号,身份证号,邮箱,护照号码,地址,备注\r\n'
    printf '欧阳娜娜,13912345678,11010519491231002X,canary.person@example.org,E12345678,北京市朝阳区建国路88号,"多行\r\n6222 0212 3456 7890 128 A123456(3)"\r\n'
    printf '陳大文,"139 1234 5678",11010519491231002x,x,E12345678,,AKIAIOSFODNN7EXAMPLE\r\n'
} >in/people.csv
cat >in/people.jsonl <<'EOF'
{"name":"欧阳娜娜","phone":"13912345678","user":{"idCard":"11010519491231002X","email":"canary.person@example.org","passport":"E12345678"}}
{"name":"陳大文","mobile":"+86 139-1234-5678","card":"6222021234567890128","hkid":"A1234563","lat":39.9042,"lng":116.4074,"dob":"1990-01-15","key":"AKIAIOSFODNN7EXAMPLE"}
EOF
cat >in/people.json <<'EOF'
{"people": [
  {"name": "欧阳娜娜", "phone": "１３９１２３４５６７８", "idCard": "１１０１０５１９４９１２３１００２X",
   "address": "北京市朝阳区建国路88号", "twid": "A123456789"},
  {"name": "陳大文", "card": "6222 0212 3456 7890 128", "email": "canary.person@example.org"}
]}
EOF
# the same in GB18030: decoded by the source layer, searched in both forms
iconv -f UTF-8 -t GB18030 in/people.txt >in/people.gbk.txt
iconv -f UTF-8 -t GB18030 in/people.csv >in/people.gbk.csv
gzip -c in/people.txt >in/people.txt.gz
gzip -c in/people.csv >in/people.csv.gz
if have zstd; then
    zstd -q -c in/people.jsonl >in/people.jsonl.zst
    zstd -q -c in/people.txt >in/people.txt.zst
fi
# broken inputs, each with the values right before the damage
{ text_body; head -c 200000 /dev/urandom | base64; } | gzip -c >full.gz
head -c $(($(wc -c <full.gz) - 5000)) full.gz >in/truncated.txt.gz
printf 'a,b\n13912345678,"11010519491231002X\nE12345678,"x\n' >in/unbalanced.csv
printf '{"phone":"13912345678" "idCard":"11010519491231002X"\n{"email":"canary.person@example.org",,}\n' >in/bad.jsonl
printf '{"a":[[[[{"phone":"13912345678"' >in/unclosed.json
printf '电话13912345678\xff\xfe\xc3(身份证11010519491231002X\x00\x00AKIAIOSFODNN7EXAMPLE\n' >in/mixed.txt

inputs=(in)

# ---- scans with every output, with a key
n=0
run() {
    n=$((n + 1))
    eg "run$n" scan "$@"
}
run -f jsonl --key-file "$key" --summary out/s1.json --state out/s1.egstate "${inputs[@]}"
run -f text --color never --key-file "$key" "${inputs[@]}"
run -f text --color always --key-file "$key" "${inputs[@]}"
run -f sarif --key-file "$key" -o out/f.sarif "${inputs[@]}"
run -f jsonl --key-file "$key" -o out/f.jsonl --summary out/s2.json -j2 --chunk-size 32768 "${inputs[@]}"
run -f jsonl --key-file "$key" --binary --input-format text "${inputs[@]}"
run -f jsonl --key-file "$key" --input-format csv "${inputs[@]}"
run -f jsonl --key-file "$key" --input-format json "${inputs[@]}"
run -f jsonl --key-file "$key" --max-findings 1 --max-depth 2 "${inputs[@]}"
run -f jsonl --key-file "$key" --max-decompressed 100 in/people.txt.gz in/truncated.txt.gz
expect_rc run1 2 # 2: in/truncated.txt.gz
# findings were made: the check below is not vacuous
[ "$(wc -l <run1.out)" -gt 50 ] || fail "too few findings: $(wc -l <run1.out)"
ok
contains run1.out '"type":"cn_resident_id"'
contains run1.out '"type":"credential"'
contains run1.err "truncated.txt.gz"

# without a key (ephemeral), with the state written
run -f jsonl --summary out/s3.json --state out/s3.egstate in/people.txt in/people.csv
# standard input
eg_in stdin1 in/people.txt scan -f jsonl --key-file "$key" -
eg_in stdin2 in/people.txt.gz scan -f text --key-file "$key" -
eg_in stdin3 in/mixed.txt scan -f sarif --key-file "$key" - in/people.json

# ---- error paths
run -f jsonl --key-file "$key" in/people.txt in/people.txt # a file twice
run -f jsonl --key-file "$key" in/people.txt in/missing.txt in/people.txt/x
ln -s "$T/nowhere" in2link
run -f jsonl --key-file "$key" in2link in/people.csv
if [ "$(id -u)" != 0 ]; then
    cp in/people.txt locked.txt
    chmod 000 locked.txt
    run -f jsonl --key-file "$key" locked.txt in/people.txt
fi
run --bogus-option -f jsonl in/people.txt
run -f jsonl --key-file "$key" -o no/such/dir/out.jsonl in/people.txt
run -f jsonl --key-file "$key" --summary no/such/s.json in/people.txt
run -f jsonl --key-file "$key" --state no/such/s.egstate in/people.txt
cp "$key" open.key
chmod 644 open.key
run -f jsonl --key-file open.key in/people.txt
expect_rc "run$n" 2

# ---- the other commands, on what scan wrote
eg keygen keygen -o out/new.key
eg merge merge -o out/merged.egstate out/s1.egstate
eg merge2 merge -o out/merged2.egstate out/s1.egstate out/s3.egstate # key mismatch
eg assess1 assess --scenario outbound --state out/s1.egstate --as-of 2025-06-15
eg assess2 assess --scenario outbound --state out/merged.egstate --format json -o out/assess.json --as-of 2025-06-15
eg assess3 assess --scenario listing --venue foreign --state out/s1.egstate --lang zh --as-of 2025-06-15
eg assess4 assess --scenario outbound --state in/people.txt # not a state file
eg assess5 assess --scenario outbound --state in/truncated.txt.gz

# ---- mask, unmask and risk
good=(in/people.txt in/people.csv in/people.jsonl in/people.json in/people.txt.gz in/people.csv.gz
    in/people.gbk.txt in/people.gbk.csv)
printf 'version: 1\ndefault: drop\n' >drop.yaml
printf 'version: 1\ndefault: pseudonymize\n' >pseudo.yaml
printf 'version: 1\nrules:\n  cn_mobile: {op: mask, keep_first: 13912345678}\n' >bad.yaml
eg mask1 mask --key-file "$key" --report out/m1.json --out-dir out/m1 "${good[@]}"
eg mask2 mask --key-file "$key" --policy drop.yaml --report out/m2.json --out-dir out/m2 "${good[@]}"
eg mask3 mask --key-file "$key" --policy pseudo.yaml --report out/m3.json --out-dir out/m3 -j2 "${good[@]}"
# encrypt keeps a resident ID's birth date in clear by design (the ID stays
# valid, docs/internals/OPERATORS.md): its outputs are searched for whole
# values below, not for every 8-digit window
eg mask4 mask --key-file "$key" --operator encrypt --report out/m4.json --out-dir enc "${good[@]}"
for k in 1 2 3 4; do expect_rc "mask$k" 0; done
eg mask5 mask --key-file "$key" -o out/m5.txt in/truncated.txt.gz
eg mask6 mask --key-file "$key" --policy bad.yaml -o out/m6.txt in/people.txt
eg mask7 mask --key-file "$key" -o in/people.txt in/people.txt
eg mask8 mask --key-file "$key" --operator encrypt in/mixed.txt in/unbalanced.csv in/bad.jsonl
eg_in mask9 in/people.csv mask --key-file "$key" --report out/m9.json -
eg unmask1 unmask --key-file "$key" --report out/m4.json -o restored/people.txt enc/people.txt
eg unmask2 unmask --key-file "$key" --report out/m1.json -o restored/x.txt enc/people.txt
eg risk1 risk --quasi 姓名,地址 out/m1/people.csv
eg risk2 risk --quasi 姓名,手机号 -f json in/people.csv
[ -s out/m1/people.csv ] && [ -s out/m4.json ] || fail "mask wrote nothing"
ok

# ---- the search: everything egress wrote
find "$TMPDIR" -type f >tmpfiles.txt
artifacts=(*.out *.err out "$TMPDIR")
[ -s out/s1.json ] && [ -s out/f.sarif ] && [ -s out/f.jsonl ] || fail "an output file is missing"
ok
search() { # search TEXT: fail when found (ASCII case-insensitive)
    local hits gb
    hits=$(grep -rlaiF -- "$1" "${artifacts[@]}" 2>/dev/null || true)
    [ -z "$hits" ] || fail "raw value '$1' found in: $hits"
    ok
    # its GB18030 bytes, where they differ (compared as bytes)
    gb=$(printf '%s' "$1" | iconv -f UTF-8 -t GB18030)
    if [ "$gb" != "$1" ]; then
        hits=$(LC_ALL=C grep -rlaF -- "$gb" "${artifacts[@]}" 2>/dev/null || true)
        [ -z "$hits" ] || fail "raw value '$1' (GB18030) found in: $hits"
        ok
    fi
}
while IFS= read -r v; do
    search "$v"
    # and its form without separators
    compact=$(printf '%s' "$v" | tr -d ' -')
    [ "$compact" = "$v" ] || search "$compact"
done <canaries.txt
while IFS= read -r d; do
    search "$d"
    # every 8-digit window of a long digit string
    len=${#d}
    if [ "$len" -gt 8 ]; then
        for ((i = 0; i + 8 <= len; i++)); do
            search "${d:i:8}"
        done
    fi
done <digits.txt
# encrypted outputs: no whole value, in any of its forms
artifacts=(enc)
while IFS= read -r v; do
    search "$v"
    compact=$(printf '%s' "$v" | tr -d ' -')
    [ "$compact" = "$v" ] || search "$compact"
done <canaries.txt
# and nothing of the run is left in TMPDIR
[ ! -s tmpfiles.txt ] || fail "files left in TMPDIR: $(cat tmpfiles.txt)"
ok
# no temporary output files left next to the outputs
leftover=$(find out . -maxdepth 1 -name '*.tmp*' | head -n 5)
[ -z "$leftover" ] || fail "temporary files left: $leftover"
ok

done_ok
