#!/usr/bin/env bash
# scan_output.sh: what `egress scan` writes, byte for byte.
#
# A small fixed input in three formats (tests/data/scan/people.txt, .csv
# with BOM, CRLF and a quoted newline, .jsonl with nested keys) scanned with
# the fixed test key must give exactly tests/cli/expected/scan_people.jsonl
# (offsets, lines, types, fields, masks, fingerprints), the same findings
# as text and SARIF, and exactly the expected --summary.  The fingerprints
# of the expected file are checked once more against the contract with
# openssl alone: HMAC-SHA256 under HKDF(key, "egress/fingerprint") of the
# normalized value, truncated to 16 hex digits.
source "$(dirname "$0")/lib.sh"

key=$(test_key)
cp "$SCANDATA"/people.txt "$SCANDATA"/people.csv "$SCANDATA"/people.jsonl .
inputs=(people.txt people.csv people.jsonl)

# ---- JSON Lines, exact
eg jsonl scan -f jsonl --key-file "$key" --as-of 2025-06-15 \
    --summary summary.json "${inputs[@]}"
expect_rc jsonl 0
same_file "$EXPECTED/scan_people.jsonl" jsonl.out
# a key file given: no ephemeral-key warning, nothing else on stderr
[ ! -s jsonl.err ] || fail "stderr not empty: $(cat jsonl.err)"
ok

# the same through EGRESS_KEY_FILE
EGRESS_KEY_FILE=$key eg envkey scan -f jsonl --as-of 2025-06-15 "${inputs[@]}"
expect_rc envkey 0
same_file "$EXPECTED/scan_people.jsonl" envkey.out

# -o writes the same bytes to a file, nothing to stdout
eg tofile scan -f jsonl --key-file "$key" -o findings.jsonl "${inputs[@]}"
expect_rc tofile 0
same_file "$EXPECTED/scan_people.jsonl" findings.jsonl
[ ! -s tofile.out ] || fail "-o also wrote to stdout"
ok

# ---- the summary, exact (the tool version masked)
sed 's/"tool":"egress [^"]*"/"tool":"egress X"/' summary.json >summary.norm
same_file "$EXPECTED/scan_people.summary.json" summary.norm

# ---- text, exact; colour only when asked
eg text scan -f text --color never --key-file "$key" "${inputs[@]}"
expect_rc text 0
same_file "$EXPECTED/scan_people.text" text.out
eg color scan -f text --color always --key-file "$key" people.txt
expect_rc color 0
contains color.out $'\033['
sed 's/\x1b\[[0-9;]*m//g' color.out >color.plain
head -n 16 "$EXPECTED/scan_people.text" >text16
same_file text16 color.plain

# ---- SARIF: one result per finding, same fingerprints, valid JSON
eg sarif scan -f sarif --key-file "$key" "${inputs[@]}"
expect_rc sarif 0
contains sarif.out '"version":"2.1.0"'
n_sarif=$(grep -o '"ruleId":' sarif.out | wc -l)
[ "$n_sarif" -eq 28 ] || fail "SARIF has $n_sarif results, expected 28"
ok
for fp in $(grep -o '"fingerprint":"[0-9a-f]*"' jsonl.out | cut -d'"' -f4 | sort -u); do
    contains sarif.out "\"egress/v1\":\"$fp\""
done
if have python3; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["runs"][0]["results"]) == 28' sarif.out ||
        fail "SARIF is not valid JSON"
    ok
fi

# ---- every JSON Lines record has the contract's keys, in order
while IFS= read -r line; do
    [[ $line =~ ^\{\"path\":\"[^\"]+\",\"start\":[0-9]+,\"end\":[0-9]+,\"line\":[0-9]+,\"type\":\"[a-z0-9_]+\",\"category\":\"(pi|sensitive_pi|org|confidential|credential)\",\"confidence\":(0\.[0-9]+|1(\.0+)?)(,\"field\":\"[^\"]*\")?,\"masked\":\"[^\"]*\",\"fingerprint\":\"[0-9a-f]{16}\"\}$ ]] ||
        fail "record does not follow the contract: $line"
done <jsonl.out
ok

# ---- a value has one fingerprint in every written form and file:
# 13800138000 plain, +86 with hyphens, full-width, in CSV and in JSON
fp_mobile=$(grep -F '"start":91,' jsonl.out | grep -F '"path":"people.txt"' |
    grep -o '"fingerprint":"[0-9a-f]*"')
[ -n "$fp_mobile" ] || fail "no finding at people.txt:91"
n=$(grep -cF "$fp_mobile" jsonl.out)
[ "$n" -eq 5 ] || fail "13800138000 has $n findings with its fingerprint, expected 5"
ok

# ---- fingerprints recomputed without egress (openssl 3 only)
if have openssl && openssl kdf -help >/dev/null 2>&1; then
    hexkey=$(sed -n 2p "$key")
    sub=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 \
        -kdfopt "hexkey:$hexkey" -kdfopt info:egress/fingerprint HKDF |
        tr -d ':' | tr 'A-F' 'a-f')
    while read -r value start path; do
        want=$(printf '%s' "$value" |
            openssl dgst -sha256 -mac HMAC -macopt "hexkey:$sub" |
            awk '{print substr($NF, 1, 16)}')
        grep -F "\"path\":\"$path\",\"start\":$start," jsonl.out |
            grep -qF "\"fingerprint\":\"$want\"" ||
            fail "fingerprint of the value at $path:$start is not HMAC(HKDF(key), '$value')"
        ok
    done <<'EOF'
13800138000 91 people.txt
11010519491231002X 120 people.txt
zhang.san@example.com 199 people.txt
6222021234567890128 236 people.txt
13912345678 98 people.csv
EOF
fi

# ---- the spans are the values: cut them out of the inputs with dd
while IFS= read -r line; do
    path=$(echo "$line" | sed 's/^{"path":"\([^"]*\)".*/\1/')
    start=$(echo "$line" | sed 's/.*"start":\([0-9]*\),.*/\1/')
    end=$(echo "$line" | sed 's/.*"end":\([0-9]*\),.*/\1/')
    dd if="$path" of=span bs=1 skip="$start" count=$((end - start)) 2>/dev/null
    echo "$(cat span)"
done <jsonl.out >spans.txt
same_file "$EXPECTED/scan_people.spans" spans.txt

done_ok
