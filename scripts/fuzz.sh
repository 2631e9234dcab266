#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang, ASan + UBSan) into build-fuzz/ and runs each
# for SECONDS (default 60), seeded from histories/ and from tests/fuzz/regressions/<target>/.
# The corpus a run grows stays in build-fuzz/corpus/<target>/; a crash or timeout input lands in
# build-fuzz/artifacts/<target>/ and the script exits 1: minimize it, fix the bug, and keep the
# input in tests/fuzz/regressions/<target>/, where ctest replays it (fuzz_replay_<target>).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(json_lines edn_reader edn_history jepsen_log format_sniff check fencing)
build=${FENCELINE_FUZZ_BUILD_DIR:-build-fuzz}
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" "${generator[@]}" "${launcher[@]}" -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFENCELINE_FUZZ=ON -DFENCELINE_BUILD_RECORDER=OFF >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/%/_fuzzer}"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t" "tests/fuzz/regressions/$t"
  log="$build/artifacts/$t/fuzz.log"
  if ! "$build/tests/fuzz/${t}_fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" \
      "$build/corpus/$t" "tests/fuzz/regressions/$t" histories >"$log" 2>&1; then
    status=1
    echo "$t: FAILED (see $log and $build/artifacts/$t/)"
  fi
  # The last status line: executions and coverage (cov: edges, ft: features).
  line=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  echo "$t: ${runs:-?} executions; ${line:-no status line}"
done
exit $status
