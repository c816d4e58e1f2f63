#!/usr/bin/env bash
# fuzz_all.sh MINUTES [HARNESS...]: run every libFuzzer harness (or those
# named) for MINUTES each and record what it cost and found.
#
# Same build as scripts/fuzz.sh (clang, -fsanitize=fuzzer + ASan + UBSan,
# in build-fuzz/ or $EG_FUZZ_BUILD), but meant for long runs: the working
# corpus of each harness persists in <build>/corpus/<name> (seeded from
# tests/fuzz/corpus/<name>) so that runs accumulate, crashes land in
# <build>/crashes/<name>/, and one line per run is appended to
# <build>/fuzz_all.tsv:
#   date  harness  cpu_seconds  execs  coverage  corpus_files  result
# cpu_seconds is user+sys time measured by /usr/bin/time (the figure that
# goes into tests/fuzz/README.md).  EG_FUZZ_JOBS harnesses run at once
# (default 1: the CI machine has 2 cores shared with other work).
# EG_FUZZ_FORK=1 runs libFuzzer in fork mode with -ignore_crashes=1: the
# run goes on after a crash (each new crash input is saved), so that a
# harness with a known open crash still accumulates fuzzing time.
# EG_FUZZ_CPU=1 makes MINUTES CPU minutes instead of wall-clock minutes:
# the fuzzer is stopped (SIGINT: it prints its final statistics) once its
# user + system time reaches them, so a campaign gets its full budget even
# on a machine busy with other work (then it just takes longer).
# Exit status: 0 when no harness crashed, 1 otherwise.  A crash input
# becomes a regression test by copying it into tests/fuzz/corpus/<name>/
# once fixed (fuzz-replay/<name> replays it in every build).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: fuzz_all.sh MINUTES [HARNESS...]}
shift
build=${EG_FUZZ_BUILD:-build-fuzz}
jobs=${EG_FUZZ_JOBS:-1}
secs=${EG_FUZZ_SECONDS:-$((minutes * 60))} # EG_FUZZ_SECONDS: for a quick try

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DEG_FUZZ=ON -DEG_SANITIZE=ON >/dev/null
names=("$@")
if ((${#names[@]} == 0)); then
    for f in tests/fuzz/fuzz_*.c; do
        n=$(basename "$f" .c)
        names+=("${n#fuzz_}")
    done
fi
targets=()
for n in "${names[@]}"; do targets+=("fuzz_$n"); done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null

log="$build/fuzz_all.tsv"
[ -f "$log" ] || printf 'date\tharness\tcpu_seconds\texecs\tcoverage\tcorpus_files\tresult\n' >"$log"

# stop_at_cpu PID SECONDS: SIGINT the fuzzer under /usr/bin/time PID once
# it has used SECONDS of CPU (user + system, read from /proc).
stop_at_cpu() {
    local parent=$1 budget=$2 hz child used
    hz=$(getconf CLK_TCK)
    while kill -0 "$parent" 2>/dev/null; do
        sleep 5
        child=$(pgrep -P "$parent" | head -n 1) || continue
        [ -r "/proc/$child/stat" ] || continue
        used=$(awk '{print int(($14 + $15) / '"$hz"')}' "/proc/$child/stat" 2>/dev/null) || continue
        if [ "${used:-0}" -ge "$budget" ]; then
            kill -INT "$child" 2>/dev/null || true
            return 0
        fi
    done
}

run_one() {
    local n=$1 bin="$build/tests/fuzz/fuzz_$1"
    local work="$build/corpus/$n" crashes="$build/crashes/$n"
    local out="$build/fuzz_all_$n.log" tm="$build/fuzz_all_$n.time"
    mkdir -p "$work" "$crashes"
    if [ -d "tests/fuzz/corpus/$n" ]; then
        cp -n "tests/fuzz/corpus/$n"/* "$work"/ 2>/dev/null || true
    fi
    local result=ok mode=()
    [ "${EG_FUZZ_FORK:-0}" = 1 ] && mode=(-fork=1 -ignore_crashes=1)
    local before
    before=$(find "$crashes" -type f | wc -l)
    local wall=$secs
    [ "${EG_FUZZ_CPU:-0}" = 1 ] && wall=$((secs * 20))
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        /usr/bin/time -f '%U %S' -o "$tm" "$bin" "${mode[@]}" \
        -max_total_time="$wall" -rss_limit_mb=2560 -timeout=25 \
        -artifact_prefix="$crashes/" -print_final_stats=1 "$work" \
        >"$out" 2>&1 &
    local tpid=$!
    [ "${EG_FUZZ_CPU:-0}" = 1 ] && stop_at_cpu "$tpid" "$secs" &
    local rc=0
    wait "$tpid" || rc=$?
    # stopped at its CPU budget: libFuzzer exits 72 after an interrupt
    if [ "$rc" -ne 0 ] && ! { [ "$rc" = 72 ] && grep -q 'run interrupted' "$out"; }; then
        result=crash
    fi
    local new=$(($(find "$crashes" -type f | wc -l) - before))
    [ "$new" -gt 0 ] && result="crash ($new new inputs)"
    local cpu execs cov files
    cpu=$(tail -n 1 "$tm" | awk '{printf "%d", $1 + $2}')
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out" | grep -o '[0-9]*$' ||
        grep -oE '^#[0-9]+' "$out" | tail -n 1 | tr -d '#' || echo 0)
    cov=$(grep -oE 'cov: [0-9]+' "$out" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
    files=$(find "$work" -type f | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$n" "$cpu" \
        "${execs:-0}" "${cov:-0}" "$files" "$result" >>"$log"
    echo "fuzz_all: $n: ${cpu}s CPU, ${execs:-0} runs, cov ${cov:-0}, $result"
    if [ "$result" != ok ]; then
        echo "fuzz_all: $n: see $out and $crashes" >&2
        grep -m1 -E 'ERROR|runtime error|fuzz_[a-z_]*: ' "$out" >&2 || true
        return 1
    fi
}

status=0
pids=()
for n in "${names[@]}"; do
    [ -x "$build/tests/fuzz/fuzz_$n" ] || {
        echo "fuzz_all: no harness $n" >&2
        status=1
        continue
    }
    run_one "$n" &
    pids+=($!)
    if ((${#pids[@]} >= jobs)); then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done

# Totals over every run recorded so far, per harness.
echo "fuzz_all: CPU minutes recorded per harness ($log):"
awk -F'\t' 'NR > 1 { cpu[$2] += $3; if ($7 != "ok") bad[$2]++ }
    END { for (h in cpu) printf "  %-16s %6.1f min%s\n", h, cpu[h] / 60,
          bad[h] ? "  (" bad[h] " crashed runs)" : "" }' "$log" | sort
exit $status
