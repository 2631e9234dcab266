// tests/testing/parse_helpers.h
//
// Running one format parser on inline text, for the parser tests, and short Value builders.
#ifndef FENCELINE_TESTS_TESTING_PARSE_HELPERS_H_
#define FENCELINE_TESTS_TESTING_PARSE_HELPERS_H_

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline::testing {

// A parser of formats.h: text, file name, builder.
using FormatParser = Status (*)(std::string_view, std::string_view, HistoryBuilder&);

inline StatusOr<History> ParseWith(FormatParser parse, std::string_view text, std::string_view name) {
  HistoryBuilder builder{std::string(name)};
  FENCELINE_RETURN_IF_ERROR(parse(text, name, builder));
  return builder.Finish();
}

// The history, or an empty one after recording a test failure.
inline History MustParseWith(FormatParser parse, std::string_view text, std::string_view name) {
  StatusOr<History> h = ParseWith(parse, text, name);
  EXPECT_TRUE(h.ok()) << h.status().message();
  return h.ok() ? std::move(h).value() : History{};
}

// The error message, or "" if the text parsed.
inline std::string ParseErrorWith(FormatParser parse, std::string_view text, std::string_view name) {
  StatusOr<History> h = ParseWith(parse, text, name);
  return h.ok() ? "" : h.status().message();
}

inline Value Vec(std::vector<Value> items) { return Value::Vector(std::move(items)); }
inline Value Kw(std::string s) { return Value::Keyword(std::move(s)); }
inline Value I(int64_t i) { return Value::Int(i); }

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_TESTING_PARSE_HELPERS_H_
