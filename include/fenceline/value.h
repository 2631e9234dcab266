// include/fenceline/value.h
//
// A dynamically typed datum as Jepsen histories carry it: the value of an operation, a key, a
// process name, an error. Its kinds are EDN's (JSON's are a subset), so that a history read as
// EDN, JSON Lines or Jepsen log lines yields the same Values and the same report. Values are
// ordered and hashed deterministically, so reports never depend on hash seeds or threads.
#ifndef FENCELINE_VALUE_H_
#define FENCELINE_VALUE_H_

#include <atomic>
#include <cstddef>
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

// A set of kinds as a bit mask.
constexpr uint32_t ValueKindBit(ValueKind k) { return uint32_t{1} << static_cast<unsigned>(k); }

// A Value is 16 bytes: its kind and either the number itself or a pointer to an immutable,
// reference-counted box holding its text or items. Copying one is a reference-count bump, so an
// operation's key and values can be shared by every structure that holds them; the empty string
// and empty collections need no box at all. Boxes are never changed while shared:
// mutable_items() copies the items first if another Value holds them (copy on write). Distinct
// Values may be used from distinct threads even when they share a box (the count is atomic);
// one Value is, like a std::string, not to be changed while another thread reads it.
class Value {
 public:
  Value() noexcept = default;  // nil
  Value(const Value& other) noexcept : kind_(other.kind_), u_(other.u_) { Retain(); }
  Value& operator=(const Value& other) noexcept {
    Value copy(other);  // before releasing ours: `other` may live inside it
    Swap(copy);
    return *this;
  }
  // noexcept, so that vectors of Values (and of Operations) move rather than copy on growth. A
  // moved-from Value is nil.
  Value(Value&& other) noexcept : kind_(other.kind_), u_(other.u_) {
    other.kind_ = ValueKind::kNil;
    other.u_.int_ = 0;
  }
  Value& operator=(Value&& other) noexcept {
    Value moved(std::move(other));
    Swap(moved);
    return *this;
  }
  ~Value() { Release(); }
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

  // 0 (false) for kinds other than bool, int and char.
  bool bool_value() const { return int_value() != 0; }
  int64_t int_value() const { return Holds(kIntKinds) ? u_.int_ : 0; }
  double float_value() const { return kind_ == ValueKind::kFloat ? u_.float_ : 0; }
  // String, keyword, symbol, big integer, ratio or tag text; "" for other kinds. The reference
  // lives as long as this Value is neither changed nor destroyed.
  const std::string& text() const {
    return Holds(kTextKinds) && u_.box_ != nullptr ? static_cast<const TextBox*>(u_.box_)->text
                                                   : EmptyText();
  }
  // Items of a list, vector, set, map or tagged value; empty for other kinds. Lives as text().
  const std::vector<Value>& items() const {
    if (u_.box_ == nullptr || !Holds(kItemKinds)) return EmptyItems();
    return kind_ == ValueKind::kTagged ? static_cast<const TaggedBox*>(u_.box_)->items
                                       : static_cast<const ItemsBox*>(u_.box_)->items;
  }
  // The items of a list, vector, set, map or tagged value, to change in place (copied first if
  // another Value shares them). For other kinds: an empty scratch vector that belongs to no
  // Value (changing it changes nothing).
  std::vector<Value>& mutable_items();

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

  // True if both share one box (then they are equal); for tests of sharing.
  bool SharesStorageWith(const Value& other) const {
    return kind_ == other.kind_ && Holds(kBoxKinds) && u_.box_ != nullptr &&
           u_.box_ == other.u_.box_;
  }

 private:
  struct Box {
    Box() = default;
    Box(const Box&) noexcept {}  // a copy is a new box with a count of its own
    Box& operator=(const Box&) = delete;
    std::atomic<size_t> refs{1};
  };
  struct TextBox : Box {
    explicit TextBox(std::string t) : text(std::move(t)) {}
    std::string text;
  };
  struct ItemsBox : Box {
    explicit ItemsBox(std::vector<Value> i) : items(std::move(i)) {}
    std::vector<Value> items;
  };
  struct TaggedBox : TextBox {
    TaggedBox(std::string t, std::vector<Value> i) : TextBox(std::move(t)), items(std::move(i)) {}
    std::vector<Value> items;
  };

  static constexpr uint32_t kIntKinds =
      ValueKindBit(ValueKind::kNil) | ValueKindBit(ValueKind::kBool) | ValueKindBit(ValueKind::kInt) | ValueKindBit(ValueKind::kChar);
  static constexpr uint32_t kTextKinds = ValueKindBit(ValueKind::kBigInt) | ValueKindBit(ValueKind::kRatio) |
                                         ValueKindBit(ValueKind::kString) | ValueKindBit(ValueKind::kKeyword) |
                                         ValueKindBit(ValueKind::kSymbol) | ValueKindBit(ValueKind::kTagged);
  static constexpr uint32_t kItemKinds = ValueKindBit(ValueKind::kList) | ValueKindBit(ValueKind::kVector) |
                                         ValueKindBit(ValueKind::kSet) | ValueKindBit(ValueKind::kMap) |
                                         ValueKindBit(ValueKind::kTagged);
  static constexpr uint32_t kBoxKinds = kTextKinds | kItemKinds;

  bool Holds(uint32_t kinds) const { return (kinds & ValueKindBit(kind_)) != 0; }
  static const std::string& EmptyText();
  static const std::vector<Value>& EmptyItems();
  static Value Text(ValueKind kind, std::string text);
  static Value Items(ValueKind kind, std::vector<Value> items);

  void Retain() const {
    if (Holds(kBoxKinds) && u_.box_ != nullptr) u_.box_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void Release() {
    if (Holds(kBoxKinds) && u_.box_ != nullptr &&
        u_.box_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      Destroy();
    }
  }
  void Destroy();  // frees the box, whose count has reached 0
  void Swap(Value& other) noexcept {
    std::swap(kind_, other.kind_);
    std::swap(u_, other.u_);
  }

  ValueKind kind_ = ValueKind::kNil;
  union Payload {
    int64_t int_;    // nil (0), bool, int, char
    double float_;   // float
    Box* box_;       // the other kinds; nullptr: empty text or no items
  } u_{0};
};

static_assert(sizeof(Value) == 16, "a Value is its kind and one word");

struct ValueHash {
  size_t operator()(const Value& v) const { return static_cast<size_t>(v.Hash()); }
};

}  // namespace fenceline

#endif  // FENCELINE_VALUE_H_
