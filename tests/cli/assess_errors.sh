#!/usr/bin/env bash
# assess_errors.sh: bad command lines and bad rules files exit with status 2
# and a clear message, and print nothing on standard output; --help exits 0.
set -u
: "${EGRESS:?EGRESS must name the egress binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
refused() { # name expected-message args...
    local name=$1 msg=$2
    shift 2
    "$EGRESS" "$@" >out 2>err
    local rc=$?
    if [ $rc -ne 2 ] || [ -s out ] || ! grep -q -- "$msg" err; then
        echo "FAIL: $name: exit $rc, stdout $(wc -c <out) bytes, stderr: $(cat err)"
        fail=1
    fi
}
n=(--individuals 10 --sensitive-individuals 0)
refused "no scenario" "--scenario" assess "${n[@]}"
refused "no counts" "--state FILE" assess --scenario outbound
refused "half counts" "go together" assess --scenario outbound --individuals 10
refused "both sources" "exclude" assess --scenario outbound --state x "${n[@]}"
refused "shorthand" "whole number" assess --scenario outbound --individuals 1M --sensitive-individuals 0
refused "negative" "whole number" assess --scenario outbound --individuals -5 --sensitive-individuals 0
refused "spi > pi" "must not exceed" assess --scenario outbound --individuals 1 --sensitive-individuals 2
refused "scenario" "unknown scenario" assess --scenario ipo "${n[@]}"
refused "regime" "no outbound regime '2019'" assess --scenario outbound --regime 2019 "${n[@]}"
refused "exemption" "unknown exemption" assess --scenario outbound --exemption bribe "${n[@]}"
refused "venue needed" "needs a venue" assess --scenario listing "${n[@]}"
refused "venue" "unknown venue" assess --scenario listing --venue moon "${n[@]}"
refused "venue outbound" "applies to --scenario listing" assess --scenario outbound --venue hk "${n[@]}"
refused "date" "YYYY-MM-DD" assess --scenario outbound --as-of 2025-13-01 "${n[@]}"
refused "date real" "not a real date" assess --scenario outbound --as-of 2025-02-30 "${n[@]}"
refused "before any regime" "no outbound regime of the rules is in force" assess --scenario outbound --as-of 2021-01-01 "${n[@]}"
refused "format" "--format" assess --scenario outbound --format xml "${n[@]}"
refused "lang" "--lang" assess --scenario outbound --lang fr "${n[@]}"
refused "option" "unknown option" assess --scenario outbound --frobnicate "${n[@]}"
refused "state missing" "cannot open" assess --scenario outbound --state nowhere.st
refused "rules missing" "cannot open" assess --scenario outbound --rules nowhere.yaml "${n[@]}"
printf 'format: egress-rules/1\nname: x\nregimes: 5\n' >bad.yaml
refused "rules bad" "bad.yaml:3: 'regimes' must be a list" assess --scenario outbound --rules bad.yaml "${n[@]}"
refused "merge no output" "-o FILE is required" merge a.st
refused "merge no inputs" "no state files" merge -o out.st
"$EGRESS" assess --help >out 2>err || { echo "FAIL: --help"; fail=1; }
grep -q "usage: egress assess" out || { echo "FAIL: --help text"; fail=1; }
"$EGRESS" merge --help >out 2>err || { echo "FAIL: merge --help"; fail=1; }
exit $fail
