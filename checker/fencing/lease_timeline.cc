// Decoding the fencing vocabulary into per-lock timelines (see the header for the bounds).
#include "checker/fencing/lease_timeline.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "checker/model/model_util.h"

namespace fenceline::internal {
namespace {

constexpr std::string_view kOperations = "acquire, renew, release, write, read";

// The field `name` of the completion's value if `prefer_output`, else of the invoke's, falling
// back to the other.
const Value* Field(const Operation& op, std::string_view name, bool prefer_output) {
  const Value* first = prefer_output ? &op.output : &op.input;
  const Value* second = prefer_output ? &op.input : &op.output;
  if (first->is_map()) {
    if (const Value* v = first->Find(name)) {
      if (!v->is_nil()) return v;
    }
  }
  if (second->is_map()) {
    if (const Value* v = second->Find(name)) {
      if (!v->is_nil()) return v;
    }
  }
  return nullptr;
}

std::string NameOf(const Value& v) { return v.is_string() ? v.text() : v.ToDisplay(); }

// The name without a copy when the Value is a string.
const std::string& NameRef(const Value& v, std::string& scratch) {
  if (v.is_string()) return v.text();
  scratch = v.ToDisplay();
  return scratch;
}

Status Malformed(const History& h, const Operation& op, std::string_view what) {
  return Unsupported(OpWhere(h.source, op) + "fencing: expected " + std::string(what) + " in " +
                     op.f + ", got " + (op.output.is_nil() ? op.input : op.output).ToEdn());
}

Status MalformedRecord(const History& h, const Event& e, std::string_view what) {
  return Unsupported(h.source + ":" + std::to_string(e.pos.line) + ":" +
                     std::to_string(e.pos.column) + ": fencing: expected " + std::string(what) +
                     " in " + e.f + " record, got " + e.value.ToEdn());
}

// Lease in ns, as measured, or nullopt; an error for a value that is not a number.
StatusOr<std::optional<Nanos>> LeaseOf(const Value* v) {
  if (v == nullptr) return std::optional<Nanos>();
  double ms = 0;
  if (v->is_int()) {
    ms = static_cast<double>(v->int_value());
  } else if (v->kind() == ValueKind::kFloat) {
    ms = v->float_value();
  } else {
    return InvalidArgument("lease_ms");
  }
  if (!(ms >= 0)) return InvalidArgument("lease_ms");
  return std::optional<Nanos>(static_cast<Nanos>(std::llround(ms * 1e6)));
}

Nanos Scale(Nanos d, double factor) {
  return static_cast<Nanos>(std::llround(static_cast<double>(d) * factor));
}

Nanos SatAdd(Nanos a, Nanos b) {
  if (a == kNever || b == kNever) return kNever;
  if (b > 0 && a > kNever - b) return kNever;
  return a + b;
}

bool IsRecord(std::string_view f) { return f == "grant" || f == "expire" || f == "revoke"; }

// Names numbered in sorted order, so that reports list locks and resources alphabetically:
// interned in first-seen order (one hash lookup an operation, no copy for a known name), then
// sorted once.
class NameTable {
 public:
  uint32_t Add(const std::string& s) {
    auto it = first_.find(s);
    if (it != first_.end()) return it->second;
    const auto id = static_cast<uint32_t>(names_.size());
    first_.emplace(s, id);
    names_.push_back(s);
    return id;
  }
  std::vector<std::string> Finish() {
    std::vector<uint32_t> order(names_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return names_[a] < names_[b]; });
    sorted_.assign(names_.size(), 0);
    std::vector<std::string> out;
    out.reserve(names_.size());
    for (uint32_t rank = 0; rank < order.size(); ++rank) {
      sorted_[order[rank]] = rank;
      out.push_back(names_[order[rank]]);
    }
    return out;
  }
  // After Finish: the sorted id of a first-seen id, or of a name (kNoIndex if unknown).
  uint32_t Sorted(uint32_t first_seen) const { return sorted_[first_seen]; }
  uint32_t Id(const std::string& s) const {
    auto it = first_.find(s);
    return it == first_.end() ? kNoIndex : sorted_[it->second];
  }

 private:
  std::unordered_map<std::string, uint32_t> first_;
  std::vector<std::string> names_;
  std::vector<uint32_t> sorted_;
};

// One operation of the vocabulary, decoded.
struct Decoded {
  uint32_t op = 0;
  enum class Kind : uint8_t { kAcquire, kRenew, kRelease, kWrite, kRead } kind = Kind::kAcquire;
  uint32_t name = 0;  // lock or resource, first-seen id in its NameTable
  int64_t token = 0;
  bool has_token = false;
  std::optional<Nanos> lease_ns;
};

}  // namespace

const std::vector<uint32_t>* FencingInput::GrantsWithToken(uint32_t lock, int64_t token) const {
  const auto& by_token = per_lock[lock].by_token;
  auto it = by_token.find(token);
  return it == by_token.end() ? nullptr : &it->second;
}

StatusOr<FencingInput> BuildLeaseTimeline(const History& history, const FencingOptions& options) {
  if (!(options.clock_skew_ms >= 0)) {
    return InvalidArgument("--clock-skew must be a number of ms >= 0, got " +
                           std::to_string(options.clock_skew_ms));
  }
  if (!(options.clock_drift_ppm >= 0 && options.clock_drift_ppm < 1e6)) {
    return InvalidArgument("--clock-drift must be a number of ppm in [0, 1000000), got " +
                           std::to_string(options.clock_drift_ppm));
  }
  FencingInput in;
  in.history = &history;
  in.timed = history.timed;
  in.drift = options.clock_drift_ppm / 1e6;

  // Pass 1: decode every operation and record, collecting names.
  std::vector<Decoded> decoded;
  decoded.reserve(history.ops.size());
  in.op_node.reserve(history.ops.size());
  NameTable lock_names, resource_names;
  std::string scratch;
  std::unordered_map<std::string, uint32_t> node_ids{{"", 0}};
  in.nodes.emplace_back();
  auto node_of = [&](const std::string& n) {
    auto [it, inserted] = node_ids.try_emplace(n, static_cast<uint32_t>(in.nodes.size()));
    if (inserted) in.nodes.push_back(n);
    return it->second;
  };
  for (const Operation& op : history.ops) {
    Decoded d;
    d.op = static_cast<uint32_t>(op.index);
    const bool is_lock_op = op.f == "acquire" || op.f == "renew" || op.f == "release";
    if (op.f == "acquire")
      d.kind = Decoded::Kind::kAcquire;
    else if (op.f == "renew")
      d.kind = Decoded::Kind::kRenew;
    else if (op.f == "release")
      d.kind = Decoded::Kind::kRelease;
    else if (op.f == "write")
      d.kind = Decoded::Kind::kWrite;
    else if (op.f == "read")
      d.kind = Decoded::Kind::kRead;
    else
      return UnknownOperation(history.source, op, "fencing", kOperations);
    const Value* name = Field(op, is_lock_op ? "lock" : "resource", false);
    if (name == nullptr) {
      return Malformed(history, op, is_lock_op ? "a \"lock\"" : "a \"resource\"");
    }
    const std::string& n = NameRef(*name, scratch);
    d.name = is_lock_op ? lock_names.Add(n) : resource_names.Add(n);
    const bool needs_token = d.kind == Decoded::Kind::kWrite || d.kind == Decoded::Kind::kRenew ||
                             d.kind == Decoded::Kind::kRelease ||
                             (d.kind == Decoded::Kind::kAcquire && op.outcome == Outcome::kOk);
    if (d.kind != Decoded::Kind::kRead) {
      const Value* token = Field(op, "token", true);
      if (token != nullptr && !token->is_int()) {
        return Malformed(history, op, "an integer \"token\"");
      }
      if (token != nullptr) {
        d.token = token->int_value();
        d.has_token = true;
      } else if (needs_token) {
        return Malformed(history, op, "an integer \"token\"");
      }
    }
    if (op.outcome == Outcome::kOk &&
        (d.kind == Decoded::Kind::kAcquire || d.kind == Decoded::Kind::kRenew)) {
      StatusOr<std::optional<Nanos>> lease = LeaseOf(Field(op, "lease_ms", true));
      if (!lease.ok()) return Malformed(history, op, "a number \"lease_ms\" >= 0");
      d.lease_ns = *lease;
    }
    in.op_node.push_back(node_of(op.node));
    decoded.push_back(std::move(d));
  }
  struct RecordRef {
    uint32_t event;
    std::string lock;
    int64_t token;
    std::string client;
    std::optional<Nanos> lease_ns;
  };
  std::vector<RecordRef> records;
  in.event_node.assign(history.other_events.size(), 0);
  for (uint32_t i = 0; i < history.other_events.size(); ++i) {
    const Event& e = history.other_events[i];
    if (!IsRecord(e.f)) continue;
    if (!e.value.is_map()) return MalformedRecord(history, e, "a value {lock, token, client}");
    const Value* lock = e.value.Find("lock");
    const Value* token = e.value.Find("token");
    const Value* client = e.value.Find("client");
    if (lock == nullptr) return MalformedRecord(history, e, "a \"lock\"");
    if (token == nullptr || !token->is_int()) {
      return MalformedRecord(history, e, "an integer \"token\"");
    }
    if (client == nullptr) return MalformedRecord(history, e, "a \"client\"");
    if (history.timed && !e.time) return MalformedRecord(history, e, "a \"time\"");
    StatusOr<std::optional<Nanos>> lease = LeaseOf(e.value.Find("lease_ms"));
    if (!lease.ok()) return MalformedRecord(history, e, "a number \"lease_ms\" >= 0");
    records.push_back({i, NameOf(*lock), token->int_value(), NameOf(*client), *lease});
    lock_names.Add(records.back().lock);
    in.event_node[i] = node_of(e.node);
  }
  for (const auto& [resource, lock] : options.lock_for) {
    if (resource.empty() || lock.empty()) {
      return InvalidArgument("--lock-for expects RESOURCE=LOCK, got '" + resource + "=" + lock +
                             "'");
    }
    lock_names.Add(lock);
  }
  in.locks = lock_names.Finish();
  in.resources = resource_names.Finish();
  in.resource_ops.resize(in.resources.size());
  in.resource_multi_clock.assign(in.resources.size(), false);
  for (const Decoded& d : decoded) {
    if (d.kind != Decoded::Kind::kWrite && d.kind != Decoded::Kind::kRead) continue;
    const uint32_t r = resource_names.Sorted(d.name);
    std::vector<uint32_t>& ops = in.resource_ops[r];
    if (!ops.empty() && in.op_node[ops.front()] != in.op_node[d.op]) {
      in.resource_multi_clock[r] = true;
    }
    ops.push_back(d.op);
  }
  // The skew bound applies only between two clocks the history actually uses: with every event
  // on one clock (named or not) it changes nothing.
  std::vector<bool> node_used(in.nodes.size(), false);
  for (uint32_t n : in.op_node) node_used[n] = true;
  for (const RecordRef& r : records) node_used[in.event_node[r.event]] = true;
  const auto clocks = std::count(node_used.begin(), node_used.end(), true);
  in.skew_ns = clocks > 1 ? static_cast<Nanos>(std::llround(options.clock_skew_ms * 1e6)) : 0;
  in.clients = history.process_names;
  std::unordered_map<std::string, uint32_t> client_ids;
  for (uint32_t i = 0; i < in.clients.size(); ++i) client_ids.emplace(in.clients[i], i);
  auto client_of = [&](const std::string& name) {
    auto [it, inserted] = client_ids.try_emplace(name, static_cast<uint32_t>(in.clients.size()));
    if (inserted) in.clients.push_back(name);
    return it->second;
  };

  // Resources to locks.
  std::map<std::string, std::string> explicit_lock(options.lock_for.begin(),
                                                   options.lock_for.end());
  in.resource_lock.assign(in.resources.size(), kNoIndex);
  for (uint32_t r = 0; r < in.resources.size(); ++r) {
    auto it = explicit_lock.find(in.resources[r]);
    if (it != explicit_lock.end()) {
      in.resource_lock[r] = lock_names.Id(it->second);
    } else if (uint32_t same = lock_names.Id(in.resources[r]); same != kNoIndex) {
      in.resource_lock[r] = same;
    } else if (in.locks.size() == 1) {
      in.resource_lock[r] = 0;
    } else {
      in.notes.push_back("resource " + in.resources[r] +
                         " maps to no lock (use --lock-for RESOURCE=LOCK): only stale-token is "
                         "checked on it");
    }
  }
  in.per_lock.resize(in.locks.size());

  const double shrink = 1 - in.drift, stretch = 1 + in.drift;
  auto stamp_call = [&](const Operation& op) {
    return Stamp{op.call, in.op_node[static_cast<uint32_t>(op.index)]};
  };
  auto stamp_ret = [&](const Operation& op) {
    return Stamp{op.ret, in.op_node[static_cast<uint32_t>(op.index)]};
  };
  auto add_grant = [&](Grant g) {
    const auto id = static_cast<uint32_t>(in.grants.size());
    in.per_lock[g.lock].by_token[g.token].push_back(id);
    in.grants.push_back(std::move(g));
    return id;
  };
  // Lease bookkeeping, folded into end_all / end_caps at the end.
  struct Ext {
    Stamp first;                // the grant's own length: min(acquire ok, record) + D(1+ρ)
    bool first_bounded = false;
    bool renew_unbounded = false;  // a renew ok without a lease: no bound
    bool may_extend = false;       // a renew of unknown outcome
    std::vector<Stamp> renewals;   // each renew ok's completion + D(1+ρ)
  };
  std::vector<Ext> ext;
  auto ext_of = [&](uint32_t g) -> Ext& {
    if (g >= ext.size()) ext.resize(g + 1);
    return ext[g];
  };
  // The lease of the grant itself, from an acquire ok (`from_client`: its invoke is when the
  // client may start relying on it) or a grant record (which bounds only the end: an etcd lease
  // is created before its holder waits for the lock). Both are upper bounds on the same end, so
  // the earlier one counts.
  auto bound_first = [&](uint32_t g, const Stamp& from_call, const Stamp& from_ret,
                         std::optional<Nanos> lease, bool from_client) {
    Grant& gr = in.grants[g];
    Ext& e = ext_of(g);
    if (!lease) return;
    if (!gr.lease_ns) gr.lease_ns = lease;
    if (from_client) {
      gr.live_until =
          in.LowerMax(gr.live_until, Stamp{SatAdd(from_call.t, Scale(*lease, shrink)), from_call.node});
    }
    const Stamp end{SatAdd(from_ret.t, Scale(*lease, stretch)), from_ret.node};
    if (end.t == kNever) return;
    e.first = e.first_bounded ? in.UpperMin(e.first, end) : end;
    e.first_bounded = true;
  };
  // A renew ok: the lease lasts at least D from it (a renewal never shortens a lease).
  auto renew = [&](uint32_t g, const Stamp& from_call, const Stamp& from_ret,
                   std::optional<Nanos> lease, bool relied_on) {
    Grant& gr = in.grants[g];
    Ext& e = ext_of(g);
    if (!lease) {
      e.renew_unbounded = true;
      return;
    }
    if (!gr.lease_ns) gr.lease_ns = lease;
    if (relied_on) {
      gr.live_until = in.LowerMax(gr.live_until,
                                  Stamp{SatAdd(from_call.t, Scale(*lease, shrink)), from_call.node});
    }
    const Stamp end{SatAdd(from_ret.t, Scale(*lease, stretch)), from_ret.node};
    if (end.t == kNever) {
      e.renew_unbounded = true;
      return;
    }
    // One bound a clock suffices: the latest.
    for (Stamp& r : e.renewals) {
      if (r.node == end.node) {
        r.t = std::max(r.t, end.t);
        return;
      }
    }
    e.renewals.push_back(end);
  };
  auto held = [&](uint32_t g, const Stamp& at) {
    if (at.t == kNever) return;
    for (Stamp& h : in.grants[g].held_at) {
      if (h.node == at.node) {
        h.t = std::max(h.t, at.t);
        return;
      }
    }
    in.grants[g].held_at.push_back(at);
  };
  auto cap = [&](uint32_t g, const Stamp& at, const EventRef& ref) {
    if (at.t == kNever) return;
    Grant& gr = in.grants[g];
    gr.end_caps.push_back(at);
    gr.cap_refs.push_back(ref);
  };

  // Pass 2: grants (acquire oks), unknown acquires.
  for (const Decoded& d : decoded) {
    const Operation& op = history.ops[d.op];
    if (d.kind != Decoded::Kind::kAcquire) continue;
    const uint32_t lock = lock_names.Sorted(d.name);
    if (op.outcome == Outcome::kInfo) {
      LockData& ld = in.per_lock[lock];
      const auto client = static_cast<uint32_t>(op.process);
      ld.unknown.push_back(UnknownAcquire{lock, client, d.op, stamp_call(op)});
      auto [it, inserted] = ld.earliest_unknown.try_emplace(client, stamp_call(op));
      if (!inserted) it->second = in.LowerMin(it->second, stamp_call(op));
      continue;
    }
    if (op.outcome != Outcome::kOk) continue;
    Grant g;
    g.lock = lock;
    g.token = d.token;
    g.client = static_cast<uint32_t>(op.process);
    g.granted_lo = stamp_call(op);
    g.granted_hi = stamp_ret(op);
    g.evidence.push_back({EventRef::Kind::kCompletion, d.op});
    const uint32_t id = add_grant(std::move(g));
    bound_first(id, stamp_call(op), stamp_ret(op), d.lease_ns, true);
  }
  // The earliest instant of a grant known only from a record or a renewal: one of its client's
  // acquires of unknown outcome issued it, so not before the earliest of their invokes; with none
  // in the history, unknown.
  auto implied_lo = [&](uint32_t lock, uint32_t client) {
    const auto& eu = in.per_lock[lock].earliest_unknown;
    auto it = eu.find(client);
    return it == eu.end() ? Stamp{kPast, 0} : it->second;
  };
  // Grant records: authoritative; merged with the acquire of the same token and client.
  for (const RecordRef& r : records) {
    const Event& e = history.other_events[r.event];
    if (e.f != "grant") continue;
    const uint32_t lock = lock_names.Id(r.lock);
    in.per_lock[lock].has_records = true;
    // A record naming no client of the history (an etcd lease whose owner the recorder could
    // not resolve) describes the acquire of the same token, whoever made it.
    const auto known = client_ids.find(r.client);
    const bool known_client =
        known != client_ids.end() && known->second < history.process_names.size();
    const uint32_t client = client_of(r.client);
    // Without times, a record's time is on no scale the operations share.
    const Stamp at{in.timed ? e.time.value_or(kNever) : kNever, in.event_node[r.event]};
    uint32_t id = kNoIndex;
    if (const auto* same = in.GrantsWithToken(lock, r.token)) {
      for (uint32_t g : *same) {
        if ((in.grants[g].client == client || !known_client) && !in.grants[g].authoritative) {
          id = g;
        }
      }
    }
    if (id == kNoIndex) {
      Grant g;
      g.lock = lock;
      g.token = r.token;
      g.client = client;
      g.granted_lo = known_client ? implied_lo(lock, client) : Stamp{kPast, 0};
      g.granted_hi = at;
      id = add_grant(std::move(g));
    } else {
      // The record is an upper bound on the grant's instant, like the acquire's completion; it
      // never moves the earliest instant (the acquire's invoke).
      Grant& g = in.grants[id];
      const Stamp hi = in.UpperMin(g.granted_hi, at);
      const Stamp other = hi.t == at.t && hi.node == at.node ? g.granted_hi : at;
      if (other.node != hi.node && !Before(in, hi, other).certain) g.granted_hi_alt = other;
      g.granted_hi = hi;
    }
    Grant& g = in.grants[id];
    g.authoritative = true;
    g.evidence.insert(g.evidence.begin(), {EventRef::Kind::kRecord, r.event});
    if (r.lease_ns || g.lease_ns) bound_first(id, at, at, r.lease_ns ? r.lease_ns : g.lease_ns, false);
  }
  // Pass 3: renewals, releases, expiries. An operation on (lock, token, client) applies to one
  // grant of it: the one, if the service issued the token to the client once; if it issued it
  // more than once (a fault non-monotonic-grant reports), to any grant not certainly after the
  // operation. Then it is only taken where that errs toward fewer certain violations: a release
  // or revoke excuses each candidate, a renewal may extend each, but none caps a lease's end or
  // extends what the client may rely on.
  std::vector<uint32_t> candidates;
  auto find_grants = [&](uint32_t lock, int64_t token, uint32_t client, const Stamp& by) {
    candidates.clear();
    if (const auto* same = in.GrantsWithToken(lock, token)) {
      for (uint32_t g : *same) {
        if (in.grants[g].client != client) continue;
        if (by.t != kNever && Before(in, by, in.grants[g].granted_lo).certain) continue;
        candidates.push_back(g);
      }
    }
    return candidates.size() == 1;
  };
  for (const Decoded& d : decoded) {
    const Operation& op = history.ops[d.op];
    if (d.kind != Decoded::Kind::kRenew && d.kind != Decoded::Kind::kRelease) continue;
    const uint32_t lock = lock_names.Sorted(d.name);
    const auto client = static_cast<uint32_t>(op.process);
    const Stamp by = op.outcome == Outcome::kOk ? stamp_ret(op) : Stamp{};
    bool unique = find_grants(lock, d.token, client, by);
    if (d.kind == Decoded::Kind::kRenew) {
      if (op.outcome == Outcome::kFail) continue;
      if (candidates.empty()) {
        if (op.outcome != Outcome::kOk) continue;
        // The lock service renewed a token we never saw granted: an acquire of unknown outcome
        // by this client issued it, before the renewal completed.
        Grant ng;
        ng.lock = lock;
        ng.token = d.token;
        ng.client = client;
        ng.implied = true;
        ng.granted_lo = implied_lo(lock, client);
        ng.granted_hi = stamp_ret(op);
        ng.evidence.push_back({EventRef::Kind::kCompletion, d.op});
        // Its own lease, from the acquire we did not see, has no known length, so nothing
        // bounds its end but a release or a record.
        candidates.push_back(add_grant(std::move(ng)));
        unique = true;
      }
      for (uint32_t g : candidates) {
        if (op.outcome == Outcome::kOk) {
          renew(g, stamp_call(op), stamp_ret(op), d.lease_ns, unique);
          if (unique) held(g, stamp_call(op));
        } else {
          ext_of(g).may_extend = true;
        }
      }
    } else {
      if (op.outcome == Outcome::kFail) continue;
      for (uint32_t g : candidates) {
        in.grants[g].releases.push_back(d.op);
        // An upper bound on the end, never proof the lease was held: etcd's unlock answers ok
        // on a lease already gone (docs/fencing.md, "release").
        if (unique && op.outcome == Outcome::kOk) {
          cap(g, stamp_ret(op), {EventRef::Kind::kCompletion, d.op});
        }
      }
    }
  }
  for (const RecordRef& r : records) {
    const Event& e = history.other_events[r.event];
    if (e.f == "grant") continue;
    const uint32_t lock = lock_names.Id(r.lock);
    const Stamp at{in.timed ? e.time.value_or(kNever) : kNever, in.event_node[r.event]};
    const bool unique = find_grants(lock, r.token, client_of(r.client), at);
    for (uint32_t g : candidates) {
      in.grants[g].end_records.push_back(r.event);
      // Stamped at or after the end it reports: an upper bound on it, like a release's ok.
      if (unique) cap(g, at, {EventRef::Kind::kRecord, r.event});
    }
  }
  ext.resize(in.grants.size());
  for (uint32_t g = 0; g < in.grants.size(); ++g) {
    Grant& gr = in.grants[g];
    const Ext& e = ext[g];
    gr.end_bounded_face = e.first_bounded && !e.renew_unbounded;
    gr.end_bounded = gr.end_bounded_face && !e.may_extend;
    if (e.first_bounded) gr.end_all.push_back(e.first);
    for (const Stamp& r : e.renewals) gr.end_all.push_back(r);
    in.per_lock[gr.lock].grants.push_back(g);
  }
  // Each lock's grants together, in their order: the checks sweep one lock at a time, and a
  // lock's grants spread over the whole array (one in a thousand with 1,000 locks) made every
  // access a cache miss once the array outgrew the cache (10M operations: 1M grants).
  {
    std::vector<uint32_t> new_of(in.grants.size());
    std::vector<Grant> grouped;
    grouped.reserve(in.grants.size());
    for (LockData& l : in.per_lock) {
      for (uint32_t& g : l.grants) {
        new_of[g] = static_cast<uint32_t>(grouped.size());
        grouped.push_back(std::move(in.grants[g]));
        g = new_of[g];
      }
    }
    in.grants = std::move(grouped);
    for (LockData& l : in.per_lock) {
      for (auto& [token, ids] : l.by_token) {
        for (uint32_t& g : ids) g = new_of[g];
      }
    }
  }

  // Writes, each lock's together (as its grants), then those no lock guards.
  std::vector<uint32_t> writes_before(in.locks.size() + 1, 0);
  for (const Decoded& d : decoded) {
    if (d.kind != Decoded::Kind::kWrite) continue;
    const uint32_t lock = in.resource_lock[resource_names.Sorted(d.name)];
    ++writes_before[lock == kNoIndex ? in.locks.size() : lock];
  }
  {
    uint32_t total = 0;
    for (uint32_t& n : writes_before) total += std::exchange(n, total);
    in.writes.resize(total);
  }
  for (const Decoded& d : decoded) {
    if (d.kind != Decoded::Kind::kWrite) continue;
    const Operation& op = history.ops[d.op];
    Write w;
    w.op = d.op;
    w.resource = resource_names.Sorted(d.name);
    w.lock = in.resource_lock[w.resource];
    w.client = static_cast<uint32_t>(op.process);
    w.token = d.token;
    w.outcome = op.outcome;
    w.call = stamp_call(op);
    w.ret = stamp_ret(op);
    const uint32_t at = writes_before[w.lock == kNoIndex ? in.locks.size() : w.lock]++;
    if (w.lock != kNoIndex) in.per_lock[w.lock].writes.push_back(at);
    in.writes[at] = w;
  }
  for (LockData& l : in.per_lock) {
    std::stable_sort(l.grants.begin(), l.grants.end(), [&](uint32_t a, uint32_t b) {
      const Grant& ga = in.grants[a];
      const Grant& gb = in.grants[b];
      // kPast (an unknown earliest instant) sorts first, as it may be before every grant.
      if (ga.granted_lo.t != gb.granted_lo.t) return ga.granted_lo.t < gb.granted_lo.t;
      return ga.token < gb.token;
    });
    std::stable_sort(
        l.unknown.begin(), l.unknown.end(),
        [](const UnknownAcquire& a, const UnknownAcquire& b) { return a.call.t < b.call.t; });
    std::stable_sort(l.writes.begin(), l.writes.end(), [&](uint32_t a, uint32_t b) {
      return in.writes[a].call.t < in.writes[b].call.t;
    });
  }
  if (!in.timed && !history.ops.empty()) {
    in.notes.push_back(
        "the history has no time on every client event: leases cannot be measured, so "
        "expired-lease-write, overlapping-leases and false-rejection were not checked");
  }
  std::sort(in.notes.begin(), in.notes.end());
  return in;
}

namespace {

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

// Per grant, beyond sizeof(Grant): a by_token entry (an unordered_map node with its vector,
// and a bucket), its index in its lock's list, the ext record built beside it (a Stamp and
// flags, and renewals), and the few small heap blocks of its own lists.
constexpr size_t kGrantOverhead = 96 + 2 * sizeof(uint32_t) + 64 + 6 * 32;

}  // namespace

// Heap bytes of one std::string copy of `n` chars: none within the inline buffer.
size_t TextBytes(size_t n) { return n > 15 ? n + 1 : 0; }

// Per name the decoding interns (lock, resource or clock), beyond its text: its table entry (an
// unordered_map node with the key's header, and buckets through a rehash), the first-seen list
// growing by doubling, the sorted ids and order, the sorted copy. A lock has its LockData and
// write count; a resource its list's header, lock, clock bit and a possible "maps to no lock"
// note; a clock its use bit.
constexpr size_t kNameOverhead =
    64 + 3 * sizeof(void*) + 3 * sizeof(std::string) + 2 * sizeof(uint32_t);
constexpr size_t kLockOverhead = kNameOverhead + sizeof(LockData) + sizeof(uint32_t);
constexpr size_t kResourceOverhead =
    kNameOverhead + sizeof(std::vector<uint32_t>) + sizeof(uint32_t) + 1 + sizeof(std::string) + 128;
constexpr size_t kClockOverhead = kNameOverhead + 1;

// The copies of a name's text held at once: its table's key and list, the sorted copy, and a
// resource's note.
constexpr size_t kNameCopies = 4;

// The distinct names of one kind, as views of the history's own strings (names that are not
// strings, rare, as their display form).
class DistinctNames {
 public:
  void Add(const Value& v) {
    if (v.is_string()) {
      Add(std::string_view(v.text()));
    } else {
      Add(std::string_view(*shown_.insert(v.ToDisplay()).first));
    }
  }
  void Add(std::string_view s) {
    // A string seen at this address is known without hashing its text: the history shares one
    // copy of a name among many operations (a miss only costs the set's lookup).
    const size_t slot = (reinterpret_cast<uintptr_t>(s.data()) >> 4) % kSlots;
    if (recent_[slot] == s.data() && recent_size_[slot] == s.size()) return;
    recent_[slot] = s.data();
    recent_size_[slot] = s.size();
    if (seen_.insert(s).second) text_ += TextBytes(s.size());
  }
  size_t Bytes(size_t overhead) const { return seen_.size() * overhead + kNameCopies * text_; }

 private:
  std::unordered_set<std::string_view> seen_;
  std::set<std::string> shown_;
  static constexpr size_t kSlots = 4093;
  std::vector<const char*> recent_ = std::vector<const char*>(kSlots, nullptr);
  std::vector<size_t> recent_size_ = std::vector<size_t>(kSlots, 0);
  size_t text_ = 0;
};

size_t TimelineBytesBound(const History& history, const FencingOptions& options) {
  // One look at each operation's name, outcome and lock or resource name: at most one grant an
  // acquire or renew ok (a renewal of a token never seen granted implies one) or grant record;
  // the names, however many, with their tables.
  size_t grants = history.other_events.size(), writes = 0, storage = 0, unknown = 0;
  DistinctNames locks, resources, clocks, clients;
  for (const Operation& op : history.ops) {
    const std::string& f = op.f;
    const bool lock_op = f == "acquire" || f == "renew" || f == "release";
    if (f == "write") {
      ++writes;
      ++storage;
    } else if (f == "read") {
      ++storage;
    } else if (op.outcome == Outcome::kOk && (f == "acquire" || f == "renew")) {
      ++grants;
    } else if (op.outcome == Outcome::kInfo && f == "acquire") {
      ++unknown;
    }
    if (const Value* name = Field(op, lock_op ? "lock" : "resource", false)) {
      (lock_op ? locks : resources).Add(*name);
    }
    clocks.Add(std::string_view(op.node.str()));
  }
  // Records: the decoding's copy of each (lock and client names), and their locks, clocks and
  // clients.
  size_t records = 0;
  for (const Event& e : history.other_events) {
    clocks.Add(std::string_view(e.node));
    if (!e.value.is_map()) continue;
    if (const Value* v = e.value.Find("lock")) locks.Add(*v);
    if (const Value* v = e.value.Find("client")) clients.Add(*v);
    ++records;
  }
  for (const std::string& p : history.process_names) clients.Add(std::string_view(p));
  for (const auto& [resource, lock] : options.lock_for) {
    locks.Add(std::string_view(lock));
    resources.Add(std::string_view(resource));
  }
  const size_t names = locks.Bytes(kLockOverhead) + resources.Bytes(kResourceOverhead) +
                       clocks.Bytes(kClockOverhead) + clients.Bytes(kNameOverhead) +
                       records * 2 * (2 * sizeof(std::string) + 32);
  const size_t ops = history.ops.size();
  // The grants array grows by doubling and is then regrouped by lock into a copy: up to three
  // times its final size at once. Each resource's list grows by doubling too; so does each
  // lock's list of unknown acquires, with an entry in its earliest-unknown table.
  return ops * (sizeof(Decoded) + sizeof(uint32_t)) +
         grants * (3 * sizeof(Grant) + kGrantOverhead) +
         writes * (sizeof(Write) + sizeof(uint32_t)) + storage * 2 * sizeof(uint32_t) +
         unknown * (2 * sizeof(UnknownAcquire) + 64 + 2 * sizeof(void*)) +
         history.other_events.size() * (sizeof(uint32_t) + 128) + names;
}

size_t TimelineBytes(const FencingInput& in) {
  size_t bytes = VectorBytes(in.op_node) + VectorBytes(in.event_node) + VectorBytes(in.grants) +
                 VectorBytes(in.writes) + VectorBytes(in.per_lock) + VectorBytes(in.resource_lock) +
                 in.resource_multi_clock.capacity() / 8;
  for (const std::vector<uint32_t>& ops : in.resource_ops) bytes += VectorBytes(ops);
  bytes += VectorBytes(in.resource_ops);
  for (const Grant& g : in.grants) {
    bytes += VectorBytes(g.end_all) + VectorBytes(g.end_caps) + VectorBytes(g.cap_refs) +
             VectorBytes(g.evidence) + VectorBytes(g.releases) + VectorBytes(g.end_records) +
             VectorBytes(g.held_at) + kGrantOverhead;
  }
  for (const LockData& l : in.per_lock) {
    bytes += VectorBytes(l.grants) + VectorBytes(l.unknown) + VectorBytes(l.writes) +
             l.earliest_unknown.size() * 48;
  }
  for (const std::vector<std::string>* names :
       {&in.nodes, &in.locks, &in.resources, &in.clients, &in.notes}) {
    bytes += VectorBytes(*names);
    for (const std::string& n : *names) bytes += n.capacity() + 1;
  }
  return bytes;
}

}  // namespace fenceline::internal
