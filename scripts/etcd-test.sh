#!/usr/bin/env bash
# Builds fenceline and its etcd recorder, then records every scenario from a real etcd and
# checks each verdict (ctest label `etcd`, under 3 minutes), and checks no etcd is left over.
# Usage: scripts/etcd-test.sh [BUILD_DIR]   (default: build-etcd)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-etcd}
if ! command -v etcd >/dev/null; then
  echo "etcd-test: etcd is not installed; run scripts/setup.sh (apt-get install etcd-server etcd-client)" >&2
  exit 2
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFENCELINE_BUILD_RECORDER=ON >/dev/null
cmake --build "$build" -j2 --target fenceline_cli fenceline_record record_test record_etcd_test
before=$(pgrep -c -x etcd || true)
(cd "$build" && timeout 180 ctest -L etcd -R 'Record|Committed|Base64|MergeLogs' --output-on-failure -j2)
(cd "$build" && ctest -R 'RecorderTest|MergeLogsTest|Base64Test|CommittedEtcdHistoriesTest' --output-on-failure)
after=$(pgrep -c -x etcd || true)
if [ "$after" -gt "$before" ]; then
  echo "etcd-test: $((after - before)) etcd process(es) left behind" >&2
  exit 1
fi
