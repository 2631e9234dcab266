// checker/stream/stream_reader.h
//
// Reading a history as it arrives, for `fenceline check --stream`: the input (a file, a pipe,
// standard input; plain, gzip or zstd, told by its first bytes) is decoded in chunks of bounded
// size (parse/input_reader.h, DecodedInput); each run of whole lines, or for EDN of whole
// top-level elements, is checked (no NUL byte, valid UTF-8) and parsed, and its events are
// handed over before the next chunk is read, so memory holds a chunk and one line (one EDN
// element), never the whole input. Every format the whole-file check reads is streamed,
// except an EDN history written as one vector of events (it has no element boundary before
// its end): JSON Lines, Jepsen's history.txt / jepsen.log, and history.edn as Jepsen's store
// writes it, one op map a line. Events, positions and errors are those ParseHistoryFile gives
// for the same input, and so is the refusal of an input without events.
#ifndef FENCELINE_CHECKER_STREAM_STREAM_READER_H_
#define FENCELINE_CHECKER_STREAM_STREAM_READER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "fenceline/history.h"
#include "fenceline/parse.h"
#include "fenceline/status.h"

namespace fenceline::internal {

struct StreamReadOptions {
  InputFormat format = InputFormat::kAuto;  // kAuto: told by the first meaningful line
  // Longest line (JSON Lines, Jepsen logs) or EDN element accepted (kIoError past it).
  uint64_t max_line_bytes = uint64_t{1} << 30;
  bool allow_empty = false;  // an input without events is not an error
  // Reading (and waiting for a silent pipe) stops here: kDeadlineExceeded "name:line:1:
  // <cause> reached while reading the input, after N lines". max(): never.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string_view deadline_cause = "deadline of the whole run";
};

// What was read.
struct StreamReadStats {
  uint64_t events = 0;                      // events handed to the sink
  InputFormat format = InputFormat::kAuto;  // as read (kAuto: nothing meaningful)
  std::string encoding;                     // "gzip", "zstd", "" (plain)
  uint64_t skipped_lines = 0;               // Jepsen logs: lines of log output skipped
  uint32_t first_skipped_line = 0;          // 0: none
};

// Reads `path` ("-": standard input; `name` in messages) and hands every event to `sink`, in
// input order. Errors: those of ParseHistoryFile for the same input (kNotFound, kIoError for a
// read failure or corrupt or truncated compressed data, kParseError "name:line:col: ...",
// kInvalidHistory for no events unless options.allow_empty), kUnsupported for an EDN vector
// of events, and the sink's first error, which ends reading.
[[nodiscard]] Status ReadHistoryStream(const std::string& path, std::string_view name,
                                       const StreamReadOptions& options,
                                       const std::function<Status(Event)>& sink,
                                       StreamReadStats& stats);

// Where a stream of EDN text may be cut so that every piece holds whole top-level elements:
// just after a newline outside every string, comment and bracket, and not after a dangling
// tag or #_ whose element may follow on a later line. Fed the text as it grows.
class EdnCutter {
 public:
  // Scans text[scanned, end) and returns the offset just past the last cut point in
  // text[0, end) (0: none).
  size_t Scan(std::string_view text);
  // The first `n` bytes, up to a cut point Scan returned, were consumed and erased.
  void Consumed(size_t n);

 private:
  size_t scanned_ = 0;
  size_t last_cut_ = 0;
  uint64_t depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;    // the previous byte was a backslash (in a string, or a character)
  bool in_comment_ = false;
  bool dangling_ = false;   // a # tag or discard at the top level, its element not closed yet
};

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_STREAM_STREAM_READER_H_
