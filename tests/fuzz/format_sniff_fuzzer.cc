// Fuzz target: format sniffing, and the reader it picks. A refusal must say why, and whatever
// Sniff picks must be what auto-detection then reads with.
#include <cstddef>
#include <cstdint>

#include "checker/parse/formats.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const fenceline::internal::SniffResult sniff = fenceline::internal::Sniff(text);
  if (sniff.at > size) std::abort();
  if (sniff.format == fenceline::InputFormat::kAuto && !sniff.empty && sniff.refusal.empty()) {
    std::abort();  // neither a format, nor empty, nor a reason
  }
  (void)fenceline::SniffFormat(text);
  (void)fenceline::fuzz::Parse(data, size, fenceline::InputFormat::kAuto);
  return 0;
}
