// tests/fuzz/fuzz_util.h
//
// What every fuzz target asserts about a parse: a History, or an error that names the input's
// position (kParseError "fuzz:line:col: ...") or its inconsistency (kInvalidHistory) — never a
// crash, a hang, or any other code. A broken promise aborts, so libFuzzer (and replay_main)
// report it with the input that caused it.
#ifndef FENCELINE_TESTS_FUZZ_FUZZ_UTIL_H_
#define FENCELINE_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fenceline/parse.h"
#include "fenceline/status.h"

namespace fenceline::fuzz {

inline constexpr std::string_view kName = "fuzz";

[[noreturn]] inline void Fail(std::string_view what, const Status& s) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s: %s: %s\n", static_cast<int>(what.size()),
               what.data(), std::string(StatusCodeName(s.code())).c_str(), s.message().c_str());
  std::abort();
}

// A parse error must be a parse error or an invalid history, and say where.
inline void ExpectParseOutcome(const Status& s) {
  if (s.ok()) return;
  if (s.code() != StatusCode::kParseError && s.code() != StatusCode::kInvalidHistory) {
    Fail("parse returned an unexpected code", s);
  }
  if (s.message().substr(0, kName.size()) != kName) Fail("message does not name the input", s);
}

inline StatusOr<History> Parse(const uint8_t* data, size_t size, InputFormat format) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.format = format;
  StatusOr<History> h = ParseHistoryText(text, kName, options);
  ExpectParseOutcome(h.status());
  return h;
}

}  // namespace fenceline::fuzz

#endif  // FENCELINE_TESTS_FUZZ_FUZZ_UTIL_H_
