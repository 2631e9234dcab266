// fenceline's native format: one JSON object an event a line (docs/formats.md). RapidJSON is
// confined to this file (and the JSON report): its values are checked for type before every
// getter, because a mismatch asserts rather than returning an error. RapidJSON's DOM parser
// recurses once per nesting level and accepts an object's key twice, so its SAX events pass
// through CheckingHandler, which refuses both before the DOM is built.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "checker/parse/formats.h"
#include "checker/parse/line_chunks.h"

namespace fenceline::internal {
namespace {

// As deep as the EDN reader allows (kEdnMaxDepth): far beyond any history, far below a stack
// overflow in the recursive parser and in Value's destructor.
constexpr int kJsonMaxDepth = 512;

using LineDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                                                rapidjson::MemoryPoolAllocator<>>;
using InsituStream = rapidjson::GenericInsituStringStream<rapidjson::UTF8<>>;

// Scratch kept across lines, so that checking keys does not allocate per line.
struct KeyScratch {
  std::vector<std::vector<std::string_view>> keys;        // one list per object depth
  std::vector<std::unordered_set<std::string_view>> big;  // for objects past kLinearKeys
};

// Forwards SAX events to the document, refusing nesting deeper than kJsonMaxDepth and a key
// given twice in one object (JSON leaves that undefined; RapidJSON would keep both). Key views
// point into the in-situ buffer, which outlives the parse.
class CheckingHandler {
 public:
  CheckingHandler(LineDocument& doc, InsituStream& stream, KeyScratch& scratch)
      : doc_(doc), stream_(stream), scratch_(scratch) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return doc_.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return Utf8(s, n) && doc_.String(s, n, copy);
  }
  bool StartObject() {
    if (!Enter()) return false;
    const size_t d = static_cast<size_t>(depth_);
    if (scratch_.keys.size() < d) {
      scratch_.keys.resize(d);
      scratch_.big.resize(d);
    }
    scratch_.keys[d - 1].clear();
    scratch_.big[d - 1].clear();
    return doc_.StartObject();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (!Utf8(s, n)) return false;
    const size_t d = static_cast<size_t>(depth_) - 1;
    std::vector<std::string_view>& keys = scratch_.keys[d];
    const std::string_view key(s, n);
    bool fresh = true;
    if (keys.size() < kLinearKeys) {
      for (std::string_view k : keys) fresh &= k != key;
      keys.push_back(key);
      if (keys.size() == kLinearKeys) scratch_.big[d].insert(keys.begin(), keys.end());
    } else {
      fresh = scratch_.big[d].insert(key).second;
    }
    if (!fresh) {
      duplicate_ = std::string(key);
      error_end_ = stream_.Tell();
      return false;
    }
    return doc_.Key(s, n, copy);
  }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

  // Why the handler stopped the parse: "" if it did not.
  const std::string& duplicate() const { return duplicate_; }
  bool too_deep() const { return too_deep_; }
  bool surrogate() const { return surrogate_; }
  size_t error_end() const { return error_end_; }  // stream offset where the handler stopped

 private:
  // Up to this many keys an object's keys are compared one by one; past it, hashed.
  static constexpr size_t kLinearKeys = 16;

  // RapidJSON decodes a lone low surrogate escape ("\udc00") into bytes that are not UTF-8
  // (ED B0 80) instead of refusing it as it refuses a lone high one. The text was valid UTF-8,
  // so only an escape can have made ED A0..ED BF, a surrogate's encoding.
  bool Utf8(const char* s, size_t n) {
    const char* end = s + n;
    for (const char* p = s; p < end; ++p) {
      p = static_cast<const char*>(std::memchr(p, 0xED, static_cast<size_t>(end - p)));
      if (p == nullptr) return true;
      if (p + 1 < end && static_cast<unsigned char>(p[1]) >= 0xA0) {
        surrogate_ = true;
        error_end_ = stream_.Tell();
        return false;
      }
    }
    return true;
  }

  bool Enter() {
    if (++depth_ > kJsonMaxDepth) {
      too_deep_ = true;
      error_end_ = stream_.Tell();
      return false;
    }
    return true;
  }

  LineDocument& doc_;
  InsituStream& stream_;  // only for Tell()
  KeyScratch& scratch_;
  int depth_ = 0;
  bool too_deep_ = false;
  bool surrogate_ = false;
  std::string duplicate_;
  size_t error_end_ = 0;
};

// Parses `buffer` (NUL-terminated, parsed in place) into `doc`. `line` is the unmodified text,
// for positions. Errors: kParseError "name:line_no:col: ...".
Status ParseJsonInto(std::string& buffer, std::string_view line, std::string_view name,
                     uint32_t line_no, rapidjson::MemoryPoolAllocator<>& stack_pool,
                     KeyScratch& scratch, LineDocument& doc) {
  auto where = [&](size_t offset) {
    return std::string(name) + ":" + std::to_string(line_no) + ":" + std::to_string(offset + 1) +
           ": ";
  };
  // A NUL would end the in-situ parse early and hide the rest of the line.
  if (const void* nul = std::memchr(line.data(), 0, line.size()); nul != nullptr) {
    return ParseError(where(static_cast<size_t>(static_cast<const char*>(nul) - line.data())) +
                      "NUL byte in a JSON line");
  }
  InsituStream stream(buffer.data());
  CheckingHandler handler(doc, stream, scratch);
  rapidjson::ParseResult result;
  auto generate = [&](LineDocument& target) {
    (void)target;  // the handler forwards to it
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>
        reader(&stack_pool);
    result = reader.Parse<rapidjson::kParseInsituFlag>(stream, handler);
    return !result.IsError();
  };
  doc.Populate(generate);
  if (!result.IsError()) return OkStatus();
  if (handler.too_deep()) {
    return ParseError(where(handler.error_end() - 1) + "expected nesting at most " +
                      std::to_string(kJsonMaxDepth) + " levels deep");
  }
  if (handler.surrogate()) {
    // As RapidJSON words a lone high surrogate; the position is the string's opening quote.
    return ParseError(where(std::min(handler.error_end(), line.size() - 1)) +
                      "invalid JSON: the surrogate pair in string is invalid");
  }
  if (!handler.duplicate().empty() || result.Code() == rapidjson::kParseErrorTermination) {
    // RapidJSON parses a string on a local copy of the stream, so during Key() the stream is
    // still at the key's opening quote; should that change, scan back to it from past the key.
    size_t at = std::min(handler.error_end(), line.size() - 1);
    if (line[at] != '"') {
      at = at >= 2 ? at - 2 : 0;
      while (at > 0 && !(line[at] == '"' && line[at - 1] != '\\')) --at;
    }
    return ParseError(where(at) + "key \"" + handler.duplicate() + "\" given twice in one object");
  }
  // RapidJSON's messages are sentences ("Missing a comma ..."); ours are compiler-style.
  std::string what = GetParseError_En(result.Code());
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  if (!what.empty() && what.back() == '.') what.pop_back();
  return ParseError(where(result.Offset()) + "invalid JSON: " + what);
}

std::string Where(std::string_view name, uint32_t line, size_t column) {
  return std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

Value ToValue(const rapidjson::Value& j) {
  switch (j.GetType()) {
    case rapidjson::kNullType: return Value::Nil();
    case rapidjson::kFalseType: return Value::Bool(false);
    case rapidjson::kTrueType: return Value::Bool(true);
    case rapidjson::kStringType: return Value::String(std::string(j.GetString(), j.GetStringLength()));
    case rapidjson::kNumberType:
      if (j.IsInt64()) return Value::Int(j.GetInt64());
      if (j.IsUint64()) return Value::BigInt(std::to_string(j.GetUint64()));
      return Value::Float(j.GetDouble());
    case rapidjson::kArrayType: {
      std::vector<Value> items;
      items.reserve(j.Size());
      for (const auto& e : j.GetArray()) items.push_back(ToValue(e));
      return Value::Vector(std::move(items));
    }
    case rapidjson::kObjectType: {
      std::vector<Value> items;
      items.reserve(size_t{2} * j.MemberCount());
      for (const auto& m : j.GetObject()) {
        items.push_back(Value::String(std::string(m.name.GetString(), m.name.GetStringLength())));
        items.push_back(ToValue(m.value));
      }
      return Value::Map(std::move(items));
    }
  }
  return Value::Nil();
}

std::string_view TypeName(const rapidjson::Value& j) {
  switch (j.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kObjectType: return "an object";
  }
  return "?";
}

// Column (1-based) of the first occurrence of "name": in the line, for messages about a field.
size_t FieldColumn(std::string_view line, std::string_view field) {
  // Built by appends: GCC 12 reports a false -Wrestrict on "\"" + std::string(...).
  std::string quoted;
  quoted.reserve(field.size() + 2);
  quoted.append(1, '"').append(field).append(1, '"');
  size_t at = line.find(quoted);
  return at == std::string_view::npos ? 1 : at + 1;
}

Status ParseEvent(const rapidjson::Value& doc, std::string_view line, std::string_view name,
                  uint32_t line_no, size_t column, Event& e) {
  if (!doc.IsObject()) {
    return ParseError(Where(name, line_no, column) + "expected a JSON object (one event a line), got " +
                      std::string(TypeName(doc)));
  }
  bool have_process = false, have_type = false, have_f = false;
  for (const auto& m : doc.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    const rapidjson::Value& v = m.value;
    auto bad = [&](std::string_view expected) {
      return ParseError(Where(name, line_no, FieldColumn(line, key)) + "expected " +
                        std::string(expected) + " for \"" + std::string(key) + "\", got " +
                        std::string(TypeName(v)));
    };
    if (key == "process") {
      if (v.IsInt64()) {
        e.process = Value::Int(v.GetInt64());
      } else if (v.IsString()) {
        e.process = Value::String(std::string(v.GetString(), v.GetStringLength()));
      } else {
        return bad("an integer or a string");
      }
      have_process = true;
    } else if (key == "type") {
      if (!v.IsString()) return bad("\"invoke\", \"ok\", \"fail\" or \"info\"");
      std::string_view t(v.GetString(), v.GetStringLength());
      if (t == "invoke") e.type = EventType::kInvoke;
      else if (t == "ok") e.type = EventType::kOk;
      else if (t == "fail") e.type = EventType::kFail;
      else if (t == "info") e.type = EventType::kInfo;
      else {
        return ParseError(Where(name, line_no, FieldColumn(line, key)) +
                          "expected \"invoke\", \"ok\", \"fail\" or \"info\" for \"type\", got \"" +
                          std::string(t) + "\"");
      }
      have_type = true;
    } else if (key == "f") {
      if (!v.IsString()) return bad("a string");
      e.f.assign(v.GetString(), v.GetStringLength());
      have_f = true;
    } else if (key == "value") {
      e.value = ToValue(v);
    } else if (key == "key") {
      e.key = ToValue(v);
    } else if (key == "time") {
      if (!v.IsInt64()) return bad("an integer (nanoseconds)");
      e.time = v.GetInt64();
    } else if (key == "error") {
      e.error = ToValue(v);
    } else if (key == "node") {
      if (!v.IsString()) return bad("a string");
      e.node.assign(v.GetString(), v.GetStringLength());
    } else {
      e.extra.emplace_back(std::string(key), ToValue(v));
    }
  }
  auto missing = [&](std::string_view field) {
    return ParseError(Where(name, line_no, column) + "expected field \"" + std::string(field) +
                      "\" in event");
  };
  if (!have_process) return missing("process");
  if (!have_type) return missing("type");
  if (!have_f) return missing("f");
  return OkStatus();
}

// Reads the lines of text[begin, end), the first being line `first_line`, into `out`.
Status ParseJsonLineRange(std::string_view text, size_t begin, size_t end, uint32_t first_line,
                          std::string_view name, std::vector<Event>& out) {
  // One pool for every line's values, emptied after each line: a Document reused across
  // parses would keep every line's values alive until the end (memory and time).
  char value_memory[1 << 14], stack_memory[1 << 10];
  rapidjson::MemoryPoolAllocator<> value_pool(value_memory, sizeof value_memory);
  rapidjson::MemoryPoolAllocator<> stack_pool(stack_memory, sizeof stack_memory);
  KeyScratch scratch;
  std::string buffer;
  uint32_t line_no = first_line - 1;
  size_t pos = begin;
  while (pos < end) {
    size_t line_end = text.find('\n', pos);
    if (line_end == std::string_view::npos || line_end > end) line_end = end;
    std::string_view line = text.substr(pos, line_end - pos);
    pos = line_end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    // Insitu parsing needs a mutable, NUL-terminated copy; the buffer is reused across lines.
    buffer.assign(line);
    value_pool.Clear();
    stack_pool.Clear();
    LineDocument doc(&value_pool, sizeof stack_memory, &stack_pool);
    FENCELINE_RETURN_IF_ERROR(ParseJsonInto(buffer, line, name, line_no, stack_pool, scratch, doc));
    Event& e = out.emplace_back();
    e.pos = {line_no, static_cast<uint32_t>(first + 1)};
    if (Status s = ParseEvent(doc, line, name, line_no, first + 1, e); !s.ok()) {
      out.pop_back();
      return s;
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<Value> ParseJsonValue(std::string_view text, std::string_view name) {
  char stack_memory[1 << 10];
  rapidjson::MemoryPoolAllocator<> value_pool;
  rapidjson::MemoryPoolAllocator<> stack_pool(stack_memory, sizeof stack_memory);
  KeyScratch scratch;
  std::string buffer(text);
  LineDocument doc(&value_pool, sizeof stack_memory, &stack_pool);
  FENCELINE_RETURN_IF_ERROR(ParseJsonInto(buffer, text, name, 1, stack_pool, scratch, doc));
  return ToValue(doc);
}

Status ParseJsonLines(std::string_view text, std::string_view name, HistoryBuilder& builder,
                      const ChunkOptions& chunks) {
  auto parse = [&](size_t begin, size_t end, uint32_t first_line, ChunkResult& out) {
    out.status = ParseJsonLineRange(text, begin, end, first_line, name, out.events);
  };
  SkippedLines none;
  return ParseLineChunks(text, name, chunks, parse, nullptr, builder, none);
}

Status ParseJsonLinesEvents(std::string_view text, std::string_view name, uint32_t first_line,
                            const std::function<Status(Event)>& sink) {
  // The chunk's events are read first, then handed over: the same first error as handing
  // each over as it is read, since the sink's errors for earlier lines still come first.
  std::vector<Event> events;
  const Status parsed = ParseJsonLineRange(text, 0, text.size(), first_line, name, events);
  for (Event& e : events) FENCELINE_RETURN_IF_ERROR(sink(std::move(e)));
  return parsed;
}

}  // namespace fenceline::internal
