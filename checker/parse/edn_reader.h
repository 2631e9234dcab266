// checker/parse/edn_reader.h
//
// A reader for EDN (https://github.com/edn-format/edn), the data notation Jepsen writes its
// histories in. No Debian package reads EDN in C++, so this is our own: a hand-written
// recursive-descent reader over an in-memory text that yields fenceline::Values.
//
// What it reads, beyond the specification's core (nil, booleans, strings, characters,
// symbols, keywords, integers, floats, lists, vectors, maps, sets, #_ and tagged elements):
// what Clojure's printer emits in Jepsen histories: ratios (22/7), big integers (1N, or
// integers too large for int64, kept as text), BigDecimals (1.5M, read as doubles), ##Inf,
// ##-Inf, ##NaN, records (#jepsen.independent.Tuple{:key 1 :value 2}) and namespaced maps
// (#:ns{:a 1}). Every #tag is kept as a Value::Tagged; none is interpreted.
//
// Speed matters (whole Jepsen histories are read with it), so the hot loop works on raw
// bytes: no regex, no streams, no per-character allocation, and line:column are computed
// only when an event or an error needs them. Nesting is bounded, so hostile input yields a
// kParseError rather than a stack overflow; the reader never reads past the text.
#ifndef FENCELINE_CHECKER_PARSE_EDN_READER_H_
#define FENCELINE_CHECKER_PARSE_EDN_READER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fenceline/history.h"
#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline::internal {

// Deeper nesting than this is a parse error ("nesting deeper than 512").
inline constexpr int kEdnMaxDepth = 512;

// Reads EDN elements one after another from `text`, which must outlive the reader.
// Errors are kParseError with a message "name:line:col: expected X, got Y"; columns count
// bytes from 1. After an error the reader's position is unspecified. Not thread-safe.
class EdnReader {
 public:
  EdnReader(std::string_view text, std::string_view name, int max_depth = kEdnMaxDepth);

  // Skips whitespace (commas included), ; comments and #_ discarded elements. Returns true if
  // an element follows, false at the end of the text.
  StatusOr<bool> SkipToElement();
  // Like SkipToElement() but stops at the end of the current line too: true if an element
  // starts on this line. Used by line-oriented formats.
  StatusOr<bool> SkipToElementOnLine();

  // Reads the next element into `out` (whitespace before it is skipped). At the end of the
  // text: "expected an element, got end of input".
  Status Read(Value& out);

  // From now on, an element read past `deadline` (looked at every kDeadlineStride elements,
  // nested ones included) fails with kDeadlineExceeded "name:line:1: <cause> reached while
  // parsing, after N lines" (DeadlineReached, input_reader.h). max(): none, the default.
  void set_deadline(std::chrono::steady_clock::time_point deadline, std::string_view cause);
  static constexpr uint32_t kDeadlineStride = 4096;

  // Reads the next element, which must be a keyword, and returns its text (no colon) as a
  // view into the text, without allocating. `what` names the element in the error message.
  Status ReadKeywordView(std::string_view& out, std::string_view what);

  // The byte at the current position; '\0' at the end. Call after SkipToElement().
  char Peek() const { return p_ < end_ ? *p_ : '\0'; }
  bool AtEnd() const { return p_ >= end_; }
  // Consumes one byte (no-op at the end).
  void Advance() {
    if (p_ < end_) ++p_;
  }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }
  void set_offset(size_t offset) { p_ = begin_ + (offset < size() ? offset : size()); }
  size_t size() const { return static_cast<size_t>(end_ - begin_); }
  std::string_view text() const { return {begin_, size()}; }

  // Makes the text appear to end at byte `offset` (a line end, for line-oriented formats);
  // messages then say "end of line" there. Unlimit() restores the whole text.
  void LimitTo(size_t offset) {
    end_ = begin_ + (offset < full_size_ ? offset : full_size_);
  }
  void Unlimit() { end_ = begin_ + full_size_; }

  // 1-based line and column of byte `offset`. Amortized O(distance) for increasing offsets.
  SourcePos PosAt(size_t offset);
  // Declares that the line starting at byte `offset` is line `line`, so that a reader used on
  // a chunk of a large text numbers lines without counting from the start. PosAt() is then
  // valid for offsets from `offset` on.
  void SetLineStart(size_t offset, uint32_t line) {
    base_off_ = pos_off_ = line_start_ = offset;
    base_line_ = line_ = line;
  }
  // kParseError "name:line:col: " + message, at byte `offset`.
  Status ErrorAt(size_t offset, std::string_view message);
  // "expected <expected>, got <what is at offset>".
  Status Expected(size_t offset, std::string_view expected);
  // How the element at `offset` is shown in messages: "'}'", "end of input", "\"abc\"".
  std::string Describe(size_t offset) const;

 private:
  Status ReadAt(Value& out, int depth);
  // The clock read behind set_deadline(), for the element at `offset`.
  Status CheckDeadline(size_t offset);
  Status ReadCollection(Value& out, char close, ValueKind kind, int depth, size_t open_offset);
  Status ReadString(Value& out);
  Status ReadChar(Value& out);
  Status ReadNumber(Value& out);
  Status ReadHex(std::string_view tok, size_t digits_begin, bool negative, Value& out);
  Status ReadSymbolic(Value& out);
  Status ReadKeyword(Value& out);
  Status ReadDispatch(Value& out, int depth);
  Status SkipDiscard(int depth);
  Status SkipSpace(bool stop_at_newline, int depth);
  // The symbol-like token at p_ (up to a delimiter).
  std::string_view Token() const;

  const char* begin_;
  const char* p_;
  const char* end_;
  size_t full_size_;
  std::string_view name_;
  int max_depth_;
  // PosAt's cursor: the line number of line_start_, a byte offset at a line start <= pos_off_.
  size_t pos_off_ = 0;
  size_t line_start_ = 0;
  uint32_t line_ = 1;
  // Where PosAt starts over for an offset behind its cursor (SetLineStart).
  size_t base_off_ = 0;
  uint32_t base_line_ = 1;
  // Elements left before the next clock read; without a deadline it never reaches 0 in
  // practice, and then only costs a reset.
  uint32_t until_clock_ = UINT32_MAX;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  std::string deadline_cause_;
};

// Reads exactly one element from `text` (whitespace and comments around it allowed).
// "expected end of input" if more follows.
StatusOr<Value> ReadEdn(std::string_view text, std::string_view name = "<edn>");

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_PARSE_EDN_READER_H_
