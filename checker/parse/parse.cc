#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "checker/parse/edn_reader.h"
#include "checker/parse/file_lines.h"
#include "checker/parse/formats.h"
#include "checker/parse/input_reader.h"
#include "checker/parse/line_chunks.h"
#include "checker/parse/parse_memory.h"
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

// Reads a line-oriented format (JSON Lines, Jepsen log) from `source` and closes the history.
// `sniff_where` ("name:line:col: ") is the first meaningful byte, for the no-events message.
// `memory` (may be null) is charged with the events.
StatusOr<History> ParseLines(internal::LineSource& source, InputFormat format,
                             std::string_view name, const ParseOptions& options,
                             internal::ParseMemory* memory, size_t reserve_ops,
                             const std::string& sniff_where);

// Closes what `builder` was given (a format's whole input, `skipped` its skipped log lines).
StatusOr<History> FinishHistory(HistoryBuilder& builder, const internal::SkippedLines& skipped,
                                std::string_view name, const ParseOptions& options,
                                const std::string& sniff_where) {
  FENCELINE_ASSIGN_OR_RETURN(History h, builder.Finish());
  h.skipped_lines = skipped.count;
  h.first_skipped_line = skipped.first_line;
  if (h.ops.empty() && h.other_events.empty() && !options.allow_empty) {
    return internal::NoEventsError(name, sniff_where, skipped.count);
  }
  return h;
}

internal::ChunkOptions ChunksOf(const ParseOptions& options, internal::ParseMemory* memory) {
  internal::ChunkOptions chunks;
  chunks.memory = memory;
  chunks.threads = options.threads;
  chunks.deadline = options.deadline;
  chunks.deadline_cause = options.deadline_cause;
  return chunks;
}

StatusOr<History> ParseLines(internal::LineSource& source, InputFormat format,
                             std::string_view name, const ParseOptions& options,
                             internal::ParseMemory* memory, size_t reserve_ops,
                             const std::string& sniff_where) {
  HistoryBuilder builder{std::string(name)};
  builder.Reserve(reserve_ops);
  builder.set_deadline(options.deadline, options.deadline_cause);
  internal::SkippedLines skipped;
  if (format == InputFormat::kJsonLines) {
    FENCELINE_RETURN_IF_ERROR(internal::ParseJsonLines(source, name, builder, ChunksOf(options, memory)));
  } else {
    FENCELINE_RETURN_IF_ERROR(
        internal::ParseJepsenLog(source, name, builder, skipped, ChunksOf(options, memory)));
  }
  return FinishHistory(builder, skipped, name, options, sniff_where);
}

// Parses text whose bytes are already checked (valid UTF-8, no NUL, no byte order mark).
// `memory` (may be null) is charged with the events, the text being charged already if the
// parse holds it.
StatusOr<History> ParseCheckedText(std::string_view text, std::string_view name,
                                   const ParseOptions& options, internal::ParseMemory* memory) {
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
  // About two lines an operation in every format.
  const size_t reserve = static_cast<size_t>(lines) / 2 + 1;
  const std::string sniff_where = internal::WhereInText(text, sniffed.at, name);
  if (format == InputFormat::kJsonLines || format == InputFormat::kJepsenLog) {
    internal::TextLineSource source(text);
    return ParseLines(source, format, name, options, memory, reserve, sniff_where);
  }
  HistoryBuilder builder{std::string(name)};
  builder.Reserve(reserve);
  builder.set_deadline(options.deadline, options.deadline_cause);
  if (format == InputFormat::kEdn) {
    FENCELINE_RETURN_IF_ERROR(internal::ParseEdnHistory(text, name, builder, ChunksOf(options, memory)));
  }  // else kAuto: sniffed as empty, no events to read
  return FinishHistory(builder, internal::SkippedLines(), name, options, sniff_where);
}

// True once `head` holds what Sniff looks at past the first meaningful byte (up to two more
// elements' first bytes), so that more text cannot change its answer.
bool SniffIsFinal(std::string_view head, const internal::SniffResult& sniffed) {
  if (sniffed.empty) return false;
  int seen = 0;
  for (size_t i = sniffed.at; i < head.size() && seen < 3; ++i) {
    const char c = head[i];
    if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ',')) ++seen;
  }
  return seen >= 3;
}

// Any input (a file, a pipe, standard input; plain, gzip or zstd): a line-oriented format is read
// a chunk of lines at a time instead of whole, others whole, with the same checks and messages
// as ReadInput's.
StatusOr<History> ParseInput(const std::string& path, std::string_view name,
                             const internal::InputLimits& limits, const ParseOptions& options,
                             internal::ParseMemory& memory) {
  internal::DecodedInput in;
  if (Status opened = in.Open(path, name, limits.deadline); !opened.ok()) {
    // A pipe silent before its first bytes: at line 1, as ReadInput says it.
    if (opened.code() != StatusCode::kDeadlineExceeded) return opened;
    return internal::DeadlineReached(name, 1, limits.deadline_cause, "reading the input");
  }
  internal::FileLineSource source(in, name, limits);
  FENCELINE_RETURN_IF_ERROR(source.Open());
  FENCELINE_RETURN_IF_ERROR(source.Start());
  internal::SniffResult sniffed = internal::Sniff(source.buffered());
  while (!source.at_end() && !SniffIsFinal(source.buffered(), sniffed)) {
    FENCELINE_RETURN_IF_ERROR(source.Fill(source.buffered().size() + 1));
    sniffed = internal::Sniff(source.buffered());
  }
  InputFormat format = options.format;
  if (format == InputFormat::kAuto) format = sniffed.format;
  if ((format != InputFormat::kJsonLines && format != InputFormat::kJepsenLog) ||
      (options.format == InputFormat::kAuto && !sniffed.refusal.empty())) {
    // EDN, a refusal or an empty input: as the whole text, the same messages.
    FENCELINE_ASSIGN_OR_RETURN(std::string text, source.ReadAll());
    FENCELINE_RETURN_IF_ERROR(memory.Charge(text.size(), 1, "reading the input"));
    return ParseCheckedText(text, name, options, &memory);
  }
  const std::string sniff_where = internal::WhereInText(source.buffered(), sniffed.at, name);
  // About two lines an operation; lines estimated from the first chunk's (over-reserving
  // costs address space only: pages never written are never resident). A compressed input's
  // or a pipe's size is not known: its operations grow as read.
  const std::string_view head = source.buffered();
  const double lines_per_byte =
      head.empty() ? 0 : static_cast<double>(std::count(head.begin(), head.end(), '\n') + 1) /
                             static_cast<double>(head.size());
  const size_t reserve =
      static_cast<size_t>(lines_per_byte * 1.02 * static_cast<double>(in.regular_size()) / 2) + 1;
  return ParseLines(source, format, name, options, &memory, reserve, sniff_where);
}

}  // namespace

StatusOr<History> ParseHistoryText(std::string_view text, std::string_view name,
                                   const ParseOptions& options) {
  // The caller holds the text; what the parse builds is charged.
  internal::ParseMemory memory(options.memory_limit, name, options.memory_cause);
  FENCELINE_RETURN_IF_ERROR(internal::CheckTextBytes(text, 0, true, name).status());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    // Spaces in its place keep every column where the file has it.
    std::string copy(text);
    copy.replace(0, 3, "   ");
    return ParseCheckedText(copy, name, options, &memory);
  }
  return ParseCheckedText(text, name, options, &memory);
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
  limits.memory_bytes = options.memory_limit;
  limits.memory_cause = options.memory_cause;
  internal::ParseMemory memory(options.memory_limit, name, options.memory_cause);
  return ParseInput(path, name, limits, options, memory);
}

}  // namespace fenceline

namespace fenceline::internal {

Status NoEventsError(std::string_view name, std::string_view sniff_where, uint64_t skipped) {
  if (skipped > 0) {
    // Sniffing sends whatever starts no other format to the Jepsen-log reader, so this is also
    // how arbitrary text is refused.
    return ParseError(std::string(sniff_where) + "no events: none of its " +
                      std::to_string(skipped) +
                      " lines is a Jepsen event line (process :type :f value), and it starts no "
                      "other known format (json-lines, edn; docs/formats.md); --allow-empty "
                      "accepts a history without events");
  }
  return InvalidHistory(std::string(name) +
                        ":1:1: no events: the input is empty (or holds only blank lines and "
                        "comments); --allow-empty accepts an empty history");
}

}  // namespace fenceline::internal
