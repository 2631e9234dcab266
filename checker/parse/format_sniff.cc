// Format detection from content, so users never have to say what Jepsen wrote. The first
// meaningful bytes decide (docs/formats.md, "Format detection"); what starts no known format is
// refused there rather than handed to the most lenient reader.
#include <string>

#include "checker/parse/formats.h"
#include "fenceline/parse.h"

namespace fenceline {

namespace {

bool IsBlankByte(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ',';
}

// Offset of the first byte in text[i, end) that is not blank, or end.
size_t SkipBlank(std::string_view text, size_t i) {
  while (i < text.size() && IsBlankByte(text[i])) ++i;
  return i;
}

}  // namespace

namespace internal {

SniffResult Sniff(std::string_view text) {
  SniffResult r;
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a UTF-8 byte order mark says nothing
  // Blank lines and ';' comment lines (EDN's only) come before the first element.
  while (true) {
    i = SkipBlank(text, i);
    if (i < text.size() && text[i] == ';') {
      r.edn_comment = true;
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    break;
  }
  r.at = i;
  if (i >= text.size()) {
    r.format = InputFormat::kAuto;
    r.empty = true;
    return r;
  }
  const unsigned char c = static_cast<unsigned char>(text[i]);
  const size_t next = SkipBlank(text, i + 1);
  const char after = next < text.size() ? text[next] : '\0';
  if (c == '{') {
    r.format = after == '"' || after == '}' ? InputFormat::kJsonLines : InputFormat::kEdn;
    if (r.format == InputFormat::kJsonLines && r.edn_comment) {
      r.format = InputFormat::kAuto;
      r.refusal = "a ';' comment before a JSON object: JSON Lines has no comments (';' starts "
                  "an EDN comment)";
    }
  } else if (c == '[') {
    r.format = InputFormat::kEdn;
    const size_t inner = after == '{' ? SkipBlank(text, next + 1) : text.size();
    if (inner < text.size() && text[inner] == '"') {
      r.format = InputFormat::kAuto;
      r.refusal = "a JSON array of objects: JSON Lines is one object a line, with no enclosing "
                  "array";
    }
  } else if (c == '(' || c == '#') {
    r.format = InputFormat::kEdn;
  } else if (c == '/' && (after == '/' || after == '*') && next == i + 1) {
    r.format = InputFormat::kAuto;
    r.refusal = std::string("a '/") + after + "' comment, which no input format has (JSON Lines has "
                "no comments; EDN's start with ';')";
  } else if (c < 0x20 || c == 0x7f) {
    r.format = InputFormat::kAuto;
    const char* digits = "0123456789abcdef";
    r.refusal = std::string("a control character (byte 0x") + digits[c >> 4] + digits[c & 15] +
                "), which starts no history format";
  } else {
    // Anything else may be log output before the first event; the reader then demands events.
    r.format = InputFormat::kJepsenLog;
  }
  return r;
}

}  // namespace internal

InputFormat SniffFormat(std::string_view head) { return internal::Sniff(head).format; }

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
