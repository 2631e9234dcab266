#!/usr/bin/env bash
# The README's second command: installs the dependencies (apt), builds everything and runs the
# whole test suite with ctest. Extra arguments go to ctest (e.g. -L unit, -R Edn).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd "${FENCELINE_BUILD_DIR:-build}"
# A test that fails is run once more before it counts as failed: the recorder's tests drive real
# etcd, ZooKeeper and Redis servers whose sessions and leases are timed, and on a loaded 2-core
# machine one of them occasionally misses its window (seen in development, never twice in a
# row). Every other test is deterministic (fixed seeds), so a real failure still fails.
ctest --output-on-failure -j "$(nproc)" --timeout 300 --repeat until-pass:2 "$@"
