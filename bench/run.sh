#!/usr/bin/env bash
# Builds the benchmarks (Release, build-bench/) and runs them, printing one JSON line per case.
# The README's figures come from this script.
# Usage: bench/run.sh [--smoke] [--no-10m] [--baseline OLD_FENCELINE] [--build-dir DIR]
#   --smoke     tiny sizes, for CI: checks the benchmarks still run, measures nothing.
#   --no-10m    leave out the 10M-operation case (minutes and gigabytes on the old code).
#   --baseline  also run each generated-history case with another build's fenceline binary
#               (say, main before a change, built side by side), in the same run, and print
#               its figures and the ratios new/old.
#   --build-dir use an already configured Release build (CI's), adding the benchmarks to it,
#               instead of a build-bench/ of their own: CI then compiles the library once.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0 large=1 baseline="" dir=build-bench own_dir=1
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --no-10m) large=0 ;;
    --baseline) baseline=$(realpath "$2"); shift ;;
    --build-dir) dir=$2; own_dir=0; shift ;;
    *) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ $own_dir = 1 ]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DFENCELINE_BUILD_TESTS=OFF \
    -DFENCELINE_BUILD_BENCH=ON -DFENCELINE_BUILD_RECORDER=OFF >/dev/null
else
  [ -f "$dir/CMakeCache.txt" ] || { echo "bench/run.sh: $dir is not a configured build" >&2; exit 2; }
  grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$dir/CMakeCache.txt" ||
    { echo "bench/run.sh: $dir is not a Release build" >&2; exit 2; }
  cmake -S . -B "$dir" -DFENCELINE_BUILD_BENCH=ON >/dev/null
fi
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
    "$dir"/fenceline check --allow-empty --model cas-register "$corpus"/jepsen-etcd/*.log >/dev/null || true
    "$dir"/fenceline check --allow-empty --model kv "$corpus"/porcupine-kv/*.txt >/dev/null || true
    end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '{"bench":"cli/corpus_batch","runs":%d,"median_s":%s}\n' "$runs" "$median"
fi

# 2. Generated key-value histories through the CLI (fenceline_gen: linearizable by
#    construction, 50 processes, about 42 operations in flight): wall and CPU seconds, peak
#    memory, memory per operation. Hot keys concentrate the concurrency (300k ops over 3 keys:
#    about 14 in flight per key), so those cases run under a time and memory limit and may
#    end "unknown" (exit 3): the search, not compilation, is then what bounds them.
gen=$dir/bench/harness/fenceline_gen
# run_case NAME FILE OPS [CLI FLAGS...]: one JSON line, with the baseline's figures if given.
run_case() {
  local name=$1 file=$2 ops=$3
  shift 3
  local line
  line=$(measure "$dir/fenceline" "$file" "$ops" "$@")
  if [ -n "$baseline" ]; then
    local old
    old=$(measure "$baseline" "$file" "$ops" "$@")
    line="$line,$(sed 's/"\([a-z_]*\)":/"baseline_\1":/g' <<<"$old")"
    line="$line,$(ratio "$line")"
  fi
  printf '{"bench":"cli/%s","ops":%d,%s}\n' "$name" "$ops" "$line"
}
# measure BINARY FILE OPS [FLAGS...]: "exit_code":..,"seconds":..,"cpu_s":..,"peak_rss_mib":..
measure() {
  local bin=$1 file=$2 ops=$3
  shift 3
  set +e
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" check --model kv "$@" "$file" > "$tmp/report" 2>&1
  local code=$?
  set -e
  # /usr/bin/time prefixes "Command exited with non-zero status N" when the command fails.
  local secs user sys kib
  read -r secs user sys kib < <(tail -n 1 "$tmp/time")
  printf '"exit_code":%d,"seconds":%s,"cpu_s":%s,"peak_rss_mib":%d,"bytes_per_op":%d' \
    "$code" "$secs" "$(awk -v a="$user" -v b="$sys" 'BEGIN { printf "%.2f", a + b }')" \
    $((kib / 1024)) $((kib * 1024 / ops))
}
ratio() {
  awk -v l="$1" 'function get(k,  m) { if (match(l, "\"" k "\":[0-9.]+")) { m = substr(l, RSTART, RLENGTH); sub(/.*:/, "", m); return m } return 0 }
    BEGIN { printf "\"ratio_seconds\":%.3f,\"ratio_cpu\":%.3f,\"ratio_peak_rss\":%.3f",
            get("seconds") / (get("baseline_seconds") + 1e-9), get("cpu_s") / (get("baseline_cpu_s") + 1e-9),
            get("peak_rss_mib") / (get("baseline_peak_rss_mib") + 1e-9) }'
}
# gen_case NAME OPS KEYS [GENERATOR FLAGS...] -- [CLI FLAGS...]
gen_case() {
  local name=$1 ops=$2 keys=$3
  shift 3
  local gflags=() cflags=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do gflags+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  cflags=("$@")
  "$gen" --ops "$ops" --keys "$keys" "${gflags[@]}" > "$tmp/h.jsonl"
  run_case "$name" "$tmp/h.jsonl" "$ops" "${cflags[@]}"
  rm -f "$tmp/h.jsonl"
}
limits=(--time-limit 60 --memory-limit 512)
if [ $smoke = 1 ]; then
  gen_case kv_20000_ops_100_keys_ok 20000 100
  gen_case kv_20000_ops_100_keys_lost-append 20000 100 --lost-append
  gen_case kv_3000_ops_3_keys 3000 3 --processes 6 -- "${limits[@]}"
  gen_case kv_20000_ops_10000_keys 20000 10000
  gen_case kv_20000_ops_100_keys_info 20000 100 --info-rate 0.001
  # Issue 11's search rows at a smoke size: few hot keys against many (50 processes, about 14
  # in flight per key over 3 keys), 10 keys with 10k operations each, 10 operations a key.
  gen_case kv_30000_ops_3_keys 30000 3 -- "${limits[@]}"
  gen_case kv_30000_ops_3000_keys 30000 3000 -- "${limits[@]}"
  gen_case kv_100000_ops_10_keys 100000 10 -- "${limits[@]}"
  gen_case kv_100000_ops_10000_keys 100000 10000
else
  gen_case kv_1000000_ops_1000_keys_ok 1000000 1000
  gen_case kv_1000000_ops_1000_keys_lost-append 1000000 1000 --lost-append
  gen_case kv_300000_ops_3000_keys 300000 3000 -- "${limits[@]}"
  gen_case kv_300000_ops_3_keys 300000 3 -- "${limits[@]}"
  gen_case kv_300000_ops_3_keys_6_processes 300000 3 --processes 6 -- "${limits[@]}"
  gen_case kv_1000000_ops_10_keys 1000000 10 -- "${limits[@]}"
  gen_case kv_1000000_ops_10_keys_20_processes 1000000 10 --processes 20 -- "${limits[@]}"
  gen_case kv_1000000_ops_100000_keys 1000000 100000
  gen_case kv_1000000_ops_1000_keys_hot_10pct_on_10 1000000 1000 --hot-keys 10 --hot-share 0.1 -- "${limits[@]}"
  gen_case kv_1000000_ops_1000_keys_info_0.1pct 1000000 1000 --info-rate 0.001 -- "${limits[@]}"
  [ $large = 1 ] && gen_case kv_10000000_ops_1000_keys 10000000 1000
fi

# 2a. The search alone (partitioning, compilation, search; parsed once, untimed): medians of 3,
#     CPU seconds beside wall seconds (bench/search/search_bench).
ops=1000000; [ $smoke = 1 ] && ops=20000
"$gen" --ops "$ops" --keys 1000 > "$tmp/s.jsonl"
"$dir"/bench/search/search_bench "$tmp/s.jsonl" --runs 3 | tail -n 1
rm -f "$tmp/s.jsonl"

# 2b. Ingestion alone: `fenceline validate` on the 1M-operation history (2M events): wall and
#     CPU seconds, MB/s of wall time, peak RSS (the file is read a chunk of lines at a time, so
#     the peak is the history's, not the text's); with --baseline, the other binary's too.
ops=1000000; [ $smoke = 1 ] && ops=20000
"$gen" --ops "$ops" --keys 1000 > "$tmp/p.jsonl"
bytes=$(stat -c %s "$tmp/p.jsonl")
validate() {
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$1" validate "$tmp/p.jsonl" > /dev/null 2>&1 || true
  local secs user sys kib
  read -r secs user sys kib < <(tail -n 1 "$tmp/time")
  printf '"seconds":%s,"cpu_s":%s,"mb_per_s":%s,"peak_rss_mib":%d' "$secs" \
    "$(awk -v a="$user" -v b="$sys" 'BEGIN { printf "%.2f", a + b }')" \
    "$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", b / 1e6 / (s + 1e-9) }')" $((kib / 1024))
}
line=$(validate "$dir/fenceline")
if [ -n "$baseline" ]; then
  old=$(validate "$baseline")
  line="$line,$(sed 's/"\([a-z_]*\)":/"baseline_\1":/g' <<<"$old")"
  line="$line,$(ratio "$line")"
fi
printf '{"bench":"cli/validate_jsonl","events":%d,"mb":%d,%s}\n' $((2 * ops)) $((bytes / 1000000)) "$line"
# 2c. Heap the parsed history keeps per operation, once the text is gone (same file).
"$dir"/bench/history/history_memory_bench "$tmp/p.jsonl"
rm -f "$tmp/p.jsonl"

# 3. Fencing analysis of 1,000,000 lock and storage operations over 1,000 locks, one clock and
#    a clock per client (skew bound 20 ms); with the 10M case, 10,000,000 over the same locks
#    (issue 11: within 10x the 1M time), under a memory limit.
if [ $smoke = 1 ]; then
  "$dir"/bench/fencing/fencing_bench --ops 20000 --locks 100
  "$dir"/bench/fencing/fencing_bench --ops 20000 --locks 100 --skew-ms 20
else
  "$dir"/bench/fencing/fencing_bench --threads 2 || true
  "$dir"/bench/fencing/fencing_bench --threads 2 --skew-ms 20 || true
  if [ $large = 1 ]; then
    "$dir"/bench/fencing/fencing_bench --threads 2 --ops 10000000 --max-seconds 50 --memory-limit 3072 || true
    "$dir"/bench/fencing/fencing_bench --threads 2 --ops 10000000 --max-seconds 50 --skew-ms 20 \
      --memory-limit 3072 || true
  fi
fi

# 4. Parse throughput: the same history as JSON Lines, EDN and history.txt.
min_time=0.5; [ $smoke = 1 ] && min_time=0.01
"$dir"/bench/parse/parse_bench --benchmark_min_time="$min_time" 2>/dev/null | grep -E '^BM_|^-|^Benchmark' || true

# 5. Report writing on deeply nested values: an 80 KB EDN history whose two writes carry a
#    value nested 500 deep with 13 numbers a level (once quadratic: 95 s; see docs/report.md).
#    Median of 7 runs of `check --format edn` (its output: the violation, with both values).
awk -v depth=500 -v width=13 'BEGIN {
  for (i = 0; i < 2; i++) {
    v = ""
    for (d = 0; d < depth; d++) { v = v "["; for (k = 0; k < width; k++) v = v ((i + d + k) % 97) " " }
    v = v i; for (d = 0; d < depth; d++) v = v "]"
    printf "{:type :invoke, :process %d, :f :write, :value %s}\n{:type :ok, :process %d, :f :write, :value %s}\n", i, v, i, v
  }
  print "{:type :invoke, :process 9, :f :read, :value nil}"; print "{:type :ok, :process 9, :f :read, :value 7}"
}' > "$tmp/nested.edn"
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$dir"/fenceline check --model register --format edn "$tmp/nested.edn" > "$tmp/nested.out" 2>/dev/null || true
  end=$(date +%s.%N)
  times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '{"bench":"report/edn_nested_80kb","input_bytes":%d,"output_bytes":%d,"runs":%d,"median_s":%s}\n' \
  "$(stat -c %s "$tmp/nested.edn")" "$(stat -c %s "$tmp/nested.out")" "$runs" "$median"

# 6. Streaming in bounded memory: a well-behaved kv history piped into `check --stream -` at
#    two lengths; the peak resident set should not grow with the length (bench/stream/).
if [ $smoke = 1 ]; then
  bench/stream/stream_rss.sh "$dir" 20000
else
  bench/stream/stream_rss.sh "$dir" 1000000 5000000
fi
