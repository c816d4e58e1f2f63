#!/usr/bin/env bash
# scan_exit.sh: exit status, options and output files of `egress scan`.
#
# Exit status 0 (ran, with or without findings), 1 (findings and
# --fail-on-findings), 2 (an error: a missing input, while the other
# inputs are still scanned and reported; a bad option; a key file others
# can read; an output that cannot be created).  --list-types prints the 22
# catalog ids in catalog order; --types keeps only the types named;
# standard input is "-"; output files are replaced atomically and no
# temporary file is left behind.
source "$(dirname "$0")/lib.sh"

key=$(test_key)
cp "$SCANDATA"/people.txt .
printf 'nothing to see here\n' >clean.txt

# ---- 0 with findings, 0 without, 1 with --fail-on-findings
eg found scan -f jsonl --key-file "$key" people.txt
expect_rc found 0
line_count found.out 16
eg clean scan -f jsonl --key-file "$key" --fail-on-findings clean.txt
expect_rc clean 0
[ ! -s clean.out ] || fail "findings in clean.txt"
ok
eg failon scan -f jsonl --key-file "$key" --fail-on-findings people.txt
expect_rc failon 1
same_file found.out failon.out

# ---- 2 on a missing input; the others are still scanned and reported
eg missing scan -f jsonl --key-file "$key" --summary sum.json people.txt \
    no-such-file.txt clean.txt
expect_rc missing 2
same_file found.out missing.out
contains missing.err "no-such-file.txt"
contains sum.json '"files_scanned":2'
contains sum.json '"files_failed":1'
# a missing input outranks --fail-on-findings
eg missing1 scan -f jsonl --key-file "$key" --fail-on-findings \
    no-such-file.txt people.txt
expect_rc missing1 2
same_file found.out missing1.out

# ---- 2 on bad options, with a message and no findings
for args in "--bogus people.txt" "-f xml people.txt" "--types nope people.txt" \
    "--as-of 2025-13-45 people.txt" "-j x people.txt" ""; do
    # shellcheck disable=SC2086
    eg badopt scan --key-file "$key" $args
    expect_rc badopt 2
    [ -s badopt.err ] || fail "no message for: scan $args"
    [ ! -s badopt.out ] || fail "output for a bad option: scan $args"
    ok
done

# ---- --list-types: the 22 ids of the catalog, in catalog order
eg list scan --list-types
expect_rc list 0
awk '{print $1}' list.out >ids.txt
cat >ids.want <<'EOF'
cn_resident_id
cn_mobile
cn_landline
email
bank_card
cn_passport
cn_travel_permit
hk_id
mo_id
tw_id
cn_uscc
cn_license_plate
geo_coordinate
ipv4
ipv6
mac_address
imei
person_name
cn_address
date_of_birth
confidential_marking
credential
EOF
same_file ids.want ids.txt
# each id with its category, as in shared/spec/findings.md
contains list.out "cn_resident_id         sensitive_pi"
contains list.out "cn_uscc                org"
contains list.out "confidential_marking   confidential"
contains list.out "credential             credential"

# ---- --types keeps only the named types, and their findings are unchanged
eg types scan -f jsonl --key-file "$key" --types cn_mobile,email people.txt
expect_rc types 0
grep -E '"type":"(cn_mobile|email)"' found.out >types.want
same_file types.want types.out
line_count types.out 4

# ---- standard input: "-" is the path, offsets as for the file
eg_in stdin people.txt scan -f jsonl --key-file "$key" -
expect_rc stdin 0
sed 's/"path":"people.txt"/"path":"-"/' found.out >stdin.want
same_file stdin.want stdin.out
# stdin and a file in one run
eg_in mixed clean.txt scan -f jsonl --key-file "$key" - people.txt
expect_rc mixed 0
same_file found.out mixed.out

# ---- keys: a key file others can read is refused (exit 2, says chmod)
cp "$key" open.key
chmod 644 open.key
eg openkey scan -f jsonl --key-file open.key people.txt
expect_rc openkey 2
contains openkey.err "chmod 600"
[ ! -s openkey.out ] || fail "scanned with a refused key"
ok
EGRESS_KEY_FILE=$T/open.key eg openkey2 scan -f jsonl people.txt
expect_rc openkey2 2
# a key file in the wrong format, and a missing one
printf 'egress-key v1\nnot hex\n' >bad.key
chmod 600 bad.key
eg badkey scan -f jsonl --key-file bad.key people.txt
expect_rc badkey 2
eg nokey scan -f jsonl --key-file absent.key people.txt
expect_rc nokey 2
# no key at all: a random key, said once on stderr
eg ephemeral scan -f jsonl people.txt
expect_rc ephemeral 0
line_count ephemeral.out 16
n=$(grep -c "random key" ephemeral.err)
[ "$n" -eq 1 ] || fail "the ephemeral key is announced $n times"
ok
eg ephemeral2 scan -f jsonl people.txt
cmp -s ephemeral.out ephemeral2.out && fail "two runs without a key gave the same fingerprints"
ok

# ---- output files: atomic replacement, no temporary left behind
mkdir out
eg o1 scan -f jsonl --key-file "$key" -o out/f.jsonl --summary out/s.json people.txt
expect_rc o1 0
same_file found.out out/f.jsonl
[ "$(ls out | sort | tr '\n' ' ')" = "f.jsonl s.json " ] ||
    fail "unexpected files in the output directory: $(ls -a out)"
ok
# an existing output is replaced by a new file (rename), never rewritten
# in place, so a reader never sees half of it
echo old >out/f.jsonl
inode_before=$(stat -c %i out/f.jsonl)
exec 9<out/f.jsonl # an open reader keeps the old file
eg o2 scan -f jsonl --key-file "$key" -o out/f.jsonl people.txt
expect_rc o2 0
same_file found.out out/f.jsonl
[ "$(cat <&9)" = old ] || fail "the old output was modified in place"
exec 9<&-
[ "$(stat -c %i out/f.jsonl)" != "$inode_before" ] || fail "output rewritten in place"
ok
[ "$(ls -A out | sort | tr '\n' ' ')" = "f.jsonl s.json " ] ||
    fail "a temporary file was left: $(ls -A out)"
ok
# an output directory that does not exist: exit 2, clear message, nothing
# written anywhere
eg nodir scan -f jsonl --key-file "$key" -o no/such/dir/f.jsonl people.txt
expect_rc nodir 2
contains nodir.err "no/such/dir/f.jsonl"
[ ! -s nodir.out ] || fail "findings on stdout after the output failed"
[ ! -e no ] || fail "created the missing directory"
ok
eg nodir2 scan -f jsonl --key-file "$key" --summary no/such/s.json people.txt
expect_rc nodir2 2
contains nodir2.err "no/such/s.json"
# an output that is a directory
eg isdir scan -f jsonl --key-file "$key" -o out people.txt
expect_rc isdir 2
contains isdir.err "out"
[ "$(ls -A out | sort | tr '\n' ' ')" = "f.jsonl s.json " ] ||
    fail "a temporary file was left after a failure: $(ls -A out)"
ok
# nothing of ours is left in the working directory either
leftover=$(find . -name '*.tmp*' | head -n 5)
[ -z "$leftover" ] || fail "temporary files left: $leftover"
ok

done_ok
