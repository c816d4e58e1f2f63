#!/usr/bin/env bash
# mask_refuse.sh: what `egress mask` and `egress unmask` refuse, and how
# outputs are placed.
#
# - The output may never be the input: the same path, a hard link, a
#   symbolic link; the input is left untouched and no file appears.
# - A failed input leaves no output (no partial file, no temporary file).
# - Several inputs need --out-dir, which mirrors directories; an output
#   directory inside an input directory is refused.
# - unmask refuses a masked file the report does not describe (one byte
#   changed), a key other than the report's, and a file that is no report;
#   nothing is written then.
# - Error messages never carry a value.
source "$(dirname "$0")/lib.sh"

key=$(test_key)
cp "$SCANDATA/people.txt" in.txt
cp in.txt keep.txt

# ---- never over the input
eg same mask --key-file "$key" -o in.txt in.txt
expect_rc same 2
contains same.err "refusing to write over the input"
same_file keep.txt in.txt
ln in.txt hard.txt
eg hard mask --key-file "$key" -o hard.txt in.txt
expect_rc hard 2
same_file keep.txt in.txt
ln -s in.txt soft.txt
eg soft mask --key-file "$key" -o soft.txt in.txt
expect_rc soft 2
same_file keep.txt in.txt
lacks same.err "13800138000"

# ---- a failed input leaves nothing behind
printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03broken' >bad.txt.gz
eg badrun mask --key-file "$key" -o bad.masked bad.txt.gz
expect_rc badrun 2
[ ! -e bad.masked ] || fail "a failed mask left its output"
ok
ls | grep -q 'egress-tmp' && fail "a temporary file was left: $(ls)"
ok
eg missing mask --key-file "$key" -o missing.masked no-such-file.txt
expect_rc missing 2
contains missing.err "no-such-file.txt"

# ---- several inputs and directories
eg two mask --key-file "$key" in.txt keep.txt
expect_rc two 2
contains two.err "--out-dir"
mkdir -p tree/sub
cp "$SCANDATA/people.csv" tree/sub/people.csv
cp "$SCANDATA/people.jsonl" tree/people.jsonl
eg tree mask --key-file "$key" --out-dir masked --report tree.json tree in.txt
expect_rc tree 0
for f in masked/tree/sub/people.csv masked/tree/people.jsonl masked/in.txt; do
    [ -f "$f" ] || fail "$f not written: $(find masked)"
    ok
done
lacks masked/in.txt "13800138000"
contains tree.json '"input":"tree/sub/people.csv","output":"masked/tree/sub/people.csv"'
eg inside mask --key-file "$key" --out-dir tree/out tree
expect_rc inside 2
contains inside.err "inside"

# ---- unmask refusals
eg enc mask --operator encrypt --key-file "$key" -o enc.txt --report enc.json in.txt
expect_rc enc 0
# one byte changed: refused, nothing written
sed '1s/^./X/' enc.txt >tampered.txt
eg tamper unmask --key-file "$key" --report enc.json -o back.txt tampered.txt
expect_rc tamper 2
contains tamper.err "does not match the report"
[ ! -e back.txt ] || fail "unmask wrote an output for a tampered file"
ok
# another key
"$EGRESS" keygen -o other.key >/dev/null 2>&1 || fail "keygen failed"
eg wrongkey unmask --key-file other.key --report enc.json -o back.txt enc.txt
expect_rc wrongkey 2
contains wrongkey.err "not the key of the report"
[ ! -e back.txt ] || fail "unmask wrote an output with the wrong key"
ok
# not a report
printf '{"hello":1}\n' >notreport.json
eg notrep unmask --key-file "$key" --report notreport.json -o back.txt enc.txt
expect_rc notrep 2
contains notrep.err "not an egress mask report"
# over the masked file
eg overm unmask --key-file "$key" --report enc.json -o enc.txt enc.txt
expect_rc overm 2
# the right key and report
eg good unmask --key-file "$key" --report enc.json -o back.txt enc.txt
expect_rc good 0
same_file in.txt back.txt
# usage
eg nokey unmask --report enc.json enc.txt
expect_rc nokey 2
eg help mask --help
expect_rc help 0
contains help.out "usage: egress mask"
for r in same hard soft badrun tamper wrongkey notrep; do
    lacks "$r.err" "11010519491231002X"
done

done_ok
