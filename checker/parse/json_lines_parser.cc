// fenceline's native format: one JSON object an event a line (docs/formats.md). RapidJSON is
// confined to this file (and the JSON report): its values are checked for type before every
// getter, because a mismatch asserts rather than returning an error. RapidJSON's DOM parser
// recurses once per nesting level and accepts an object's key twice, so its SAX events pass
// through CheckingHandler, which refuses both before the DOM is built.
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "checker/parse/formats.h"
#include "checker/parse/input_reader.h"
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
// `Target` is a DOM document (one value) or EventSax (an event, without a DOM).
//
// A deadline (set_deadline) is looked at every kDeadlineStride values, so that one very long
// line (up to the 1 GiB line limit) cannot outlast it: the chunk reader looks only between chunks.
template <typename Target>
class CheckingHandler {
 public:
  static constexpr uint32_t kDeadlineStride = 4096;

  // `escapes`: the line holds a backslash (else strings need no surrogate check).
  CheckingHandler(Target& doc, InsituStream& stream, KeyScratch& scratch, bool escapes)
      : doc_(doc), stream_(stream), scratch_(scratch), escapes_(escapes) {}

  void set_deadline(std::chrono::steady_clock::time_point deadline) {
    deadline_ = deadline;
    until_clock_ = kDeadlineStride;
  }
  bool late() const { return late_; }

  bool Null() { return Tick() && doc_.Null(); }
  bool Bool(bool b) { return Tick() && doc_.Bool(b); }
  bool Int(int i) { return Tick() && doc_.Int(i); }
  bool Uint(unsigned i) { return Tick() && doc_.Uint(i); }
  bool Int64(int64_t i) { return Tick() && doc_.Int64(i); }
  bool Uint64(uint64_t i) { return Tick() && doc_.Uint64(i); }
  bool Double(double d) { return Tick() && doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return Tick() && doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return Tick() && Utf8(s, n) && doc_.String(s, n, copy);
  }
  bool StartObject() {
    if (!Tick() || !Enter()) return false;
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
  bool StartArray() { return Tick() && Enter() && doc_.StartArray(); }
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
    if (!escapes_) return true;
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

  // False once the deadline has passed (looked at every kDeadlineStride values).
  bool Tick() {
    if (--until_clock_ != 0) return true;
    until_clock_ = kDeadlineStride;
    if (deadline_ == std::chrono::steady_clock::time_point::max() ||
        std::chrono::steady_clock::now() < deadline_) {
      return true;
    }
    late_ = true;
    return false;
  }

  bool Enter() {
    if (++depth_ > kJsonMaxDepth) {
      too_deep_ = true;
      error_end_ = stream_.Tell();
      return false;
    }
    return true;
  }

  Target& doc_;
  InsituStream& stream_;  // only for Tell()
  KeyScratch& scratch_;
  bool escapes_;
  int depth_ = 0;
  bool too_deep_ = false;
  bool surrogate_ = false;
  std::string duplicate_;
  size_t error_end_ = 0;
  // Without a deadline the count never reaches 0 in practice, and then only costs a reset.
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  uint32_t until_clock_ = UINT32_MAX;
  bool late_ = false;
};

// A deadline for ReadJsonInto, and what to call it.
struct LineDeadline {
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::time_point::max();
  std::string_view cause;
};

// Runs RapidJSON's reader over `buffer` (NUL-terminated, parsed in place), its events checked
// by CheckingHandler and then given to `target`. `line` is the unmodified text, for positions.
// Errors: kParseError "name:line_no:col: ...".
// Past `deadline`: kDeadlineExceeded at the line's start (DeadlineReached).
template <typename Target>
Status ReadJsonInto(std::string& buffer, std::string_view line, std::string_view name,
                    uint32_t line_no, rapidjson::MemoryPoolAllocator<>& stack_pool,
                    KeyScratch& scratch, Target& target, const LineDeadline& deadline = {}) {
  auto where = [&](size_t offset) {
    return std::string(name) + ":" + std::to_string(line_no) + ":" + std::to_string(offset + 1) +
           ": ";
  };
  InsituStream stream(buffer.data());
  // Only an escape can decode to a lone surrogate's bytes, so a line without a backslash needs
  // no scan of its strings (one memchr a line instead of one a string and key).
  CheckingHandler<Target> handler(target, stream, scratch,
                                  std::memchr(line.data(), '\\', line.size()) != nullptr);
  if (deadline.at != std::chrono::steady_clock::time_point::max()) handler.set_deadline(deadline.at);
  rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>
      reader(&stack_pool);
  const rapidjson::ParseResult result = reader.Parse<rapidjson::kParseInsituFlag>(stream, handler);
  // A NUL would end the in-situ parse early and hide the rest of the line, and is reported
  // before anything else. A parse that succeeded and ended at the line's end met none (a NUL
  // inside a string is an error, one after the value ends the parse there), so the line is
  // searched only otherwise.
  if (!result.IsError() && stream.Tell() == line.size()) return OkStatus();
  if (const void* nul = std::memchr(line.data(), 0, line.size()); nul != nullptr) {
    return ParseError(where(static_cast<size_t>(static_cast<const char*>(nul) - line.data())) +
                      "NUL byte in a JSON line");
  }
  if (!result.IsError()) return OkStatus();
  if (handler.late()) return DeadlineReached(name, line_no, deadline.cause, "parsing");
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

// The same into a DOM (one value, for flags). A DOM document is filled through a generator, so
// the reader runs inside Populate().
Status ParseJsonInto(std::string& buffer, std::string_view line, std::string_view name,
                     uint32_t line_no, rapidjson::MemoryPoolAllocator<>& stack_pool,
                     KeyScratch& scratch, LineDocument& doc) {
  Status status;
  auto generate = [&](LineDocument& target) {
    status = ReadJsonInto(buffer, line, name, line_no, stack_pool, scratch, target);
    return status.ok();
  };
  doc.Populate(generate);
  return status;
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

// Column (1-based) of the first occurrence of "name": in the line, for messages about a field.
size_t FieldColumn(std::string_view line, std::string_view field) {
  // Built by appends: GCC 12 reports a false -Wrestrict on "\"" + std::string(...).
  std::string quoted;
  quoted.reserve(field.size() + 2);
  quoted.append(1, '"').append(field).append(1, '"');
  size_t at = line.find(quoted);
  return at == std::string_view::npos ? 1 : at + 1;
}

// Short strings repeat through a chunk of lines (a partition's key on each of its operations,
// the value an ok echoes), so each is made into a Value once per chunk rather than once per
// event: most strings then cost no allocation, and the history holds one copy. Direct-mapped
// with fixed memory; which copy a Value shares is never observable.
class StringValues {
 public:
  Value Get(std::string_view s) {
    if (s.empty() || s.size() > kMaxText) return Value::String(std::string(s));
    const size_t hash = std::hash<std::string_view>()(s);
    Slot& slot = slots_[hash & (kSlots - 1)];
    if (slot.hash != hash || slot.value.text() != s) {
      slot.hash = hash;
      slot.value = Value::String(std::string(s));
    }
    return slot.value;
  }

 private:
  static constexpr size_t kSlots = size_t{1} << 10, kMaxText = 64;
  struct Slot {
    size_t hash = 0;
    Value value;
  };
  std::array<Slot, kSlots> slots_;
};

// Builds an Event straight from the reader's events, without a DOM: a field's value is made
// into a Value as it is read. It checks the event's shape as ParseEvent once did on the DOM, in
// field order, but keeps only its first complaint and lets the reader go on to the line's end,
// because a JSON error anywhere in the line (or a duplicate key) is reported before it.
// Never stops the reader (returning false would read as a duplicate key).
class EventSax {
 public:
  EventSax(Event& e, std::string_view line, std::string_view name, uint32_t line_no,
           size_t column, StringValues& strings)
      : e_(e), line_(line), name_(name), line_no_(line_no), column_(column), strings_(strings) {}

  bool Null() { return Complete(Value::Nil(), "null"); }
  bool Bool(bool b) { return Complete(Value::Bool(b), "a boolean"); }
  bool Int(int i) { return Complete(Value::Int(i), "a number"); }
  bool Uint(unsigned i) { return Complete(Value::Int(i), "a number"); }
  bool Int64(int64_t i) { return Complete(Value::Int(i), "a number"); }
  bool Uint64(uint64_t i) {
    if (i <= static_cast<uint64_t>(INT64_MAX)) return Complete(Value::Int(static_cast<int64_t>(i)), "a number");
    return Complete(Value::BigInt(std::to_string(i)), "a number");
  }
  bool Double(double d) { return Complete(Value::Float(d), "a number"); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return true; }  // not asked for
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (Ignoring()) return true;
    if (frames_.empty() && depth_ == 1) {
      // The fields that must be strings take the text itself, without a Value.
      const std::string_view text(s, n);
      if (field_ == Field::kType) return Type(text);
      if (field_ == Field::kF) return Text(e_.f, text);
      if (field_ == Field::kNode) return Text(e_.node, text);
    }
    return Complete(strings_.Get(std::string_view(s, n)), "a string");
  }
  bool StartObject() { return Start(true); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (Ignoring()) return true;
    if (frames_.empty()) {
      key_ = std::string_view(s, n);
      field_ = FieldOf(key_);
    } else {
      frames_.back().push_back(strings_.Get(std::string_view(s, n)));
    }
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return End(true); }
  bool StartArray() { return Start(false); }
  bool EndArray(rapidjson::SizeType) { return End(false); }

  // After a successful parse: the event's shape checked; the first complaint, if any.
  Status Finish() {
    if (!top_is_object_) {
      return ParseError(Where(name_, line_no_, column_) +
                        "expected a JSON object (one event a line), got " + std::string(top_type_));
    }
    if (!first_error_.ok()) return first_error_;
    auto missing = [&](std::string_view field) {
      return ParseError(Where(name_, line_no_, column_) + "expected field \"" + std::string(field) +
                        "\" in event");
    };
    if (!have_process_) return missing("process");
    if (!have_type_) return missing("type");
    if (!have_f_) return missing("f");
    return OkStatus();
  }

 private:
  // Past a complaint, or inside a line that is not an object, values are not built.
  bool Ignoring() const { return !first_error_.ok() || (depth_ > 0 && !top_is_object_); }

  bool Start(bool object) {
    if (depth_++ == 0) {
      top_is_object_ = object;
      top_type_ = object ? "an object" : "an array";
      return true;
    }
    if (!Ignoring()) frames_.emplace_back();
    return true;
  }
  bool End(bool object) {
    if (--depth_ == 0 || Ignoring()) return true;
    std::vector<Value> items = std::move(frames_.back());
    frames_.pop_back();
    return Complete(object ? Value::Map(std::move(items)) : Value::Vector(std::move(items)),
                  object ? "an object" : "an array");
  }

  // A complete value: an item of the value being built, a top-level field, or the whole line.
  bool Complete(Value v, std::string_view type) {
    if (depth_ == 0) {
      top_type_ = type;
      return true;
    }
    if (Ignoring()) return true;
    if (!frames_.empty()) {
      frames_.back().push_back(std::move(v));
      return true;
    }
    TopField(std::move(v), type);
    return true;
  }

  void Complain(std::string_view expected, std::string_view type) {
    first_error_ = ParseError(Where(name_, line_no_, FieldColumn(line_, key_)) + "expected " +
                              std::string(expected) + " for \"" + std::string(key_) + "\", got " +
                              std::string(type));
  }

  bool Type(std::string_view t) {
    have_type_ = true;
    if (t == "invoke") e_.type = EventType::kInvoke;
    else if (t == "ok") e_.type = EventType::kOk;
    else if (t == "fail") e_.type = EventType::kFail;
    else if (t == "info") e_.type = EventType::kInfo;
    else {
      first_error_ = ParseError(Where(name_, line_no_, FieldColumn(line_, key_)) +
                                "expected \"invoke\", \"ok\", \"fail\" or \"info\" for \"type\", got \"" +
                                std::string(t) + "\"");
    }
    return true;
  }
  bool Text(std::string& to, std::string_view text) {
    to.assign(text);
    if (field_ == Field::kF) have_f_ = true;
    return true;
  }

  // The top-level fields an event names, told apart once a field rather than by comparing its
  // name with each at every value.
  enum class Field : uint8_t { kProcess, kType, kF, kNode, kValue, kKey, kTime, kError, kOther };
  static Field FieldOf(std::string_view key) {
    switch (key.size()) {
      case 1: return key == "f" ? Field::kF : Field::kOther;
      case 3: return key == "key" ? Field::kKey : Field::kOther;
      case 4:
        if (key == "type") return Field::kType;
        if (key == "node") return Field::kNode;
        if (key == "time") return Field::kTime;
        return Field::kOther;
      case 5:
        if (key == "value") return Field::kValue;
        if (key == "error") return Field::kError;
        return Field::kOther;
      case 7: return key == "process" ? Field::kProcess : Field::kOther;
      default: return Field::kOther;
    }
  }

  void TopField(Value v, std::string_view type) {
    if (field_ == Field::kProcess) {
      if (v.is_int() || v.is_string()) {
        e_.process = std::move(v);
        have_process_ = true;
      } else {
        Complain("an integer or a string", type);
      }
    } else if (field_ == Field::kType) {
      Complain("\"invoke\", \"ok\", \"fail\" or \"info\"", type);
    } else if (field_ == Field::kF || field_ == Field::kNode) {
      Complain("a string", type);
    } else if (field_ == Field::kValue) {
      e_.value = std::move(v);
    } else if (field_ == Field::kKey) {
      e_.key = std::move(v);
    } else if (field_ == Field::kTime) {
      if (!v.is_int()) return Complain("an integer (nanoseconds)", type);
      e_.time = v.int_value();
    } else if (field_ == Field::kError) {
      e_.error = std::move(v);
    } else {
      e_.extra.emplace_back(std::string(key_), std::move(v));
    }
  }

  Event& e_;
  std::string_view line_, name_;
  uint32_t line_no_;
  size_t column_;
  StringValues& strings_;
  int depth_ = 0;
  bool top_is_object_ = false;
  std::string_view top_type_ = "?";
  std::string_view key_;  // the top-level field being read; points into the in-situ buffer
  Field field_ = Field::kOther;  // which one key_ is
  std::vector<std::vector<Value>> frames_;  // the arrays and objects being built, innermost last
  Status first_error_;
  bool have_process_ = false, have_type_ = false, have_f_ = false;
};

// Reads the lines of text[begin, end), the first being line `first_line`, into `out`.
Status ParseJsonLineRange(std::string_view text, size_t begin, size_t end, uint32_t first_line,
                          std::string_view name, std::vector<Event>& out,
                          const LineDeadline& deadline = {}) {
  char stack_memory[1 << 10];
  rapidjson::MemoryPoolAllocator<> stack_pool(stack_memory, sizeof stack_memory);
  KeyScratch scratch;
  StringValues strings;
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
    stack_pool.Clear();
    Event& e = out.emplace_back();
    e.pos = {line_no, static_cast<uint32_t>(first + 1)};
    EventSax sax(e, line, name, line_no, first + 1, strings);
    Status s = ReadJsonInto(buffer, line, name, line_no, stack_pool, scratch, sax, deadline);
    if (s.ok()) s = sax.Finish();
    if (!s.ok()) {
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

Status ParseJsonLines(LineSource& source, std::string_view name, HistoryBuilder& builder,
                      const ChunkOptions& chunks) {
  const LineDeadline deadline{chunks.deadline, chunks.deadline_cause};
  auto parse = [&](std::string_view text, size_t begin, size_t end, uint32_t first_line,
                   ChunkResult& out) {
    out.status = ParseJsonLineRange(text, begin, end, first_line, name, out.events, deadline);
  };
  SkippedLines none;
  return ParseLineChunks(source, name, chunks, parse, nullptr, builder, none);
}

Status ParseJsonLines(std::string_view text, std::string_view name, HistoryBuilder& builder,
                      const ChunkOptions& chunks) {
  TextLineSource source(text);
  return ParseJsonLines(source, name, builder, chunks);
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
