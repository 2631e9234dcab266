#include "checker/parse/edn_history.h"

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "checker/parse/edn_reader.h"
#include "checker/parse/formats.h"
#include "checker/parse/parse_memory.h"
#include "fenceline/status.h"

namespace fenceline::internal {

bool EventTypeFromName(std::string_view name, EventType& out) {
  if (name == "invoke") out = EventType::kInvoke;
  else if (name == "ok") out = EventType::kOk;
  else if (name == "fail") out = EventType::kFail;
  else if (name == "info") out = EventType::kInfo;
  else return false;
  return true;
}

void SplitIndependentTuple(Event& event) {
  Value& v = event.value;
  if (v.kind() != ValueKind::kTagged || v.items().empty()) return;
  const Value& inner = v.items()[0];
  Value key, value;
  if (v.text() == "jepsen.independent.Tuple" && inner.is_map()) {
    const Value* k = inner.Find("key");
    const Value* x = inner.Find("value");
    if (k == nullptr || x == nullptr || inner.items().size() != 4) return;
    key = *k;
    value = *x;
  } else if (v.text() == "jepsen.independent/tuple" && inner.is_sequential() &&
             inner.items().size() == 2) {
    key = inner.items()[0];
    value = inner.items()[1];
  } else {
    return;
  }
  if (!event.key) event.key = std::move(key);
  event.value = std::move(value);
}

void PositionalErrorRule::Apply(Event& event) {
  if (!HistoryBuilder::IsClientProcess(event.process)) return;
  bool known = false;
  bool keyword_invoke = false;
  const Value& p = event.process;
  constexpr int64_t kDenseLimit = 1 << 16;
  if (p.is_int() && p.int_value() >= 0 && p.int_value() < kDenseLimit) {
    const auto i = static_cast<size_t>(p.int_value());
    if (event.type == EventType::kInvoke) {
      if (by_int_.size() <= i) by_int_.resize(i + 1, -1);
      by_int_[i] = event.value.is_keyword() ? 1 : 0;
      return;
    }
    if (i < by_int_.size() && by_int_[i] >= 0) {
      known = true;
      keyword_invoke = by_int_[i] == 1;
    }
  } else {
    if (event.type == EventType::kInvoke) {
      by_name_[p.ToEdn()] = event.value.is_keyword();
      return;
    }
    auto it = by_name_.find(p.ToEdn());
    if (it != by_name_.end()) {
      known = true;
      keyword_invoke = it->second;
    }
  }
  if (event.type == EventType::kOk || !event.error.is_nil() || !event.value.is_keyword()) return;
  if (event.value.text() == "timed-out" || !known || !keyword_invoke) {
    event.error = std::move(event.value);
    event.value = Value();
  }
}

namespace {

enum FieldBit : uint32_t {
  kProcessBit = 1,
  kTypeBit = 2,
  kFBit = 4,
  kValueBit = 8,
  kKeyBit = 16,
  kTimeBit = 32,
  kErrorBit = 64,
  kNodeBit = 128,
};

// A value as shown in messages: its EDN text, cut short.
std::string Shown(const Value& v) {
  std::string s = v.ToEdn();
  if (s.size() > 40) {
    s.resize(37);
    s += "...";
  }
  return s;
}

std::string PosText(const SourcePos& pos) {
  return std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

// `Sink` takes each Event (Status(Event)): HistoryBuilder::Add, or the streaming reader's.
template <typename Sink>
class EdnHistoryReader {
 public:
  EdnHistoryReader(std::string_view text, std::string_view name, Sink& sink,
                   PositionalErrorRule& rule)
      : r_(text, name), sink_(sink), rule_(rule) {}

  // A chunk whose first byte starts line `first_line` (streaming); a vector or list of events
  // is refused there (kUnsupported), since it would have to be read whole.
  void StartChunk(uint32_t first_line) {
    r_.SetLineStart(0, first_line);
    chunk_ = true;
  }

  void set_deadline(std::chrono::steady_clock::time_point deadline, std::string_view cause) {
    r_.set_deadline(deadline, cause);
  }

  Status Run() {
    while (true) {
      FENCELINE_ASSIGN_OR_RETURN(bool more, r_.SkipToElement());
      if (!more) return OkStatus();
      const size_t at = r_.offset();
      const char c = r_.Peek();
      if (c == '{') {
        FENCELINE_RETURN_IF_ERROR(ReadMapEvent());
      } else if (c == '[' || c == '(') {
        if (IsEventContainer(at)) {
          if (chunk_) {
            return Unsupported(r_.ErrorAt(at, "").message() +
                               "--stream reads EDN histories of one event an element (Jepsen's "
                               "history.edn, one op map a line); this one is a single vector "
                               "of events (check it without --stream)");
          }
          FENCELINE_RETURN_IF_ERROR(ReadContainer(at, c == '[' ? ']' : ')'));
        } else {
          FENCELINE_RETURN_IF_ERROR(ReadOtherEvent());
        }
      } else if (c == '#') {
        FENCELINE_RETURN_IF_ERROR(ReadOtherEvent());
      } else {
        return r_.Expected(at, "an event map '{', a vector of events or a tuple "
                               "[process type f value]");
      }
    }
  }

 private:
  // True if the vector or list opening at `at` holds events (maps, records, tuples) rather
  // than being a tuple itself.
  bool IsEventContainer(size_t at) {
    r_.set_offset(at + 1);
    auto more = r_.SkipToElement();
    const char c = more.ok() && *more ? r_.Peek() : '\0';
    const size_t next = r_.offset();
    r_.set_offset(at);
    if (c == '{' || c == '[' || c == '(' || c == ']' || c == ')') return true;
    return c == '#' && next + 1 < r_.size() && r_.text()[next + 1] != '{' &&
           r_.text()[next + 1] != '_';
  }

  Status ReadContainer(size_t at, char close) {
    r_.Advance();
    while (true) {
      FENCELINE_ASSIGN_OR_RETURN(bool more, r_.SkipToElement());
      if (!more) {
        return r_.Expected(r_.offset(), std::string("'") + close +
                                            "' to close the history opened at " +
                                            PosText(r_.PosAt(at)));
      }
      const char c = r_.Peek();
      if (c == close) {
        r_.Advance();
        return OkStatus();
      }
      if (c == '{') {
        FENCELINE_RETURN_IF_ERROR(ReadMapEvent());
      } else if (c == '[' || c == '(' || c == '#') {
        FENCELINE_RETURN_IF_ERROR(ReadOtherEvent());
      } else {
        return r_.Expected(r_.offset(), std::string("an event map or '") + close + "'");
      }
    }
  }

  // The fast path: an op map read field by field, without building a map Value.
  Status ReadMapEvent() {
    const size_t at = r_.offset();
    r_.Advance();
    Event ev;
    uint32_t seen = 0;
    while (true) {
      FENCELINE_ASSIGN_OR_RETURN(bool more, r_.SkipToElement());
      if (!more) {
        return r_.Expected(r_.offset(),
                           "'}' to close the event map opened at " + PosText(r_.PosAt(at)));
      }
      const char c = r_.Peek();
      if (c == '}') {
        r_.Advance();
        break;
      }
      const size_t key_at = r_.offset();
      std::string_view name;
      std::string name_buf;
      if (c == ':') {
        FENCELINE_RETURN_IF_ERROR(r_.ReadKeywordView(name, "as a map key"));
      } else if (c == ']' || c == ')') {
        return r_.Expected(key_at, "'}' or a map key");
      } else {
        Value k;
        FENCELINE_RETURN_IF_ERROR(r_.Read(k));
        name_buf = k.is_string() || k.kind() == ValueKind::kSymbol ? k.text() : k.ToEdn();
        name = name_buf;
      }
      FENCELINE_ASSIGN_OR_RETURN(more, r_.SkipToElement());
      if (!more || r_.Peek() == '}') {
        return r_.Expected(r_.offset(), "a value for key :" + std::string(name));
      }
      const size_t value_at = r_.offset();
      if ((name == "type" || name == "f") && r_.Peek() == ':') {
        const uint32_t bit = name == "type" ? kTypeBit : kFBit;
        if (seen & bit) return Duplicate(key_at, name);
        seen |= bit;
        std::string_view kw;
        FENCELINE_RETURN_IF_ERROR(r_.ReadKeywordView(kw, "after :" + std::string(name)));
        if (bit == kFBit) {
          ev.f.assign(kw);
        } else if (!EventTypeFromName(kw, ev.type)) {
          return r_.ErrorAt(value_at, "expected :invoke, :ok, :fail or :info after :type, got :" +
                                          std::string(kw));
        }
        continue;
      }
      Value v;
      FENCELINE_RETURN_IF_ERROR(r_.Read(v));
      FENCELINE_RETURN_IF_ERROR(SetField(name, std::move(v), key_at, value_at, ev, seen));
    }
    return Finish(std::move(ev), at, seen);
  }

  // A tuple, or a tagged record of an op map: read as a Value, then converted.
  Status ReadOtherEvent() {
    const size_t at = r_.offset();
    Value v;
    FENCELINE_RETURN_IF_ERROR(r_.Read(v));
    if (v.kind() == ValueKind::kTagged && !v.items().empty() && v.items()[0].is_map()) {
      return MapValueEvent(v.items()[0], at);
    }
    if (v.is_sequential()) return TupleEvent(v, at);
    return r_.ErrorAt(at, "expected an event map or a tuple [process type f value], got " +
                              Shown(v));
  }

  Status MapValueEvent(const Value& map, size_t at) {
    Event ev;
    uint32_t seen = 0;
    const auto& items = map.items();
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
      const Value& k = items[i];
      std::string name = k.is_keyword() || k.is_string() || k.kind() == ValueKind::kSymbol
                             ? k.text()
                             : k.ToEdn();
      FENCELINE_RETURN_IF_ERROR(SetField(name, items[i + 1], at, at, ev, seen));
    }
    return Finish(std::move(ev), at, seen);
  }

  Status TupleEvent(const Value& t, size_t at) {
    const auto& items = t.items();
    if (items.size() != 4 && items.size() != 5) {
      return r_.ErrorAt(at, "expected a tuple [process type f value] or [process type f value "
                            "error], got " + std::to_string(items.size()) + " elements");
    }
    Event ev;
    uint32_t seen = 0;
    FENCELINE_RETURN_IF_ERROR(SetField("process", items[0], at, at, ev, seen));
    FENCELINE_RETURN_IF_ERROR(SetField("type", items[1], at, at, ev, seen));
    FENCELINE_RETURN_IF_ERROR(SetField("f", items[2], at, at, ev, seen));
    ev.value = items[3];
    if (items.size() == 5) ev.error = items[4];
    rule_.Apply(ev);
    return Finish(std::move(ev), at, seen);
  }

  Status Duplicate(size_t key_at, std::string_view name) {
    return r_.ErrorAt(key_at, "expected distinct keys in the event map, got :" +
                                  std::string(name) + " twice");
  }

  Status SetField(std::string_view name, Value v, size_t key_at, size_t value_at, Event& ev,
                  uint32_t& seen) {
    auto claim = [&](uint32_t bit) {
      if (seen & bit) return false;
      seen |= bit;
      return true;
    };
    if (name == "process") {
      if (!claim(kProcessBit)) return Duplicate(key_at, name);
      if (!v.is_int() && !v.is_keyword() && !v.is_string()) {
        return r_.ErrorAt(value_at, "expected a process (an integer, keyword or string) after "
                                    ":process, got " + Shown(v));
      }
      ev.process = std::move(v);
    } else if (name == "type") {
      if (!claim(kTypeBit)) return Duplicate(key_at, name);
      if (!(v.is_keyword() || v.is_string()) || !EventTypeFromName(v.text(), ev.type)) {
        return r_.ErrorAt(value_at,
                          "expected :invoke, :ok, :fail or :info after :type, got " + Shown(v));
      }
    } else if (name == "f") {
      if (!claim(kFBit)) return Duplicate(key_at, name);
      if (!v.is_keyword() && !v.is_string() && v.kind() != ValueKind::kSymbol) {
        return r_.ErrorAt(value_at, "expected a keyword after :f, got " + Shown(v));
      }
      ev.f = v.text();
    } else if (name == "value") {
      if (!claim(kValueBit)) return Duplicate(key_at, name);
      ev.value = std::move(v);
    } else if (name == "key") {
      if (!claim(kKeyBit)) return Duplicate(key_at, name);
      ev.key = std::move(v);
    } else if (name == "time") {
      if (!claim(kTimeBit)) return Duplicate(key_at, name);
      if (!v.is_int()) {
        return r_.ErrorAt(value_at,
                          "expected integer nanoseconds after :time, got " + Shown(v));
      }
      ev.time = v.int_value();
    } else if (name == "error") {
      if (!claim(kErrorBit)) return Duplicate(key_at, name);
      ev.error = std::move(v);
    } else if (name == "node") {
      if (!claim(kNodeBit)) return Duplicate(key_at, name);
      if (v.is_string() || v.is_keyword() || v.kind() == ValueKind::kSymbol) {
        ev.node = v.text();
      } else if (!v.is_nil()) {
        ev.node = v.ToDisplay();
      }
    } else {
      for (const auto& [n, x] : ev.extra) {
        if (n == name) return Duplicate(key_at, name);
      }
      ev.extra.emplace_back(std::string(name), std::move(v));
    }
    return OkStatus();
  }

  Status Finish(Event ev, size_t at, uint32_t seen) {
    if (!(seen & kProcessBit)) return r_.ErrorAt(at, "expected a :process in the event, got none");
    if (!(seen & kTypeBit)) return r_.ErrorAt(at, "expected a :type in the event, got none");
    if (!(seen & kFBit) && ev.type == EventType::kInvoke) {
      return r_.ErrorAt(at, "expected an :f in the invoke event, got none");
    }
    ev.pos = r_.PosAt(at);
    SplitIndependentTuple(ev);
    return sink_(std::move(ev));
  }

  EdnReader r_;
  Sink& sink_;
  PositionalErrorRule& rule_;
  bool chunk_ = false;
};

}  // namespace

Status ParseEdnHistory(std::string_view text, std::string_view name, HistoryBuilder& builder,
                       const ChunkOptions& chunks) {
  auto add = [&builder, memory = chunks.memory](Event e) {
    // The text is held whole: what is left is parsing.
    if (memory != nullptr) FENCELINE_RETURN_IF_ERROR(memory->ChargeEvent(e, "parsing"));
    return builder.Add(std::move(e));
  };
  PositionalErrorRule rule;
  EdnHistoryReader<decltype(add)> reader(text, name, add, rule);
  if (chunks.deadline != std::chrono::steady_clock::time_point::max()) {
    reader.set_deadline(chunks.deadline, chunks.deadline_cause);
  }
  return reader.Run();
}

Status ParseEdnHistory(std::string_view text, std::string_view name, HistoryBuilder& builder) {
  auto add = [&builder](Event e) { return builder.Add(std::move(e)); };
  PositionalErrorRule rule;
  return EdnHistoryReader<decltype(add)>(text, name, add, rule).Run();
}

Status ParseEdnEvents(std::string_view text, std::string_view name, uint32_t first_line,
                      PositionalErrorRule& rule, const std::function<Status(Event)>& sink) {
  EdnHistoryReader<const std::function<Status(Event)>> reader(text, name, sink, rule);
  reader.StartChunk(first_line);
  return reader.Run();
}

}  // namespace fenceline::internal
