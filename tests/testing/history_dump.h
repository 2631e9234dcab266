// tests/testing/history_dump.h
//
// Everything a parsed History holds (or its error), as text, so that two parses can be
// compared in one EXPECT_EQ and a difference shows as a line.
#ifndef FENCELINE_TESTS_TESTING_HISTORY_DUMP_H_
#define FENCELINE_TESTS_TESTING_HISTORY_DUMP_H_

#include <optional>
#include <string>

#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline {

inline std::string Dump(const StatusOr<History>& h) {
  if (!h.ok()) return "error " + std::string(StatusCodeName(h.status().code())) + ": " + h.status().message();
  std::string s = "source " + h->source + (h->timed ? " timed" : " ordered") + " skipped " +
                  std::to_string(h->skipped_lines) + "@" + std::to_string(h->first_skipped_line) + "\n";
  for (const std::string& p : h->process_names) s += "process " + p + "\n";
  auto opt = [](const std::optional<Nanos>& t) { return t ? std::to_string(*t) : "-"; };
  for (const Operation& op : h->ops) {
    s += std::to_string(static_cast<uint32_t>(op.index)) + " p" +
         std::to_string(static_cast<uint32_t>(op.process)) + " " + std::string(OutcomeName(op.outcome)) +
         " " + op.f + " in=" + op.input.ToEdn() + " out=" + op.output.ToEdn() +
         " key=" + (op.key ? op.key->ToEdn() : "-") + " [" + std::to_string(op.call) + "," +
         std::to_string(op.ret) + "] err=" + op.error.ToEdn() + " node=" + op.node + " t=" +
         opt(op.invoke_time) + "/" + opt(op.complete_time) + " at " +
         std::to_string(op.invoke_pos.line) + ":" + std::to_string(op.invoke_pos.column) + "/" +
         std::to_string(op.complete_pos.line) + ":" + std::to_string(op.complete_pos.column);
    for (const auto& [k, v] : op.extra) s += " " + k + "=" + v.ToEdn();
    s += "\n";
  }
  for (const Event& e : h->other_events) {
    s += "other " + e.process.ToEdn() + " " + std::string(EventTypeName(e.type)) + " " + e.f + " " +
         e.value.ToEdn() + " err=" + e.error.ToEdn() + " at " + std::to_string(e.pos.line) + ":" +
         std::to_string(e.pos.column) + "\n";
  }
  return s;
}

}  // namespace fenceline

#endif  // FENCELINE_TESTS_TESTING_HISTORY_DUMP_H_
