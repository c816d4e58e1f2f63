#!/usr/bin/env bash
# bench_count.sh: link and count N distinct individuals (default 10 million,
# 3 keys each) through libegress and print the time of each phase and the
# peak RSS.  Not a test.  Builds bench/bench_count.c against a built
# libegress.a.
#
# usage: bench/bench_count.sh [BUILD_DIR] [N]
#   BUILD_DIR  a configured and built egress build (default: build)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
n=${2:-10000000}
[ -f "$build/libegress.a" ] || { echo "no $build/libegress.a: build first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=c11 -O2 -D_GNU_SOURCE -I"$src/include" "$src/bench/bench_count.c" \
    "$build/libegress.a" $(pkg-config --libs libhs libzstd yaml-0.1) \
    -lz -lcrypto -lpthread -lm -o "$tmp/bench_count"
echo "bench_count: $n individuals, 3 distinct keys each, 2 records each"
/usr/bin/time -v "$tmp/bench_count" "$n" "$tmp/state.egstate" 2>"$tmp/time"
grep -E "Maximum resident|Elapsed \(wall" "$tmp/time" | sed 's/^[[:space:]]*//'
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
echo "state file      $(($(wc -c <"$tmp/state.egstate") / 1048576)) MiB"
echo "peak RSS / key  $(awk -v r="$rss_kb" -v n="$n" 'BEGIN { printf "%.1f bytes", r * 1024 / (3 * n) }')"
