#include "checker/parse/input_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include <zlib.h>
#include <zstd.h>

#include "checker/parse/parse_memory.h"

namespace fenceline::internal {

uint64_t CountNewlines(const char* p, size_t n) {
  uint64_t total = 0;
  while (n > 0) {
    // Byte counters that cannot overflow within a block: the compiler keeps them in vector
    // registers.
    const size_t block = n < 255 ? n : 255;
    unsigned char in_block = 0;
    for (size_t i = 0; i < block; ++i) in_block = static_cast<unsigned char>(in_block + (p[i] == '\n'));
    total += in_block;
    p += block;
    n -= block;
  }
  return total;
}

namespace {

// Large enough that system calls and decompressor calls are cheap per byte, small enough that
// a hostile source is stopped within one chunk of its first bad byte.
constexpr size_t kChunk = size_t{1} << 20;

// What a decoder is given at a time: a compressed input's raw bytes in whole pieces of this
// size, at the same offsets, whether they come from a file or a pipe that delivers them in
// other pieces. A decoder's output before it notices corrupt data depends on the pieces it was
// given (zstd's does), so this is what makes the same bytes fail at the same position from any
// source. Small enough that a live compressed pipe is decoded without much delay.
constexpr size_t kRawPiece = size_t{64} << 10;

std::string Hex(unsigned char c) {
  const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[c >> 4] + digits[c & 15];
}

// Collects the decoded text and checks it as it grows.
class TextSink {
 public:
  TextSink(std::string_view name, const InputLimits& limits)
      : name_(name),
        limits_(limits),
        timed_(limits.deadline != std::chrono::steady_clock::time_point::max()) {}

  // A size known in advance (a regular file's): past the limit, fail before reading a byte.
  Status Expect(uint64_t bytes) {
    if (limits_.max_bytes != 0 && bytes > limits_.max_bytes) return TooLarge();
    try {
      text_.reserve(static_cast<size_t>(bytes));
    } catch (const std::bad_alloc&) {
      // Only an optimization; Append() will report if memory really runs out.
    }
    return OkStatus();
  }

  Status Append(const char* data, size_t n) {
    if (n == 0) return OkStatus();
    // Once a chunk (at most kChunk bytes, read or decompressed): a clock read is nothing next
    // to checking a MiB of UTF-8.
    if (timed_ && std::chrono::steady_clock::now() >= limits_.deadline) return Late();
    if (limits_.max_bytes != 0 && text_.size() + n > limits_.max_bytes) return TooLarge();
    if (limits_.memory_bytes != 0 && text_.size() + n > limits_.memory_bytes) {
      return MemoryLimitReached(name_, lines_ + 1, limits_.memory_cause, "reading the input");
    }
    const size_t old_size = text_.size();
    try {
      text_.append(data, n);
    } catch (const std::bad_alloc&) {
      return IoError(std::string(name_) + ": out of memory after reading " +
                     std::to_string(old_size) + " bytes");
    }
    FENCELINE_ASSIGN_OR_RETURN(checked_, CheckTextBytes(text_, checked_, false, name_));
    if (limits_.max_line_bytes != 0) {
      // Every line the chunk ends, then the one it leaves open.
      const char* base = text_.data();
      size_t at = old_size;
      while (const void* nl = std::memchr(base + at, '\n', text_.size() - at)) {
        const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - base);
        FENCELINE_RETURN_IF_ERROR(CheckLine(end));
        line_start_ = at = end + 1;
        ++lines_;
      }
      FENCELINE_RETURN_IF_ERROR(CheckLine(text_.size()));
    } else if (timed_) {
      lines_ += CountNewlines(text_.data() + old_size, text_.size() - old_size);
    }
    return OkStatus();
  }

  // The deadline passed before the input was read to its end.
  Status Late() const {
    return DeadlineReached(name_, lines_ + 1, limits_.deadline_cause, "reading the input");
  }

  Status TooLarge() const { return InputTooLarge(name_, limits_.max_bytes); }

  // The line from line_start_ to `end` (exclusive).
  Status CheckLine(size_t end) const {
    if (end - line_start_ <= limits_.max_line_bytes) return OkStatus();
    return IoError(WhereInText(text_, line_start_, name_) + "line longer than the limit of " +
                   std::to_string(limits_.max_line_bytes) + " bytes");
  }

  StatusOr<std::string> Finish() {
    FENCELINE_RETURN_IF_ERROR(CheckTextBytes(text_, checked_, true, name_).status());
    if (text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) text_.replace(0, 3, "   ");
    return std::move(text_);
  }

 private:
  std::string_view name_;
  InputLimits limits_;
  bool timed_;
  std::string text_;
  size_t checked_ = 0;     // text_[0, checked_) is valid UTF-8 without NUL
  size_t line_start_ = 0;  // offset of the last line's first byte
  uint64_t lines_ = 0;     // line ends in text_, counted when a limit needs them
};

// Where the decoded text has got to, for messages about the compressed data around it.
void Advance(const char* data, size_t n, uint64_t& lines, uint64_t& column) {
  const char* end = data + n;
  const char* last_nl = nullptr;
  for (const char* p = data; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr; ++p) {
    ++lines;
    last_nl = p;
  }
  column = last_nl == nullptr ? column + n : static_cast<uint64_t>(end - last_nl - 1);
}

}  // namespace

// One decoder per input encoding; each fills the caller's buffer from DecodedInput's raw
// buffer, refilling it from the file as it runs dry.
class DecodedInput::Codec {
 public:
  explicit Codec(DecodedInput& in) : in_(in) {}
  virtual ~Codec() = default;
  // As DecodedInput::Read.
  virtual StatusOr<size_t> Read(char* to, size_t n) = 0;

 protected:
  // A decoder call that fails may have decoded text before the failure in the same call:
  // `produced` bytes of it. They are handed on first, and the error (`what`) comes with the
  // next Read, positioned after them. Otherwise how much text precedes the error (its
  // position, and whether a bad byte in that text is reported instead) would depend on how
  // much raw input one call was given: on the pieces a pipe happens to deliver.
  StatusOr<size_t> Fail(std::string what, size_t produced) {
    failed_ = std::move(what);
    if (produced > 0) return produced;
    return in_.CodecError(failed_);
  }
  // Every Read after a failure fails again, where the text ended.
  bool failed() const { return !failed_.empty(); }
  Status Failed() const { return in_.CodecError(failed_); }

  DecodedInput& in_;

 private:
  std::string failed_;
};

namespace {

class PlainCodec final : public DecodedInput::Codec {
 public:
  using Codec::Codec;
  StatusOr<size_t> Read(char* to, size_t n) override { return in_.ReadRaw(to, n); }
};

class GzipCodec final : public DecodedInput::Codec {
 public:
  explicit GzipCodec(DecodedInput& in) : Codec(in) {
    // 15 + 16: a gzip wrapper (not raw deflate or zlib), the largest window.
    ok_ = inflateInit2(&zs_, 15 + 16) == Z_OK;
  }
  ~GzipCodec() override {
    if (ok_) inflateEnd(&zs_);
  }

  StatusOr<size_t> Read(char* to, size_t n) override {
    if (!ok_) return in_.CodecError("cannot start the gzip decoder");
    if (failed()) return Failed();
    while (true) {
      // A call that filled the buffer may have more output from the input it has: it is called
      // again before more raw bytes are read (which may wait, up to a deadline).
      if (zs_.avail_in == 0 && !in_.raw_eof() && !full_) {
        FENCELINE_ASSIGN_OR_RETURN(std::string_view raw, in_.Refill());
        zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
        zs_.avail_in = static_cast<uInt>(raw.size());
        continue;
      }
      if (ended_) {
        if (zs_.avail_in == 0) return size_t{0};
        // Concatenated members (`cat a.gz b.gz`), as gzip itself reads them.
        inflateReset(&zs_);
        ended_ = false;
      }
      zs_.next_out = reinterpret_cast<Bytef*>(to);
      zs_.avail_out = static_cast<uInt>(std::min<size_t>(n, UINT32_MAX));
      const uInt room = zs_.avail_out;
      const int ret = inflate(&zs_, Z_NO_FLUSH);
      const size_t produced = room - zs_.avail_out;
      full_ = zs_.avail_out == 0 && ret != Z_STREAM_END;
      if (ret == Z_STREAM_END) {
        ended_ = true;
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        return Fail(std::string("corrupt gzip data: ") +
                        (zs_.msg != nullptr ? zs_.msg : "inflate failed"),
                    produced);
      }
      if (produced > 0) return produced;
      if (!ended_ && zs_.avail_in == 0 && in_.raw_eof()) {
        return in_.CodecError("truncated gzip data: the input ends inside a compressed stream");
      }
    }
  }

 private:
  z_stream zs_{};
  bool ok_ = false;
  bool ended_ = false;
  bool full_ = false;  // the last call filled the output buffer
};

class ZstdCodec final : public DecodedInput::Codec {
 public:
  explicit ZstdCodec(DecodedInput& in) : Codec(in), ds_(ZSTD_createDStream()) {}
  ~ZstdCodec() override { ZSTD_freeDStream(ds_); }

  StatusOr<size_t> Read(char* to, size_t n) override {
    if (ds_ == nullptr) return in_.CodecError("cannot start the zstd decoder");
    if (failed()) return Failed();
    while (true) {
      // As gzip's: a call that filled the buffer is repeated before more raw bytes are read.
      if (in_buf_.pos == in_buf_.size && !in_.raw_eof() && !full_) {
        FENCELINE_ASSIGN_OR_RETURN(std::string_view raw, in_.Refill());
        in_buf_ = ZSTD_inBuffer{raw.data(), raw.size(), 0};
        continue;
      }
      ZSTD_outBuffer out{to, n, 0};
      const size_t consumed_before = in_buf_.pos;
      const size_t ret = ZSTD_decompressStream(ds_, &out, &in_buf_);
      full_ = out.pos == out.size;
      if (ZSTD_isError(ret)) {
        return Fail(std::string("corrupt zstd data: ") + ZSTD_getErrorName(ret), out.pos);
      }
      // Only a call that made progress says where the frame is (an idle one returns a hint).
      if (out.pos > 0 || in_buf_.pos > consumed_before) frame_done_ = ret == 0;
      if (out.pos > 0) return out.pos;
      if (in_buf_.pos == in_buf_.size && in_.raw_eof()) {
        if (frame_done_) return size_t{0};
        return in_.CodecError("truncated zstd data: the input ends inside a compressed frame");
      }
    }
  }

 private:
  ZSTD_DStream* ds_;
  ZSTD_inBuffer in_buf_{nullptr, 0, 0};
  bool frame_done_ = false;
  bool full_ = false;
};

}  // namespace

InputFile::~InputFile() {
  if (owned_) close(fd_);
}

Status InputFile::Open(const std::string& path, std::string_view name) {
  name_ = std::string(name);
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return NotFound(path + ": no such file");
    return IoError(path + ": cannot open: " + std::strerror(err));
  }
  fd_ = fd;
  owned_ = !is_stdin;
  struct stat st {};
  if (fstat(fd_, &st) != 0) return IoError(name_ + ": cannot stat: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return IoError(name_ + ": is a directory, not a history file");
  if (S_ISREG(st.st_mode) && st.st_size > 0) regular_size_ = static_cast<uint64_t>(st.st_size);
  return OkStatus();
}

StatusOr<size_t> InputFile::Read(char* to, size_t n) {
  while (true) {
    const ssize_t got = read(fd_, to, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return IoError(name_ + ": read failed: " + std::strerror(errno));
  }
}

bool InputFile::WaitReadable(std::chrono::steady_clock::time_point deadline) {
  if (deadline == std::chrono::steady_clock::time_point::max() || regular_size_ > 0) return true;
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    // Capped so that the cast cannot overflow; the loop waits again for what is left.
    const int ms = static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
    const int ready = poll(&p, 1, ms);
    // Readable, at its end, or in error: read(2) says which without blocking.
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;
  }
}

Status DeadlineReached(std::string_view name, uint64_t line, std::string_view cause,
                       std::string_view doing) {
  return DeadlineExceeded(std::string(name) + ":" + std::to_string(line) + ":1: " +
                          (cause.empty() ? std::string("the deadline") : std::string(cause)) +
                          " reached while " + std::string(doing) + ", after " +
                          std::to_string(line - 1) + (line == 2 ? " line" : " lines"));
}

Status InputTooLarge(std::string_view name, uint64_t max_bytes) {
  return IoError(std::string(name) + ": input is larger than the limit of " +
                 std::to_string(max_bytes) + " bytes");
}

bool HasCompressedMagic(std::string_view head) {
  const auto* b = reinterpret_cast<const unsigned char*>(head.data());
  return (head.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
         (head.size() >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd);
}

std::string WhereInText(std::string_view text, size_t offset, std::string_view name,
                        uint64_t first_line) {
  offset = std::min(offset, text.size());
  const auto head = text.substr(0, offset);
  const uint64_t line = static_cast<uint64_t>(std::count(head.begin(), head.end(), '\n')) + first_line;
  const size_t nl = head.rfind('\n');
  const size_t column = nl == std::string_view::npos ? offset + 1 : offset - nl;
  return std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

StatusOr<size_t> CheckTextBytes(std::string_view text, size_t from, bool final,
                                std::string_view name, uint64_t first_line) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  size_t i = from;
  auto bad = [&](size_t at, const std::string& what) -> Status {
    return ParseError(WhereInText(text, at, name, first_line) + what);
  };
  while (i < n) {
    // Eight ASCII bytes, none of them NUL, at a time: nearly all of a history.
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((((w - kOnes) & ~w) | w) & kHigh) {
        // falls through to the byte-wise check below
      } else {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0) {
        return bad(i, "NUL byte in the input: a history is text (is this a binary file?)");
      }
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return bad(i, "invalid UTF-8 (byte " + Hex(c) +
                        "): a history is UTF-8 text (is this a binary file?)");
    }
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= n) {
        if (!final) return i;
        return bad(i, "invalid UTF-8 (sequence cut short by the end of the input)");
      }
      const unsigned char d = p[i + k];
      if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) {
        return bad(i, "invalid UTF-8 (byte " + Hex(c) + " followed by " + Hex(d) +
                          "): a history is UTF-8 text (is this a binary file?)");
      }
    }
    i += len;
  }
  return i;
}

DecodedInput::DecodedInput() = default;
DecodedInput::~DecodedInput() = default;

Status DecodedInput::Open(const std::string& path, std::string_view name,
                          std::chrono::steady_clock::time_point deadline) {
  name_ = std::string(name);
  deadline_ = deadline;
  FENCELINE_RETURN_IF_ERROR(file_.Open(path, name));
  raw_.resize(kRawPiece);
  // The first bytes tell the encoding: read until there are four of them, or the end.
  while (head_ < 4 && !raw_eof_) {
    if (!file_.WaitReadable(deadline_)) return DeadlineExceeded(name_ + ": deadline");
    FENCELINE_ASSIGN_OR_RETURN(const size_t got, file_.Read(raw_.data() + head_, raw_.size() - head_));
    if (got == 0) raw_eof_ = true;
    head_ += got;
  }
  const auto* b = reinterpret_cast<const unsigned char*>(raw_.data());
  if (head_ >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
    encoding_ = "gzip";
    codec_ = std::make_unique<GzipCodec>(*this);
  } else if (HasCompressedMagic(std::string_view(raw_.data(), head_))) {  // not gzip: zstd
    encoding_ = "zstd";
    codec_ = std::make_unique<ZstdCodec>(*this);
  } else {
    codec_ = std::make_unique<PlainCodec>(*this);
  }
  return OkStatus();
}

StatusOr<size_t> DecodedInput::Read(char* to, size_t n) {
  if (codec_ == nullptr || n == 0) return size_t{0};
  FENCELINE_ASSIGN_OR_RETURN(const size_t got, codec_->Read(to, n));
  // Only the codecs' errors name the position (a plain input's are the text checks').
  if (!encoding_.empty()) Advance(to, got, lines_, column_);
  return got;
}

uint64_t DecodedInput::regular_size() const {
  return encoding_.empty() ? file_.regular_size() : 0;
}

StatusOr<std::string_view> DecodedInput::Refill() {
  if (late_) return DeadlineExceeded(name_ + ": deadline");
  // Whole pieces of kRawPiece bytes (the last one shorter), wherever the raw bytes come from.
  size_t have = head_;
  head_ = 0;
  while (have < raw_.size() && !raw_eof_) {
    if (!file_.WaitReadable(deadline_)) {
      if (have == 0) return DeadlineExceeded(name_ + ": deadline");
      // What arrived before the deadline is decoded first; the deadline comes next.
      late_ = true;
      break;
    }
    FENCELINE_ASSIGN_OR_RETURN(const size_t got,
                               file_.Read(raw_.data() + have, raw_.size() - have));
    if (got == 0) raw_eof_ = true;
    have += got;
  }
  return std::string_view(raw_.data(), have);
}

StatusOr<size_t> DecodedInput::ReadRaw(char* to, size_t n) {
  if (head_ > 0) {
    const size_t k = std::min(n, head_ - head_used_);
    std::memcpy(to, raw_.data() + head_used_, k);
    head_used_ += k;
    if (head_used_ == head_) head_ = head_used_ = 0;
    return k;
  }
  if (raw_eof_) return size_t{0};
  if (!file_.WaitReadable(deadline_)) return DeadlineExceeded(name_ + ": deadline");
  FENCELINE_ASSIGN_OR_RETURN(const size_t got, file_.Read(to, n));
  if (got == 0) raw_eof_ = true;
  return got;
}

Status DecodedInput::CodecError(const std::string& what) const {
  return IoError(name_ + ":" + std::to_string(lines_ + 1) + ":" + std::to_string(column_ + 1) +
                 ": " + what);
}

StatusOr<std::string> ReadInput(const std::string& path, std::string_view name,
                                const InputLimits& limits) {
  DecodedInput in;
  TextSink sink(name, limits);
  if (Status opened = in.Open(path, name, limits.deadline); !opened.ok()) {
    return opened.code() == StatusCode::kDeadlineExceeded ? sink.Late() : opened;
  }
  // A plain regular file's size is known: one allocation instead of a string that keeps
  // doubling.
  if (in.regular_size() > 0) FENCELINE_RETURN_IF_ERROR(sink.Expect(in.regular_size()));
  // Decoded a chunk at a time, each checked against the limits before the next: a small
  // compressed file that inflates past them stops within a chunk.
  std::vector<char> buf(kChunk);
  while (true) {
    StatusOr<size_t> got = in.Read(buf.data(), buf.size());
    // A pipe that stays silent must not hold a history past its time.
    if (!got.ok() && got.status().code() == StatusCode::kDeadlineExceeded) return sink.Late();
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    FENCELINE_RETURN_IF_ERROR(sink.Append(buf.data(), *got));
  }
  return sink.Finish();
}

}  // namespace fenceline::internal
