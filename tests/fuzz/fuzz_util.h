// tests/fuzz/fuzz_util.h
//
// What every fuzz target asserts about a parse: a History, or an error that names the input's
// position (kParseError "fuzz:line:col: ...") or its inconsistency (kInvalidHistory) — never a
// crash, a hang, or any other code; and a History's text (values, keys, errors, process names)
// is UTF-8 that every report can write, whatever escapes spelled it. A broken promise aborts, so libFuzzer (and replay_main)
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

// True if `s` is UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF (NUL is a
// character: JSON and EDN may spell it as an escape).
inline bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 1;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) len = 1;
    else if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else return false;
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) return false;
    }
    i += len;
  }
  return true;
}

inline bool IsUtf8(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kChar:
      return v.int_value() >= 0 && v.int_value() <= 0x10FFFF &&
             !(v.int_value() >= 0xD800 && v.int_value() < 0xE000);
    case ValueKind::kString:
    case ValueKind::kKeyword:
    case ValueKind::kSymbol:
    case ValueKind::kBigInt:
    case ValueKind::kRatio:
      return IsUtf8(std::string_view(v.text()));
    case ValueKind::kTagged:
      if (!IsUtf8(std::string_view(v.text()))) return false;
      break;
    default:
      break;
  }
  if (v.is_sequential() || v.is_map() || v.kind() == ValueKind::kSet ||
      v.kind() == ValueKind::kTagged) {
    for (const Value& item : v.items()) {
      if (!IsUtf8(item)) return false;
    }
  }
  return true;
}

inline void ExpectUtf8(const History& h) {
  auto check = [](const Value& v, const char* what) {
    if (!IsUtf8(v)) Fail(what, InvalidHistory("not UTF-8: " + v.ToEdn()));
  };
  for (const Operation& op : h.ops) {
    check(op.input, "an operation's input is not UTF-8");
    check(op.output, "an operation's output is not UTF-8");
    check(op.error, "an operation's error is not UTF-8");
    if (op.key) check(*op.key, "an operation's key is not UTF-8");
  }
  for (const Event& e : h.other_events) check(e.value, "an event's value is not UTF-8");
  for (const std::string& name : h.process_names) {
    if (!IsUtf8(std::string_view(name))) Fail("a process name is not UTF-8", InvalidHistory(name));
  }
}

inline StatusOr<History> Parse(const uint8_t* data, size_t size, InputFormat format) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.format = format;
  StatusOr<History> h = ParseHistoryText(text, kName, options);
  ExpectParseOutcome(h.status());
  if (h.ok()) ExpectUtf8(*h);
  return h;
}

}  // namespace fenceline::fuzz

#endif  // FENCELINE_TESTS_FUZZ_FUZZ_UTIL_H_
