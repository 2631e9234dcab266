#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "checker/parse/edn_reader.h"
#include "checker/parse/formats.h"
#include "checker/parse/input_reader.h"
#include "checker/parse/line_chunks.h"
#include "fenceline/parse.h"

namespace fenceline {
namespace {

uint64_t DefaultMaxInputBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const uint64_t physical = pages > 0 && page > 0
                                ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page)
                                : 0;
  return std::max<uint64_t>(physical / 4, uint64_t{1} << 30);
}

// Parses text whose bytes are already checked (valid UTF-8, no NUL, no byte order mark).
StatusOr<History> ParseCheckedText(std::string_view text, std::string_view name,
                                   const ParseOptions& options) {
  InputFormat format = options.format;
  internal::SniffResult sniffed = internal::Sniff(text);
  if (format == InputFormat::kAuto) {
    if (!sniffed.refusal.empty()) {
      return ParseError(internal::WhereInText(text, sniffed.at, name) +
                        "not a known history format: " + sniffed.refusal +
                        " (formats: json-lines, edn, jepsen-log; docs/formats.md)");
    }
    format = sniffed.format;
  }
  const uint64_t lines = internal::CountLines(text, options.threads);
  // Positions are 32-bit (SourcePos): past that, line numbers in messages would wrap.
  if (lines >= UINT32_MAX) {
    return ParseError(std::string(name) + ":1:1: more than " + std::to_string(UINT32_MAX - 1) +
                      " lines: too many to number");
  }
  HistoryBuilder builder{std::string(name)};
  // About two lines an operation in every format.
  builder.Reserve(static_cast<size_t>(lines) / 2 + 1);
  internal::SkippedLines skipped;
  internal::ChunkOptions chunks;
  chunks.threads = options.threads;
  chunks.deadline = options.deadline;
  chunks.deadline_cause = options.deadline_cause;
  switch (format) {
    case InputFormat::kJsonLines:
      FENCELINE_RETURN_IF_ERROR(internal::ParseJsonLines(text, name, builder, chunks));
      break;
    case InputFormat::kEdn:
      FENCELINE_RETURN_IF_ERROR(internal::ParseEdnHistory(text, name, builder, chunks));
      break;
    case InputFormat::kJepsenLog:
      FENCELINE_RETURN_IF_ERROR(internal::ParseJepsenLog(text, name, builder, skipped, chunks));
      break;
    case InputFormat::kAuto:  // sniffed as empty: no events to read
      break;
  }
  FENCELINE_ASSIGN_OR_RETURN(History h, builder.Finish());
  h.skipped_lines = skipped.count;
  h.first_skipped_line = skipped.first_line;
  if (h.ops.empty() && h.other_events.empty() && !options.allow_empty) {
    if (skipped.count > 0) {
      // Sniffing sends whatever starts no other format here, so this is also how arbitrary
      // text is refused.
      return ParseError(
          internal::WhereInText(text, sniffed.at, name) + "no events: none of its " +
          std::to_string(skipped.count) +
          " lines is a Jepsen event line (process :type :f value), and it starts no other "
          "known format (json-lines, edn; docs/formats.md); --allow-empty accepts a history "
          "without events");
    }
    return InvalidHistory(std::string(name) +
                          ":1:1: no events: the input is empty (or holds only blank lines and "
                          "comments); --allow-empty accepts an empty history");
  }
  return h;
}

}  // namespace

StatusOr<History> ParseHistoryText(std::string_view text, std::string_view name,
                                   const ParseOptions& options) {
  FENCELINE_RETURN_IF_ERROR(internal::CheckTextBytes(text, 0, true, name).status());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    // Spaces in its place keep every column where the file has it.
    std::string copy(text);
    copy.replace(0, 3, "   ");
    return ParseCheckedText(copy, name, options);
  }
  return ParseCheckedText(text, name, options);
}

StatusOr<Value> ParseValueText(std::string_view text, std::string_view name) {
  FENCELINE_RETURN_IF_ERROR(internal::CheckTextBytes(text, 0, true, name).status());
  if (text == "nil") return Value();
  StatusOr<Value> json = internal::ParseJsonValue(text, name);
  if (json.ok()) return json;
  // Not JSON: one EDN element (`[1 2]`, `:a`, `#{1}`), read with the same depth limit.
  internal::EdnReader reader(text, name);
  Value edn;
  Status read = reader.Read(edn);
  if (read.ok()) {
    StatusOr<bool> more = reader.SkipToElement();
    if (!more.ok()) {
      read = more.status();
    } else if (*more) {
      read = reader.Expected(reader.offset(), "one value, not several");
    }
  }
  if (read.ok()) return edn;
  return ParseError(json.status().message() + " (and as EDN: " + read.message() + ")");
}

StatusOr<History> ParseHistoryFile(const std::string& path, const ParseOptions& options) {
  const std::string name = path == "-" ? "<stdin>" : path;
  internal::InputLimits limits;
  limits.max_bytes = options.max_input_bytes != 0 ? options.max_input_bytes : DefaultMaxInputBytes();
  limits.max_line_bytes = options.max_line_bytes;
  limits.deadline = options.deadline;
  limits.deadline_cause = options.deadline_cause;
  FENCELINE_ASSIGN_OR_RETURN(std::string text, internal::ReadInput(path, name, limits));
  return ParseCheckedText(text, name, options);
}

}  // namespace fenceline
