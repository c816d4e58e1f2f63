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
# leak (--error-exitcode=1).  "Still reachable" blocks (library globals
# freed at exit or never) are not errors.  Slow: expect tens of minutes;
# EG_VG_QUICK=1 skips test_torture, the slowest by far.
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
run() {
    local name=$1 want=$2
    shift 2
    local t0=$SECONDS rc=0
    "${vg[@]}" --log-file="$logdir/$name.vg" "$@" >"$logdir/$name.log" 2>&1 || rc=$?
    if [ "$rc" = "$want" ]; then
        echo "valgrind: ok   $name ($((SECONDS - t0)) s)"
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
        [ "${EG_VG_QUICK:-0}" = 1 ] && [ "$n" = test_torture ] && continue
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
