#!/usr/bin/env bash
# Builds fenceline and its recorder, then records every scenario from each real lock service
# and checks each verdict (ctest labels etcd, zookeeper, redis; about a minute in all), and
# checks that no server was left running.
# Usage: scripts/record-test.sh [BUILD_DIR] [SERVICE...]   (default: build-record; all three)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-record}
shift || true
services=("$@")
((${#services[@]})) || services=(etcd zookeeper redis)
# The server each service's tests start, as a pattern for pgrep -f, and its package.
declare -A server=([etcd]='^/usr/bin/etcd ' [zookeeper]='ZooKeeperServerMain' [redis]='^/usr/bin/redis-server ')
declare -A needs=([etcd]=/usr/bin/etcd [zookeeper]=/usr/share/java/zookeeper.jar [redis]=/usr/bin/redis-server)
for s in "${services[@]}"; do
  if [ -z "${needs[$s]:-}" ]; then
    echo "record-test: unknown service '$s' (one of: etcd zookeeper redis)" >&2
    exit 2
  fi
  if [ ! -e "${needs[$s]}" ]; then
    echo "record-test: $s is not installed (${needs[$s]} is missing); run scripts/setup.sh" >&2
    exit 2
  fi
done
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFENCELINE_BUILD_RECORDER=ON >/dev/null
targets=(fenceline_cli fenceline_record record_test)
for s in "${services[@]}"; do targets+=("record_${s}_test"); done
cmake --build "$build" -j2 --target "${targets[@]}"
declare -A before
for s in "${services[@]}"; do before[$s]=$(pgrep -c -f "${server[$s]}" || true); done
labels=$(IFS='|'; echo "${services[*]}")
(cd "$build" && timeout 300 ctest -L "^($labels)\$" --output-on-failure -j2)
(cd "$build" && ctest -R 'RecorderTest|MergeLogsTest|Base64Test|CommittedHistoriesTest' --output-on-failure)
status=0
for s in "${services[@]}"; do
  after=$(pgrep -c -f "${server[$s]}" || true)
  if [ "$after" -gt "${before[$s]}" ]; then
    echo "record-test: $((after - before[$s])) $s server(s) left behind" >&2
    status=1
  fi
done
exit $status
