// Format detection from content, so users never have to say what Jepsen wrote.
#include <cctype>

#include "fenceline/parse.h"

namespace fenceline {

InputFormat SniffFormat(std::string_view head) {
  size_t i = 0;
  // Skip blank lines and EDN comment lines (';'), which only EDN permits.
  while (i < head.size()) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    if (std::isspace(c) || c == ',') {
      ++i;
    } else if (c == ';') {
      while (i < head.size() && head[i] != '\n') ++i;
    } else {
      break;
    }
  }
  if (i >= head.size()) return InputFormat::kJsonLines;  // empty: any parser gives no events
  char c = head[i];
  if (c == '{') {
    size_t j = i + 1;
    while (j < head.size() && std::isspace(static_cast<unsigned char>(head[j]))) ++j;
    if (j < head.size() && (head[j] == '"' || head[j] == '}')) return InputFormat::kJsonLines;
    return InputFormat::kEdn;
  }
  if (c == '[' || c == '(' || c == '#') return InputFormat::kEdn;
  return InputFormat::kJepsenLog;
}

std::string_view InputFormatName(InputFormat f) {
  switch (f) {
    case InputFormat::kAuto: return "auto";
    case InputFormat::kJsonLines: return "json-lines";
    case InputFormat::kEdn: return "edn";
    case InputFormat::kJepsenLog: return "jepsen-log";
  }
  return "?";
}

StatusOr<InputFormat> ParseInputFormatName(std::string_view name) {
  if (name == "auto") return InputFormat::kAuto;
  if (name == "json-lines" || name == "jsonl" || name == "json") return InputFormat::kJsonLines;
  if (name == "edn") return InputFormat::kEdn;
  if (name == "jepsen-log" || name == "txt" || name == "log") return InputFormat::kJepsenLog;
  return InvalidArgument("unknown input format '" + std::string(name) +
                         "' (expected auto, json-lines, edn or jepsen-log)");
}

}  // namespace fenceline
