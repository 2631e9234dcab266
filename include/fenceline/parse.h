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
//
// Bad input is never a history: text that starts no known format, a NUL byte, invalid UTF-8,
// nesting deeper than 512 levels, a JSON key given twice in an event, and (unless allowed) an
// input with no events at all are errors, never an empty or partial history. Files may be
// gzip- or zstd-compressed (told by their magic bytes); every source is read in bounded chunks
// against the size limits below.
#ifndef FENCELINE_PARSE_H_
#define FENCELINE_PARSE_H_

#include <chrono>
#include <cstdint>
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
  // An input without a single event (empty, only blank or comment lines, or a log with no
  // Jepsen event line) is kInvalidHistory / kParseError unless this is true: in CI an empty
  // file usually means nothing was recorded. Knossos and Porcupine call it linearizable.
  bool allow_empty = false;
  // Bytes of text (after decompression) ParseHistoryFile reads before failing with kIoError.
  // 0: a quarter of physical memory (at least 1 GiB).
  uint64_t max_input_bytes = 0;
  // Longest line ParseHistoryFile accepts, in bytes (kIoError past it). A whole EDN history
  // vector may be one line, so this is large; it stops sources that never end a line.
  uint64_t max_line_bytes = uint64_t{1} << 30;
  // Threads that parse line-oriented inputs (JSON Lines, Jepsen logs) in chunks of lines.
  // 0: every core; 1: serial. The history, and any error, do not depend on it.
  int threads = 0;
  // Past this point in time, reading, decompressing and parsing stop with kDeadlineExceeded
  // "path:line:1: <deadline_cause> reached while parsing, after N lines" ("while reading the
  // input" before the text is all read, "while pairing operations" once it is all parsed),
  // never a partial history. Looked at: for every MiB read or decompressed, and while waiting
  // for a pipe; before each MiB of lines; inside a line, every 4096 JSON values or EDN elements
  // (a Jepsen log's fields are EDN), so that one long line cannot outlast it; every 4096
  // elements of a history.edn; and every 65,536 operations while pairing them
  // (HistoryBuilder::set_deadline). A single string, comment or run of blanks is one step,
  // however long (up to max_line_bytes). max(): none. A check's --time-limit covers parsing
  // through this.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // What `deadline` is, for that message: "time limit of 2 s". Empty: "the deadline".
  std::string deadline_cause;
  // Bytes the parse may hold, 0: none. What it holds is estimated from the input as it is read
  // (the text, when read whole; the history's operations, values and strings; the builder's
  // tables): a parse that would pass it stops with kResourceExhausted "path:N:1: <memory_cause>
  // reached while reading the input, at line N" ("while parsing" once the text is all read),
  // never a partial history. Where it stops depends on the input only. A check's
  // --memory-limit covers parsing through this, and the search gets what the history leaves
  // (HistoryMemoryBytes).
  uint64_t memory_limit = 0;
  // What `memory_limit` is, for that message: "memory limit of 64 MiB". Empty: "the memory
  // limit".
  std::string memory_cause;
};

// Guesses the format from the first non-blank, non-comment characters of `head` (a UTF-8 byte
// order mark is ignored). kAuto: `head` is empty (blanks and ';' comments only) or starts no
// known format, e.g. a "//" comment, a control character or a JSON array.
InputFormat SniffFormat(std::string_view head);

// Reads the history in `path` ("-": standard input, named "<stdin>" in messages).
// kNotFound / kIoError if it cannot be read (a directory, a read error, corrupt compressed data,
// past a size limit); kParseError / kInvalidHistory as above.
[[nodiscard]] StatusOr<History> ParseHistoryFile(const std::string& path,
                                                 const ParseOptions& options = {});

// Reads a history held in memory (not compressed; no size limits); `name` stands for the file
// in messages.
[[nodiscard]] StatusOr<History> ParseHistoryText(std::string_view text, std::string_view name,
                                                 const ParseOptions& options = {});

// Bytes `history` holds, estimated as ParseOptions::memory_limit counts them (from its sizes,
// not the allocator's), so that a caller can charge them to the search's budget.
uint64_t HistoryMemoryBytes(const History& history);

// One value written as EDN or JSON (`nil`, `3`, `"x"`, `[1 2]`), for flags such as --initial.
// kParseError naming `name` otherwise (nesting deeper than 512 levels included).
[[nodiscard]] StatusOr<Value> ParseValueText(std::string_view text, std::string_view name);

}  // namespace fenceline

#endif  // FENCELINE_PARSE_H_
