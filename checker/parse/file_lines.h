// checker/parse/file_lines.h
//
// An input read as chunks of whole lines, whatever it is (a regular file, a pipe, standard input)
// and however it is encoded (plain, gzip, zstd: DecodedInput decodes it a block at a time), so
// that the line-oriented readers (JSON Lines, Jepsen logs) parse it without its whole text in
// memory: a few chunks are held at a time, and the History keeps what reports need (line and
// column of each event). Every byte is checked as ReadInput checks it, block by block as read:
// the size limit, NUL bytes and UTF-8, the line-length limit, a byte order mark read as three
// spaces. So the same inputs are refused with the same messages, and an input's error (a bad
// byte, corrupt or truncated compressed data, a silent pipe past the deadline) stands before any
// parse error, as when the text was read whole first (Drain reads on after a parse error).
#ifndef FENCELINE_CHECKER_PARSE_FILE_LINES_H_
#define FENCELINE_CHECKER_PARSE_FILE_LINES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checker/parse/input_reader.h"
#include "checker/parse/line_chunks.h"
#include "fenceline/status.h"

namespace fenceline::internal {

class FileLineSource final : public LineSource {
 public:
  // `in` is open (with limits.deadline, so that a silent pipe is given up on) and stays open
  // while this is used; none of its text has been read.
  FileLineSource(DecodedInput& in, std::string_view name, const InputLimits& limits);

  // Reads the text's first bytes (at least four, unless it is shorter), unchecked. Errors: a
  // failed read, corrupt compressed data, the deadline (kDeadlineExceeded at line 1).
  [[nodiscard]] Status Open();
  // Checks what Open read, as ReadInput does: first a plain regular file's size against the
  // limit, then the bytes. Call once, before the calls below.
  [[nodiscard]] Status Start();
  // Reads until the checked text holds at least `min_bytes` bytes, or the input ends. Errors:
  // the input's (kIoError past a limit, kParseError for a bad byte).
  [[nodiscard]] Status Fill(size_t min_bytes);
  // The text read and not yet cut (from the input's start until Next is first called).
  std::string_view buffered() const { return std::string_view(buf_).substr(0, checked_); }
  bool at_end() const { return eof_; }
  // Reads the rest and returns the whole text; only before Next is first called.
  [[nodiscard]] StatusOr<std::string> ReadAll();

  StatusOr<bool> Next(size_t chunk_bytes, SourceChunk& chunk) override;
  uint32_t next_line() const override { return static_cast<uint32_t>(line_); }
  uint64_t size_hint() const override { return in_.regular_size(); }
  bool all_read() const override { return eof_; }
  Status Drain() override;

 private:
  // One read of up to a block, appended to buf_ and checked; at the end of the input, the
  // final checks. Sets eof_.
  Status ReadBlock();
  // in_.Read's error as ReadInput reports it: a deadline at the start of the line after the
  // text decoded so far.
  Status ReadFailed(const Status& s);
  // Checks buf_[old_size, end), just appended, as ReadInput's sink checks what it is fed.
  Status CheckAppended(size_t old_size);
  Status Fail(Status s);  // keeps s as error_
  // Drops buf_[0, n) (whole lines), counting its lines.
  void Consume(size_t n);

  DecodedInput& in_;
  std::string name_;
  InputLimits limits_;
  std::string buf_;         // read, not yet cut; starts at a line start, line line_
  size_t checked_ = 0;      // buf_[0, checked_) is checked (valid UTF-8 without NUL)
  size_t line_start_ = 0;   // offset in buf_ of the last line's first byte (line-length limit)
  uint64_t line_ = 1;       // the line buf_ starts with
  uint64_t read_ = 0;       // bytes read so far
  bool eof_ = false;
  Status error_;            // the input's error, once met: every later call returns it
};

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_PARSE_FILE_LINES_H_
