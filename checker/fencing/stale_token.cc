// The stale-token check through the linearizability engine (see the header).
#include "checker/fencing/stale_token.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <utility>

#include "checker/model/fenced_register_model.h"
#include "checker/search/partition.h"
#include "fenceline/check.h"

namespace fenceline::internal {
namespace {

struct Storage {
  const History* view = nullptr;  // the history searched: the input itself, or `copy`
  History copy;
  std::vector<uint32_t> original;  // copy's op -> OpIndex in the input; empty: the same
  uint32_t Original(OpIndex i) const {
    return original.empty() ? static_cast<uint32_t>(i) : original[static_cast<uint32_t>(i)];
  }
};

std::string ResourceName(const Value& key) {
  return key.is_string() ? key.text() : key.ToDisplay();
}

// The index of the resource a partition's key names, or kNoIndex.
uint32_t ResourceIndex(const FencingInput& in, const std::string& name) {
  auto it = std::lower_bound(in.resources.begin(), in.resources.end(), name);
  if (it == in.resources.end() || *it != name) return kNoIndex;
  return static_cast<uint32_t>(it - in.resources.begin());
}

// A copy of the storage operations the engine needs, those of `resources` (accepted writes, writes
// of unknown outcome, reads), each widened by `by` ns on each side. Only these resources'
// operations are visited, from the timeline's lists, not the whole history.
Storage StorageHistory(const FencingInput& in, const std::vector<uint32_t>& resources, Nanos by) {
  const History& h = *in.history;
  Storage s;
  s.copy.source = h.source;
  s.copy.process_names = h.process_names;
  s.copy.timed = h.timed;
  std::vector<uint32_t> picked;
  for (uint32_t r : resources) {
    for (uint32_t i : in.resource_ops[r]) {
      const Operation& op = h.ops[i];
      if (op.f == "write" && op.outcome == Outcome::kFail) continue;
      picked.push_back(i);
    }
  }
  // Every operation is widened alike, so call order is the widened call order.
  std::sort(picked.begin(), picked.end(), [&](uint32_t a, uint32_t b) {
    return h.ops[a].call != h.ops[b].call ? h.ops[a].call < h.ops[b].call : a < b;
  });
  s.copy.ops.reserve(picked.size());
  for (uint32_t i : picked) {
    // Only what the model and the search read; reports go back to the input's operation.
    const Operation& from = h.ops[i];
    Operation op;
    op.process = from.process;
    op.outcome = from.outcome;
    op.f = from.f;
    op.input = from.input;
    if (from.f == "read") op.output = from.output;
    op.call = from.call;
    op.ret = from.ret;
    op.invoke_pos = from.invoke_pos;
    op.complete_pos = from.complete_pos;
    op.index = static_cast<OpIndex>(s.copy.ops.size());
    if (by > 0) {
      op.call -= by;
      if (op.ret != kNever) op.ret += by;
    }
    s.copy.ops.push_back(std::move(op));
    s.original.push_back(i);
  }
  return s;
}

Violation Explain(const FencingInput& in, const Storage& s, const PartitionResult& p,
                  Certainty certainty) {
  const History& h = *in.history;
  Violation v;
  v.id = "stale-token";
  v.severity = Severity::kError;
  v.certainty = certainty;
  v.resource = ResourceName(p.key);
  auto rit = std::lower_bound(in.resources.begin(), in.resources.end(), v.resource);
  if (rit != in.resources.end() && *rit == v.resource) {
    const uint32_t lock = in.resource_lock[static_cast<size_t>(rit - in.resources.begin())];
    if (lock != kNoIndex) v.lock = in.locks[lock];
  }
  const Counterexample& ce = *p.counterexample;
  if (ce.unlinearizable.empty()) {
    v.message = "the storage's writes and reads on " + v.resource +
                " are not linearizable against a fenced register";
    return v;
  }
  const uint32_t u = s.Original(ce.unlinearizable.front());
  const Operation& bad = h.ops[u];
  const std::string& who = h.process_names[static_cast<uint32_t>(bad.process)];
  const Value* state_token = ce.state.is_map() ? ce.state.Find("token") : nullptr;
  const std::string at = bad.invoke_time ? " at " + FormatSeconds(*bad.invoke_time) : "";
  if (bad.f == "write") {
    const Value* t = bad.input.is_map() ? bad.input.Find("token") : nullptr;
    const int64_t token = t != nullptr && t->is_int() ? t->int_value() : 0;
    // The higher-token accepted write the stale one came after: the one the search's state
    // holds if it certainly precedes, else the latest higher-token write that does.
    const Operation* higher = nullptr;
    int64_t higher_token = 0;
    bool higher_held = false;
    // The resource's own accepted writes, in either pass (the widened copy holds the same
    // ones): one violation a resource, so this stays linear in the history.
    const uint32_t res = ResourceIndex(in, v.resource);
    static const std::vector<uint32_t> kNone;
    for (uint32_t oi : res == kNoIndex ? kNone : in.resource_ops[res]) {
      const Operation& orig = h.ops[oi];
      if (orig.f != "write" || orig.outcome != Outcome::kOk) continue;
      const Value* ot = orig.input.is_map() ? orig.input.Find("token") : nullptr;
      if (ot == nullptr || !ot->is_int() || ot->int_value() <= token) continue;
      if (orig.ret >= bad.call) continue;
      // Prefer the write whose token the search's state holds, then the highest token.
      const bool held = state_token != nullptr && *state_token == *ot;
      const bool better = higher == nullptr || (held && !higher_held) ||
                          (held == higher_held && ot->int_value() > higher_token);
      if (better) {
        higher = &orig;
        higher_token = ot->int_value();
        higher_held = held;
      }
    }
    v.clients.push_back(who);
    v.tokens.push_back(token);
    AppendOp(h, u, "stale write with token " + std::to_string(token) + ", accepted", v.timeline);
    if (higher != nullptr) {
      const std::string& hw = h.process_names[static_cast<uint32_t>(higher->process)];
      if (hw != who) v.clients.push_back(hw);
      v.tokens.push_back(higher_token);
      AppendOp(h, static_cast<uint32_t>(higher->index),
               "accepted write with the higher token " + std::to_string(higher_token), v.timeline);
      v.message = "the storage accepted " + who + "'s write with token " + std::to_string(token) +
                  " on " + v.resource + at + " after it had accepted " + hw +
                  "'s write with token " + std::to_string(higher_token) +
                  (higher->complete_time
                       ? " (acknowledged at " + FormatSeconds(*higher->complete_time) + ")"
                       : "") +
                  "; it must reject tokens below the highest it has seen";
      if (certainty == Certainty::kPossible && higher->node != bad.node) {
        v.margin_ms = static_cast<double>(bad.call - higher->ret) / 1e6;
      }
    } else {
      v.message = "the storage accepted " + who + "'s write with token " + std::to_string(token) +
                  " on " + v.resource + at +
                  " although no order of its other writes and reads lets a fenced register "
                  "accept it (state then: " +
                  ce.state.ToEdn() + ")";
    }
  } else {
    const Value* got = bad.output.is_map() ? bad.output.Find("value") : nullptr;
    v.clients.push_back(who);
    AppendOp(h, u, "read that no fenced order explains", v.timeline);
    v.message = who + "'s read of " + v.resource + at + " returned " +
                (got ? got->ToEdn() : std::string("nil")) +
                ", which no order of the storage's accepted writes explains under fencing "
                "(state then: " +
                ce.state.ToEdn() + ")";
  }
  // The prefix the search could linearize ends with the writes that set the state; show the
  // last few for context.
  const size_t context = std::min<size_t>(ce.linearized.size(), 3);
  for (size_t i = ce.linearized.size() - context; i < ce.linearized.size(); ++i) {
    const uint32_t o = s.Original(ce.linearized[i]);
    if (h.ops[o].f != "write") continue;
    AppendOp(h, o, "", v.timeline);
  }
  SortTimeline(v.timeline);
  return v;
}

}  // namespace

StatusOr<std::vector<Partition>> StoragePartitions(const FencingInput& in, const Model& model) {
  const History& h = *in.history;
  // The storage operations are visited in history order, not resource by resource: a
  // resource's operations lie one in a thousand apart (1,000 resources), so that each was a few
  // cache and TLB misses (the operation, its value's box and items), and at 10M operations
  // (a 4 GB history) page walks that miss as well; in history order they follow one another in
  // memory. Each partition still gets its operations in OpIndex order, and the error is still
  // the first operation's in the history.
  std::vector<uint32_t> resource_of(h.ops.size(), kNoIndex);
  for (uint32_t r = 0; r < in.resource_ops.size(); ++r) {
    for (uint32_t i : in.resource_ops[r]) resource_of[i] = r;
  }
  std::vector<Partition> parts;
  // resource -> its partitions in `parts`, first seen first (one but for odd input)
  std::vector<std::vector<uint32_t>> parts_of(in.resource_ops.size());
  Partition nil;  // storage operations the model keys as nil, from any resource
  for (uint32_t i = 0; i < h.ops.size(); ++i) {
    const uint32_t r = resource_of[i];
    if (r == kNoIndex) continue;
    const Operation& op = h.ops[i];
    StatusOr<Value> key = model.PartitionOf(op);
    if (!key.ok()) return Status(key.status().code(), h.source + key.status().message());
    if (key->is_nil()) {
      nil.ops.push_back(&op);
      continue;
    }
    std::vector<uint32_t>& mine = parts_of[r];
    size_t g = 0;
    while (g < mine.size() && !(parts[mine[g]].key == *key)) ++g;
    if (g == mine.size()) {
      mine.push_back(static_cast<uint32_t>(parts.size()));
      parts.emplace_back();
      parts.back().key = std::move(key).value();
      parts.back().ops.reserve(in.resource_ops[r].size());
    }
    parts[mine[g]].ops.push_back(&op);
  }
  if (!nil.ops.empty()) parts.push_back(std::move(nil));
  // Keys are distinct (a key names its resource), so the order is the keys' alone.
  std::sort(parts.begin(), parts.end(),
            [](const Partition& a, const Partition& b) { return a.key < b.key; });
  return parts;
}

StatusOr<StaleTokenOutcome> CheckStaleTokens(const FencingInput& in, const FencingOptions& options,
                                             MemoryBudget& budget) {
  const History& h = *in.history;
  StaleTokenOutcome out;
  std::unique_ptr<Model> model = MakeFencedRegisterModelForFencing();
  CheckOptions co;
  co.threads = options.threads;
  co.time_limit = options.time_limit;
  // The stale-token violation is built from the counterexample alone (Explain above): a proof
  // of it would be searched for and thrown away, in both passes.
  co.explain = false;
  co.time_used = {options.time_used};
  co.deadline = options.deadline;

  // The skew bound matters only on a resource whose storage operations were stamped on more than
  // one clock: those are widened by half the bound on each side (so only orders that hold under
  // every clock assignment constrain the search); the others are searched as written.
  const Nanos widen = in.skew_ns > 0 ? (in.skew_ns + 1) / 2 : 0;
  auto multi = [&](uint32_t r) { return widen > 0 && r != kNoIndex && in.resource_multi_clock[r]; };
  // Pass 1, as written: every order a widened search allows, this one allows too, so a resource
  // found linearizable here is clean under every clock assignment, and the common case costs
  // one search. Only a resource on several clocks that fails (or is unknown) here is searched
  // again, widened, to tell certain from possible.
  Storage face;
  face.view = &h;
  co.on_progress = options.on_progress;
  FENCELINE_ASSIGN_OR_RETURN(std::vector<Partition> parts, StoragePartitions(in, *model));
  FENCELINE_ASSIGN_OR_RETURN(CheckResult r1,
                             CheckPartitionsInBudget(h, std::move(parts), *model, co, budget));
  co.on_progress = nullptr;
  std::map<std::string, const PartitionResult*> again;  // resource -> its as-written result
  std::vector<uint32_t> again_index;
  for (const PartitionResult& p : r1.partitions) {
    if (p.key.is_nil()) continue;  // storage operations that name no resource
    const std::string name = ResourceName(p.key);
    if (p.verdict == Verdict::kLinearizable) continue;
    const uint32_t r = ResourceIndex(in, name);
    if (multi(r)) {
      again.emplace(name, &p);
      again_index.push_back(r);
    } else if (p.verdict == Verdict::kNotLinearizable && p.counterexample) {
      out.violations.push_back(Explain(in, face, p, Certainty::kCertain));
    } else if (p.verdict == Verdict::kUnknown) {
      out.unknown = true;
      out.notes.push_back("stale-token search on resource " + name + " was inconclusive: " +
                          p.reason);
    }
  }
  if (again.empty()) return out;
  Storage widened = StorageHistory(in, again_index, widen);
  widened.view = &widened.copy;
  FENCELINE_ASSIGN_OR_RETURN(
      CheckResult r2,
      std::move(CheckHistoriesInBudget({widened.view}, *model, co, budget).front()));
  for (const PartitionResult& p : r2.partitions) {
    if (p.key.is_nil()) continue;
    const std::string name = ResourceName(p.key);
    const PartitionResult& first = *again.at(name);
    const bool face_violation = first.verdict == Verdict::kNotLinearizable && first.counterexample;
    if (p.verdict == Verdict::kNotLinearizable && p.counterexample) {
      out.violations.push_back(Explain(in, widened, p, Certainty::kCertain));
      continue;
    }
    if (face_violation) {
      // Fails as written only, or as written and unknown widened: possible.
      out.violations.push_back(Explain(in, face, first, Certainty::kPossible));
    } else {
      out.unknown = true;
      out.notes.push_back("stale-token search on resource " + name +
                          " as written was inconclusive: " + first.reason);
    }
    if (p.verdict == Verdict::kUnknown) {
      out.unknown = true;
      out.notes.push_back("stale-token search on resource " + name +
                          " under the skew bound (to tell certain from possible) was "
                          "inconclusive: " +
                          p.reason);
    }
  }
  return out;
}

}  // namespace fenceline::internal
