#!/usr/bin/env bash
# Streaming in bounded memory: a generated well-behaved kv history (fenceline_stream_gen: 100
# keys, 8 processes, linearizable by construction, no unknown outcomes) is piped into
# `fenceline check --stream -` at each size, and the checker's peak resident set and wall time
# are printed, one JSON line per size. The peak should not grow with the length.
# Usage: bench/stream/stream_rss.sh BUILD_DIR [OPS ...]   (default sizes: 1000000 5000000)
set -euo pipefail
dir=${1:?usage: bench/stream/stream_rss.sh BUILD_DIR [OPS ...]}
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000000 5000000)
gen=$dir/bench/stream/fenceline_stream_gen
cli=$dir/fenceline
for ops in "${sizes[@]}"; do
  # The generator runs in its own process; the peak is the checker's (getrusage of the one
  # child run here), read by Python's resource module so that no GNU time is needed.
  python3 - "$gen" "$cli" "$ops" <<'PY'
import resource, subprocess, sys, time
gen, cli, ops = sys.argv[1], sys.argv[2], sys.argv[3]
g = subprocess.Popen([gen, "--ops", ops, "--info-rate", "0"], stdout=subprocess.PIPE)
start = time.monotonic()
c = subprocess.run([cli, "check", "--stream", "--model", "kv", "-"], stdin=g.stdout,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
g.stdout.close()
g.wait()
wall = time.monotonic() - start
# RUSAGE_CHILDREN's ru_maxrss is the largest of the waited-for children: the checker (the
# generator holds a few hundred KiB).
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
last = c.stdout.strip().splitlines()[-1] if c.stdout.strip() else c.stderr.strip()
print('{"bench":"stream/kv_100keys_8procs","ops":%s,"exit":%d,"wall_s":%.2f,"peak_rss_mib":%.1f,"verdict":"%s"}'
      % (ops, c.returncode, wall, rss / 1024, last.split(":")[1].split("(")[0].strip() if ":" in last else last))
PY
done
