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

#define FENCELINE_VALUE_FACTORY(Name, Kind, Type, Field) \
  Value Value::Name(Type x) {                             \
    Value v;                                              \
    v.kind_ = ValueKind::Kind;                            \
    v.Field = std::move(x);                               \
    return v;                                             \
  }

FENCELINE_VALUE_FACTORY(Int, kInt, int64_t, int_)
FENCELINE_VALUE_FACTORY(BigInt, kBigInt, std::string, text_)
FENCELINE_VALUE_FACTORY(Float, kFloat, double, float_)
FENCELINE_VALUE_FACTORY(Ratio, kRatio, std::string, text_)
FENCELINE_VALUE_FACTORY(String, kString, std::string, text_)
FENCELINE_VALUE_FACTORY(Keyword, kKeyword, std::string, text_)
FENCELINE_VALUE_FACTORY(Symbol, kSymbol, std::string, text_)
FENCELINE_VALUE_FACTORY(List, kList, std::vector<Value>, items_)
FENCELINE_VALUE_FACTORY(Vector, kVector, std::vector<Value>, items_)
FENCELINE_VALUE_FACTORY(Set, kSet, std::vector<Value>, items_)
FENCELINE_VALUE_FACTORY(Map, kMap, std::vector<Value>, items_)
#undef FENCELINE_VALUE_FACTORY

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.int_ = b ? 1 : 0;
  return v;
}

Value Value::Char(char32_t c) {
  Value v;
  v.kind_ = ValueKind::kChar;
  v.int_ = static_cast<int64_t>(c);
  return v;
}

Value Value::Tagged(std::string tag, Value value) {
  Value v;
  v.kind_ = ValueKind::kTagged;
  v.text_ = std::move(tag);
  v.items_.push_back(std::move(value));
  return v;
}

const Value* Value::Find(std::string_view name) const {
  if (kind_ != ValueKind::kMap) return nullptr;
  for (size_t i = 0; i + 1 < items_.size(); i += 2) {
    const Value& k = items_[i];
    if ((k.kind_ == ValueKind::kKeyword || k.kind_ == ValueKind::kString) && k.text_ == name) {
      return &items_[i + 1];
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
    case ValueKind::kChar: return a.int_ == b.int_;
    case ValueKind::kFloat: return a.float_ == b.float_;
    default: return a.text_ == b.text_ && a.items_ == b.items_;
  }
}

bool operator<(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return a.kind_ < b.kind_;
  switch (a.kind_) {
    case ValueKind::kNil: return false;
    case ValueKind::kBool:
    case ValueKind::kInt:
    case ValueKind::kChar: return a.int_ < b.int_;
    case ValueKind::kFloat: return a.float_ < b.float_;
    default:
      return std::tie(a.text_, a.items_) < std::tie(b.text_, b.items_);
  }
}

uint64_t Value::Hash() const {
  uint64_t h = static_cast<uint64_t>(kind_) * 0x100000001b3ULL;
  switch (kind_) {
    case ValueKind::kNil: return h;
    case ValueKind::kBool:
    case ValueKind::kInt:
    case ValueKind::kChar: return Mix(h, static_cast<uint64_t>(int_) * 0xff51afd7ed558ccdULL);
    case ValueKind::kFloat: {
      uint64_t bits;
      static_assert(sizeof bits == sizeof float_);
      __builtin_memcpy(&bits, &float_, sizeof bits);
      return Mix(h, bits);
    }
    default:
      h = Mix(h, HashBytes(text_));
      for (const Value& item : items_) h = Mix(h, item.Hash());
      return h;
  }
}

}  // namespace fenceline
