#include "fenceline/value.h"

#include <cmath>
#include <cstdio>
#include <tuple>

namespace fenceline {
namespace {

void AppendEscaped(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendEdn(std::string& out, const Value& v, bool top_display) {
  switch (v.kind()) {
    case ValueKind::kNil: out += "nil"; return;
    case ValueKind::kBool: out += v.bool_value() ? "true" : "false"; return;
    case ValueKind::kInt: out += std::to_string(v.int_value()); return;
    case ValueKind::kBigInt: out += v.text(); out += 'N'; return;
    case ValueKind::kFloat: {
      double d = v.float_value();
      if (std::isnan(d)) { out += "##NaN"; return; }
      if (std::isinf(d)) { out += d > 0 ? "##Inf" : "##-Inf"; return; }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      std::string s = buf;
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      out += s;
      return;
    }
    case ValueKind::kRatio: out += v.text(); return;
    case ValueKind::kString:
      if (top_display) out += v.text(); else AppendEscaped(out, v.text());
      return;
    case ValueKind::kKeyword: out += ':'; out += v.text(); return;
    case ValueKind::kSymbol: out += v.text(); return;
    case ValueKind::kChar: {
      auto c = static_cast<uint32_t>(v.int_value());
      if (c == '\n') { out += "\\newline"; return; }
      if (c == ' ') { out += "\\space"; return; }
      if (c == '\t') { out += "\\tab"; return; }
      if (c == '\r') { out += "\\return"; return; }
      if (c > 0x20 && c < 0x7f) { out += '\\'; out += static_cast<char>(c); return; }
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      return;
    }
    case ValueKind::kList:
    case ValueKind::kVector:
    case ValueKind::kSet: {
      out += v.kind() == ValueKind::kList ? "(" : v.kind() == ValueKind::kVector ? "[" : "#{";
      bool first = true;
      for (const Value& item : v.items()) {
        if (!first) out += ' ';
        first = false;
        AppendEdn(out, item, false);
      }
      out += v.kind() == ValueKind::kList ? ")" : v.kind() == ValueKind::kVector ? "]" : "}";
      return;
    }
    case ValueKind::kMap: {
      out += '{';
      const auto& items = v.items();
      for (size_t i = 0; i + 1 < items.size(); i += 2) {
        if (i) out += ", ";
        AppendEdn(out, items[i], false);
        out += ' ';
        AppendEdn(out, items[i + 1], false);
      }
      out += '}';
      return;
    }
    case ValueKind::kTagged:
      out += '#';
      out += v.text();
      out += ' ';
      if (!v.items().empty()) AppendEdn(out, v.items()[0], false);
      return;
  }
}

uint64_t Mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

uint64_t HashBytes(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and platforms
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

const std::string& Value::EmptyText() {
  static const std::string kEmpty;
  return kEmpty;
}

const std::vector<Value>& Value::EmptyItems() {
  static const std::vector<Value> kEmpty;
  return kEmpty;
}

Value Value::Text(ValueKind kind, std::string text) {
  Value v;
  v.kind_ = kind;
  v.u_.box_ = text.empty() ? nullptr : new TextBox(std::move(text));
  return v;
}

Value Value::Items(ValueKind kind, std::vector<Value> items) {
  Value v;
  v.kind_ = kind;
  v.u_.box_ = items.empty() ? nullptr : new ItemsBox(std::move(items));
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = ValueKind::kInt;
  v.u_.int_ = i;
  return v;
}

Value Value::Float(double d) {
  Value v;
  v.kind_ = ValueKind::kFloat;
  v.u_.float_ = d;
  return v;
}

Value Value::BigInt(std::string digits) { return Text(ValueKind::kBigInt, std::move(digits)); }
Value Value::Ratio(std::string text) { return Text(ValueKind::kRatio, std::move(text)); }
Value Value::String(std::string s) { return Text(ValueKind::kString, std::move(s)); }
Value Value::Keyword(std::string name) { return Text(ValueKind::kKeyword, std::move(name)); }
Value Value::Symbol(std::string name) { return Text(ValueKind::kSymbol, std::move(name)); }
Value Value::List(std::vector<Value> items) { return Items(ValueKind::kList, std::move(items)); }
Value Value::Vector(std::vector<Value> items) { return Items(ValueKind::kVector, std::move(items)); }
Value Value::Set(std::vector<Value> items) { return Items(ValueKind::kSet, std::move(items)); }
Value Value::Map(std::vector<Value> items) { return Items(ValueKind::kMap, std::move(items)); }

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.u_.int_ = b ? 1 : 0;
  return v;
}

Value Value::Char(char32_t c) {
  Value v;
  v.kind_ = ValueKind::kChar;
  v.u_.int_ = static_cast<int64_t>(c);
  return v;
}

Value Value::Tagged(std::string tag, Value value) {
  Value v;
  v.kind_ = ValueKind::kTagged;
  std::vector<Value> items;
  items.push_back(std::move(value));
  v.u_.box_ = new TaggedBox(std::move(tag), std::move(items));
  return v;
}

void Value::Destroy() {
  if (kind_ == ValueKind::kTagged) {
    delete static_cast<TaggedBox*>(u_.box_);
  } else if (Holds(kItemKinds)) {
    delete static_cast<ItemsBox*>(u_.box_);
  } else {
    delete static_cast<TextBox*>(u_.box_);
  }
  u_.box_ = nullptr;
}

std::vector<Value>& Value::mutable_items() {
  if (!Holds(kItemKinds)) {
    thread_local std::vector<Value> scratch;
    scratch.clear();
    return scratch;
  }
  if (u_.box_ == nullptr) {
    u_.box_ = new ItemsBox(std::vector<Value>{});  // a tagged value always has its box
  } else if (u_.box_->refs.load(std::memory_order_acquire) != 1) {
    // Shared: this Value gets a copy of its own, the others keep the original.
    Box* copy = kind_ == ValueKind::kTagged
                    ? static_cast<Box*>(new TaggedBox(*static_cast<const TaggedBox*>(u_.box_)))
                    : new ItemsBox(*static_cast<const ItemsBox*>(u_.box_));
    Release();
    u_.box_ = copy;
  }
  return kind_ == ValueKind::kTagged ? static_cast<TaggedBox*>(u_.box_)->items
                                     : static_cast<ItemsBox*>(u_.box_)->items;
}

const Value* Value::Find(std::string_view name) const {
  if (kind_ != ValueKind::kMap) return nullptr;
  const std::vector<Value>& items = this->items();
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    const Value& k = items[i];
    if ((k.kind_ == ValueKind::kKeyword || k.kind_ == ValueKind::kString) && k.text() == name) {
      return &items[i + 1];
    }
  }
  return nullptr;
}

std::string Value::ToEdn() const {
  std::string out;
  AppendEdn(out, *this, false);
  return out;
}

std::string Value::ToDisplay() const {
  std::string out;
  AppendEdn(out, *this, true);
  return out;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case ValueKind::kNil: return true;
    case ValueKind::kBool:
    case ValueKind::kInt:
    case ValueKind::kChar: return a.u_.int_ == b.u_.int_;
    case ValueKind::kFloat: return a.u_.float_ == b.u_.float_;
    default:
      if (a.u_.box_ == b.u_.box_) return true;  // shared, or both empty
      return a.text() == b.text() && a.items() == b.items();
  }
}

bool operator<(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return a.kind_ < b.kind_;
  switch (a.kind_) {
    case ValueKind::kNil: return false;
    case ValueKind::kBool:
    case ValueKind::kInt:
    case ValueKind::kChar: return a.u_.int_ < b.u_.int_;
    case ValueKind::kFloat: return a.u_.float_ < b.u_.float_;
    default:
      if (a.u_.box_ == b.u_.box_) return false;
      return std::tie(a.text(), a.items()) < std::tie(b.text(), b.items());
  }
}

uint64_t Value::Hash() const {
  uint64_t h = static_cast<uint64_t>(kind_) * 0x100000001b3ULL;
  switch (kind_) {
    case ValueKind::kNil: return h;
    case ValueKind::kBool:
    case ValueKind::kInt:
    case ValueKind::kChar: return Mix(h, static_cast<uint64_t>(u_.int_) * 0xff51afd7ed558ccdULL);
    case ValueKind::kFloat: {
      uint64_t bits;
      static_assert(sizeof bits == sizeof u_.float_);
      __builtin_memcpy(&bits, &u_.float_, sizeof bits);
      return Mix(h, bits);
    }
    default:
      h = Mix(h, HashBytes(text()));
      for (const Value& item : items()) h = Mix(h, item.Hash());
      return h;
  }
}

}  // namespace fenceline
