// include/fenceline/value.h
//
// A dynamically typed datum as Jepsen histories carry it: the value of an operation, a key, a
// process name, an error. Its kinds are EDN's (JSON's are a subset), so that a history read as
// EDN, JSON Lines or Jepsen log lines yields the same Values and the same report. Values are
// ordered and hashed deterministically, so reports never depend on hash seeds or threads.
#ifndef FENCELINE_VALUE_H_
#define FENCELINE_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fenceline {

enum class ValueKind : uint8_t {
  kNil,
  kBool,
  kInt,      // fits int64_t
  kBigInt,   // an integer too large for int64_t, kept as its decimal text ("123456789012345678901")
  kFloat,
  kRatio,    // EDN "22/7", kept as text
  kString,
  kKeyword,  // text without the leading colon: "ok", "jepsen/nemesis"
  kSymbol,
  kChar,     // a Unicode code point, in int_value()
  kList,
  kVector,
  kSet,
  kMap,      // items() alternates key, value, in the order they were read
  kTagged,   // text() is the tag without '#' ("inst"); items()[0] is the tagged value
};

class Value {
 public:
  Value() = default;  // nil
  Value(const Value&) = default;
  Value& operator=(const Value&) = default;
  // noexcept, so that vectors of Values (and of Operations) move rather than copy on growth.
  Value(Value&&) noexcept = default;
  Value& operator=(Value&&) noexcept = default;
  ~Value() = default;
  static Value Nil() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value BigInt(std::string digits);
  static Value Float(double d);
  static Value Ratio(std::string text);
  static Value String(std::string s);
  static Value Keyword(std::string name);
  static Value Symbol(std::string name);
  static Value Char(char32_t c);
  static Value List(std::vector<Value> items);
  static Value Vector(std::vector<Value> items);
  static Value Set(std::vector<Value> items);
  // `items` alternates key, value.
  static Value Map(std::vector<Value> items);
  static Value Tagged(std::string tag, Value value);

  ValueKind kind() const { return kind_; }
  bool is_nil() const { return kind_ == ValueKind::kNil; }
  bool is_int() const { return kind_ == ValueKind::kInt; }
  bool is_string() const { return kind_ == ValueKind::kString; }
  bool is_keyword() const { return kind_ == ValueKind::kKeyword; }
  // A vector or a list: both are Jepsen tuples.
  bool is_sequential() const { return kind_ == ValueKind::kVector || kind_ == ValueKind::kList; }
  bool is_map() const { return kind_ == ValueKind::kMap; }

  bool bool_value() const { return int_ != 0; }
  int64_t int_value() const { return int_; }
  double float_value() const { return float_; }
  // String, keyword, symbol, big integer, ratio or tag text.
  const std::string& text() const { return text_; }
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& mutable_items() { return items_; }

  // For a map: the value under a key that is the keyword or the string `name`; nullptr if absent.
  const Value* Find(std::string_view name) const;

  // EDN text: nil, true, 42, "s", :k, [1 2], {:a 1}. Strings are escaped.
  std::string ToEdn() const;
  // Short text for people: like ToEdn() but strings unquoted at top level.
  std::string ToDisplay() const;

  // Total order (kind first, then content) and a hash consistent with ==, both deterministic.
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }
  friend bool operator<(const Value& a, const Value& b);
  uint64_t Hash() const;

 private:
  ValueKind kind_ = ValueKind::kNil;
  int64_t int_ = 0;
  double float_ = 0;
  std::string text_;
  std::vector<Value> items_;
};

struct ValueHash {
  size_t operator()(const Value& v) const { return static_cast<size_t>(v.Hash()); }
};

}  // namespace fenceline

#endif  // FENCELINE_VALUE_H_
