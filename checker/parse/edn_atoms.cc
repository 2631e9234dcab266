// The element readers of EdnReader that read one token or string: strings, characters,
// numbers, symbols and keywords (the collections and # dispatch are in edn_reader.cc).
#include "checker/parse/edn_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "checker/parse/edn_lexer.h"

namespace fenceline::internal {
namespace {

using edn_lex::AppendUtf8;
using edn_lex::ClassOf;
using edn_lex::DecodeUtf8;
using edn_lex::EndsToken;
using edn_lex::IsDigit;
using edn_lex::kSym;
using edn_lex::ParseHex4;
using edn_lex::Quote;

}  // namespace

std::string_view EdnReader::Token() const {
  const char* e = p_;
  while (e < end_ && !EndsToken(*e)) ++e;
  return {p_, static_cast<size_t>(e - p_)};
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

}  // namespace fenceline::internal
