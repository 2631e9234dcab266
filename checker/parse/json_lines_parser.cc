// fenceline's native format: one JSON object an event a line (docs/formats.md). RapidJSON is
// confined to this file (and the JSON report): its values are checked for type before every
// getter, because a mismatch asserts rather than returning an error.
#include <cctype>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "checker/parse/formats.h"

namespace fenceline::internal {
namespace {

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

using LineDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                                                rapidjson::MemoryPoolAllocator<>>;

}  // namespace

StatusOr<Value> ParseJsonValue(std::string_view text, std::string_view name) {
  rapidjson::Document doc;
  std::string buffer(text);
  doc.ParseInsitu(buffer.data());
  if (doc.HasParseError()) {
    return ParseError(std::string(name) + ":1:" + std::to_string(doc.GetErrorOffset() + 1) +
                      ": invalid JSON: " + GetParseError_En(doc.GetParseError()));
  }
  return ToValue(doc);
}

Status ParseJsonLines(std::string_view text, std::string_view name, HistoryBuilder& builder) {
  // One pool for every line's values, emptied after each line: a Document reused across
  // parses would keep every line's values alive until the end (memory and time).
  char value_memory[1 << 14], stack_memory[1 << 10];
  rapidjson::MemoryPoolAllocator<> value_pool(value_memory, sizeof value_memory);
  rapidjson::MemoryPoolAllocator<> stack_pool(stack_memory, sizeof stack_memory);
  std::string buffer;
  uint32_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    // Insitu parsing needs a mutable, NUL-terminated copy; the buffer is reused across lines.
    buffer.assign(line);
    value_pool.Clear();
    stack_pool.Clear();
    LineDocument doc(&value_pool, sizeof stack_memory, &stack_pool);
    doc.ParseInsitu(buffer.data());
    if (doc.HasParseError()) {
      // RapidJSON's messages are sentences ("Missing a comma ..."); ours are compiler-style.
      std::string what = GetParseError_En(doc.GetParseError());
      if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
      if (!what.empty() && what.back() == '.') what.pop_back();
      return ParseError(Where(name, line_no, doc.GetErrorOffset() + 1) + "invalid JSON: " + what);
    }
    Event e;
    e.pos = {line_no, static_cast<uint32_t>(first + 1)};
    FENCELINE_RETURN_IF_ERROR(ParseEvent(doc, line, name, line_no, first + 1, e));
    FENCELINE_RETURN_IF_ERROR(builder.Add(std::move(e)));
  }
  return OkStatus();
}

}  // namespace fenceline::internal
