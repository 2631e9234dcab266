#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <unordered_map>
#include <utility>

#include "checker/history/pairing.h"
#include "checker/parse/input_reader.h"
#include "fenceline/history.h"

namespace fenceline {
namespace {

// Keys, short strings and keywords repeat through a history (the same key on every operation of
// a partition, the value a write sent and its ok echoed, :timed-out on every crash): each one
// seen again is replaced by the copy seen before, so that the history holds it once. A
// direct-mapped cache of recent values rather than a table of all of them: fixed memory, no
// allocation, and a value that stops repeating costs nothing later. Which copy a Value shares
// is never observable, so this cannot change a result.
class ValueSharer {
 public:
  void Share(Value& v) {
    if (!Worth(v)) return;
    const uint64_t hash = v.Hash();
    Slot& slot = slots_[static_cast<size_t>(hash) & (kSlots - 1)];
    // The hash first: comparing with a slot's value reads its box, a cache miss when the
    // slot holds a value that stopped repeating long ago.
    if (slot.hash == hash && slot.value == v) {
      v = slot.value;
    } else {
      slot.hash = hash;
      slot.value = v;
    }
  }
  void Clear() { slots_ = {}; }

 private:
  static constexpr size_t kSlots = size_t{1} << 12;
  // Values with a box of their own, cheap to hash: text up to kMaxText bytes, or a collection
  // of a few such items (a key such as [1 2]).
  static constexpr size_t kMaxText = 64, kMaxItems = 4;
  static bool Worth(const Value& v) {
    switch (v.kind()) {
      case ValueKind::kNil:
      case ValueKind::kBool:
      case ValueKind::kInt:
      case ValueKind::kFloat:
      case ValueKind::kChar: return false;
      case ValueKind::kList:
      case ValueKind::kVector:
      case ValueKind::kSet:
      case ValueKind::kMap:
      case ValueKind::kTagged:
        if (v.items().empty() || v.items().size() > kMaxItems) return false;
        for (const Value& item : v.items()) {
          if (item.text().size() > kMaxText || !item.items().empty()) return false;
        }
        return true;
      default: return !v.text().empty() && v.text().size() <= kMaxText;
    }
  }
  struct Slot {
    uint64_t hash = 0;
    Value value;
  };
  std::array<Slot, kSlots> slots_;
};

}  // namespace

std::string_view EventTypeName(EventType t) {
  switch (t) {
    case EventType::kInvoke: return "invoke";
    case EventType::kOk: return "ok";
    case EventType::kFail: return "fail";
    case EventType::kInfo: return "info";
  }
  return "?";
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kFail: return "fail";
    case Outcome::kInfo: return "info";
  }
  return "?";
}

struct HistoryBuilder::Impl {
  std::string source;
  History history;
  internal::ProcessIds processes;
  // Function and clock names, one copy each.
  std::unordered_map<std::string, Name> names;
  ValueSharer values;
  // ProcessId -> index of its open operation, or kNone.
  std::vector<uint32_t> open_op;
  Nanos next_seq = 0;
  bool all_timed = true;
  bool any_client_event = false;
  Status first_error;
  uint32_t next_line = 1;
  uint32_t last_line = 0;  // the last client event's
  bool finished = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string deadline_cause;

  // Finish()'s clock look: false once the deadline has passed.
  bool InTime() const {
    return deadline == std::chrono::steady_clock::time_point::max() ||
           std::chrono::steady_clock::now() < deadline;
  }
  Status Late() const {
    return internal::DeadlineReached(source, uint64_t{last_line} + 1, deadline_cause,
                                     "pairing operations");
  }

  static constexpr uint32_t kNone = UINT32_MAX;

  Name Intern(const std::string& s) {
    if (s.empty()) return Name();
    auto it = names.find(s);
    if (it == names.end()) it = names.emplace(s, Name(s)).first;
    return it->second;
  }

  std::string Where(const SourcePos& pos) const {
    return source + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": ";
  }
};

HistoryBuilder::HistoryBuilder(std::string source) : impl_(std::make_unique<Impl>()) {
  impl_->source = source;
  impl_->history.source = std::move(source);
}
HistoryBuilder::~HistoryBuilder() = default;
HistoryBuilder::HistoryBuilder(HistoryBuilder&&) noexcept = default;
HistoryBuilder& HistoryBuilder::operator=(HistoryBuilder&&) noexcept = default;

void HistoryBuilder::set_deadline(std::chrono::steady_clock::time_point deadline,
                                  std::string cause) {
  impl_->deadline = deadline;
  impl_->deadline_cause = std::move(cause);
}

bool HistoryBuilder::IsClientProcess(const Value& process) {
  if (process.is_int()) return true;
  return process.is_string() && process.text() != "nemesis";
}

void HistoryBuilder::Reserve(size_t ops) {
  impl_->history.ops.reserve(ops);
}

Status HistoryBuilder::Add(Event event) {
  Impl& m = *impl_;
  if (!IsClientProcess(event.process)) {
    m.history.other_events.push_back(std::move(event));
    return OkStatus();
  }
  m.any_client_event = true;
  m.last_line = std::max(m.last_line, event.pos.line);
  if (!event.time) {
    m.all_timed = false;
  } else if (*event.time < kMinTime || *event.time > kMaxTime) {
    return internal::TimeOutOfRange(m.Where(event.pos), *event.time);
  }
  const auto [pid, fresh] = m.processes.Find(event.process);
  if (fresh) m.open_op.push_back(Impl::kNone);
  const std::string& name = m.processes.name(pid);
  const Nanos seq = m.next_seq++;

  if (event.type == EventType::kInvoke) {
    if (m.open_op[pid] != Impl::kNone) {
      const Operation& open = m.history.ops[m.open_op[pid]];
      // After :info the process is crashed and its operation stays open forever; Jepsen never
      // reuses the id, but if a history does, the old operation simply stays pending.
      if (open.complete_pos.line == 0 || open.outcome != Outcome::kInfo) {
        return internal::InvokeWhileOpen(m.Where(event.pos), name, open.invoke_pos.line);
      }
    }
    Operation op;
    op.index = static_cast<OpIndex>(m.history.ops.size());
    op.process = static_cast<ProcessId>(pid);
    op.outcome = Outcome::kInfo;
    op.f = m.Intern(event.f);
    op.input = std::move(event.value);
    m.values.Share(op.input);
    op.key = std::move(event.key);
    if (op.key) m.values.Share(*op.key);
    op.node = m.Intern(event.node);
    op.invoke_time = event.time;
    op.invoke_pos = event.pos;
    op.extra = std::move(event.extra);
    // Event sequence numbers until Finish(): the time base when the input has no (or
    // incomplete) times.
    op.call = seq;
    op.ret = kNever;
    m.open_op[pid] = static_cast<uint32_t>(m.history.ops.size());
    m.history.ops.push_back(std::move(op));
    return OkStatus();
  }

  const uint32_t open_index = m.open_op[pid];
  if (open_index == Impl::kNone || m.history.ops[open_index].complete_pos.line != 0) {
    return internal::CompletionNeverInvoked(m.Where(event.pos), name, event);
  }
  Operation& op = m.history.ops[open_index];
  if (!event.f.empty() && event.f != op.f) {
    return internal::CompletionFunctionDiffers(m.Where(event.pos), event, op);
  }
  op.outcome = internal::OutcomeOf(event.type);
  op.output = std::move(event.value);
  if (op.output == op.input) {
    op.output = op.input;
  } else {
    m.values.Share(op.output);
  }
  op.error = std::move(event.error);
  m.values.Share(op.error);
  if (!op.key && event.key) {
    op.key = std::move(event.key);
    m.values.Share(*op.key);
  }
  op.complete_time = event.time;
  op.complete_pos = event.pos;
  for (auto& kv : event.extra) op.extra.push_back(std::move(kv));
  if (op.outcome != Outcome::kInfo) op.ret = seq;
  // An :info completion leaves the process crashed: its operation may take effect any time later.
  m.open_op[pid] = Impl::kNone;
  if (op.outcome == Outcome::kInfo) m.open_op[pid] = open_index;
  return OkStatus();
}

StatusOr<History> HistoryBuilder::Finish() {
  Impl& m = *impl_;
  if (!m.first_error.ok()) return m.first_error;
  if (m.finished) return InternalError("HistoryBuilder::Finish called twice");
  m.finished = true;
  if (!m.InTime()) return m.Late();
  m.values.Clear();
  m.names.clear();
  History& h = m.history;
  h.process_names = m.processes.TakeNames();
  h.timed = m.any_client_event && m.all_timed;
  // Without times, call and ret already hold the events' sequence numbers.
  // A clock look every kStride operations: a few nanoseconds each next to 65,536 operations'
  // times, and a history of hundreds of millions of them still stops within milliseconds.
  constexpr size_t kStride = size_t{1} << 16;
  for (size_t i = 0; h.timed && i < h.ops.size(); ++i) {
    if (i % kStride == kStride - 1 && !m.InTime()) return m.Late();
    Operation& op = h.ops[i];
    op.call = *op.invoke_time;
    op.ret = op.outcome == Outcome::kInfo ? kNever : *op.complete_time;
    if (op.ret < op.call) {
      return internal::CompletionBeforeInvoke(m.Where(op.complete_pos), op.ret, op);
    }
  }
  return std::move(h);
}

HistoryBuilder& HistoryBuilder::Convenience(int process, EventType type, std::string f,
                                            Value value) {
  Impl& m = *impl_;
  if (!m.first_error.ok()) return *this;
  Event e;
  e.process = Value::Int(process);
  e.type = type;
  e.f = std::move(f);
  e.value = std::move(value);
  e.pos = {m.next_line++, 1};
  m.first_error = Add(std::move(e));
  return *this;
}

HistoryBuilder& HistoryBuilder::Invoke(int process, std::string f, Value value) {
  return Convenience(process, EventType::kInvoke, std::move(f), std::move(value));
}
HistoryBuilder& HistoryBuilder::Ok(int process, Value value) {
  return Convenience(process, EventType::kOk, "", std::move(value));
}
HistoryBuilder& HistoryBuilder::Fail(int process, Value value) {
  return Convenience(process, EventType::kFail, "", std::move(value));
}
HistoryBuilder& HistoryBuilder::Info(int process, Value value) {
  return Convenience(process, EventType::kInfo, "", std::move(value));
}

StatusOr<History> HistoryBuilder::Build() { return Finish(); }

}  // namespace fenceline
