// The EDN value builder: skipping between elements, the element dispatch, collections
// and # forms, and the entry points. Tokens are read in edn_atoms.cc, positions and
// messages made in edn_errors.cc.
#include "checker/parse/edn_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "checker/parse/edn_lexer.h"

namespace fenceline::internal {
namespace {

using edn_lex::ClassOf;
using edn_lex::IsDigit;
using edn_lex::kSpace;
using edn_lex::kSym;
using edn_lex::Quote;

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
