// Where EdnReader is and how it says so: line:column of a byte, the "expected X, got Y"
// wording, and the deadline it checks while reading.
#include "checker/parse/edn_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "checker/parse/edn_lexer.h"
#include "checker/parse/input_reader.h"

namespace fenceline::internal {
namespace {

using edn_lex::ClassOf;
using edn_lex::EndsToken;
using edn_lex::kDelim;
using edn_lex::kSpace;
using edn_lex::Quote;

}  // namespace

SourcePos EdnReader::PosAt(size_t offset) {
  offset = std::min(offset, full_size_);
  if (offset < pos_off_) {
    pos_off_ = line_start_ = base_off_;
    line_ = base_line_;
  }
  const char* p = begin_ + pos_off_;
  const char* target = begin_ + offset;
  while (p < target) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(target - p));
    if (nl == nullptr) break;
    p = static_cast<const char*>(nl) + 1;
    ++line_;
    line_start_ = static_cast<size_t>(p - begin_);
  }
  pos_off_ = offset;
  return {line_, static_cast<uint32_t>(offset - line_start_ + 1)};
}

Status EdnReader::ErrorAt(size_t offset, std::string_view message) {
  SourcePos pos = PosAt(offset);
  std::string m(name_);
  m += ':';
  m += std::to_string(pos.line);
  m += ':';
  m += std::to_string(pos.column);
  m += ": ";
  m += message;
  return ParseError(std::move(m));
}

std::string EdnReader::Describe(size_t offset) const {
  if (offset >= size()) return size() < full_size_ ? "end of line" : "end of input";
  const char* s = begin_ + offset;
  if (*s == '\n' || *s == '\r') return "end of line";
  if (ClassOf(*s) == kDelim || ClassOf(*s) == kSpace) {
    if (*s == '"') {
      // A string: show its start.
      const char* e = s + 1;
      while (e < end_ && e - s < 24 && *e != '"' && *e != '\n') ++e;
      return std::string(s, e) + (e < end_ && *e == '"' ? "\"" : "...");
    }
    return Quote(std::string_view(s, 1));
  }
  const char* e = s + 1;
  while (e < end_ && !EndsToken(*e) && e - s < 32) ++e;
  std::string shown(s, e);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return Quote(shown);
}

Status EdnReader::Expected(size_t offset, std::string_view expected) {
  std::string m = "expected ";
  m += expected;
  m += ", got ";
  m += Describe(offset);
  return ErrorAt(offset, m);
}
void EdnReader::set_deadline(std::chrono::steady_clock::time_point deadline,
                             std::string_view cause) {
  deadline_ = deadline;
  deadline_cause_ = std::string(cause);
  until_clock_ = 1;  // look at once, on the next element
}

Status EdnReader::CheckDeadline(size_t offset) {
  if (deadline_ == std::chrono::steady_clock::time_point::max()) {
    until_clock_ = UINT32_MAX;
    return OkStatus();
  }
  until_clock_ = kDeadlineStride;
  if (std::chrono::steady_clock::now() < deadline_) return OkStatus();
  return DeadlineReached(name_, PosAt(offset).line, deadline_cause_, "parsing");
}
}  // namespace fenceline::internal
