#include "checker/parse/edn_reader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "checker/parse/input_reader.h"

namespace fenceline::internal {
namespace {

// Byte classes, looked up once per byte in the hot loops.
enum : uint8_t {
  kOther = 0,  // not valid outside strings (@ ^ ` ~ | control bytes); part of a bad token
  kSpace = 1,  // whitespace, comma
  kDelim = 2,  // ( ) [ ] { } " ; \ end a token
  kSym = 3,    // may appear in a symbol, keyword, number or tag
};

constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t k = kOther;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ',') {
      k = kSpace;
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' ||
               c == '"' || c == ';' || c == '\\') {
      k = kDelim;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c >= 0x80) {
      k = kSym;
    } else {
      for (char s : std::string_view(".*+!-_?$%&=<>:#/'")) {
        if (c == s) k = kSym;
      }
    }
    t[static_cast<size_t>(c)] = k;
  }
  return t;
}();

inline uint8_t ClassOf(char c) { return kClass[static_cast<unsigned char>(c)]; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// A token ends at whitespace, a delimiter or a byte that cannot be part of it.
inline bool EndsToken(char c) {
  uint8_t k = ClassOf(c);
  return k == kSpace || k == kDelim;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes one UTF-8 code point at s (n bytes available). Returns its length, 0 if invalid.
size_t DecodeUtf8(const char* s, size_t n, uint32_t& cp) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  if (n == 0) return 0;
  uint32_t c = b(0);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (len == 0 || len > n || c >= 0xF8) return 0;
  cp = c & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF) return 0;
  return len;
}

bool ParseHex4(std::string_view s, uint32_t& out) {
  if (s.size() != 4) return false;
  out = 0;
  for (char c : s) {
    uint32_t d;
    if (c >= '0' && c <= '9') d = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<uint32_t>(c - 'A' + 10);
    else return false;
    out = out * 16 + d;
  }
  return true;
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  out += s;
  out += "'";
  return out;
}

std::string_view KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kList: return "list";
    case ValueKind::kVector: return "vector";
    case ValueKind::kSet: return "set";
    default: return "map";
  }
}

// Index of a duplicate among `items` (taking every `stride`-th from 0), or -1.
long FindDuplicate(const std::vector<Value>& items, size_t stride) {
  const size_t n = items.size() / stride;
  if (n < 2) return -1;
  if (n <= 16) {
    for (size_t i = 1; i < n; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (items[i * stride] == items[j * stride]) return static_cast<long>(i * stride);
      }
    }
    return -1;
  }
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i * stride;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return items[a] < items[b]; });
  for (size_t i = 1; i < n; ++i) {
    if (items[order[i]] == items[order[i - 1]]) return static_cast<long>(order[i]);
  }
  return -1;
}

}  // namespace

EdnReader::EdnReader(std::string_view text, std::string_view name, int max_depth)
    : begin_(text.data()),
      p_(text.data()),
      end_(text.data() + text.size()),
      full_size_(text.size()),
      name_(name),
      max_depth_(max_depth) {}

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

std::string_view EdnReader::Token() const {
  const char* e = p_;
  while (e < end_ && !EndsToken(*e)) ++e;
  return {p_, static_cast<size_t>(e - p_)};
}

Status EdnReader::SkipSpace(bool stop_at_newline, int depth) {
  while (p_ < end_) {
    const char c = *p_;
    if (ClassOf(c) == kSpace) {
      if (c == '\n' && stop_at_newline) return OkStatus();
      ++p_;
    } else if (c == ';') {
      const void* nl = std::memchr(p_, '\n', static_cast<size_t>(end_ - p_));
      p_ = nl == nullptr ? end_ : static_cast<const char*>(nl);
    } else if (c == '#' && p_ + 1 < end_ && p_[1] == '_') {
      FENCELINE_RETURN_IF_ERROR(SkipDiscard(depth));
    } else {
      return OkStatus();
    }
  }
  return OkStatus();
}

Status EdnReader::SkipDiscard(int depth) {
  const size_t at = offset();
  if (depth >= max_depth_) {
    return ErrorAt(at, "expected nesting at most " + std::to_string(max_depth_) +
                           " deep, got deeper");
  }
  p_ += 2;
  FENCELINE_RETURN_IF_ERROR(SkipSpace(false, depth + 1));
  if (p_ >= end_ || *p_ == ')' || *p_ == ']' || *p_ == '}') {
    return Expected(offset(), "an element to discard after #_");
  }
  Value ignored;
  return ReadAt(ignored, depth + 1);
}

StatusOr<bool> EdnReader::SkipToElement() {
  FENCELINE_RETURN_IF_ERROR(SkipSpace(false, 0));
  return p_ < end_;
}

StatusOr<bool> EdnReader::SkipToElementOnLine() {
  FENCELINE_RETURN_IF_ERROR(SkipSpace(true, 0));
  return p_ < end_ && *p_ != '\n';
}

Status EdnReader::Read(Value& out) {
  FENCELINE_RETURN_IF_ERROR(SkipSpace(false, 0));
  return ReadAt(out, 0);
}

Status EdnReader::ReadKeywordView(std::string_view& out, std::string_view what) {
  FENCELINE_RETURN_IF_ERROR(SkipSpace(false, 0));
  if (p_ >= end_ || *p_ != ':') {
    std::string expected = "a keyword ";
    expected += what;
    return Expected(offset(), expected);
  }
  const size_t at = offset();
  ++p_;
  std::string_view name = Token();
  if (name.empty() || name[0] == ':') {
    p_ = begin_ + at;
    Value v;
    return ReadKeyword(v);  // reports the malformed keyword
  }
  for (char c : name) {
    if (ClassOf(c) != kSym) {
      p_ = begin_ + at;
      Value v;
      return ReadKeyword(v);  // reports the bad character
    }
  }
  p_ += name.size();
  out = name;
  return OkStatus();
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

Status EdnReader::ReadAt(Value& out, int depth) {
  if (p_ >= end_) return Expected(offset(), "an element");
  const size_t at = offset();
  if (--until_clock_ == 0) FENCELINE_RETURN_IF_ERROR(CheckDeadline(at));
  const char c = *p_;
  switch (c) {
    case '{': {
      ++p_;
      return ReadCollection(out, '}', ValueKind::kMap, depth, at);
    }
    case '[': {
      ++p_;
      return ReadCollection(out, ']', ValueKind::kVector, depth, at);
    }
    case '(': {
      ++p_;
      return ReadCollection(out, ')', ValueKind::kList, depth, at);
    }
    case '"': return ReadString(out);
    case ':': return ReadKeyword(out);
    case '\\': return ReadChar(out);
    case '#': return ReadDispatch(out, depth);
    case ')':
    case ']':
    case '}': return Expected(at, "an element");
    default: break;
  }
  if (IsDigit(c) || ((c == '+' || c == '-') && p_ + 1 < end_ && IsDigit(p_[1]))) {
    return ReadNumber(out);
  }
  if (ClassOf(c) == kSym) return ReadSymbolic(out);
  return Expected(at, "an element");
}

Status EdnReader::ReadCollection(Value& out, char close, ValueKind kind, int depth,
                                 size_t open_offset) {
  if (depth >= max_depth_) {
    return ErrorAt(open_offset, "expected nesting at most " + std::to_string(max_depth_) +
                                    " deep, got deeper");
  }
  std::vector<Value> items;
  while (true) {
    FENCELINE_RETURN_IF_ERROR(SkipSpace(false, depth + 1));
    if (p_ >= end_) {
      SourcePos open = PosAt(open_offset);
      std::string expected = "'";
      expected += close;
      expected += "' to close the ";
      expected += KindName(kind);
      expected += " opened at " + std::to_string(open.line) + ":" + std::to_string(open.column);
      return Expected(offset(), expected);
    }
    const char c = *p_;
    if (c == close) {
      ++p_;
      break;
    }
    if (c == ')' || c == ']' || c == '}') {
      std::string expected = "'";
      expected += close;
      expected += "' or an element";
      return Expected(offset(), expected);
    }
    items.emplace_back();
    FENCELINE_RETURN_IF_ERROR(ReadAt(items.back(), depth + 1));
  }
  switch (kind) {
    case ValueKind::kMap: {
      if (items.size() % 2 != 0) {
        return ErrorAt(offset() - 1, "expected a value for map key " +
                                         items[items.size() - 1].ToEdn() + ", got '}'");
      }
      long dup = FindDuplicate(items, 2);
      if (dup >= 0) {
        return ErrorAt(open_offset, "expected distinct map keys, got " +
                                        items[static_cast<size_t>(dup)].ToEdn() + " twice");
      }
      out = Value::Map(std::move(items));
      return OkStatus();
    }
    case ValueKind::kSet: {
      long dup = FindDuplicate(items, 1);
      if (dup >= 0) {
        return ErrorAt(open_offset, "expected distinct set elements, got " +
                                        items[static_cast<size_t>(dup)].ToEdn() + " twice");
      }
      out = Value::Set(std::move(items));
      return OkStatus();
    }
    case ValueKind::kList: out = Value::List(std::move(items)); return OkStatus();
    default: out = Value::Vector(std::move(items)); return OkStatus();
  }
}

Status EdnReader::ReadString(Value& out) {
  const size_t open = offset();
  const char* s = p_ + 1;
  const char* q = s;
  while (q < end_ && *q != '"' && *q != '\\') ++q;
  if (q < end_ && *q == '"') {
    out = Value::String(std::string(s, q));
    p_ = q + 1;
    return OkStatus();
  }
  std::string text(s, q);
  p_ = q;
  while (true) {
    if (p_ >= end_) {
      SourcePos pos = PosAt(open);
      return Expected(offset(), "'\"' to close the string opened at " + std::to_string(pos.line) +
                                    ":" + std::to_string(pos.column));
    }
    const char c = *p_;
    if (c == '"') {
      ++p_;
      break;
    }
    if (c != '\\') {
      const char* r = p_;
      while (r < end_ && *r != '"' && *r != '\\') ++r;
      text.append(p_, r);
      p_ = r;
      continue;
    }
    const size_t esc = offset();
    if (p_ + 1 >= end_) {
      p_ = end_;
      continue;  // reported as an unterminated string
    }
    const char e = p_[1];
    p_ += 2;
    switch (e) {
      case 't': text += '\t'; break;
      case 'n': text += '\n'; break;
      case 'r': text += '\r'; break;
      case 'b': text += '\b'; break;
      case 'f': text += '\f'; break;
      case '"': text += '"'; break;
      case '\\': text += '\\'; break;
      case 'u': {
        uint32_t cp;
        std::string_view hex(p_, std::min<size_t>(4, static_cast<size_t>(end_ - p_)));
        if (!ParseHex4(hex, cp)) {
          return ErrorAt(esc, "expected 4 hex digits after \\u, got " +
                                  Quote(std::string_view(p_ - 2, hex.size() + 2)));
        }
        p_ += 4;
        // A UTF-16 surrogate pair, as Java writes characters beyond the BMP.
        if (cp >= 0xD800 && cp < 0xDC00 && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
          uint32_t low;
          if (ParseHex4(std::string_view(p_ + 2, 4), low) && low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            p_ += 6;
          }
        }
        // Half a pair has no UTF-8 form: kept, it would be bytes no report could write (as
        // JSON Lines, whose reader refuses it too).
        if (cp >= 0xD800 && cp < 0xE000) {
          return ErrorAt(esc, "expected a character, got the unpaired UTF-16 surrogate " +
                                  Quote(std::string_view(begin_ + esc, 6)));
        }
        AppendUtf8(text, cp);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          // Java's octal escape \0 .. \377, which Clojure's reader accepts.
          uint32_t v = static_cast<uint32_t>(e - '0');
          int digits = 1;
          while (digits < 3 && p_ < end_ && *p_ >= '0' && *p_ <= '7' &&
                 v * 8 + static_cast<uint32_t>(*p_ - '0') <= 0377) {
            v = v * 8 + static_cast<uint32_t>(*p_ - '0');
            ++p_;
            ++digits;
          }
          AppendUtf8(text, v);
          break;
        }
        p_ = begin_ + esc;
        return ErrorAt(esc, "expected an escape (\\t \\n \\r \\b \\f \\\" \\\\ \\uXXXX), got " +
                                Quote(std::string_view(begin_ + esc, 2)));
    }
  }
  out = Value::String(std::move(text));
  return OkStatus();
}

Status EdnReader::ReadChar(Value& out) {
  const size_t at = offset();
  ++p_;
  if (p_ >= end_) return Expected(offset(), "a character after '\\'");
  uint32_t cp;
  size_t len = DecodeUtf8(p_, static_cast<size_t>(end_ - p_), cp);
  if (len == 0) return Expected(offset(), "a UTF-8 character after '\\'");
  // The first character is taken whatever it is (\( \; \space); a name continues to a delimiter.
  const char* e = p_ + len;
  while (e < end_ && !EndsToken(*e)) ++e;
  std::string_view tok(p_, static_cast<size_t>(e - p_));
  if (tok.size() == len) {
    out = Value::Char(static_cast<char32_t>(cp));
    p_ = e;
    return OkStatus();
  }
  static constexpr std::pair<std::string_view, char32_t> kNames[] = {
      {"newline", U'\n'}, {"space", U' '},      {"tab", U'\t'},
      {"return", U'\r'},  {"backspace", U'\b'}, {"formfeed", U'\f'},
  };
  for (const auto& [name, c] : kNames) {
    if (tok == name) {
      out = Value::Char(c);
      p_ = e;
      return OkStatus();
    }
  }
  if (tok[0] == 'u' && ParseHex4(tok.substr(1), cp)) {
    if (cp >= 0xD800 && cp < 0xE000) {
      return ErrorAt(at, "expected a character, got the UTF-16 surrogate " +
                             Quote(std::string_view(begin_ + at, tok.size() + 1)));
    }
    out = Value::Char(static_cast<char32_t>(cp));
    p_ = e;
    return OkStatus();
  }
  if (tok[0] == 'o' && tok.size() >= 2 && tok.size() <= 4) {
    uint32_t v = 0;
    bool ok = true;
    for (char c : tok.substr(1)) {
      if (c < '0' || c > '7') ok = false;
      v = v * 8 + static_cast<uint32_t>(c - '0');
    }
    if (ok && v <= 0377) {
      out = Value::Char(static_cast<char32_t>(v));
      p_ = e;
      return OkStatus();
    }
  }
  return ErrorAt(at, "expected a character (\\c, \\newline, \\space, \\tab, \\return, "
                     "\\backspace, \\formfeed, \\uXXXX, \\oNNN), got " +
                         Quote(std::string_view(begin_ + at, tok.size() + 1)));
}

Status EdnReader::ReadNumber(Value& out) {
  const size_t at = offset();
  std::string_view tok = Token();
  auto bad = [&]() { return ErrorAt(at, "expected a number, got " + Quote(tok)); };
  size_t i = 0;
  bool negative = false;
  if (tok[0] == '+' || tok[0] == '-') {
    negative = tok[0] == '-';
    i = 1;
  }
  if (tok.size() > i + 1 && tok[i] == '0' && (tok[i + 1] == 'x' || tok[i + 1] == 'X')) {
    return ReadHex(tok, i + 2, negative, out);
  }
  const size_t int_begin = i;
  while (i < tok.size() && IsDigit(tok[i])) ++i;
  const size_t int_end = i;
  if (int_end == int_begin) return bad();
  if (int_end - int_begin > 1 && tok[int_begin] == '0') {
    return ErrorAt(at, "expected a number without leading zeros, got " + Quote(tok));
  }
  std::string_view digits = tok.substr(int_begin, int_end - int_begin);

  // Integer, possibly with Clojure's N (BigInt) or M (BigDecimal) suffix.
  if (i == tok.size() || (i + 1 == tok.size() && tok[i] == 'N')) {
    // Accumulate as a negative number, whose range includes INT64_MIN.
    int64_t v = 0;
    bool overflow = false;
    for (char c : digits) {
      const int d = c - '0';
      if (v < (std::numeric_limits<int64_t>::min() + d) / 10) {
        overflow = true;
        break;
      }
      v = v * 10 - d;
    }
    if (!overflow && !negative && v == std::numeric_limits<int64_t>::min()) overflow = true;
    p_ += tok.size();
    if (overflow) {
      std::string text = negative ? "-" : "";
      text += digits;
      out = Value::BigInt(std::move(text));
    } else {
      out = Value::Int(negative ? v : -v);
    }
    return OkStatus();
  }
  if (tok[i] == '/') {
    // A ratio: integer '/' integer, kept as written.
    size_t j = i + 1;
    while (j < tok.size() && IsDigit(tok[j])) ++j;
    if (j == i + 1 || j != tok.size()) return bad();
    if (tok.find_first_not_of('0', i + 1) == std::string_view::npos) {
      return ErrorAt(at, "expected a nonzero denominator, got " + Quote(tok));
    }
    p_ += tok.size();
    out = Value::Ratio(std::string(tok[0] == '+' ? tok.substr(1) : tok));
    return OkStatus();
  }
  // A float: int ['.' digits*] [('e'|'E') ['+'|'-'] digits+] ['M'].
  if (tok[i] == '.') {
    ++i;
    while (i < tok.size() && IsDigit(tok[i])) ++i;
  }
  if (i < tok.size() && (tok[i] == 'e' || tok[i] == 'E')) {
    ++i;
    if (i < tok.size() && (tok[i] == '+' || tok[i] == '-')) ++i;
    const size_t exp_begin = i;
    while (i < tok.size() && IsDigit(tok[i])) ++i;
    if (i == exp_begin) return bad();
  }
  const size_t num_end = i;
  if (i < tok.size() && tok[i] == 'M') ++i;
  if (i != tok.size()) return bad();
  double d = 0;
  std::string_view num = tok.substr(int_begin, num_end - int_begin);
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), d);
  if (ptr != num.data() + num.size()) return bad();
  if (ec == std::errc::result_out_of_range) {
    // Overflow to infinity or underflow to zero, as Clojure's reader does.
    d = num.find_first_of("eE") != std::string_view::npos &&
                num[num.find_first_of("eE") + 1] == '-'
            ? 0.0
            : std::numeric_limits<double>::infinity();
  }
  p_ += tok.size();
  out = Value::Float(negative ? -d : d);
  return OkStatus();
}

Status EdnReader::ReadHex(std::string_view tok, size_t i, bool negative, Value& out) {
  const size_t at = offset();
  if (i == tok.size()) return ErrorAt(at, "expected a number, got " + Quote(tok));
  uint64_t v = 0;
  bool overflow = false;
  for (size_t j = i; j < tok.size(); ++j) {
    const char c = tok[j];
    uint64_t d;
    if (IsDigit(c)) d = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<uint64_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<uint64_t>(c - 'A' + 10);
    else return ErrorAt(at, "expected a number, got " + Quote(tok));
    if (v > (std::numeric_limits<uint64_t>::max() >> 4)) overflow = true;
    v = (v << 4) | d;
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  p_ += tok.size();
  if (overflow || v > limit) {
    // Kept as written (without '+'): a BigInt's text is not necessarily decimal here.
    out = Value::BigInt(std::string(tok[0] == '+' ? tok.substr(1) : tok));
  } else {
    out = Value::Int(negative ? static_cast<int64_t>(~v + 1) : static_cast<int64_t>(v));
  }
  return OkStatus();
}

Status EdnReader::ReadSymbolic(Value& out) {
  const size_t at = offset();
  std::string_view tok = Token();
  for (size_t i = 0; i < tok.size(); ++i) {
    if (ClassOf(tok[i]) != kSym) {
      return Expected(at + i, "a symbol character");
    }
  }
  p_ += tok.size();
  if (tok == "nil") {
    out = Value::Nil();
    return OkStatus();
  }
  if (tok == "true" || tok == "false") {
    out = Value::Bool(tok == "true");
    return OkStatus();
  }
  // A symbol: '/' alone, or prefix/name with both parts non-empty.
  const size_t slash = tok.find('/');
  if (tok != "/" && slash != std::string_view::npos &&
      (slash == 0 || slash + 1 == tok.size() ||
       (tok.find('/', slash + 1) != std::string_view::npos && tok.substr(slash + 1) != "/"))) {
    return ErrorAt(at, "expected a symbol (name or prefix/name), got " + Quote(tok));
  }
  if (tok[0] == ':' || tok[0] == '#' || tok[0] == '\'') {
    return ErrorAt(at, "expected a symbol, got " + Quote(tok));
  }
  out = Value::Symbol(std::string(tok));
  return OkStatus();
}

Status EdnReader::ReadKeyword(Value& out) {
  const size_t at = offset();
  ++p_;
  std::string_view tok = Token();
  if (tok.empty()) {
    p_ = begin_ + at;
    return ErrorAt(at, "expected a keyword name after ':', got " + Describe(at + 1));
  }
  if (tok[0] == ':') {
    p_ = begin_ + at;
    return ErrorAt(at, "expected a keyword, got " + Quote(std::string_view(begin_ + at, tok.size() + 1)) +
                           " (auto-resolved keywords are not EDN)");
  }
  for (size_t i = 0; i < tok.size(); ++i) {
    if (ClassOf(tok[i]) != kSym) {
      p_ = begin_ + at;
      return Expected(at + 1 + i, "a keyword character");
    }
  }
  const size_t slash = tok.find('/');
  if (tok != "/" && slash != std::string_view::npos &&
      (slash == 0 || slash + 1 == tok.size())) {
    p_ = begin_ + at;
    return ErrorAt(at, "expected a keyword (:name or :prefix/name), got " +
                           Quote(std::string_view(begin_ + at, tok.size() + 1)));
  }
  p_ += tok.size();
  out = Value::Keyword(std::string(tok));
  return OkStatus();
}

Status EdnReader::ReadDispatch(Value& out, int depth) {
  const size_t at = offset();
  if (p_ + 1 >= end_) {
    ++p_;
    return Expected(offset(), "'{', '_', '#', ':' or a tag after '#'");
  }
  const char c = p_[1];
  if (c == '{') {
    p_ += 2;
    return ReadCollection(out, '}', ValueKind::kSet, depth, at);
  }
  if (c == '_') {
    // Reached only where an element is required (SkipSpace consumes the others).
    FENCELINE_RETURN_IF_ERROR(SkipDiscard(depth));
    FENCELINE_RETURN_IF_ERROR(SkipSpace(false, depth));
    return ReadAt(out, depth);
  }
  if (c == '#') {
    p_ += 2;
    std::string_view tok = Token();
    if (tok == "Inf") out = Value::Float(std::numeric_limits<double>::infinity());
    else if (tok == "-Inf") out = Value::Float(-std::numeric_limits<double>::infinity());
    else if (tok == "NaN") out = Value::Float(std::numeric_limits<double>::quiet_NaN());
    else return ErrorAt(at, "expected ##Inf, ##-Inf or ##NaN, got " +
                                Quote(std::string_view(begin_ + at, tok.size() + 2)));
    p_ += tok.size();
    return OkStatus();
  }
  if (c == ':') {
    // A namespaced map, #:ns{:a 1} = {:ns/a 1}; :_/a stays :a.
    p_ += 2;
    std::string_view ns = Token();
    if (ns.empty() || ns.find('/') != std::string_view::npos || p_ + ns.size() >= end_ ||
        p_[ns.size()] != '{') {
      p_ -= 2;
      return ErrorAt(at, "expected a namespaced map #:ns{...}, got " +
                             Quote(std::string_view(begin_ + at, ns.size() + 2)));
    }
    p_ += ns.size() + 1;
    FENCELINE_RETURN_IF_ERROR(ReadCollection(out, '}', ValueKind::kMap, depth, at));
    auto& items = out.mutable_items();
    for (size_t i = 0; i < items.size(); i += 2) {
      Value& k = items[i];
      if (!k.is_keyword() && k.kind() != ValueKind::kSymbol) continue;
      const std::string& name = k.text();
      std::string full;
      if (name.rfind("_/", 0) == 0) full = name.substr(2);
      else if (name.find('/') == std::string::npos || name == "/") full = std::string(ns) + "/" + name;
      else continue;
      k = k.is_keyword() ? Value::Keyword(std::move(full)) : Value::Symbol(std::move(full));
    }
    return OkStatus();
  }
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (!alpha) {
    ++p_;
    return Expected(offset(), "'{', '_', '#', ':' or a tag after '#'");
  }
  if (depth >= max_depth_) {
    return ErrorAt(at, "expected nesting at most " + std::to_string(max_depth_) +
                           " deep, got deeper");
  }
  ++p_;
  std::string_view tag = Token();
  for (size_t i = 0; i < tag.size(); ++i) {
    if (ClassOf(tag[i]) != kSym) return Expected(offset() + i, "a tag character");
  }
  p_ += tag.size();
  FENCELINE_RETURN_IF_ERROR(SkipSpace(false, depth + 1));
  if (p_ >= end_ || *p_ == ')' || *p_ == ']' || *p_ == '}') {
    return Expected(offset(), "an element after tag #" + std::string(tag));
  }
  Value inner;
  FENCELINE_RETURN_IF_ERROR(ReadAt(inner, depth + 1));
  out = Value::Tagged(std::string(tag), std::move(inner));
  return OkStatus();
}

StatusOr<Value> ReadEdn(std::string_view text, std::string_view name) {
  EdnReader reader(text, name);
  Value v;
  FENCELINE_RETURN_IF_ERROR(reader.Read(v));
  FENCELINE_ASSIGN_OR_RETURN(bool more, reader.SkipToElement());
  if (more) return reader.Expected(reader.offset(), "end of input");
  return v;
}

}  // namespace fenceline::internal
