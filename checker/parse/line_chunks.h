// checker/parse/line_chunks.h
//
// Parallel parsing of line-oriented formats (JSON Lines, Jepsen's history.txt / jepsen.log).
// A line there is an event on its own, so a text can be cut anywhere between two lines and the
// pieces read independently. The steps:
//   1. cut the text into chunks of about `chunk_bytes`, each ending at a line end, and number
//      each chunk's first line (one pass over the bytes, in input order);
//   2. parse chunks on every core (oneTBB's parallel_pipeline) into Events, each chunk stopping
//      at its first error, whose message carries the whole text's line:column;
//   3. in input order, one chunk after another, hand the events to the HistoryBuilder (after a
//      serial fix-up for readers whose meaning of a line depends on earlier lines), then the
//      chunk's error if it has one.
// Step 3 is exactly the loop a serial reader runs, so pairing, the first error in input order
// and every position are the same at any thread count and any chunk size. At most a few chunks
// per thread are in flight, so memory follows the chunk size, not the text's length.
// The chunks come from a LineSource: a text held in memory, or a file read a chunk at a time
// (checker/parse/file_lines.h), so that a file's text is never held whole.
// The deadline is looked at before each chunk is cut: past it, the parse ends with
// kDeadlineExceeded instead of reading on. A ChunkParser looks at it inside a chunk too (a
// line may be far longer than a chunk).
#ifndef FENCELINE_CHECKER_PARSE_LINE_CHUNKS_H_
#define FENCELINE_CHECKER_PARSE_LINE_CHUNKS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/parse/formats.h"
#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline::internal {

// Chunk size unless ChunkOptions::chunk_bytes says otherwise: large enough that a chunk's fixed
// costs (a task, a vector, a clock read) vanish, small enough that two cores get many chunks
// from an input of a few MB and a deadline is noticed within milliseconds.
inline constexpr size_t kDefaultChunkBytes = size_t{1} << 20;

// What one chunk of lines yields.
struct ChunkResult {
  std::vector<Event> events;  // in input order, up to the first error
  Status status;              // the chunk's first error; OK if none
  SkippedLines skipped;       // lines of log output skipped (Jepsen logs only)
};

// Parses the lines of text[begin, end) (complete lines; text[end] is '\n' or the input's end),
// the first of which is line `first_line` of the input, into `out`. `text` is the whole input
// or a chunk's own copy of its lines (with its final '\n'). Called concurrently for different
// chunks: it must keep no state between calls.
using ChunkParser = std::function<void(std::string_view text, size_t begin, size_t end,
                                       uint32_t first_line, ChunkResult& out)>;

// One chunk's lines, as a LineSource cuts them.
struct SourceChunk {
  std::string owned;      // the lines, when the source does not hold its text (else empty)
  std::string_view text;  // the whole input, or `owned`
  size_t begin = 0, end = 0;  // text[begin, end): whole lines
  uint32_t first_line = 0;
};

// Where chunks of lines come from, in input order.
class LineSource {
 public:
  virtual ~LineSource() = default;
  // Cuts the next chunk, of about `chunk_bytes` (more if a line is longer), into `chunk`. Returns
  // false at the end of the input. An error (a bad byte, a limit) is the input's: it stands
  // before any parse error.
  virtual StatusOr<bool> Next(size_t chunk_bytes, SourceChunk& chunk) = 0;
  // The line number the next chunk starts with.
  virtual uint32_t next_line() const = 0;
  // The input's size in bytes if known in advance, else 0: an input of one chunk is parsed
  // without a pipeline.
  virtual uint64_t size_hint() const { return 0; }
  // True once the input is read to its end (a text held in memory always is). A parse that
  // stops before says it stopped "while reading the input", after: "while parsing", as when
  // the input is read whole first.
  virtual bool all_read() const { return true; }
  // Called after a parse error: reads on to the end, and returns the error the input itself
  // holds further on, if any (an input error wins over a parse error, as when the input was
  // read whole before parsing), else OK.
  virtual Status Drain() = 0;
};

// A text held in memory, already checked.
class TextLineSource final : public LineSource {
 public:
  explicit TextLineSource(std::string_view text) : text_(text) {}
  StatusOr<bool> Next(size_t chunk_bytes, SourceChunk& chunk) override;
  uint32_t next_line() const override { return line_; }
  uint64_t size_hint() const override { return text_.size(); }
  Status Drain() override { return OkStatus(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
};
// Applied to every event in input order, just before HistoryBuilder::Add; may be empty.
using SerialFixup = std::function<void(Event&)>;

// Runs steps 1-3 over `source`. Returns the source's error, else the first error in input order
// (a chunk's parse error, options.memory's refusal or HistoryBuilder::Add's), else
// kDeadlineExceeded ("name:line:1: ...", the first line not read) if options.deadline passed
// before the input was read, else OK.
// `skipped` sums the chunks'.
Status ParseLineChunks(LineSource& source, std::string_view name, const ChunkOptions& options,
                       const ChunkParser& parse, const SerialFixup& fixup,
                       HistoryBuilder& builder, SkippedLines& skipped);

// Number of '\n' in `text`, counted on every core for a large text.
uint64_t CountLines(std::string_view text, int threads);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_PARSE_LINE_CHUNKS_H_
