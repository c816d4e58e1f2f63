#!/usr/bin/env bash
# assess_state.sh: scan -> state -> merge -> assess, end to end.
# - one person seen as a phone in one file and as ID + phone in another,
#   and a chain phone -> e-mail -> ID over three files, count once each;
# - the same corpus scanned in one run or as 4 shards merged gives the
#   identical assessment;
# - a damaged, truncated or foreign state, a state made with another key,
#   and a shard merged twice are refused with exit status 2.
set -u
: "${EGRESS:?EGRESS must name the egress binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
check() { # name expected actual
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1: expected [$2] got [$3]"
        fail=1
    fi
}
refused() { # name expected-message command...
    local name=$1 msg=$2
    shift 2
    "$@" >out 2>err
    local rc=$?
    if [ $rc -ne 2 ] || ! grep -q -- "$msg" err; then
        echo "FAIL: $name: exit $rc, stderr: $(cat err)"
        fail=1
    fi
}
key() { # file fill-digit
    (printf 'egress-key v1\n'; printf '%064d\n' 0 | tr 0 "$2") >"$1"
    chmod 600 "$1"
}
key k1 7
key k2 8

# Resident IDs are the published test vectors (spec/test-vectors.md B5);
# 44011320141005001X was born on 2014-10-05: under 14 in 2025.
printf 'name,phone,id\n张三,13800138000,11010519491231002X\n' >s1.csv
printf 'phone,email\n13800138000,zs@example.com\n13900139001,ls@example.com\n' >s2.csv
printf '{"email":"ls@example.com","id":"44011320141005001X"}\n' >s3.jsonl
printf '联系电话 13700137002\njust a note\n' >s4.txt

"$EGRESS" scan -q --key-file k1 --state all.st s1.csv s2.csv s3.jsonl s4.txt \
    >/dev/null || { echo "FAIL: scan"; exit 1; }
for i in 1 2 3 4; do
    "$EGRESS" scan -q --key-file k1 --state "p$i.st" s$i.* >/dev/null ||
        { echo "FAIL: scan shard $i"; exit 1; }
done
"$EGRESS" merge -o merged.st p3.st p1.st p4.st p2.st || fail=1

assess() { "$EGRESS" assess --scenario outbound --as-of 2025-06-01 --format json "$@"; }
a=$(assess --state all.st)
b=$(assess --state merged.st)
check "4 shards merged = one scan" "$a" "$b"
counts=$(printf '%s' "$a" | grep -o '"individuals":[0-9]*,"sensitive_individuals":[0-9]*,"minors_under_14":[0-9]*' | head -1)
check "counts" '"individuals":3,"sensitive_individuals":2,"minors_under_14":1' "$counts"
check "records" 1 "$(printf '%s' "$a" | grep -c '"records_with_pi":5,"unlinked_records":0')"
check "pathway" 1 "$(printf '%s' "$a" | grep -c '"pathway":"standard_contract_or_certification"')"
# the child turns 14 on 2028-10-05
c=$(assess --state merged.st --as-of 2028-10-05 | grep -o '"minors_under_14":[0-9]*' | head -1)
check "14th birthday" '"minors_under_14":0' "$c"
c=$(assess --state merged.st --as-of 2028-10-04 | grep -o '"minors_under_14":[0-9]*' | head -1)
check "day before" '"minors_under_14":1' "$c"

# one person as a phone in file A and as ID + phone in file B
printf 'tel\n13800138000\n' >a.csv
printf 'tel,id\n13800138000,11010519491231002X\n' >b.csv
"$EGRESS" scan -q --key-file k1 --state ab.st a.csv b.csv >/dev/null
c=$(assess --state ab.st | grep -o '"individuals":[0-9]*,"sensitive_individuals":[0-9]*' | head -1)
check "phone then ID+phone" '"individuals":1,"sensitive_individuals":1' "$c"

# damaged, truncated, foreign
size=$(wc -c <merged.st)
cp merged.st flip.st
printf '\xff' | dd of=flip.st bs=1 seek=$((size - 30)) conv=notrunc 2>/dev/null
refused "flipped body byte" "checksum mismatch" "$EGRESS" assess --scenario outbound --state flip.st
cp merged.st flip2.st
printf 'X' | dd of=flip2.st bs=1 seek=30 conv=notrunc 2>/dev/null
refused "flipped header byte" "header checksum" "$EGRESS" assess --scenario outbound --state flip2.st
head -c $((size - 1)) merged.st >trunc.st
refused "truncated" "truncated" "$EGRESS" assess --scenario outbound --state trunc.st
head -c 50 merged.st >short.st
refused "short" "truncated" "$EGRESS" merge -o x.st merged.st short.st
seq 1 100 >foreign.st
refused "foreign" "not an egress state file" "$EGRESS" assess --scenario outbound --state foreign.st
refused "missing" "cannot open" "$EGRESS" merge -o x.st merged.st nowhere.st
[ -e x.st ] && { echo "FAIL: output written after an error"; fail=1; }

# another key; a shard twice
"$EGRESS" scan -q --key-file k2 --state other.st s1.csv >/dev/null
refused "different keys" "different\|cannot be matched" "$EGRESS" merge -o x.st p1.st other.st
refused "shard twice" "twice" "$EGRESS" merge -o x.st merged.st p2.st
refused "same file twice" "twice" "$EGRESS" merge -o x.st p1.st p1.st
exit $fail
