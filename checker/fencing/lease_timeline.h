// checker/fencing/lease_timeline.h
//
// The fencing analysis' view of a history (docs/fencing.md): the operations of the fencing
// vocabulary decoded once into flat records, grouped per lock and per resource, with each
// grant's conservative bounds. Every later check is a sweep over these arrays, so the Values are
// decoded once and nothing is quadratic in the number of operations.
//
// The time model (docs/fencing.md, "The clock model"): every event gives an instant on its node's
// clock; an operation took effect between its invoke and its completion (an operation of unknown
// outcome: any time after its invoke, or never); a lock-service record (grant, expire, revoke) is
// stamped at or after the instant it reports, so it is an upper bound on it. A bound is a Stamp
// (a time on one clock); two bounds on different clocks are compared only through Before(),
// which applies the skew bound, and combined only by the helpers below, which never pick a bound
// by raw cross-clock timestamps unless either choice is sound. For a grant of token T, lease D:
//   granted in [granted_lo, granted_hi]: lo is the acquire's invoke (for a grant known only from a
//     record or a renewal: the earliest invoke of an acquire of unknown outcome by that client on
//     that lock, else kPast); hi is the acquire's completion or the grant record, the earlier
//     where the order is certain;
//   certainly live (client view) until live_until = max over acquire/renew oks of invoke + D(1-ρ);
//   certainly over once, for every world, either every stamp in end_all is passed (the lease's
//     length: min(acquire ok, grant record) + D(1+ρ), then every renew ok's completion +
//     D(1+ρ); a renewal never shortens a lease) or any stamp in end_caps is (a release ok's
//     completion, an expire or revoke record). A renew of unknown outcome may have extended the
//     lease indefinitely: then only end_caps bound it (end_bounded false); end_bounded_face is the
//     same with unknown renewals taken as not having happened.
// Defined in lease_timeline.cc (the decoding and its memory), clock_model.cc (Before and the
// bound helpers, GrantedBefore, LeaseOverBefore, Proof) and violation_timeline.cc (the timeline
// entries and FormatSeconds).
#ifndef FENCELINE_CHECKER_FENCING_LEASE_TIMELINE_H_
#define FENCELINE_CHECKER_FENCING_LEASE_TIMELINE_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fenceline/fencing.h"
#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline::internal {

inline constexpr uint32_t kNoIndex = std::numeric_limits<uint32_t>::max();

// Before every instant: an unknown lower bound.
inline constexpr Nanos kPast = std::numeric_limits<Nanos>::min();

// A timestamp on a named clock. t == kNever: never (or unknown, for an unfinished operation);
// t == kPast: no lower bound.
struct Stamp {
  Nanos t = kNever;
  uint32_t node = 0;  // index into FencingInput::nodes; 0 is the default clock ""
};

// A reference to one input event: an operation's invoke or completion, or a record.
struct EventRef {
  enum class Kind : uint8_t { kInvoke, kCompletion, kRecord } kind = Kind::kInvoke;
  uint32_t index = 0;  // OpIndex for invoke/completion, index into other_events for a record
};

struct Grant {
  uint32_t lock = 0;
  int64_t token = 0;
  uint32_t client = 0;             // index into FencingInput::clients
  Stamp granted_lo, granted_hi;    // the service granted it somewhere in between
  // A second upper bound on another clock, when neither is certainly the earlier (an acquire's
  // ok and the grant's record): the grant was before both. t == kNever: none.
  Stamp granted_hi_alt;
  std::optional<Nanos> lease_ns;   // D, as measured; unset if nothing said
  Stamp live_until;                // certainly live (client view) until; kNever t: not known live
  // Certainly over after all of end_all (if end_bounded) or after any of end_caps (header).
  std::vector<Stamp> end_all;
  bool end_bounded = false;       // end_all bounds the lease
  bool end_bounded_face = false;  // the same, unknown renewals taken as not having happened
  std::vector<Stamp> end_caps;
  std::vector<EventRef> cap_refs;  // the event of each end_caps entry
  bool authoritative = false;      // from a grant record
  bool implied = false;            // known only from a renew ok of an acquire of unknown outcome
  std::vector<EventRef> evidence;  // acquire invoke/ok or the record
  // Releases (ok or info) of this token; expire/revoke records.
  std::vector<uint32_t> releases;     // OpIndex
  std::vector<uint32_t> end_records;  // other_events index
  // Instants at which the lease was still held, whatever revoke records say: the invokes of its
  // renew oks (the service renewed a lease it still held, at some point after the invoke). Not
  // its release oks: a release may answer ok on a lease already gone (etcd's unlock is an
  // idempotent delete). The latest on each clock.
  std::vector<Stamp> held_at;
};

// An acquire of unknown outcome: it may have granted some token at any time after its invoke.
struct UnknownAcquire {
  uint32_t lock = 0;
  uint32_t client = 0;
  uint32_t op = 0;
  Stamp call;
};

struct Write {
  uint32_t op = 0;  // OpIndex
  uint32_t resource = 0;
  uint32_t lock = kNoIndex;  // kNoIndex: no lock guards the resource
  uint32_t client = 0;
  int64_t token = 0;
  Outcome outcome = Outcome::kOk;
  Stamp call, ret;  // ret.t == kNever for info
};

struct LockData {
  std::vector<uint32_t> grants;         // indices into FencingInput::grants, by (granted_lo, token)
  std::vector<UnknownAcquire> unknown;  // by call
  bool has_records = false;             // the service's grant records are authoritative
  // (client -> the earliest invoke of its acquires of unknown outcome on this lock)
  std::unordered_map<uint32_t, Stamp> earliest_unknown;
  std::vector<uint32_t> writes;         // indices into FencingInput::writes, by call
  // token -> this lock's grants with that token, in grants order. One table a lock, not one
  // for the history: the checks run a lock at a time, and a lock's table stays in cache where
  // one of every grant (1M entries at 10M operations) missed on each lookup.
  std::unordered_map<int64_t, std::vector<uint32_t>> by_token;
};

struct FencingInput {
  const History* history = nullptr;
  bool timed = false;
  Nanos skew_ns = 0;                    // 0 when every event is on one clock
  double drift = 0;                     // ρ, a fraction
  std::vector<std::string> nodes;       // node 0 is ""
  std::vector<uint32_t> op_node;        // OpIndex -> its node
  std::vector<uint32_t> event_node;     // other_events index -> its node
  std::vector<std::string> locks;       // sorted
  std::vector<std::string> resources;   // sorted
  std::vector<std::string> clients;     // process names, then record-only clients
  std::vector<uint32_t> resource_lock;  // resource -> lock or kNoIndex
  // resource -> its storage operations (writes of any outcome, reads), in OpIndex order; and
  // whether they were stamped on more than one clock. The stale-token check works from these,
  // never from a scan of the whole history.
  std::vector<std::vector<uint32_t>> resource_ops;
  std::vector<bool> resource_multi_clock;
  std::vector<Grant> grants;
  std::vector<Write> writes;  // every write, any outcome
  std::vector<LockData> per_lock;
  std::vector<std::string> notes;

  const std::vector<uint32_t>* GrantsWithToken(uint32_t lock, int64_t token) const;
  // The skew two stamps may be off by: 0 on one clock.
  Nanos SkewBetween(const Stamp& a, const Stamp& b) const { return a.node == b.node ? 0 : skew_ns; }

  // Combining two bounds on one instant under the clock model. Each result is sound in every
  // world: UpperMin/LowerMax return one of the two (both are valid; the tighter one when the order
  // is certain or they share a clock); LowerMin returns a bound below both, on a's clock.
  Stamp UpperMin(const Stamp& a, const Stamp& b) const;
  Stamp LowerMax(const Stamp& a, const Stamp& b) const;
  Stamp LowerMin(const Stamp& a, const Stamp& b) const;
};

// Decodes `history`. kUnsupported "source:line:col: fencing: ..." for a malformed value of the
// vocabulary, or an operation outside it; kInvalidArgument for bad options.
StatusOr<FencingInput> BuildLeaseTimeline(const History& history, const FencingOptions& options);

// The memory the fencing analysis charges to --memory-limit for its own arrays (the searches
// charge theirs): before decoding, an upper bound for `history` (the decoding's peak: the
// per-operation records it keeps while it builds, and what it keeps after), so that a refusal
// comes before the memory is taken, however many locks, resources and clocks it names; and
// after, the bytes `in` holds. Bytes.
size_t TimelineBytesBound(const History& history, const FencingOptions& options = {});
size_t TimelineBytes(const FencingInput& in);

// How two stamps are ordered under the clock model. kPast is before every stamp but kPast, kNever
// after every stamp; neither is ordered "as written" against the other.
struct Order {
  bool certain = false;  // a before b for every clock assignment within the skew bound
  bool face = false;     // a before b as written
  bool cross = false;    // on different clocks
  Nanos gap = 0;         // b - a
};
Order Before(const FencingInput& in, const Stamp& a, const Stamp& b);

// Whether `g` was granted before `x`: by either of its upper bounds.
Order GrantedBefore(const FencingInput& in, const Grant& g, const Stamp& x);

// Whether the lease of `g` is over before `x`: certain if it is in every world (all of end_all
// passed, or one of end_caps); face as written (unknown renewals taken as not having happened
// when `face_only`). `at` is the bound that decides it, `cap` its index in end_caps or -1 for the
// lease's length. No bound at all: at.t == kNever.
struct EndBefore {
  Order order;
  Stamp at;
  int cap = -1;
};
EndBefore LeaseOverBefore(const FencingInput& in, const Grant& g, const Stamp& x, bool face_only);

// Accumulates the comparisons a violation rests on.
struct Proof {
  bool certain = true;
  bool face = true;
  bool unknown_outcome = false;  // an info operation, not the clock, makes it uncertain
  std::optional<Nanos> margin;   // the least gap among uncertain cross-clock comparisons

  // Requires `o`; returns whether it still holds at face value.
  bool Need(const Order& o);
};

// Timeline entries for an operation (its invoke and completion) or a record.
void AppendOp(const History& h, uint32_t op, std::string note, std::vector<TimelineEvent>& out);
void AppendRecord(const History& h, uint32_t event, std::string note,
                  std::vector<TimelineEvent>& out);
void AppendRef(const History& h, const EventRef& ref, std::string note,
               std::vector<TimelineEvent>& out);
// Sorts by time (events without one last), then line.
void SortTimeline(std::vector<TimelineEvent>& timeline);

// "12.031 s" for a time in ns; "1.2 s" for a duration.
std::string FormatSeconds(Nanos ns);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_FENCING_LEASE_TIMELINE_H_
