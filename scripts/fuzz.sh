#!/usr/bin/env bash
# fuzz.sh [SECONDS] [HARNESS...]: build the libFuzzer harnesses with clang
# (ASan + UBSan) and run each for SECONDS (default 60) on a copy of its seed
# corpus in tests/fuzz/corpus/<name>.  New crashes are left in
# build-fuzz/crashes/<name>/ and make the script fail.  Record long runs in
# tests/fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}; shift || true
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEG_FUZZ=ON -DEG_SANITIZE=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
names=("$@")
if ((${#names[@]} == 0)); then
  for f in tests/fuzz/fuzz_*.c; do n=$(basename "$f" .c); names+=("${n#fuzz_}"); done
fi
status=0
for n in "${names[@]}"; do
  # a harness with a known open crash (tests/fuzz/open/<name>, see
  # tests/fuzz/README.md) is not mutation-fuzzed in CI until it is fixed:
  # CI must not fail on a bug already filed; its corpus still replays in CTest
  if [ -n "${EG_FUZZ_RUNS:-}" ] && [ -n "$(ls -A tests/fuzz/open/$n 2>/dev/null)" ]; then
    echo "fuzz: $n has an open crash in tests/fuzz/open/$n: smoke run skipped"
    continue
  fi
  bin=build-fuzz/tests/fuzz/fuzz_$n
  [ -x "$bin" ] || { echo "fuzz: no harness $n" >&2; status=1; continue; }
  work=build-fuzz/corpus/$n; crashes=build-fuzz/crashes/$n
  mkdir -p "$work" "$crashes"
  [ -d tests/fuzz/corpus/$n ] && cp -n tests/fuzz/corpus/$n/* "$work"/ 2>/dev/null || true
  echo "fuzz: $n for ${secs}s"
  # EG_FUZZ_RUNS=N (CI): a fixed seed and N runs (capped at SECONDS), so the
  # smoke run is reproducible; without it, fuzz for SECONDS with a random seed
  limit=(-max_total_time="$secs")
  [ -n "${EG_FUZZ_RUNS:-}" ] && limit+=(-seed=1 -runs="$EG_FUZZ_RUNS")
  if ! ASAN_OPTIONS=detect_leaks=1 "$bin" "${limit[@]}" -rss_limit_mb=2560 \
       -timeout=25 -artifact_prefix="$crashes/" -print_final_stats=1 "$work" \
       >"build-fuzz/fuzz_$n.log" 2>&1; then
    echo "fuzz: $n FAILED; see build-fuzz/fuzz_$n.log and $crashes" >&2
    tail -n 30 "build-fuzz/fuzz_$n.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "build-fuzz/fuzz_$n.log" | tail -n 1
  fi
done
exit $status
