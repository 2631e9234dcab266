#!/usr/bin/env bash
# Streaming in bounded memory: a generated well-behaved kv history (fenceline_stream_gen: 100
# keys, 8 processes, linearizable by construction, no unknown outcomes) is piped into
# `fenceline check --stream -` at each size; one JSON line per size with the checker's exit
# code, wall and user seconds and peak resident set (fenceline_peak_rss: getrusage of the
# checker alone; the generator is another process). The peak should not grow with the length.
# Usage: bench/stream/stream_rss.sh BUILD_DIR [OPS ...]   (default sizes: 1000000 5000000)
set -euo pipefail
dir=${1:?usage: bench/stream/stream_rss.sh BUILD_DIR [OPS ...]}
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000000 5000000)
for ops in "${sizes[@]}"; do
  figures=$("$dir"/bench/stream/fenceline_stream_gen --ops "$ops" --info-rate 0 |
            "$dir"/bench/stream/fenceline_peak_rss "$dir"/fenceline check --stream --model kv - \
              2>&1 >/dev/null | tail -n 1) || true
  printf '{"bench":"stream/kv_100keys_8procs","ops":%s,%s\n' "$ops" "${figures#\{}"
done
