// include/fenceline/parse.h
//
// Reading histories. Three input formats, detected from the content unless forced:
//   json-lines  one JSON object an event a line (fenceline's native format, docs/formats.md);
//   edn         Jepsen's history.edn: one EDN map a line, or one vector of maps; also the
//               older tuple lines;
//   jepsen-log  Jepsen's history.txt / jepsen.log lines: process, type, f, value[, error]
//               separated by tabs or runs of spaces, with or without a log prefix.
// Every parser yields the same Events for the same history, so the report does not depend on
// the format. Errors are kParseError with a message "path:line:col: what was expected".
#ifndef FENCELINE_PARSE_H_
#define FENCELINE_PARSE_H_

#include <string>
#include <string_view>

#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline {

enum class InputFormat { kAuto, kJsonLines, kEdn, kJepsenLog };

std::string_view InputFormatName(InputFormat f);  // "auto", "json-lines", "edn", "jepsen-log"
// Accepts the names above (and "jsonl", "json", "txt", "log"); kInvalidArgument otherwise.
StatusOr<InputFormat> ParseInputFormatName(std::string_view name);

struct ParseOptions {
  InputFormat format = InputFormat::kAuto;
};

// Guesses the format from the first non-blank, non-comment characters of `head`.
InputFormat SniffFormat(std::string_view head);

// Reads the history in `path` ("-": standard input, named "<stdin>" in messages).
// kNotFound / kIoError if it cannot be read; kParseError / kInvalidHistory as above.
[[nodiscard]] StatusOr<History> ParseHistoryFile(const std::string& path,
                                                 const ParseOptions& options = {});

// Reads a history held in memory; `name` stands for the file in messages.
[[nodiscard]] StatusOr<History> ParseHistoryText(std::string_view text, std::string_view name,
                                                 const ParseOptions& options = {});

// One value written as EDN or JSON (`nil`, `3`, `"x"`, `[1 2]`), for flags such as --initial.
// kParseError naming `name` otherwise.
[[nodiscard]] StatusOr<Value> ParseValueText(std::string_view text, std::string_view name);

}  // namespace fenceline

#endif  // FENCELINE_PARSE_H_
