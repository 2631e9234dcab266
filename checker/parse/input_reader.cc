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

namespace fenceline::internal {
namespace {

// Large enough that system calls and decompressor calls are cheap per byte, small enough that
// a hostile source is stopped within one chunk of its first bad byte.
constexpr size_t kChunk = size_t{1} << 20;

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
      lines_ += static_cast<uint64_t>(std::count(text_.data() + old_size,
                                                 text_.data() + text_.size(), '\n'));
    }
    return OkStatus();
  }

  // The deadline passed before the input was read to its end.
  Status Late() const {
    return DeadlineReached(name_, lines_ + 1, limits_.deadline_cause, "reading the input");
  }

  Status TooLarge() const {
    return IoError(std::string(name_) + ": input is larger than the limit of " +
                   std::to_string(limits_.max_bytes) + " bytes");
  }

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

// One decoder per input encoding: Feed() each chunk as read, then End().
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual Status Feed(const char* data, size_t n) = 0;
  virtual Status End() = 0;
};

class PlainDecoder final : public Decoder {
 public:
  explicit PlainDecoder(TextSink& sink) : sink_(sink) {}
  Status Feed(const char* data, size_t n) override { return sink_.Append(data, n); }
  Status End() override { return OkStatus(); }

 private:
  TextSink& sink_;
};

class GzipDecoder final : public Decoder {
 public:
  GzipDecoder(TextSink& sink, std::string_view name) : sink_(sink), name_(name), out_(kChunk) {
    // 15 + 16: a gzip wrapper (not raw deflate or zlib), the largest window.
    ok_ = inflateInit2(&zs_, 15 + 16) == Z_OK;
  }
  ~GzipDecoder() override {
    if (ok_) inflateEnd(&zs_);
  }

  Status Feed(const char* data, size_t n) override {
    if (!ok_) return IoError(std::string(name_) + ": cannot start the gzip decoder");
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    zs_.avail_in = static_cast<uInt>(n);
    while (zs_.avail_in > 0) {
      if (ended_) {
        // Concatenated members (`cat a.gz b.gz`), as gzip itself reads them.
        inflateReset(&zs_);
        ended_ = false;
      }
      zs_.next_out = reinterpret_cast<Bytef*>(out_.data());
      zs_.avail_out = static_cast<uInt>(out_.size());
      const int ret = inflate(&zs_, Z_NO_FLUSH);
      FENCELINE_RETURN_IF_ERROR(sink_.Append(out_.data(), out_.size() - zs_.avail_out));
      if (ret == Z_STREAM_END) {
        ended_ = true;
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        return IoError(std::string(name_) + ": corrupt gzip data: " +
                       (zs_.msg != nullptr ? zs_.msg : "inflate failed"));
      }
    }
    return OkStatus();
  }

  Status End() override {
    // Output still held by zlib comes out when it is given room, without more input.
    while (ok_ && !ended_) {
      zs_.next_in = nullptr;
      zs_.avail_in = 0;
      zs_.next_out = reinterpret_cast<Bytef*>(out_.data());
      zs_.avail_out = static_cast<uInt>(out_.size());
      const int ret = inflate(&zs_, Z_NO_FLUSH);
      const size_t produced = out_.size() - zs_.avail_out;
      FENCELINE_RETURN_IF_ERROR(sink_.Append(out_.data(), produced));
      if (ret == Z_STREAM_END) ended_ = true;
      else if (produced == 0) break;
    }
    if (!ended_) return IoError(std::string(name_) + ": truncated gzip data");
    return OkStatus();
  }

 private:
  TextSink& sink_;
  std::string_view name_;
  std::vector<char> out_;
  z_stream zs_{};
  bool ok_ = false;
  bool ended_ = false;
};

class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder(TextSink& sink, std::string_view name)
      : sink_(sink), name_(name), out_(kChunk), ds_(ZSTD_createDStream()) {}
  ~ZstdDecoder() override { ZSTD_freeDStream(ds_); }

  Status Feed(const char* data, size_t n) override {
    if (ds_ == nullptr) return IoError(std::string(name_) + ": cannot start the zstd decoder");
    ZSTD_inBuffer in{data, n, 0};
    // Until the input is used up and the decoder has no more output to give.
    while (true) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      const size_t ret = ZSTD_decompressStream(ds_, &out, &in);
      if (ZSTD_isError(ret)) {
        return IoError(std::string(name_) + ": corrupt zstd data: " + ZSTD_getErrorName(ret));
      }
      FENCELINE_RETURN_IF_ERROR(sink_.Append(out_.data(), out.pos));
      frame_done_ = ret == 0;
      if (in.pos == in.size && out.pos < out.size) break;
    }
    return OkStatus();
  }

  Status End() override {
    if (!frame_done_) return IoError(std::string(name_) + ": truncated zstd data");
    return OkStatus();
  }

 private:
  TextSink& sink_;
  std::string_view name_;
  std::vector<char> out_;
  ZSTD_DStream* ds_;
  bool frame_done_ = false;
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

bool HasCompressedMagic(std::string_view head) {
  const auto* b = reinterpret_cast<const unsigned char*>(head.data());
  return (head.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
         (head.size() >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd);
}

std::string WhereInText(std::string_view text, size_t offset, std::string_view name) {
  offset = std::min(offset, text.size());
  const auto head = text.substr(0, offset);
  const size_t line = static_cast<size_t>(std::count(head.begin(), head.end(), '\n')) + 1;
  const size_t nl = head.rfind('\n');
  const size_t column = nl == std::string_view::npos ? offset + 1 : offset - nl;
  return std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

StatusOr<size_t> CheckTextBytes(std::string_view text, size_t from, bool final,
                                std::string_view name) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  size_t i = from;
  auto bad = [&](size_t at, const std::string& what) -> Status {
    return ParseError(WhereInText(text, at, name) + what);
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

StatusOr<std::string> ReadInput(const std::string& path, std::string_view name,
                                const InputLimits& limits) {
  InputFile in;
  FENCELINE_RETURN_IF_ERROR(in.Open(path, name));

  TextSink sink(name, limits);
  std::vector<char> buf(kChunk);
  // The first bytes tell the encoding: read until there are four of them, or the end.
  size_t have = 0;
  bool eof = false;
  while (have < 4 && !eof) {
    // A pipe that stays silent must not hold a history past its time.
    if (!in.WaitReadable(limits.deadline)) return sink.Late();
    FENCELINE_ASSIGN_OR_RETURN(const size_t got, in.Read(buf.data() + have, buf.size() - have));
    if (got == 0) eof = true;
    have += got;
  }
  const auto* b = reinterpret_cast<const unsigned char*>(buf.data());
  std::unique_ptr<Decoder> decoder;
  if (have >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
    decoder = std::make_unique<GzipDecoder>(sink, name);
  } else if (HasCompressedMagic(std::string_view(buf.data(), have))) {  // not gzip: zstd
    decoder = std::make_unique<ZstdDecoder>(sink, name);
  } else {
    // A regular file's size is known: one allocation instead of a string that keeps doubling.
    if (in.regular_size() > 0) FENCELINE_RETURN_IF_ERROR(sink.Expect(in.regular_size()));
    decoder = std::make_unique<PlainDecoder>(sink);
  }
  FENCELINE_RETURN_IF_ERROR(decoder->Feed(buf.data(), have));
  while (!eof) {
    if (!in.WaitReadable(limits.deadline)) return sink.Late();
    FENCELINE_ASSIGN_OR_RETURN(const size_t got, in.Read(buf.data(), buf.size()));
    if (got == 0) break;
    FENCELINE_RETURN_IF_ERROR(decoder->Feed(buf.data(), got));
  }
  FENCELINE_RETURN_IF_ERROR(decoder->End());
  return sink.Finish();
}

}  // namespace fenceline::internal
