#!/usr/bin/env bash
# Streaming in bounded memory: a generated well-behaved kv history (fenceline_stream_gen: 100
# keys, 8 processes, linearizable by construction, no unknown outcomes) is piped into
# `fenceline check --stream -` at each size; one JSON line per size with the checker's exit
# code, wall and user seconds and peak resident set (fenceline_peak_rss: getrusage of the
# checker alone; the generator is another process). The peak should not grow with the length.
# STREAM_COMPRESS=gzip|zstd compresses the history on its way (gzip -1, zstd -1), so the checker
# reads it compressed; STREAM_INFO_RATE=R gives that share of puts an unknown outcome (default 0).
# Usage: bench/stream/stream_rss.sh BUILD_DIR [OPS ...]   (default sizes: 1000000 5000000)
set -euo pipefail
dir=${1:?usage: bench/stream/stream_rss.sh BUILD_DIR [OPS ...]}
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000000 5000000)
compress=${STREAM_COMPRESS:-}
info_rate=${STREAM_INFO_RATE:-0}
case "$compress" in
  "") pack=(cat) ;;
  gzip) pack=(gzip -1 -c) ;;
  zstd) pack=(zstd -1 -q -c) ;;
  *) echo "stream_rss.sh: STREAM_COMPRESS is gzip or zstd, not '$compress'" >&2; exit 2 ;;
esac
name=stream/kv_100keys_8procs${compress:+_$compress}
[ "$info_rate" != 0 ] && name+=_info$info_rate
for ops in "${sizes[@]}"; do
  figures=$("$dir"/bench/stream/fenceline_stream_gen --ops "$ops" --info-rate "$info_rate" |
            "${pack[@]}" |
            "$dir"/bench/stream/fenceline_peak_rss "$dir"/fenceline check --stream --model kv - \
              2>&1 >/dev/null | tail -n 1) || true
  printf '{"bench":"%s","ops":%s,%s\n' "$name" "$ops" "${figures#\{}"
done
