#!/usr/bin/env bash
# test.sh: build egress and run every test suite, the way CI does.
#  1. a warnings-as-errors build, all CTest suites (unit, cli, fuzz replay)
#  2. the same suites under AddressSanitizer + UndefinedBehaviorSanitizer
#  3. each libFuzzer harness for a short smoke run (clang)
# Environment: EG_FUZZ_RUNS (default 500, fixed seed) and EG_FUZZ_SECONDS (cap, default 30)
# per harness; EG_SKIP_FUZZ=1 skips fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
echo "== build (Release, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEG_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"
echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DEG_WERROR=ON -DEG_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
if [ "${EG_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz smoke (fixed seed, reproducible)"
  EG_FUZZ_RUNS=${EG_FUZZ_RUNS:-500} bash scripts/fuzz.sh "${EG_FUZZ_SECONDS:-30}"
fi
echo "== all tests passed"
