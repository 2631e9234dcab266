// checker/parse/edn_lexer.h
//
// The byte-level vocabulary of the EDN reader (edn_reader.h): which bytes end a token,
// which may appear in a symbol, and the UTF-8 and hex helpers strings and characters need.
// Split out of edn_reader.cc so that the element readers (edn_atoms.cc), the value builder
// (edn_reader.cc) and the error wording (edn_errors.cc) share one definition of a token.
// Everything here is pure and thread-safe.
#ifndef FENCELINE_CHECKER_PARSE_EDN_LEXER_H_
#define FENCELINE_CHECKER_PARSE_EDN_LEXER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fenceline::internal::edn_lex {

// Byte classes, looked up once per byte in the hot loops.
enum : uint8_t {
  kOther = 0,  // not valid outside strings (@ ^ ` ~ | control bytes); part of a bad token
  kSpace = 1,  // whitespace, comma
  kDelim = 2,  // ( ) [ ] { } " ; \ end a token
  kSym = 3,    // may appear in a symbol, keyword, number or tag
};

inline constexpr std::array<uint8_t, 256> kClass = [] {
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

// Appends code point `cp` (at most 0x10FFFF) to `out` as UTF-8.
void AppendUtf8(std::string& out, uint32_t cp);
// Decodes one UTF-8 code point at s (n bytes available). Returns its length, 0 if invalid.
size_t DecodeUtf8(const char* s, size_t n, uint32_t& cp);
// Exactly four hex digits in `s`, as a number in `out`.
bool ParseHex4(std::string_view s, uint32_t& out);
// "'s'": how a token is shown in messages.
std::string Quote(std::string_view s);

}  // namespace fenceline::internal::edn_lex

#endif  // FENCELINE_CHECKER_PARSE_EDN_LEXER_H_
