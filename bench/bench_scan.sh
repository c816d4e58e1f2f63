#!/usr/bin/env bash
# bench_scan.sh [MB] [RUNS]: scan throughput of egress against ripgrep with
# the naive pattern list (../shared/bench/patterns.txt), on the same
# page-cached corpus, in the same invocation.  Prints medians and ratios:
#   - egress -j1, all validation, JSON Lines output to /dev/null
#   - rg -j1 --count-matches -f patterns.txt (the reference)
#   - egress -j2 (scaling) and peak RSS of egress on a 2 GB input
#   - egress -j1 on the same corpus in GB18030 (decoded on the fly)
# These machines are noisy: trust the ratios, run it more than once.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}; runs=${2:-5}
shared=${EG_SHARED:-../shared}
out=bench/out; mkdir -p "$out"
corpus=$out/corpus-$mb.txt
[ -f "$corpus" ] || python3 "$shared/bench/mkcorpus.py" --mb "$mb" --out "$corpus" 2>/dev/null
[ -x build/egress ] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j >/dev/null; }
key=$out/bench.key
[ -f "$key" ] || build/egress keygen -o "$key" >/dev/null
gbk=$out/corpus-$mb.gbk.txt
[ -f "$gbk" ] || iconv -f UTF-8 -t GB18030 "$corpus" >"$gbk"
cat "$corpus" "$gbk" >/dev/null   # page cache

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timeit() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

bytes=$(stat -c %s "$corpus")
declare -a T_EG1 T_RG T_EG2 T_GB
for i in $(seq "$runs"); do
  T_RG+=("$(timeit rg -j1 --count-matches -f "$shared/bench/patterns.txt" "$corpus")")
  T_EG1+=("$(timeit build/egress scan -j1 --key-file "$key" --format jsonl -o /dev/null "$corpus")")
  T_EG2+=("$(timeit build/egress scan -j2 --key-file "$key" --format jsonl -o /dev/null "$corpus")")
  T_GB+=("$(timeit build/egress scan -j1 --key-file "$key" --format jsonl -o /dev/null "$gbk")")
done
rg=$(printf '%s\n' "${T_RG[@]}" | median)
e1=$(printf '%s\n' "${T_EG1[@]}" | median)
e2=$(printf '%s\n' "${T_EG2[@]}" | median)
gb=$(printf '%s\n' "${T_GB[@]}" | median)
mbs() { echo "scale=1; $bytes / $1 / 1000000" | bc -l; }
findings=$(build/egress scan -j1 --key-file "$key" --format jsonl "$corpus" 2>/dev/null | wc -l)
printf 'corpus: %s (%d bytes), %d findings, median of %d runs\n' "$corpus" "$bytes" "$findings" "$runs"
printf '%-34s %8.3f s %8s MB/s\n' "rg -j1 naive patterns" "$rg" "$(mbs "$rg")"
printf '%-34s %8.3f s %8s MB/s\n' "egress scan -j1 (validated, jsonl)" "$e1" "$(mbs "$e1")"
printf '%-34s %8.3f s %8s MB/s\n' "egress scan -j2" "$e2" "$(mbs "$e2")"
printf '%-34s %8.3f s %8s MB/s\n' "egress scan -j1, GB18030 copy" "$gb" "$(mbs "$gb")"
printf 'ratio egress-j1 / rg-j1: %.2fx\n' "$(echo "$rg / $e1" | bc -l)"
printf 'GB18030 / UTF-8 time (same text, decoded on the fly): %.2fx\n' "$(echo "$gb / $e1" | bc -l)"
printf 'scaling -j2 / -j1: %.2fx\n' "$(echo "$e1 / $e2" | bc -l)"
if [ "${EG_BENCH_RSS:-1}" = 1 ]; then
  big=$out/corpus-2g.txt
  [ -f "$big" ] || for i in $(seq 10); do cat "$corpus"; done > "$big"
  rss=$(/usr/bin/time -f %M build/egress scan -j2 --key-file "$key" -o /dev/null "$big" 2>&1 >/dev/null | tail -n1)
  printf 'peak RSS on %s (%d bytes), -j2: %d KiB\n' "$big" "$(stat -c %s "$big")" "$rss"
fi
