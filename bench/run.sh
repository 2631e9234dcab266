#!/usr/bin/env bash
# Builds the benchmarks (Release, build-bench/) and runs them, printing one JSON line per case.
# The README's figures come from this script. Usage: bench/run.sh [--smoke]
#   --smoke  tiny sizes, for CI: checks the benchmarks still run, measures nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
dir=build-bench
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DFENCELINE_BUILD_TESTS=OFF \
  -DFENCELINE_BUILD_BENCH=ON -DFENCELINE_BUILD_RECORDER=OFF >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The reference corpus as one batch (parse + check, in process), median of 7 runs: every
#    partition of every file decided, then stopping each file at its first violation.
runs=7; [ $smoke = 1 ] && runs=1
"$dir"/bench/search/corpus_bench --runs "$runs" | tail -n 1
"$dir"/bench/search/corpus_bench --runs "$runs" --first-violation | tail -n 1

# 1b. The same batch through the CLI, as a user runs it (two processes, one per model).
corpus=../shared/corpus
if [ -d "$corpus" ]; then
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$dir"/fenceline check --model cas-register "$corpus"/jepsen-etcd/*.log >/dev/null || true
    "$dir"/fenceline check --model kv "$corpus"/porcupine-kv/*.txt >/dev/null || true
    end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '{"bench":"cli/corpus_batch","runs":%d,"median_s":%s}\n' "$runs" "$median"
fi

# 2. A generated linearizable key-value history through the CLI: wall time and peak memory.
ops=1000000; keys=1000; [ $smoke = 1 ] && ops=20000 && keys=100
"$dir"/bench/harness/fenceline_gen --ops "$ops" --keys "$keys" > "$tmp/kv.jsonl"
for variant in ok lost-append; do
  file="$tmp/kv.jsonl"
  if [ $variant = lost-append ]; then
    "$dir"/bench/harness/fenceline_gen --ops "$ops" --keys "$keys" --lost-append > "$tmp/kv-bad.jsonl"
    file="$tmp/kv-bad.jsonl"
  fi
  set +e
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$dir"/fenceline check --model kv "$file" > "$tmp/report" 2>&1
  code=$?
  set -e
  # /usr/bin/time prefixes "Command exited with non-zero status N" when the command fails.
  read -r secs kib < <(tail -n 1 "$tmp/time")
  printf '{"bench":"cli/kv_%s_ops_%s_keys_%s","exit_code":%d,"seconds":%s,"peak_rss_mib":%d}\n' \
    "$ops" "$keys" "$variant" "$code" "$secs" $((kib / 1024))
done

# 3. Fencing analysis of 1,000,000 lock and storage operations over 1,000 locks.
if [ $smoke = 1 ]; then
  "$dir"/bench/fencing/fencing_bench --ops 20000 --locks 100
else
  "$dir"/bench/fencing/fencing_bench
fi

# 4. Parse throughput: the same history as JSON Lines, EDN and history.txt.
min_time=0.5; [ $smoke = 1 ] && min_time=0.01
"$dir"/bench/parse/parse_bench --benchmark_min_time="$min_time" 2>/dev/null | grep -E '^BM_|^-|^Benchmark' || true
