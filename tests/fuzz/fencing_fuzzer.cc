// Fuzz target: the lease and fencing-token analysis on whatever parses, with a clock skew
// picked by the first byte, one thread, a 16 MiB budget and a 200 ms limit for its search.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "fenceline/fencing.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  fenceline::StatusOr<fenceline::History> h =
      fenceline::fuzz::Parse(data + 1, size - 1, fenceline::InputFormat::kAuto);
  if (!h.ok()) return 0;
  fenceline::FencingOptions options;
  options.clock_skew_ms = data[0] % 4 == 0 ? 0.0 : static_cast<double>(data[0]);
  options.threads = 1;
  options.memory_budget = size_t{16} << 20;
  options.time_limit = std::chrono::milliseconds(200);
  fenceline::StatusOr<fenceline::FencingResult> r = fenceline::CheckFencing(*h, options);
  if (!r.ok() && r.status().code() == fenceline::StatusCode::kInternal) {
    fenceline::fuzz::Fail("fencing returned an internal error", r.status());
  }
  return 0;
}
