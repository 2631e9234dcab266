#include "checker/report/report_common.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace fenceline {

std::string_view ReportVerdictName(ReportVerdict v) {
  switch (v) {
    case ReportVerdict::kValid: return "valid";
    case ReportVerdict::kInvalid: return "invalid";
    case ReportVerdict::kUnknown: return "unknown";
    case ReportVerdict::kError: return "error";
  }
  return "unknown";
}

ReportVerdict ToReportVerdict(Verdict v) {
  switch (v) {
    case Verdict::kLinearizable: return ReportVerdict::kValid;
    case Verdict::kNotLinearizable: return ReportVerdict::kInvalid;
    case Verdict::kUnknown: return ReportVerdict::kUnknown;
  }
  return ReportVerdict::kUnknown;
}

ReportVerdict CombineVerdicts(ReportVerdict a, ReportVerdict b) {
  auto rank = [](ReportVerdict v) {
    switch (v) {
      case ReportVerdict::kInvalid: return 3;
      case ReportVerdict::kError: return 2;
      case ReportVerdict::kUnknown: return 1;
      case ReportVerdict::kValid: return 0;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

bool FailPolicy::Fails(std::string_view id, bool is_error) const {
  if (std::find(allow.begin(), allow.end(), id) != allow.end()) return false;
  if (!only.empty()) return std::find(only.begin(), only.end(), id) != only.end();
  return is_error || warnings;
}

namespace internal {
namespace {

// Length of the well-formed UTF-8 sequence at s[i], 0 if there is none.
size_t SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  const size_t n = s.size() - i;
  auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return n >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(i + 1) > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string ValidUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD, one per byte that starts no sequence
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

Value ProcessValue(const std::string& name) {
  const size_t digits_from = !name.empty() && name[0] == '-' ? 1 : 0;
  if (name.size() > digits_from && name.size() - digits_from < 19 &&
      std::all_of(name.begin() + static_cast<long>(digits_from), name.end(),
                  [](char c) { return c >= '0' && c <= '9'; }) &&
      !(name.size() - digits_from > 1 && name[digits_from] == '0')) {
    return Value::Int(std::stoll(name));
  }
  return Value::String(name);
}

const Value* JepsenIndex(const Operation& op) {
  const Value* found = nullptr;
  for (const auto& [n, v] : op.extra) {
    if (n == "index") found = &v;
  }
  return found;
}

void BatchSummary::Add(const std::string& path, ReportVerdict v, const History* h) {
  ++files;
  if (h != nullptr && h->skipped_lines > 0) {
    skipped.push_back({path, h->skipped_lines, h->first_skipped_line});
  }
  verdict = CombineVerdicts(verdict, v);
  switch (v) {
    case ReportVerdict::kValid: ++valid; break;
    case ReportVerdict::kInvalid: ++invalid; break;
    case ReportVerdict::kUnknown: ++unknown; break;
    case ReportVerdict::kError:
      ++error;
      unusable.push_back(path);
      break;
  }
}

void WriteJsonString(JsonWriter& w, std::string_view s) {
  if (IsValidUtf8(s)) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return;
  }
  const std::string valid = ValidUtf8(s);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void WriteJsonEnvelope(JsonWriter& w, const Envelope& e) {
  const ReportOptions& o = *e.options;
  w.Key("schema_version"); w.Int(kReportSchemaVersion);
  w.Key("tool"); w.String("fenceline");
  w.Key("version"); WriteJsonString(w, o.version);
  w.Key("analysis"); WriteJsonString(w, e.analysis);
  w.Key("model"); WriteJsonString(w, o.model_id);
  w.Key("verdict"); WriteJsonString(w, ReportVerdictName(e.summary.verdict));
  w.Key("options");
  w.StartObject();
  for (const auto& [name, value] : o.options) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    WriteJsonValue(w, value);
  }
  w.EndObject();
  w.Key("inputs");
  w.StartArray();
  for (const std::string& path : e.inputs) WriteJsonString(w, path);
  w.EndArray();
  w.Key("summary");
  w.StartObject();
  w.Key("files"); w.Uint64(e.summary.files);
  w.Key("valid"); w.Uint64(e.summary.valid);
  w.Key("invalid"); w.Uint64(e.summary.invalid);
  w.Key("unknown"); w.Uint64(e.summary.unknown);
  w.Key("error"); w.Uint64(e.summary.error);
  w.Key("unusable");
  w.StartArray();
  for (const std::string& path : e.summary.unusable) WriteJsonString(w, path);
  w.EndArray();
  w.Key("skipped_lines");
  w.StartArray();
  for (const BatchSummary::Skipped& s : e.summary.skipped) {
    w.StartObject();
    w.Key("path"); WriteJsonString(w, s.path);
    w.Key("lines"); w.Uint64(s.lines);
    w.Key("first_line"); w.Uint(s.first_line);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  if (o.timings) {
    w.Key("timings");
    w.StartObject();
    w.Key("parse_s"); w.Double(o.timings->parse_seconds);
    w.Key("check_s"); w.Double(o.timings->check_seconds);
    w.EndObject();
  }
}

Value ValidValue(ReportVerdict v) {
  switch (v) {
    case ReportVerdict::kValid: return Value::Bool(true);
    case ReportVerdict::kInvalid: return Value::Bool(false);
    case ReportVerdict::kUnknown:
    case ReportVerdict::kError: break;
  }
  return Value::Keyword("unknown");
}

void AppendEdnEnvelope(const Envelope& e, std::vector<Value>& out) {
  const ReportOptions& o = *e.options;
  auto kw = [](std::string s) { return Value::Keyword(std::move(s)); };
  auto add = [&](const char* k, Value v) {
    out.push_back(kw(k));
    out.push_back(std::move(v));
  };
  add("valid?", ValidValue(e.summary.verdict));
  add("verdict", kw(std::string(ReportVerdictName(e.summary.verdict))));
  add("tool", Value::String("fenceline"));
  add("version", Value::String(o.version));
  add("schema-version", Value::Int(kReportSchemaVersion));
  add("analysis", kw(std::string(e.analysis)));
  add("model", Value::String(o.model_id));
  std::vector<Value> opts;
  for (const auto& [name, value] : o.options) {
    std::string k = name;
    std::replace(k.begin(), k.end(), '_', '-');
    opts.push_back(kw(std::move(k)));
    opts.push_back(value);
  }
  add("options", Value::Map(std::move(opts)));
  std::vector<Value> inputs, unusable;
  for (const std::string& p : e.inputs) inputs.push_back(Value::String(p));
  for (const std::string& p : e.summary.unusable) unusable.push_back(Value::String(p));
  add("inputs", Value::Vector(std::move(inputs)));
  auto count = [](uint64_t n) { return Value::Int(static_cast<int64_t>(n)); };
  std::vector<Value> skipped;
  for (const BatchSummary::Skipped& s : e.summary.skipped) {
    skipped.push_back(Value::Map({kw("path"), Value::String(s.path), kw("lines"), count(s.lines),
                                  kw("first-line"), count(s.first_line)}));
  }
  add("summary", Value::Map({kw("files"), count(e.summary.files), kw("valid"),
                             count(e.summary.valid), kw("invalid"), count(e.summary.invalid),
                             kw("unknown"), count(e.summary.unknown), kw("error"),
                             count(e.summary.error), kw("unusable"),
                             Value::Vector(std::move(unusable)), kw("skipped-lines"),
                             Value::Vector(std::move(skipped))}));
  if (o.timings) {
    add("timings", Value::Map({kw("parse-s"), Value::Float(o.timings->parse_seconds),
                               kw("check-s"), Value::Float(o.timings->check_seconds)}));
  }
}

namespace {

constexpr size_t kPrettyWidth = 100;
// Past this indentation a collection is written on one line: indenting ever deeper would make
// the output quadratic in the nesting depth.
constexpr size_t kMaxIndent = 64;
constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

bool IsCollection(const Value& v) {
  return v.is_map() || v.kind() == ValueKind::kVector || v.kind() == ValueKind::kList ||
         v.kind() == ValueKind::kSet;
}

std::string_view Open(const Value& v) {
  return v.is_map() ? "{" : v.kind() == ValueKind::kVector ? "[" : v.kind() == ValueKind::kList ? "(" : "#{";
}

char Close(const Value& v) {
  return v.kind() == ValueKind::kVector ? ']' : v.kind() == ValueKind::kList ? ')' : '}';
}

// Items a map or collection iterates: a map's unpaired last item is not written.
size_t ItemCount(const Value& v) {
  const size_t n = v.items().size();
  return v.is_map() ? n - n % 2 : n;
}

// Appends the one-line EDN text of `root` (Value::ToEdn's, strings made valid UTF-8). Stops
// and returns false as soon as more than `limit` characters were appended.
bool WriteFlat(const Value& root, std::string& out, size_t limit) {
  const size_t start = out.size();
  struct Frame {
    const Value* v;
    size_t next;
  };
  std::vector<Frame> stack;
  auto visit = [&](const Value& v) {
    if (v.kind() == ValueKind::kTagged) {
      out += '#';
      out += ValidUtf8(v.text());
      out += ' ';
      stack.push_back({&v, 0});
    } else if (IsCollection(v)) {
      out += Open(v);
      stack.push_back({&v, 0});
    } else if (v.is_string() || v.is_keyword() || v.kind() == ValueKind::kSymbol) {
      out += ValidUtf8(v.ToEdn());
    } else {
      out += v.ToEdn();
    }
  };
  visit(root);
  while (!stack.empty()) {
    if (out.size() - start > limit) return false;
    Frame& f = stack.back();
    const Value& v = *f.v;
    if (v.kind() == ValueKind::kTagged) {
      if (f.next == 0 && !v.items().empty()) {
        f.next = 1;
        visit(v.items()[0]);
      } else {
        stack.pop_back();
      }
      continue;
    }
    if (f.next >= ItemCount(v)) {
      out += Close(v);
      stack.pop_back();
      continue;
    }
    if (f.next > 0) out += v.is_map() && f.next % 2 == 0 ? ", " : " ";
    const Value& child = v.items()[f.next++];
    visit(child);  // may grow `stack`: `f` is not used after this
  }
  return out.size() - start <= limit;
}

bool Fits(const Value& v, size_t indent) {
  if (indent >= kPrettyWidth) return false;
  std::string scratch;
  return WriteFlat(v, scratch, kPrettyWidth - indent);
}

}  // namespace

std::string PrettyEdn(const Value& root) {
  std::string out;
  struct Frame {
    const Value* v;
    size_t inner;  // column of the first item
    size_t next;
  };
  std::vector<Frame> stack;
  auto emit = [&](const Value& v, size_t indent) {
    if (!IsCollection(v) || v.items().empty() || indent > kMaxIndent || Fits(v, indent)) {
      WriteFlat(v, out, kUnlimited);
      return;
    }
    const std::string_view open = Open(v);
    out += open;
    stack.push_back({&v, indent + open.size(), 0});
  };
  emit(root, 0);
  while (!stack.empty()) {
    Frame& f = stack.back();
    const Value& v = *f.v;
    const size_t inner = f.inner;
    if (f.next >= ItemCount(v)) {
      out += Close(v);
      stack.pop_back();
      continue;
    }
    if (!v.is_map()) {
      if (f.next > 0) {
        out += '\n';
        out.append(inner, ' ');
      }
      const Value& item = v.items()[f.next++];
      emit(item, inner);
      continue;
    }
    if (f.next > 0) {
      out += ",\n";
      out.append(inner, ' ');
    }
    const Value& key = v.items()[f.next];
    const Value& value = v.items()[f.next + 1];
    f.next += 2;
    const size_t before = out.size();
    WriteFlat(key, out, kUnlimited);
    const size_t key_size = out.size() - before;
    // A long key (a file name) puts a value that does not fit on the next line, so that it is
    // not pushed to the right margin.
    if (key_size > 24 && !Fits(value, inner + key_size + 1)) {
      out += '\n';
      out.append(inner + 1, ' ');
      emit(value, inner + 1);
    } else {
      out += ' ';
      emit(value, inner + key_size + 1);
    }
  }
  return out;
}

}  // namespace internal
}  // namespace fenceline
