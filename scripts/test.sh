#!/usr/bin/env bash
# The README's second command: installs the dependencies (apt), builds everything and runs the
# whole test suite with ctest. Extra arguments go to ctest (e.g. -L unit, -R Edn).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd "${FENCELINE_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 300 "$@"
