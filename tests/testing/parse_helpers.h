// tests/testing/parse_helpers.h
//
// Running one format parser on inline text, for the parser tests, and short Value builders.
#ifndef FENCELINE_TESTS_TESTING_PARSE_HELPERS_H_
#define FENCELINE_TESTS_TESTING_PARSE_HELPERS_H_

#include <optional>
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

// Everything a History holds (or the error), as text, so that two parses can be compared in
// one EXPECT.
inline std::string DumpHistory(const StatusOr<History>& h) {
  if (!h.ok()) {
    return "error " + std::string(StatusCodeName(h.status().code())) + ": " + h.status().message();
  }
  std::string s = "source " + h->source + (h->timed ? " timed" : " ordered") + " skipped " +
                  std::to_string(h->skipped_lines) + "@" + std::to_string(h->first_skipped_line) +
                  "\n";
  for (const std::string& p : h->process_names) s += "process " + p + "\n";
  auto opt = [](const std::optional<Nanos>& t) { return t ? std::to_string(*t) : "-"; };
  for (const Operation& op : h->ops) {
    s += std::to_string(static_cast<uint32_t>(op.index)) + " p" +
         std::to_string(static_cast<uint32_t>(op.process)) + " " +
         std::string(OutcomeName(op.outcome)) + " " + op.f + " in=" + op.input.ToEdn() +
         " out=" + op.output.ToEdn() + " key=" + (op.key ? op.key->ToEdn() : "-") + " [" +
         std::to_string(op.call) + "," + std::to_string(op.ret) + "] err=" + op.error.ToEdn() +
         " node=" + op.node + " t=" + opt(op.invoke_time) + "/" + opt(op.complete_time) +
         " at " + std::to_string(op.invoke_pos.line) + ":" +
         std::to_string(op.invoke_pos.column) + "/" + std::to_string(op.complete_pos.line) +
         ":" + std::to_string(op.complete_pos.column);
    for (const auto& [k, v] : op.extra) s += " " + k + "=" + v.ToEdn();
    s += "\n";
  }
  for (const Event& e : h->other_events) {
    s += "other " + e.process.ToEdn() + " " + std::string(EventTypeName(e.type)) + " " + e.f +
         " " + e.value.ToEdn() + " err=" + e.error.ToEdn() + " at " +
         std::to_string(e.pos.line) + ":" + std::to_string(e.pos.column) + "\n";
  }
  return s;
}

inline Value Vec(std::vector<Value> items) { return Value::Vector(std::move(items)); }
inline Value Kw(std::string s) { return Value::Keyword(std::move(s)); }
inline Value I(int64_t i) { return Value::Int(i); }

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_TESTING_PARSE_HELPERS_H_
