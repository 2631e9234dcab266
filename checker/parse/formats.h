// checker/parse/formats.h
//
// The per-format parsers behind ParseHistoryText. Each reads a whole text (the file's contents)
// and feeds its events, in input order, to a HistoryBuilder. `name` stands for the file in
// messages, which start "name:line:col: ". They never throw, crash or hang on bad input.
#ifndef FENCELINE_CHECKER_PARSE_FORMATS_H_
#define FENCELINE_CHECKER_PARSE_FORMATS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "fenceline/history.h"
#include "fenceline/parse.h"
#include "fenceline/status.h"

namespace fenceline::internal {

class LineSource;   // line_chunks.h
class ParseMemory;  // parse_memory.h

// How the line-oriented readers share out their work (line_chunks.h). The result does not
// depend on `threads` or `chunk_bytes`.
struct ChunkOptions {
  int threads = 0;         // 0: every core; 1: serial, on the calling thread
  size_t chunk_bytes = 0;  // 0: kDefaultChunkBytes (1 MiB)
  // Looked at between chunks, and by the readers inside a line (JSON Lines every 4096 values,
  // Jepsen-log fields and EDN every 4096 elements); past it: kDeadlineExceeded
  // (DeadlineReached, input_reader.h). max(): none.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string_view deadline_cause;  // named in that message; "": "the deadline"
  // Charged with every event, in input order, before it is added to the builder; its refusal
  // ends the parse. nullptr: none.
  ParseMemory* memory = nullptr;
};

// One JSON object an event a line (docs/formats.md). Blank lines are skipped.
Status ParseJsonLines(std::string_view text, std::string_view name, HistoryBuilder& builder,
                      const ChunkOptions& chunks = {});
// The same, the lines coming from `source` (a file read a chunk at a time).
Status ParseJsonLines(LineSource& source, std::string_view name, HistoryBuilder& builder,
                      const ChunkOptions& chunks = {});
// The same for a chunk of whole lines whose first is line `first_line` of the input, each
// event handed to `sink` as it is read (streaming, checker/stream/); the first error, the
// parser's or the sink's, ends it.
Status ParseJsonLinesEvents(std::string_view text, std::string_view name, uint32_t first_line,
                            const std::function<Status(Event)>& sink);

// Jepsen's history.edn: one EDN map a line, a single vector of maps, or tuple lines. Read
// serially: of `chunks`, only the deadline counts.
Status ParseEdnHistory(std::string_view text, std::string_view name, HistoryBuilder& builder,
                       const ChunkOptions& chunks);
// The same, without a deadline.
Status ParseEdnHistory(std::string_view text, std::string_view name, HistoryBuilder& builder);

// The streaming readers' (checker/stream/) versions of the Jepsen formats: a chunk of whole
// lines (Jepsen logs) or whole top-level elements (EDN) whose first byte starts line
// `first_line` of the input, each event handed to `sink` in input order; the first error, the
// parser's or the sink's, ends it. `rule` carries the positional-error convention from one
// chunk to the next. EDN: a vector or list of events is kUnsupported (it would be read whole).
class PositionalErrorRule;
struct SkippedLines;
Status ParseEdnEvents(std::string_view text, std::string_view name, uint32_t first_line,
                      PositionalErrorRule& rule, const std::function<Status(Event)>& sink);
Status ParseJepsenLogEvents(std::string_view text, std::string_view name, uint32_t first_line,
                            PositionalErrorRule& rule, SkippedLines& skipped,
                            const std::function<Status(Event)>& sink);

// Jepsen's history.txt / jepsen.log lines: [prefix] process type f value [error]. Lines with
// no event shape (no type keyword token) are log output: skipped, and counted in `skipped`.
struct SkippedLines {
  uint64_t count = 0;
  uint32_t first_line = 0;  // 0: none
};
Status ParseJepsenLog(std::string_view text, std::string_view name, HistoryBuilder& builder,
                      SkippedLines& skipped, const ChunkOptions& chunks = {});
Status ParseJepsenLog(LineSource& source, std::string_view name, HistoryBuilder& builder,
                      SkippedLines& skipped, const ChunkOptions& chunks = {});
// The same, for callers that do not count.
Status ParseJepsenLog(std::string_view text, std::string_view name, HistoryBuilder& builder);

// What the first meaningful bytes of a text say about its format (docs/formats.md).
struct SniffResult {
  InputFormat format = InputFormat::kAuto;  // kAuto: empty, or refused
  bool empty = false;       // nothing but blanks and ';' comments
  std::string refusal;      // non-empty: why this is no known format
  size_t at = 0;            // offset of the first meaningful byte
  bool edn_comment = false; // a ';' comment came first
};
SniffResult Sniff(std::string_view text);

// One JSON value (for flags such as --initial); `name` stands for its origin in messages.
StatusOr<Value> ParseJsonValue(std::string_view text, std::string_view name);

// The refusal of an input with no events (unless allow_empty), in the whole-file and the
// streaming reader alike: `skipped` log lines (none: the input is blank) from `sniff_where`
// ("name:line:col: " of the first meaningful byte).
Status NoEventsError(std::string_view name, std::string_view sniff_where, uint64_t skipped);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_PARSE_FORMATS_H_
