#!/usr/bin/env bash
# valgrind.sh: the unit tests and a few CLI runs under Valgrind memcheck.
#
# A second opinion next to the ASan+UBSan build of scripts/test.sh: memcheck
# runs the real (uninstrumented) code, including what the sanitizers cannot
# see into (OpenSSL, Vectorscan, zlib, zstd, libyaml), and reports reads of
# uninitialised memory, which ASan does not.  Built without sanitizers (they
# do not mix with Valgrind), -O1 -g, in build-valgrind/ (or $EG_VG_BUILD).
#
# Every run must end with no memcheck error and no definite or indirect
# leak (--error-exitcode).  "Still reachable" blocks (library globals
# freed at exit or never) are not errors.  Slow: about 45 minutes on two
# cores, test_state alone 24; EG_VG_QUICK=1 skips test_state and
# test_torture, the slowest.
# Usage: scripts/valgrind.sh [TEST_NAME...]   (default: every unit test)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${EG_VG_BUILD:-build-valgrind}
command -v valgrind >/dev/null || {
    echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-O1 \
    -DEG_SANITIZE=OFF -DEG_FUZZ=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

vg=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes --quiet)
export EG_SHARED="$root/../shared" EG_TESTDATA="$root/tests/data"
logdir="$root/$build/valgrind"
mkdir -p "$logdir"
status=0
failed=()

# run NAME WANT_RC COMMAND...: run under memcheck (log $logdir/NAME.vg);
# memcheck errors exit 99, so the command's own status stays readable.
# Memory errors in forked children (which do not decide the exit status)
# are caught by reading the log; their leaks are not (children _exit).
# Unit checks named "speed" time the code and cannot pass at Valgrind's
# 20-50x slowdown: a run whose only failures are those counts as clean.
run() {
    local name=$1 want=$2
    shift 2
    local t0=$SECONDS rc=0 note=
    "${vg[@]}" --log-file="$logdir/$name.vg" "$@" >"$logdir/$name.log" 2>&1 || rc=$?
    if grep -qE 'Invalid (read|write|free)|uninitialised|Mismatched free|Source and destination overlap|Syscall param' \
        "$logdir/$name.vg"; then
        rc=99
    elif [ "$rc" = 1 ] && [ "$want" = 0 ] && grep -q '^FAIL speed$' "$logdir/$name.log" &&
        ! grep '^FAIL ' "$logdir/$name.log" | grep -qv '^FAIL speed$'; then
        rc=0
        note=", speed checks not applicable"
    fi
    if [ "$rc" = "$want" ]; then
        echo "valgrind: ok   $name ($((SECONDS - t0)) s$note)"
    else
        echo "valgrind: FAIL $name: exit $rc, expected $want (see $logdir/$name.vg)"
        head -n 40 "$logdir/$name.vg" >&2 || true
        tail -n 5 "$logdir/$name.log" >&2 || true
        failed+=("$name")
        status=1
    fi
}

# ---- unit tests (working directory tests/, as CTest runs them)
tests=("$@")
if ((${#tests[@]} == 0)); then
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        if [ "${EG_VG_QUICK:-0}" = 1 ]; then
            case $n in test_state | test_torture) continue ;; esac
        fi
        tests+=("$n")
    done
fi
cd tests
for n in "${tests[@]}"; do
    run "$n" 0 "$root/$build/tests/$n"
done
cd "$root"

# ---- CLI runs: every input kind, threads, outputs, a failing input
if (($# == 0)); then
    eg="$root/$build/egress"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cp "$root/tests/data/scan/test.key" "$tmp/k" && chmod 600 "$tmp/k"
    gzip -c samples/customers.csv >"$tmp/customers.csv.gz"
    zstd -q -c samples/api.jsonl -o "$tmp/api.jsonl.zst"
    printf 'ELF\0\0 13829968745' >"$tmp/blob.bin"
    head -c 3000000 /dev/zero | tr '\0' 'a' >"$tmp/long.txt"
    printf ' 13829968745\n' >>"$tmp/long.txt"
    run cli_scan_samples 0 "$eg" scan -f jsonl --key-file "$tmp/k" -j 2 \
        --summary "$tmp/s.json" --state "$tmp/st.egstate" -o "$tmp/o.jsonl" \
        samples "$tmp/customers.csv.gz" "$tmp/api.jsonl.zst" "$tmp/blob.bin" \
        "$tmp/long.txt"
    run cli_scan_sarif 0 "$eg" scan -f sarif --key-file "$tmp/k" -j 1 \
        --chunk-size 40000 -o "$tmp/o.sarif" samples "$tmp/long.txt"
    run cli_scan_failing_input 2 "$eg" scan -f text --key-file "$tmp/k" \
        -o "$tmp/o.txt" samples /nonexistent "$tmp/customers.csv.gz"
    run cli_assess 0 "$eg" assess --scenario outbound --state "$tmp/st.egstate"
fi

if ((status)); then
    echo "valgrind: failed: ${failed[*]}" >&2
else
    echo "valgrind: all runs clean"
fi
exit $status
