// checker/parse/formats.h
//
// The per-format parsers behind ParseHistoryText. Each reads a whole text (the file's contents)
// and feeds its events, in input order, to a HistoryBuilder. `name` stands for the file in
// messages, which start "name:line:col: ". They never throw, crash or hang on bad input.
#ifndef FENCELINE_CHECKER_PARSE_FORMATS_H_
#define FENCELINE_CHECKER_PARSE_FORMATS_H_

#include <string_view>

#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline::internal {

// One JSON object an event a line (docs/formats.md). Blank lines are skipped.
Status ParseJsonLines(std::string_view text, std::string_view name, HistoryBuilder& builder);

// Jepsen's history.edn: one EDN map a line, a single vector of maps, or tuple lines.
Status ParseEdnHistory(std::string_view text, std::string_view name, HistoryBuilder& builder);

// Jepsen's history.txt / jepsen.log lines: [prefix] process type f value [error].
Status ParseJepsenLog(std::string_view text, std::string_view name, HistoryBuilder& builder);

// One JSON value (for flags such as --initial); `name` stands for its origin in messages.
StatusOr<Value> ParseJsonValue(std::string_view text, std::string_view name);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_PARSE_FORMATS_H_
