// Fuzz target: the Jepsen log lines reader, through ParseHistoryText.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)fenceline::fuzz::Parse(data, size, fenceline::InputFormat::kJepsenLog);
  return 0;
}
