#!/bin/sh
# The true-time world properties (tests/fencing/world_property_test.cc) over more seeds than
# ctest runs: SEEDS per variant (default 10000, nine variants), e.g.
#   bench/fencing/world_sweep.sh build 20000
set -eu
build=${1:-build}
FENCELINE_WORLD_SEEDS=${2:-10000} exec "$build/tests/fencing/fencing_world_test"
