#include "checker/parse/file_lines.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include "checker/parse/parse_memory.h"

namespace fenceline::internal {
namespace {

// As ReadInput's reads: the same blocks, so that where two limits are broken at once the same
// one is reported.
constexpr size_t kBlock = size_t{1} << 20;

}  // namespace

FileLineSource::FileLineSource(DecodedInput& in, std::string_view name, const InputLimits& limits)
    : in_(in), name_(name), limits_(limits) {}

Status FileLineSource::Fail(Status s) {
  error_ = s;
  return s;
}

Status FileLineSource::ReadFailed(const Status& s) {
  if (s.code() != StatusCode::kDeadlineExceeded) return Fail(s);
  const uint64_t lines =
      line_ - 1 + static_cast<uint64_t>(std::count(buf_.begin(), buf_.end(), '\n'));
  return Fail(DeadlineReached(name_, lines + 1, limits_.deadline_cause, "reading the input"));
}

Status FileLineSource::Open() {
  buf_.resize(kBlock);
  size_t have = 0;
  while (have < 4 && !eof_) {
    StatusOr<size_t> got = in_.Read(buf_.data() + have, buf_.size() - have);
    if (!got.ok()) {
      buf_.resize(have);
      return ReadFailed(got.status());
    }
    if (*got == 0) eof_ = true;
    have += *got;
  }
  buf_.resize(have);
  return OkStatus();
}

Status FileLineSource::Start() {
  if (limits_.max_bytes != 0 && in_.regular_size() > limits_.max_bytes) {
    return Fail(InputTooLarge(name_, limits_.max_bytes));
  }
  FENCELINE_RETURN_IF_ERROR(CheckAppended(0));
  if (eof_) {
    StatusOr<size_t> checked = CheckTextBytes(buf_, checked_, true, name_, line_);
    if (!checked.ok()) return Fail(checked.status());
    checked_ = *checked;
  }
  // A byte order mark is read as three spaces, so that columns still count the file's bytes.
  if (buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) buf_.replace(0, 3, "   ");
  return OkStatus();
}

Status FileLineSource::CheckAppended(size_t old_size) {
  const size_t n = buf_.size() - old_size;
  if (n == 0) return OkStatus();
  if (limits_.deadline != std::chrono::steady_clock::time_point::max() &&
      std::chrono::steady_clock::now() >= limits_.deadline) {
    const uint64_t lines = line_ - 1 + static_cast<uint64_t>(std::count(
                                           buf_.data(), buf_.data() + old_size, '\n'));
    return Fail(DeadlineReached(name_, lines + 1, limits_.deadline_cause, "reading the input"));
  }
  if (limits_.max_bytes != 0 && read_ + n > limits_.max_bytes) {
    return Fail(InputTooLarge(name_, limits_.max_bytes));
  }
  // What is buffered (a long line; the whole text, for EDN) is held as ReadInput's text is.
  if (limits_.memory_bytes != 0 && buf_.size() > limits_.memory_bytes) {
    const uint64_t lines = line_ - 1 + static_cast<uint64_t>(std::count(
                                           buf_.data(), buf_.data() + old_size, '\n'));
    return Fail(MemoryLimitReached(name_, lines + 1, limits_.memory_cause, "reading the input"));
  }
  read_ += n;
  StatusOr<size_t> checked = CheckTextBytes(buf_, checked_, false, name_, line_);
  if (!checked.ok()) return Fail(checked.status());
  checked_ = *checked;
  if (limits_.max_line_bytes != 0) {
    // Every line the block ends, then the one it leaves open.
    auto check_line = [&](size_t end) -> Status {
      if (end - line_start_ <= limits_.max_line_bytes) return OkStatus();
      return Fail(IoError(WhereInText(buf_, line_start_, name_, line_) +
                          "line longer than the limit of " +
                          std::to_string(limits_.max_line_bytes) + " bytes"));
    };
    const char* base = buf_.data();
    size_t at = old_size;
    while (const void* nl = std::memchr(base + at, '\n', buf_.size() - at)) {
      const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - base);
      FENCELINE_RETURN_IF_ERROR(check_line(end));
      line_start_ = at = end + 1;
    }
    FENCELINE_RETURN_IF_ERROR(check_line(buf_.size()));
  }
  return OkStatus();
}

Status FileLineSource::ReadBlock() {
  if (!error_.ok()) return error_;
  if (eof_) return OkStatus();
  const size_t old = buf_.size();
  buf_.resize(old + kBlock);
  StatusOr<size_t> got = in_.Read(buf_.data() + old, kBlock);
  buf_.resize(old + (got.ok() ? *got : 0));
  if (!got.ok()) return ReadFailed(got.status());
  if (*got == 0) {
    eof_ = true;
    StatusOr<size_t> checked = CheckTextBytes(buf_, checked_, true, name_, line_);
    if (!checked.ok()) return Fail(checked.status());
    checked_ = *checked;
    return OkStatus();
  }
  return CheckAppended(old);
}

Status FileLineSource::Fill(size_t min_bytes) {
  while (!eof_ && checked_ < min_bytes) FENCELINE_RETURN_IF_ERROR(ReadBlock());
  return error_;
}

StatusOr<std::string> FileLineSource::ReadAll() {
  // One allocation of the file's size (at most the memory limit's), not a string that doubles:
  // doubling holds the old text beside the new, twice what the limit counts.
  uint64_t size = in_.regular_size() + 1;
  if (limits_.memory_bytes != 0) size = std::min<uint64_t>(size, limits_.memory_bytes + kBlock);
  if (size > buf_.size()) buf_.reserve(static_cast<size_t>(size));
  while (!eof_) FENCELINE_RETURN_IF_ERROR(ReadBlock());
  FENCELINE_RETURN_IF_ERROR(error_);
  checked_ = 0;
  return std::move(buf_);
}

void FileLineSource::Consume(size_t n) {
  line_ += CountNewlines(buf_.data(), n);
  buf_.erase(0, n);
  checked_ -= n;
  line_start_ = line_start_ >= n ? line_start_ - n : 0;
}

StatusOr<bool> FileLineSource::Next(size_t chunk_bytes, SourceChunk& c) {
  size_t cut = std::string::npos;
  while (true) {
    FENCELINE_RETURN_IF_ERROR(error_);
    if (checked_ > chunk_bytes) {
      if (const void* nl = std::memchr(buf_.data() + chunk_bytes, '\n', checked_ - chunk_bytes)) {
        cut = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
        break;
      }
    }
    if (eof_) break;
    FENCELINE_RETURN_IF_ERROR(ReadBlock());
  }
  if (cut == std::string::npos && buf_.empty()) return false;
  // The chunk keeps its final '\n', so that a reader sees the end of its last line as the end
  // of a line, not of the input, as it does in the whole text.
  const size_t n = cut != std::string::npos ? cut + 1 : buf_.size();
  c.owned.assign(buf_, 0, n);
  c.text = c.owned;
  c.begin = 0;
  c.end = cut != std::string::npos ? cut : n;
  c.first_line = static_cast<uint32_t>(line_);
  Consume(n);
  // Positions are 32-bit (SourcePos): past that, line numbers in messages would wrap.
  if (line_ - 1 >= UINT32_MAX) {
    return Fail(ParseError(name_ + ":1:1: more than " + std::to_string(UINT32_MAX - 1) +
                           " lines: too many to number"));
  }
  return true;
}

Status FileLineSource::Drain() {
  while (!eof_) {
    FENCELINE_RETURN_IF_ERROR(ReadBlock());
    // Only the last line's start is needed from here on (the line-length limit, an
    // incomplete UTF-8 sequence).
    const size_t last = std::string_view(buf_).substr(0, checked_).rfind('\n');
    if (last != std::string::npos) Consume(last + 1);
  }
  return error_;
}

}  // namespace fenceline::internal
