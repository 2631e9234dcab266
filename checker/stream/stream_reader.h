// checker/stream/stream_reader.h
//
// Reading a history as it arrives, for `fenceline check --stream`: the input (a file, a pipe,
// standard input) is read in chunks of bounded size; each run of whole lines in a chunk is
// checked (no NUL byte, valid UTF-8) and parsed, and its events are handed over before the next
// chunk is read, so memory holds one chunk and one line, never the whole input. JSON Lines only
// (one event a line: the only format whose every line stands alone); compressed input is
// refused with a hint to decompress into a pipe.
#ifndef FENCELINE_CHECKER_STREAM_STREAM_READER_H_
#define FENCELINE_CHECKER_STREAM_STREAM_READER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "fenceline/history.h"
#include "fenceline/parse.h"
#include "fenceline/status.h"

namespace fenceline::internal {

struct StreamReadOptions {
  InputFormat format = InputFormat::kAuto;  // kAuto: told by the first line; must be JSON Lines
  uint64_t max_line_bytes = uint64_t{1} << 30;  // longest line accepted (kIoError past it)
};

// Reads `path` ("-": standard input; `name` in messages) and hands every event to `sink`, in
// input order. `events` counts the events read. Errors: those of ParseHistoryFile for the same
// input (kNotFound, kIoError, kParseError "name:line:col: ..."), kUnsupported for a format
// other than JSON Lines or a compressed input, and the sink's first error, which ends reading.
[[nodiscard]] Status ReadJsonLinesStream(const std::string& path, std::string_view name,
                                         const StreamReadOptions& options,
                                         const std::function<Status(Event)>& sink,
                                         uint64_t& events);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_STREAM_STREAM_READER_H_
