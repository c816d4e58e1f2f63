#!/usr/bin/env bash
# mask_rescan.sh: scanning a masked output again finds nothing but the
# values the report says were deliberately kept well-formed.
#
# The built-in policy (redact, mask, generalize; keep for organisations
# and classification marks), a pseudonymize policy, a drop policy (whole
# CSV columns and JSON members go; the output must still parse, with its
# records) and --operator encrypt
# are run over the sample files and, with python3, over a 1 MB corpus
# from shared/bench/mkcorpus.py.  Every finding of the re-scan must lie
# inside a span of the report flagged "well_formed" (encrypt and keep
# outputs: resident IDs and cards stay valid on purpose); without python3
# the check is by type (each type found must be in well_formed_types).
source "$(dirname "$0")/lib.sh"

key=$(test_key)
cp "$SCANDATA/people.txt" "$SCANDATA/people.csv" "$SCANDATA/people.jsonl" .
inputs="people.txt people.csv people.jsonl"
if have python3 && [ -f "$EG_SHARED/bench/mkcorpus.py" ]; then
    python3 "$EG_SHARED/bench/mkcorpus.py" --mb 1 --out corpus.txt 2>/dev/null
    inputs="$inputs corpus.txt"
fi
cat >pseudo.yaml <<'EOF'
version: 1
default: pseudonymize
rules:
  confidential: redact
  org: redact
EOF
printf 'version: 1\ndefault: drop\n' >drop.yaml

# check_parses OUT IN: CSV and JSON Lines outputs still parse, with as
# many records as their input
check_parses() {
    have python3 || return 0
    python3 - "$1" "$2" <<'EOF' || fail "$1: does not parse as its input does"
import csv, json, sys
out, inp = sys.argv[1], sys.argv[2]
if inp.endswith(".csv"):
    rows = lambda p: list(csv.reader(open(p, encoding="utf-8-sig", newline="")))
    a, b = rows(inp), rows(out)
    assert len(a) == len(b), (len(a), len(b))
    assert len({len(r) for r in b}) <= 1, "ragged output"
elif inp.endswith(".jsonl"):
    a = [json.loads(l) for l in open(inp, encoding="utf-8") if l.strip()]
    b = [json.loads(l) for l in open(out, encoding="utf-8") if l.strip()]
    assert len(a) == len(b)
EOF
    ok
}

check_rescan() { # check_rescan REPORT FINDINGS
    if have python3; then
        python3 - "$1" "$2" <<'EOF' || fail "$2: a re-found value outside the well-formed spans of $1"
import bisect, json, sys
rep = json.load(open(sys.argv[1], encoding="utf-8"))
spans = [s for s in rep["inputs"][0]["spans"] if s.get("well_formed")]
starts = [s["out"][0] for s in spans]
bad = 0
for line in open(sys.argv[2], encoding="utf-8"):
    f = json.loads(line)
    i = bisect.bisect_right(starts, f["start"]) - 1
    if i < 0 or not (spans[i]["out"][0] <= f["start"] and f["end"] <= spans[i]["out"][1]):
        bad += 1
        print("outside:", f["type"], f["start"], f["end"], file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
    else
        for t in $(grep -o '"type":"[a-z_0-9]*"' "$2" | sort -u | cut -d'"' -f4); do
            grep -q "\"well_formed_types\":\[[^]]*\"$t\"" "$1" ||
                fail "$2: type $t found again but not kept well-formed"
        done
    fi
    ok
}

for policy in default pseudo drop encrypt; do
    case $policy in
    default) popt=() ;;
    pseudo) popt=(--policy pseudo.yaml) ;;
    drop) popt=(--policy drop.yaml) ;;
    encrypt) popt=(--operator encrypt) ;;
    esac
    for f in $inputs; do
        out="$policy-$f"
        eg "m-$out" mask "${popt[@]}" --key-file "$key" -o "$out" \
            --report "$out.json" "$f"
        expect_rc "m-$out" 0
        eg "s-$out" scan -f jsonl --key-file "$key" "$out"
        expect_rc "s-$out" 0
        check_rescan "$out.json" "s-$out.out"
        # only organisation codes and classification marks survive the
        # built-in policy, and nothing at all the pseudonyms
        case $policy in
        default)
            if grep -v '"type":"cn_uscc"' "s-$out.out" |
                grep -v '"type":"confidential_marking"' | grep -q .; then
                fail "$out: re-scan found $(head -c 300 "s-$out.out")"
            fi
            ok
            ;;
        pseudo)
            [ ! -s "s-$out.out" ] || fail "$out: pseudonyms found again: $(head -c 300 "s-$out.out")"
            ok
            ;;
        drop)
            [ ! -s "s-$out.out" ] || fail "$out: dropped values found again: $(head -c 300 "s-$out.out")"
            check_parses "$out" "$f"
            ;;
        esac
    done
done

# the encrypted sample still has valid resident IDs, and the report lists
# them as kept well-formed
contains s-encrypt-people.txt.out '"type":"cn_resident_id"'
contains encrypt-people.txt.json '"well_formed_by_type":{"cn_resident_id":1'
# whole columns and members went
grep -q '"dropped_columns":\[[0-9]' drop-people.csv.json || fail "no CSV column dropped"
grep -q '"dropped_keys":\["/' drop-people.jsonl.json || fail "no JSON member dropped"
grep -q '"well_formed_types":\[[^]]*"cn_resident_id"' encrypt-people.txt.json ||
    fail "cn_resident_id not in well_formed_types"
ok

done_ok
