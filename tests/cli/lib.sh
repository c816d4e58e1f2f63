# lib.sh: helpers shared by the tests/cli/scan_*.sh cases.  Sourced, not run
# (CTest runs every tests/cli/*.sh: this one only defines functions, so
# running it alone passes trivially).
#
# CTest sets EGRESS (the built binary), EG_SRC (the source root) and
# EG_TESTDATA (tests/data).  Each case gets a private temporary directory
# $T, removed on exit, and runs from inside it so that paths in the output
# are short and the same on every machine.  TMPDIR points into $T too, so
# nothing egress might write there escapes the check of the leak canary.

set -euo pipefail

: "${EGRESS:?set EGRESS to the egress binary}"
: "${EG_SRC:?set EG_SRC to the source root}"
: "${EG_TESTDATA:=$EG_SRC/tests/data}"
export LC_ALL=C.UTF-8 NO_COLOR=1
unset EGRESS_KEY_FILE

T=$(mktemp -d "${TMPDIR:-/tmp}/egress-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tmp"
export TMPDIR="$T/tmp"
cd "$T"

EXPECTED="$EG_SRC/tests/cli/expected"
SCANDATA="$EG_TESTDATA/scan"
CHECKS=0

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ok() {
    CHECKS=$((CHECKS + 1))
}

# The fixed test key (tests/data/scan/test.key), copied with mode 600:
# git keeps files 644, and egress refuses a key others can read.
# Prints the copy's path.
test_key() {
    if [ ! -f "$T/test.key" ]; then
        cp "$SCANDATA/test.key" "$T/test.key"
        chmod 600 "$T/test.key"
    fi
    echo "$T/test.key"
}

# eg NAME ARGS...: run egress with ARGS; stdout, stderr and the exit code
# go to NAME.out, NAME.err and NAME.rc; never fails by itself.
eg() {
    local name=$1
    shift
    local rc=0
    "$EGRESS" "$@" >"$name.out" 2>"$name.err" </dev/null || rc=$?
    echo "$rc" >"$name.rc"
}

# eg_in NAME INPUT ARGS...: the same with INPUT on standard input.
eg_in() {
    local name=$1 input=$2
    shift 2
    local rc=0
    "$EGRESS" "$@" <"$input" >"$name.out" 2>"$name.err" || rc=$?
    echo "$rc" >"$name.rc"
}

# expect_rc NAME CODE: the run NAME exited with CODE.
expect_rc() {
    local got
    got=$(cat "$1.rc")
    [ "$got" = "$2" ] ||
        fail "$1: exit status $got, expected $2; stderr: $(head -c 2000 "$1.err")"
    ok
}

# same_file EXPECTED ACTUAL: byte-identical, or fail with a diff.
same_file() {
    if ! cmp -s "$1" "$2"; then
        diff -u "$1" "$2" | head -40 >&2 || true
        fail "$2 differs from $1"
    fi
    ok
}

# contains FILE TEXT: FILE has the fixed string TEXT.
contains() {
    grep -qF -- "$2" "$1" || fail "$1 does not contain '$2': $(head -c 2000 "$1")"
    ok
}

# lacks FILE TEXT: FILE does not have the fixed string TEXT.
lacks() {
    if grep -qF -- "$2" "$1"; then
        fail "$1 contains '$2'"
    fi
    ok
}

# line_count FILE N
line_count() {
    local n
    n=$(wc -l <"$1")
    [ "$n" -eq "$2" ] || fail "$1 has $n lines, expected $2"
    ok
}

# A JSON number or string field of the first object of a JSON file,
# without a JSON tool: "key":value up to the next ',' or '}'.
json_field() {
    grep -o "\"$2\":[^,}]*" "$1" | head -n1 | sed 's/^[^:]*://'
}

have() {
    command -v "$1" >/dev/null 2>&1
}

# no_crash: every run of this case ended with 0, 1 or 2 (not a signal or
# a sanitizer abort) and no sanitizer report reached stderr.
no_crash() {
    local f rc
    for f in "$T"/*.rc; do
        [ -e "$f" ] || continue
        rc=$(cat "$f")
        case $rc in
        0 | 1 | 2) ;;
        *) fail "$(basename "$f" .rc): exit status $rc: $(head -c 2000 "${f%.rc}.err")" ;;
        esac
    done
    if grep -lE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
        "$T"/*.err >/dev/null 2>&1; then
        fail "sanitizer report: $(grep -lE 'Sanitizer|runtime error:' "$T"/*.err)"
    fi
    ok
}

# done_ok: the closing line every case prints (after no_crash).
done_ok() {
    no_crash
    echo "$(basename "$0"): $CHECKS checks passed"
}

# Run directly (CTest runs every tests/cli/*.sh, this file included): a
# smoke test of the binary and of these helpers, so that a broken build or
# a broken helper fails here first, with a short message.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    eg help --help
    expect_rc help 0
    contains help.out "scan"
    eg scanhelp scan --help
    expect_rc scanhelp 0
    contains scanhelp.out "--fail-on-findings"
    printf 'a\n' >one
    printf 'a\n' >same
    same_file one same
    eg nocmd no-such-command
    [ "$(cat nocmd.rc)" != 0 ] || fail "an unknown command exited 0"
    ok
    [ "$(test_key)" = "$T/test.key" ] && [ "$(stat -c %a "$T/test.key")" = 600 ] ||
        fail "test_key did not make a private copy"
    ok
    done_ok
fi
