#!/usr/bin/env bash
# The README's first command: installs the dependencies (apt), builds, and checks two bundled
# histories that hold real violations: a lost compare-and-set (linearizability), and a client
# paused past its etcd lease whose write the storage accepted (recorded from a real etcd).
# Exits 0 when both violations were found, as expected.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
status=0
run() {
  echo "== build/fenceline $*"
  set +e
  build/fenceline "$@"
  local code=$?
  set -e
  echo "== exit code $code (1: a violation was found, as expected for this history)"
  echo
  [ "$code" -eq 1 ] || status=1
}
run check --model cas-register histories/cas-register/invalid/lost-cas.jsonl
run check --model fencing histories/etcd/pause-unfenced.jsonl
exit $status
