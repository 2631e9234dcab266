// checker/parse/input_reader.h
//
// Getting a history's bytes into memory safely, before any format parser sees them. Whatever
// the source (a regular file, a pipe, standard input, a device such as /dev/zero), input is
// read in bounded chunks and every chunk is checked as it arrives, so a hostile source fails
// fast instead of growing without bound:
//   1. a directory or other unreadable path is an error naming the path;
//   2. gzip (1f 8b) and zstd (28 b5 2f fd) inputs, told by their magic bytes and not by their
//      names, are decompressed a chunk at a time as they are read (DecodedInput; zlib, libzstd);
//   3. the (decompressed) text may not exceed max_bytes, nor hold a line longer than
//      max_line_bytes;
//   4. NUL bytes and invalid UTF-8 are errors at their line:column, because every format we
//      read is UTF-8 text and a parser that stops at a NUL would silently ignore the rest.
// zlib and libzstd are confined to input_reader.cc.
#ifndef FENCELINE_CHECKER_PARSE_INPUT_READER_H_
#define FENCELINE_CHECKER_PARSE_INPUT_READER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <memory>
#include <string_view>
#include <vector>

#include "fenceline/status.h"

namespace fenceline::internal {

struct InputLimits {
  uint64_t max_bytes = 0;       // of text, after decompression; 0: no limit
  uint64_t max_line_bytes = 0;  // 0: no limit
  // Looked at for every chunk read or decompressed, and while waiting for a pipe: past it,
  // kDeadlineExceeded (DeadlineReached). max(): none.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string_view deadline_cause;  // named in that message; "": "the deadline"
  // Bytes of text ReadInput may hold (0: none): past them, kResourceExhausted
  // (MemoryLimitReached, parse_memory.h) naming `memory_cause`, as ParseOptions::memory_limit.
  uint64_t memory_bytes = 0;
  std::string_view memory_cause;
};

// An input opened for reading in chunks: a file, or standard input for "-" (left open when
// done). ReadInput and the streaming reader both open their input here, so that they refuse
// the same paths with the same messages.
class InputFile {
 public:
  InputFile() = default;
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // kNotFound if `path` does not exist, kIoError if it cannot be opened or is a directory;
  // `name` stands for it in messages.
  [[nodiscard]] Status Open(const std::string& path, std::string_view name);
  // Up to `n` bytes (read(2), retried on EINTR); 0 at the end. kIoError "name: read failed".
  [[nodiscard]] StatusOr<size_t> Read(char* to, size_t n);
  // Waits until Read() would not block or `deadline` passes (poll(2)): false if it passed
  // first. A regular file is always ready.
  bool WaitReadable(std::chrono::steady_clock::time_point deadline);
  // The size of a regular file; 0 for a pipe, a terminal or a device.
  uint64_t regular_size() const { return regular_size_; }

 private:
  int fd_ = -1;
  bool owned_ = false;
  std::string name_;
  uint64_t regular_size_ = 0;
};

// An input read as text, a chunk at a time, whatever its encoding: gzip (1f 8b, concatenated
// members too) and zstd (28 b5 2f fd, concatenated frames too) are told by their first bytes,
// not by their names, and decompressed as they are read, so memory holds one chunk of the
// compressed and one of the decoded bytes, never the whole input. The whole-file check's line
// reader (file_lines.h), ReadInput and the streaming reader all read through it.
class DecodedInput {
 public:
  class Codec;
  DecodedInput();
  ~DecodedInput();
  DecodedInput(const DecodedInput&) = delete;
  DecodedInput& operator=(const DecodedInput&) = delete;

  // InputFile::Open's errors; reads the first bytes to tell the encoding. `deadline`: every
  // raw read waits for a pipe at most until then (InputFile::WaitReadable), and returns
  // kDeadlineExceeded past it, from here or from Read (the caller names the position).
  [[nodiscard]] Status Open(const std::string& path, std::string_view name,
                            std::chrono::steady_clock::time_point deadline =
                                std::chrono::steady_clock::time_point::max());
  // Up to `n` bytes of decoded text (at least one unless at the end); 0 at the end. Errors
  // (kIoError): a failed read, and compressed data that is corrupt or ends inside its stream
  // (a truncated file is an error, never a shorter text), "name:line:col: ..." at the end of
  // the text decoded before it (all of it is returned first). The same bytes give the same
  // text and the same error from a file and from a pipe, whatever pieces the pipe delivers.
  [[nodiscard]] StatusOr<size_t> Read(char* to, size_t n);
  std::string_view encoding() const { return encoding_; }  // "gzip", "zstd", "" (plain)
  // A plain regular file's size; 0 for a compressed input, a pipe, a terminal or a device.
  uint64_t regular_size() const;

  // For the codecs: the next piece of raw bytes (empty at the end; always a whole piece of a
  // fixed size but the last, or what came before the deadline, so that a decoder's output and
  // errors do not depend on how a pipe delivers the bytes), raw bytes straight into `to`
  // (plain inputs), whether the raw input has ended, an error at the decoded text's current
  // end.
  [[nodiscard]] StatusOr<std::string_view> Refill();
  [[nodiscard]] StatusOr<size_t> ReadRaw(char* to, size_t n);
  bool raw_eof() const { return raw_eof_ && head_ == 0; }
  Status CodecError(const std::string& what) const;

 private:
  InputFile file_;
  std::string name_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  std::string encoding_;
  std::unique_ptr<Codec> codec_;
  std::vector<char> raw_;
  size_t head_ = 0;       // raw_[0, head_): bytes read by Open, not yet handed on
  size_t head_used_ = 0;  // of which ReadRaw has handed on these
  bool raw_eof_ = false;
  bool late_ = false;    // the deadline passed while a raw piece was being filled
  uint64_t lines_ = 0;   // newlines decoded so far
  uint64_t column_ = 0;  // bytes decoded since the last newline
};

// True if `head` begins with gzip's (1f 8b) or zstd's (28 b5 2f fd) magic number.
bool HasCompressedMagic(std::string_view head);

// Reads all of `path` ("-": standard input); `name` stands for it in messages (the whole-file
// check reads through FileLineSource instead, and its tests take this as their reference).
// kNotFound if it does not exist, kIoError if it cannot be read (a directory, a read error,
// corrupt compressed data), kParseError ("name:line:col: ...") for a NUL byte or invalid UTF-8,
// kInvalidArgument past a limit. A UTF-8 byte order mark at the start is replaced by three
// spaces, so that columns still count the file's bytes.
[[nodiscard]] StatusOr<std::string> ReadInput(const std::string& path, std::string_view name,
                                              const InputLimits& limits);

// The number of '\n' in [p, p + n); about five times std::count's speed (it vectorizes), which
// mattered because every chunk's lines are counted on the one thread that reads the input.
uint64_t CountNewlines(const char* p, size_t n);

// Checks that text[from, end) holds no NUL byte and is valid UTF-8 (no overlong forms, no
// surrogates, nothing past U+10FFFF). If `final` is false, an incomplete sequence at the very
// end is not an error (more bytes may follow). Returns the offset up to which the text is
// checked. Errors: kParseError "name:line:col: ..." (line and column from the start of `text`,
// which is line `first_line` of the input).
[[nodiscard]] StatusOr<size_t> CheckTextBytes(std::string_view text, size_t from, bool final,
                                              std::string_view name, uint64_t first_line = 1);

// kDeadlineExceeded "name:line:1: <cause> reached while <doing>, after N lines" (N = line - 1,
// the lines done; `cause` "": "the deadline"): how every reader says it ran out of time at
// the start of `line`.
Status DeadlineReached(std::string_view name, uint64_t line, std::string_view cause,
                       std::string_view doing);

// kIoError "name: input is larger than the limit of N bytes": how every reader refuses an
// input past InputLimits::max_bytes.
Status InputTooLarge(std::string_view name, uint64_t max_bytes);

// "name:line:col: " for a byte offset into `text` (lines and columns from 1, columns in bytes;
// `text` starts line `first_line`).
std::string WhereInText(std::string_view text, size_t offset, std::string_view name,
                        uint64_t first_line = 1);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_PARSE_INPUT_READER_H_
