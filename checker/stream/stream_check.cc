// Streaming check (include/fenceline/stream.h). What makes a segment's search from a cut's
// configurations equal to the whole history's search, and the dominance used between
// configurations, are argued in docs/checking.md ("Streaming"); the comments here say where
// each argument is applied.
#include "fenceline/stream.h"

#include <algorithm>
#include <functional>
#include <map>
#include <new>
#include <optional>
#include <unordered_map>
#include <utility>

#include "checker/history/pairing.h"
#include "checker/search/linearizability_search.h"
#include "checker/search/memory_budget.h"

namespace fenceline {
namespace {

using Clock = std::chrono::steady_clock;

// Spec index of the operation that stands for a configuration's state (an ok write before
// everything else) is 0; its OpIndex is this, so that reports can leave it out.
constexpr auto kSyntheticIndex = static_cast<OpIndex>(UINT32_MAX);

using internal::IsKeyValueTuple;

// The models streamed, by what their states and operations look like.
enum class Family { kRegister, kKv, kMutex, kMultiRegister };

// An info operation that changes nothing whether or not it took effect, and observed nothing:
// never carried across a cut. Reads, in the register models; a txn of reads only.
bool InertInfo(const Operation& op, Family family) {
  switch (family) {
    case Family::kRegister: return op.f == "read";
    case Family::kKv: return op.f == "read" || op.f == "get";
    case Family::kMutex: return false;
    case Family::kMultiRegister:
      if (!op.input.is_sequential()) return false;
      for (const Value& m : op.input.items()) {
        const bool read = m.is_sequential() && !m.items().empty() &&
                          (m.items()[0].is_keyword() || m.items()[0].is_string()) &&
                          (m.items()[0].text() == "read" || m.items()[0].text() == "r");
        if (!read) return false;
      }
      return true;
  }
  return false;
}

// An operation that leaves the same state whatever the state before it (it sets its own value;
// a mutex's acquire leaves it held, a release free, whether or not they took effect). In a run
// of open info operations applied with no other operation between them, the state after each
// application of such an operation is its own value, so a second application of the same one
// returns to a state already reached: cutting out the loop leaves a valid run to the same
// state, with more still open (which dominates). A segment of n operations has at most n + 1
// such runs, so n + 1 copies of an open one are all a search of it can use.
bool SetsItsOwnState(const Operation& op, Family family) {
  switch (family) {
    case Family::kRegister: return op.f == "write" || op.f == "cas";
    case Family::kKv: return op.f == "write" || op.f == "put" || op.f == "cas";
    case Family::kMutex:
      return op.f == "acquire" || op.f == "lock" || op.f == "release" || op.f == "unlock";
    case Family::kMultiRegister: return false;  // a txn writes some registers, not all
  }
  return false;
}

// Open info operations of a configuration: (effect id, count), sorted by id. Two open info
// operations with the same function and input are interchangeable from the cut on (both began
// before it and never return), so only their number matters.
using OpenSet = std::vector<std::pair<uint32_t, uint32_t>>;

struct Config {
  Value state;
  OpenSet open;
};

// o ⊆ p as multisets.
bool Contains(const OpenSet& p, const OpenSet& o) {
  size_t j = 0;
  for (const auto& [id, count] : o) {
    while (j < p.size() && p[j].first < id) ++j;
    if (j == p.size() || p[j].first != id || p[j].second < count) return false;
  }
  return true;
}

struct PartitionStream {
  Value key;
  size_t op_count = 0;
  bool decided = false;
  std::vector<Config> configs;  // at the last committed cut
  // Open info operations by effect id: one representative each (call and return are reset
  // when it is searched).
  std::vector<Operation> effects;
  std::unordered_map<std::string, uint32_t> effect_ids;
  std::vector<Operation> window;  // the operations since the last cut, in invoke order
  size_t in_flight = 0;           // window operations invoked and not yet completed
  Nanos last_ret = kMinTime - 8;  // latest return among the window's completed operations
  size_t retry_at = 0;            // a deferred cut is tried again at this window size
  uint64_t states_explored = 0;
  std::optional<PartitionResult> result;  // once decided
};

struct ProcessSlot {
  bool open = false;      // an operation invoked and not completed
  bool limbo = false;     // ... whose partition is not known yet (see Impl::limbo)
  // --independent: its invoke's [key value] tuple was split (the completion's is split too).
  bool split = false;
  uint32_t part = 0;      // its partition
  uint32_t at = 0;        // its index in the partition's window, or in limbo; kParked: in parked
  // The open operation of a partition already decided: kept only for the completion's checks.
  Operation parked;
};

constexpr uint32_t kParked = UINT32_MAX;

}  // namespace

Status StreamSupport(std::string_view model_id, const ModelOptions& options) {
  const bool kv = model_id == "kv";
  if (model_id != "register" && model_id != "cas-register" && !kv && model_id != "mutex" &&
      model_id != "multi-register") {
    return Unsupported("--stream checks the register, cas-register, kv, mutex and "
                       "multi-register models; " +
                       std::string(model_id) + " is checked on the whole file (drop --stream)");
  }
  if ((model_id == "register" || model_id == "cas-register" || kv) && options.nil_reads == NilReads::kAuto && options.initial) {
    const Value& init = *options.initial;
    const bool nil_start = init.is_nil() || (kv && init.is_string() && init.text().empty());
    if (!nil_start) {
      return Unsupported(
          "--stream with --nil-reads auto needs nil as the initial value: with --initial " +
          init.ToEdn() +
          ", a write of nil later in the history would change what earlier reads of nil mean; "
          "pass --nil-reads value or --nil-reads unknown, or drop --stream");
    }
  }
  return OkStatus();
}

struct StreamChecker::Impl {
  std::string source;
  StreamOptions options;
  std::unique_ptr<Model> model;
  bool kv = false;
  Family family = Family::kRegister;
  Value initial;
  std::unique_ptr<internal::MemoryBudget> budget;
  StreamStats stats;
  Status error;

  std::vector<PartitionStream> parts;
  std::unordered_map<Value, uint32_t, ValueHash> part_of_key;
  internal::ProcessIds process_ids;
  std::vector<ProcessSlot> processes;
  // Operations invoked whose partition their invoke did not tell (the key came with the
  // completion): while one is in flight it could belong to any partition, so none cuts.
  std::vector<Operation> limbo;
  size_t limbo_in_flight = 0;
  size_t buffered = 0;  // operations in all windows
  size_t next_sweep = 0;
  std::vector<StreamChecker::Decision> decided;
  uint32_t last_line = 0;  // of the latest event

  // Time base: decided by the first client event (see Add).
  bool any_client_event = false;
  bool timed = false;
  Nanos last_time = kMinTime;
  Nanos seq = 0;
  Nanos now = kMinTime;  // the latest event's time (or sequence number)

  std::string Where(const SourcePos& pos) const {
    return source + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": ";
  }

  Status AddEvent(Event event);
  Status NotATuple(const Operation& op) const {
    return internal::NotAKeyValueTuple(Where(op.invoke_pos), op.input);
  }
  Operation& OpenOp(ProcessSlot& proc) {
    if (proc.limbo) return limbo[proc.at];
    if (proc.at == kParked) return proc.parked;
    return parts[proc.part].window[proc.at];
  }
  StatusOr<uint32_t> PartitionFor(const Operation& op);
  Status Place(Operation op, uint32_t part, ProcessSlot* slot);
  Status MaybeCut(uint32_t p);
  // Searches partition p's window from its configurations. `final`: the end of the history.
  // Returns false (and keeps the window) if the cut must wait (see the append rule).
  StatusOr<bool> Commit(uint32_t p, bool final);
  void Decide(uint32_t p, PartitionResult r, std::string unlinearizable = "");
  // Decides partition p unknown past one of the stream's caps: `cap` says which, for the
  // segment ending at the window's last operation.
  void GiveUp(uint32_t p, const PartitionStream& ps, const std::string& cap,
              std::string_view advice);
  uint32_t EffectId(PartitionStream& ps, const Operation& op);
  // The ok operation that takes a fresh compile of the model to `state` (the configuration's),
  // called before everything else in a segment; none if the model starts there.
  std::optional<Operation> StateOp(const Value& state, const Value& key) const;
  void Compact(PartitionStream& ps);
};

StreamChecker::StreamChecker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamChecker::~StreamChecker() = default;

StatusOr<std::unique_ptr<StreamChecker>> StreamChecker::Create(std::string_view model_id,
                                                               const StreamOptions& options,
                                                               std::string source) {
  FENCELINE_RETURN_IF_ERROR(StreamSupport(model_id, options.model));
  auto impl = std::make_unique<Impl>();
  FENCELINE_ASSIGN_OR_RETURN(impl->model, MakeModel(model_id, options.model));
  impl->source = std::move(source);
  impl->options = options;
  if (impl->options.min_segment_ops == 0) impl->options.min_segment_ops = 1;
  impl->kv = model_id == "kv";
  impl->family = impl->kv                        ? Family::kKv
                 : model_id == "mutex"           ? Family::kMutex
                 : model_id == "multi-register" ? Family::kMultiRegister
                                                 : Family::kRegister;
  // The state a partition starts in, as the configuration holds it. The mutex and
  // multi-register ones need no operation to reach (the model's own start: free; the
  // registers at --initial).
  switch (impl->family) {
    case Family::kRegister: impl->initial = options.model.initial.value_or(Value()); break;
    case Family::kKv: impl->initial = options.model.initial.value_or(Value::String("")); break;
    case Family::kMutex: impl->initial = Value::Keyword("free"); break;
    case Family::kMultiRegister: impl->initial = Value::Map({}); break;
  }
  impl->budget = std::make_unique<internal::MemoryBudget>(options.memory_budget);
  impl->next_sweep = impl->options.max_buffered_ops;
  return std::unique_ptr<StreamChecker>(new StreamChecker(std::move(impl)));
}

const StreamStats& StreamChecker::stats() const { return impl_->stats; }

std::vector<StreamChecker::Decision> StreamChecker::TakeDecided() {
  std::vector<Decision> out;
  out.swap(impl_->decided);
  return out;
}

Status StreamChecker::Add(Event event) {
  if (!impl_->error.ok()) return impl_->error;
  Status s;
  try {
    s = impl_->AddEvent(std::move(event));
  } catch (const std::bad_alloc&) {
    s = Status(StatusCode::kIoError, "out of memory while streaming (lower --memory-limit)");
  }
  if (!s.ok()) impl_->error = s;
  return s;
}

StatusOr<uint32_t> StreamChecker::Impl::PartitionFor(const Operation& op) {
  StatusOr<Value> key = model->PartitionOf(op);
  if (!key.ok()) return Status(key.status().code(), source + key.status().message());
  auto [it, inserted] = part_of_key.try_emplace(*key, static_cast<uint32_t>(parts.size()));
  if (inserted) {
    PartitionStream ps;
    ps.key = std::move(key).value();
    ps.configs.push_back(Config{initial, {}});
    parts.push_back(std::move(ps));
  }
  return it->second;
}

Status StreamChecker::Impl::AddEvent(Event event) {
  if (!HistoryBuilder::IsClientProcess(event.process)) return OkStatus();
  ++stats.events;
  last_line = event.pos.line;
  // The whole file is ordered by time only if every client event has one; the first event
  // decides here, and an event that would change that decision later is an error rather than
  // a verdict made on another order than the whole file's.
  if (!any_client_event) {
    any_client_event = true;
    timed = event.time.has_value();
  }
  if (event.time && (*event.time < kMinTime || *event.time > kMaxTime)) {
    return internal::TimeOutOfRange(Where(event.pos), *event.time);
  }
  Nanos t = seq++;
  if (timed) {
    if (!event.time) {
      return InvalidHistory(Where(event.pos) +
                            "an event without a time after timed events: --stream orders a "
                            "history by time only if every event has one (check the whole "
                            "file without --stream)");
    }
    if (*event.time < last_time) {
      return InvalidHistory(Where(event.pos) + "time " + std::to_string(*event.time) +
                            " is before the previous event's " + std::to_string(last_time) +
                            ": --stream needs events in time order (check the whole file "
                            "without --stream)");
    }
    t = *event.time;
    last_time = t;
  }
  now = t;

  const auto [pid, fresh] = process_ids.Find(event.process);
  if (fresh) processes.emplace_back();
  ProcessSlot& proc = processes[pid];
  const std::string& proc_name = process_ids.name(pid);

  if (event.type == EventType::kInvoke) {
    if (proc.open) {
      const Operation& open = OpenOp(proc);
      return internal::InvokeWhileOpen(Where(event.pos), proc_name, open.invoke_pos.line);
    }
    Operation op;
    op.index = static_cast<OpIndex>(stats.operations++);
    op.process = static_cast<ProcessId>(pid);
    op.outcome = Outcome::kInfo;
    op.f = std::move(event.f);
    op.input = std::move(event.value);
    op.key = std::move(event.key);
    op.node = std::move(event.node);
    op.invoke_time = event.time;
    op.invoke_pos = event.pos;
    op.extra = std::move(event.extra);
    op.call = t;
    op.ret = kNever;
    proc.open = true;
    proc.split = false;
    bool known = true;
    if (options.independent && !op.key) {
      // SplitIndependentKeys, an operation at a time. An invoke without a tuple may still get
      // its key from the completion; until then it waits in limbo.
      if (IsKeyValueTuple(op.input)) {
        Value k = op.input.items()[0];
        Value v = op.input.items()[1];
        op.input = std::move(v);
        op.key = std::move(k);
        proc.split = true;
      } else {
        known = false;
      }
    }
    StatusOr<Value> key = known ? model->PartitionOf(op) : StatusOr<Value>(Value());
    if (!known || !key.ok()) {
      proc.limbo = true;
      proc.at = static_cast<uint32_t>(limbo.size());
      limbo.push_back(std::move(op));
      ++limbo_in_flight;
      return OkStatus();
    }
    FENCELINE_ASSIGN_OR_RETURN(const uint32_t p, PartitionFor(op));
    FENCELINE_RETURN_IF_ERROR(MaybeCut(p));
    proc.limbo = false;
    return Place(std::move(op), p, &proc);
  }

  if (!proc.open) {
    return internal::CompletionNeverInvoked(Where(event.pos), proc_name, event);
  }
  Operation& op = OpenOp(proc);
  if (!event.f.empty() && event.f != op.f) {
    return internal::CompletionFunctionDiffers(Where(event.pos), event, op);
  }
  op.outcome = internal::OutcomeOf(event.type);
  op.output = std::move(event.value);
  op.error = std::move(event.error);
  if (proc.split) {
    if (event.key) {
      return InvalidHistory(Where(event.pos) +
                            "--stream --independent: this completion has a key its invoke did "
                            "not have, and the invoke's tuple was split already (check the "
                            "whole file without --stream)");
    }
    if (IsKeyValueTuple(op.output) && op.output.items()[0] == *op.key) {
      Value v = op.output.items()[1];
      op.output = std::move(v);
    }
  }
  if (!op.key && event.key) op.key = std::move(event.key);
  if (options.independent && !op.key) return NotATuple(op);
  op.complete_time = event.time;
  op.complete_pos = event.pos;
  for (auto& kv_pair : event.extra) op.extra.push_back(std::move(kv_pair));
  if (op.outcome != Outcome::kInfo) {
    if (timed && t < op.call) {
      return internal::CompletionBeforeInvoke(Where(op.complete_pos), t, op);
    }
    op.ret = t;
  }
  // An :info completion leaves the process crashed; the operation stays open for ever, and
  // the process may (against Jepsen's habit) invoke again.
  proc.open = false;
  if (proc.limbo) {
    proc.limbo = false;
    --limbo_in_flight;
    Operation moved = std::move(op);
    FENCELINE_ASSIGN_OR_RETURN(const uint32_t p, PartitionFor(moved));
    FENCELINE_RETURN_IF_ERROR(Place(std::move(moved), p, nullptr));
    if (limbo_in_flight == 0) limbo.clear();
    return OkStatus();
  }
  if (proc.at == kParked) return OkStatus();
  PartitionStream& ps = parts[proc.part];
  --ps.in_flight;
  if (op.outcome != Outcome::kInfo) ps.last_ret = std::max(ps.last_ret, op.ret);
  return OkStatus();
}

Status StreamChecker::Impl::Place(Operation op, uint32_t p, ProcessSlot* slot) {
  PartitionStream& ps = parts[p];
  ++ps.op_count;
  if (slot) slot->part = p;
  if (ps.decided) {
    // The partition's verdict is in: its operations are not kept.
    if (slot) {
      slot->at = kParked;
      slot->parked = std::move(op);
    }
    return OkStatus();
  }
  if (slot) {
    slot->at = static_cast<uint32_t>(ps.window.size());
    ++ps.in_flight;
  } else if (op.outcome != Outcome::kInfo) {
    // Moved from limbo, completed already.
    ps.last_ret = std::max(ps.last_ret, op.ret);
  }
  ps.window.push_back(std::move(op));
  ++buffered;
  stats.peak_buffered_ops = std::max(stats.peak_buffered_ops, buffered);
  if (buffered >= next_sweep) {
    // Many partitions hold a little each: every one that can cut now does.
    for (uint32_t q = 0; q < parts.size(); ++q) {
      if (q == p) continue;
      PartitionStream& other = parts[q];
      if (other.decided || other.window.empty() || other.in_flight > 0) continue;
      if (limbo_in_flight > 0 || !(now > other.last_ret)) continue;
      FENCELINE_ASSIGN_OR_RETURN(bool done, Commit(q, false));
      (void)done;
    }
    next_sweep = buffered + options.max_buffered_ops;
  }
  return OkStatus();
}

// A cut before an invoke at `now`: nothing of the partition in flight (info operations aside),
// and every operation of the segment returned before now, so before every later operation's
// call (times never decrease). Touching intervals are concurrent, hence the strict order.
Status StreamChecker::Impl::MaybeCut(uint32_t p) {
  PartitionStream& ps = parts[p];
  if (ps.decided || ps.window.empty() || ps.in_flight > 0 || limbo_in_flight > 0) return OkStatus();
  if (ps.window.size() < std::max(options.min_segment_ops, ps.retry_at)) return OkStatus();
  if (!(now > ps.last_ret)) return OkStatus();
  return Commit(p, false).status();
}

uint32_t StreamChecker::Impl::EffectId(PartitionStream& ps, const Operation& op) {
  std::string id = op.f;
  id += '\x1f';
  id += op.key ? 'k' : '-';
  id += op.input.ToEdn();
  auto [it, inserted] = ps.effect_ids.try_emplace(std::move(id), static_cast<uint32_t>(ps.effects.size()));
  if (inserted) ps.effects.push_back(op);
  return it->second;
}

// Effects no configuration holds any more are dropped, so that memory follows what is still
// open, not every info operation the partition ever had.
void StreamChecker::Impl::Compact(PartitionStream& ps) {
  if (ps.effects.size() < 64) return;
  std::vector<uint32_t> remap(ps.effects.size(), UINT32_MAX);
  for (const Config& c : ps.configs) {
    for (const auto& e : c.open) remap[e.first] = 0;
  }
  size_t used = 0;
  for (uint32_t& r : remap) {
    if (r == 0) r = static_cast<uint32_t>(used++);
  }
  if (2 * used > ps.effects.size()) return;
  std::vector<Operation> effects(used);
  for (size_t i = 0; i < remap.size(); ++i) {
    if (remap[i] != UINT32_MAX) effects[remap[i]] = std::move(ps.effects[i]);
  }
  ps.effects = std::move(effects);
  for (auto it = ps.effect_ids.begin(); it != ps.effect_ids.end();) {
    if (remap[it->second] == UINT32_MAX) {
      it = ps.effect_ids.erase(it);
    } else {
      it->second = remap[it->second];
      ++it;
    }
  }
  for (Config& c : ps.configs) {
    for (auto& e : c.open) e.first = remap[e.first];
  }
}

std::optional<Operation> StreamChecker::Impl::StateOp(const Value& state,
                                                      const Value& key) const {
  Operation w;
  w.index = kSyntheticIndex;
  w.outcome = Outcome::kOk;
  if (!key.is_nil()) w.key = key;
  w.call = kMinTime - 3;
  w.ret = kMinTime - 2;
  switch (family) {
    case Family::kRegister:
    case Family::kKv:
      // Compiled with the model's usual initial value and options, then overwritten: what
      // --nil-reads auto decides about nil is unchanged.
      w.f = "write";
      w.input = state;
      w.output = state;
      return w;
    case Family::kMutex:
      if (state == Value::Keyword("free")) return std::nullopt;
      w.f = "acquire";
      return w;
    case Family::kMultiRegister: {
      // One write of every register the state names (Describe: a map of key to value).
      if (state.items().empty()) return std::nullopt;
      std::vector<Value> micros;
      for (size_t i = 0; i + 1 < state.items().size(); i += 2) {
        micros.push_back(Value::Vector(
            {Value::Keyword("write"), state.items()[i], state.items()[i + 1]}));
      }
      w.f = "txn";
      w.input = Value::Vector(micros);
      w.output = Value::Vector(std::move(micros));
      return w;
    }
  }
  return std::nullopt;
}

void StreamChecker::Impl::GiveUp(uint32_t p, const PartitionStream& ps, const std::string& cap,
                                 std::string_view advice) {
  PartitionResult r;
  r.verdict = Verdict::kUnknown;
  r.op_count = ps.op_count;
  r.states_explored = ps.states_explored;
  r.reason = "streaming: more than " + cap + " at a cut (the segment ending at line " +
             std::to_string(ps.window.back().invoke_pos.line) + "); " + std::string(advice) +
             "check the whole file without --stream";
  Decide(p, std::move(r));
}

void StreamChecker::Impl::Decide(uint32_t p, PartitionResult r, std::string unlinearizable) {
  PartitionStream& ps = parts[p];
  ps.decided = true;
  r.key = ps.key;
  ps.result = r;
  buffered -= ps.window.size();
  ps.window.clear();
  ps.window.shrink_to_fit();
  ps.configs.clear();
  ps.effects.clear();
  ps.effect_ids.clear();
  decided.push_back(Decision{std::move(r), std::move(unlinearizable), last_line});
}

StatusOr<bool> StreamChecker::Impl::Commit(uint32_t p, bool final) {
  PartitionStream& ps = parts[p];
  // The window's info operations join every configuration's open set (unless applied in the
  // segment); inert ones (reads) are never carried.
  OpenSet added;
  bool has_append = false;
  for (const Operation& op : ps.window) {
    has_append |= kv && op.f == "append";
    if (op.outcome != Outcome::kInfo || InertInfo(op, family)) continue;
    const uint32_t id = EffectId(ps, op);
    auto it = std::lower_bound(added.begin(), added.end(), std::make_pair(id, 0u));
    if (it != added.end() && it->first == id) ++it->second;
    else added.insert(it, {id, 1u});
  }
  for (const Config& c : ps.configs) {
    for (const auto& e : c.open) has_append |= kv && ps.effects[e.first].f == "append";
  }

  internal::SearchLimits limits;
  limits.deadline = options.deadline;
  limits.deadline_cause = "deadline of the whole run";
  // (state, open) -> index in `next`.
  std::map<std::pair<std::string, OpenSet>, size_t> seen;
  std::vector<Config> next;
  std::optional<PartitionResult> unknown;
  std::optional<PartitionResult> best_violation;
  uint64_t explored = 0;
  size_t on_complete_calls = 0;

  for (const Config& start : ps.configs) {
    // The segment as a history of its own: an ok write of the configuration's state before
    // everything, its open info operations (called right after it, never returning), then the
    // window's operations with their own times.
    std::vector<Operation> head;
    if (std::optional<Operation> w = StateOp(start.state, ps.key)) head.push_back(std::move(*w));
    // spec index -> effect id (UINT32_MAX: not an open one)
    std::vector<uint32_t> effect_of(head.size(), UINT32_MAX);
    const uint32_t copy_cap = static_cast<uint32_t>(std::min<size_t>(ps.window.size() + 1, UINT32_MAX));
    for (const auto& [id, count] : start.open) {
      const uint32_t copies = SetsItsOwnState(ps.effects[id], family) ? std::min(count, copy_cap) : count;
      for (uint32_t c = 0; c < copies; ++c) {
        Operation o = ps.effects[id];
        o.call = kMinTime - 1;
        o.ret = kNever;
        o.outcome = Outcome::kInfo;
        head.push_back(std::move(o));
        effect_of.push_back(id);
      }
    }
    std::vector<const Operation*> ops;
    ops.reserve(head.size() + ps.window.size());
    for (const Operation& o : head) ops.push_back(&o);
    for (const Operation& o : ps.window) {
      ops.push_back(&o);
      effect_of.push_back(o.outcome == Outcome::kInfo && !InertInfo(o, family) ? EffectId(ps, o)
                                                                           : UINT32_MAX);
    }
    stats.peak_search_ops = std::max(stats.peak_search_ops, ops.size());
    FENCELINE_ASSIGN_OR_RETURN(std::unique_ptr<PartitionSpec> spec, model->Compile(ops, source));
    // The model leaves out info operations nothing in the segment observed (dropping one hides
    // no violation of the segment). Across a cut that holds only where a later write erases
    // what it did: in a kv key with appends a later append extends it instead, and a read in
    // a later segment may show it. Such a cut waits (docs/checking.md).
    // (Mutex and multi-register compiles drop no info operation that is not inert: checked
    // all the same, so that a model change cannot silently break the argument.)
    if (!final && (has_append || family == Family::kMutex || family == Family::kMultiRegister)) {
      for (uint32_t i = 0; i < ops.size(); ++i) {
        if (effect_of[i] != UINT32_MAX && !spec->Relevant(i)) {
          ps.retry_at = 2 * ps.window.size();
          return false;
        }
      }
    }
    std::function<void(uint64_t, const std::vector<uint32_t>&)> on_complete =
        [&](uint64_t state, const std::vector<uint32_t>& applied) {
          Config c;
          c.state = spec->Describe(state);
          OpenSet open = start.open;
          for (const auto& e : added) {
            auto it = std::lower_bound(open.begin(), open.end(), std::make_pair(e.first, 0u));
            if (it != open.end() && it->first == e.first) it->second += e.second;
            else open.insert(it, e);
          }
          for (uint32_t i : applied) {
            const uint32_t id = effect_of[i];
            if (id == UINT32_MAX) continue;
            auto it = std::lower_bound(open.begin(), open.end(), std::make_pair(id, 0u));
            if (it != open.end() && it->first == id && --it->second == 0) open.erase(it);
          }
          ++on_complete_calls;
          c.open = std::move(open);
          auto [it, fresh] = seen.try_emplace({c.state.ToEdn(), c.open}, next.size());
          if (fresh) next.push_back(std::move(c));
        };
    internal::MemoryAccount account(*budget);
    limits.memory = &account;
    // At the end of the history only whether some configuration finishes matters: the plain
    // search, which stops at the first linearization, is enough.
    limits.on_complete = final ? nullptr : &on_complete;
    on_complete_calls = 0;
    PartitionResult r = internal::SearchPartition(*spec, ops, limits);
    explored += r.states_explored;
    if (final && r.verdict == Verdict::kLinearizable) {
      next.push_back(Config{Value(), {}});
      unknown.reset();
      break;
    }
    if (r.verdict == Verdict::kUnknown) {
      unknown = std::move(r);
      // Enumerating, every configuration counts; at the end another may still finish.
      if (!final) break;
      continue;
    }
    if (!final && r.verdict == Verdict::kLinearizable && on_complete_calls == 0) {
      // No relevant operation at all: the search had nothing to enumerate.
      Config c{spec->Describe(spec->Init()), start.open};
      for (const auto& e : added) {
        auto it = std::lower_bound(c.open.begin(), c.open.end(), std::make_pair(e.first, 0u));
        if (it != c.open.end() && it->first == e.first) it->second += e.second;
        else c.open.insert(it, e);
      }
      seen.try_emplace({c.state.ToEdn(), c.open}, next.size());
      next.push_back(std::move(c));
    }
    if (r.verdict == Verdict::kNotLinearizable && r.counterexample) {
      Counterexample& cx = *r.counterexample;
      std::erase(cx.linearized, kSyntheticIndex);
      if (!best_violation || cx.linearized.size() > best_violation->counterexample->linearized.size()) {
        best_violation = std::move(r);
      }
    }
    if (next.size() > options.max_configurations) break;
  }
  ps.states_explored += explored;
  ++stats.cuts;
  if (unknown) {
    PartitionResult r = std::move(*unknown);
    r.op_count = ps.op_count;
    r.states_explored = ps.states_explored;
    r.counterexample.reset();
    Decide(p, std::move(r));
    return true;
  }
  if (next.size() > options.max_configurations) {
    GiveUp(p, ps, std::to_string(options.max_configurations) + " configurations", "");
    return true;
  }
  if (next.empty()) {
    PartitionResult r;
    if (best_violation) r = std::move(*best_violation);
    r.verdict = Verdict::kNotLinearizable;
    r.op_count = ps.op_count;
    r.states_explored = ps.states_explored;
    if (!r.counterexample) r.counterexample.emplace();
    std::string what;
    for (OpIndex i : r.counterexample->unlinearizable) {
      for (const Operation& op : ps.window) {
        if (op.index != i) continue;
        what = op.f + " " + op.input.ToEdn();
        if (op.outcome == Outcome::kOk && !op.output.is_nil()) what += " -> " + op.output.ToEdn();
        what += " (" + std::string(OutcomeName(op.outcome)) + ", line " +
                std::to_string(op.invoke_pos.line);
        if (op.complete_pos.line != 0) what += "-" + std::to_string(op.complete_pos.line);
        what += ")";
      }
    }
    Decide(p, std::move(r), std::move(what));
    return true;
  }
  // Dominance: of two configurations with the same state, one whose open set contains the
  // other's can do all the other can (its extra info operations may simply never happen).
  std::sort(next.begin(), next.end(), [](const Config& a, const Config& b) {
    if (a.state != b.state) return a.state < b.state;
    return a.open.size() > b.open.size();
  });
  std::vector<Config> kept;
  for (size_t i = 0; i < next.size();) {
    size_t j = i;
    const size_t group_start = kept.size();
    const Value state = next[i].state;  // next[i] itself is moved from below
    for (; j < next.size() && next[j].state == state; ++j) {
      bool dominated = false;
      for (size_t k = group_start; k < kept.size() && !dominated; ++k) {
        dominated = Contains(kept[k].open, next[j].open);
      }
      if (!dominated) kept.push_back(std::move(next[j]));
    }
    i = j;
  }
  ps.configs = std::move(kept);
  stats.peak_configurations = std::max(stats.peak_configurations, ps.configs.size());
  // Every distinct open info operation may still take effect at any later time, so it is kept
  // until the end; past the cap, memory would follow the history rather than the window.
  std::vector<uint32_t> open_ids;
  for (const Config& c : ps.configs) {
    for (const auto& e : c.open) open_ids.push_back(e.first);
  }
  std::sort(open_ids.begin(), open_ids.end());
  const size_t distinct_open =
      static_cast<size_t>(std::unique(open_ids.begin(), open_ids.end()) - open_ids.begin());
  stats.peak_open_info = std::max(stats.peak_open_info, distinct_open);
  if (distinct_open > options.max_open_info) {
    GiveUp(p, ps, std::to_string(options.max_open_info) + " distinct info operations open",
           "each may still take effect, so each is kept: ");
    return true;
  }
  buffered -= ps.window.size();
  ps.window.clear();
  if (ps.window.capacity() > 4 * options.min_segment_ops) ps.window.shrink_to_fit();
  ps.last_ret = kMinTime - 8;
  ps.retry_at = 0;
  Compact(ps);
  return true;
}

StatusOr<CheckResult> StreamChecker::Finish() {
  Impl& m = *impl_;
  if (!m.error.ok()) return m.error;
  m.error = InternalError("StreamChecker::Finish called twice");
  // Open invokes become info operations (HistoryBuilder::Finish does the same).
  for (ProcessSlot& proc : m.processes) {
    if (!proc.open) continue;
    proc.open = false;
    if (proc.limbo) continue;
    PartitionStream& ps = m.parts[proc.part];
    if (!ps.decided) --ps.in_flight;
  }
  for (Operation& op : m.limbo) {
    if (op.complete_pos.line != 0 || op.outcome != Outcome::kInfo) continue;
    if (m.options.independent && !op.key) return m.NotATuple(op);
    FENCELINE_ASSIGN_OR_RETURN(const uint32_t p, m.PartitionFor(op));
    FENCELINE_RETURN_IF_ERROR(m.Place(std::move(op), p, nullptr));
  }
  m.limbo.clear();
  m.limbo_in_flight = 0;
  try {
    for (uint32_t p = 0; p < m.parts.size(); ++p) {
      if (m.parts[p].decided) continue;
      if (!m.parts[p].window.empty()) FENCELINE_RETURN_IF_ERROR(m.Commit(p, true).status());
      if (m.parts[p].decided) continue;
      PartitionResult r;
      r.verdict = Verdict::kLinearizable;
      r.op_count = m.parts[p].op_count;
      r.states_explored = m.parts[p].states_explored;
      m.Decide(p, std::move(r));
    }
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kIoError, "out of memory while streaming (lower --memory-limit)");
  }
  CheckResult result;
  for (PartitionStream& ps : m.parts) {
    PartitionResult r = std::move(*ps.result);
    r.op_count = ps.op_count;
    result.partitions.push_back(std::move(r));
  }
  std::sort(result.partitions.begin(), result.partitions.end(),
            [](const PartitionResult& a, const PartitionResult& b) { return a.key < b.key; });
  bool any_unknown = false, any_violation = false;
  for (const PartitionResult& r : result.partitions) {
    any_unknown |= r.verdict == Verdict::kUnknown;
    any_violation |= r.verdict == Verdict::kNotLinearizable;
  }
  result.verdict = any_violation ? Verdict::kNotLinearizable
                   : any_unknown ? Verdict::kUnknown
                                 : Verdict::kLinearizable;
  return result;
}

}  // namespace fenceline
