// Fuzz target: the EDN reader (text -> Value), and printing what it read back as EDN. From
// UTF-8 text, escapes included, it reads only UTF-8 values.
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
  if (fenceline::fuzz::IsUtf8(text) && !fenceline::fuzz::IsUtf8(*v)) {
    fenceline::fuzz::Fail("UTF-8 text read as a value that is not UTF-8",
                          fenceline::InvalidHistory(v->ToEdn()));
  }
  return 0;
}
