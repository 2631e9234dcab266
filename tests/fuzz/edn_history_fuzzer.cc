// Fuzz target: the EDN history (one map a line, a vector of maps, tuple lines) reader, through ParseHistoryText.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)fenceline::fuzz::Parse(data, size, fenceline::InputFormat::kEdn);
  return 0;
}
