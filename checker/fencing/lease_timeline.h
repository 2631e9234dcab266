// checker/fencing/lease_timeline.h
//
// The fencing analysis' view of a history (docs/fencing.md): the operations of the fencing
// vocabulary decoded once into flat records, grouped per lock and per resource, with each
// grant's conservative lease bounds. Every later check is a sweep over these arrays, so the
// Values are decoded once and nothing is quadratic in the number of operations.
//
// Bounds, for a grant of token T with lease D (ρ the drift):
//   granted in [granted_lo, granted_hi]: the acquire's invoke and completion (a grant record: its
//   time); certainly live until live_until = max over acquire/renew oks of (invoke + D(1-ρ));
//   certainly over by end_worst = min(max over acquire/renew oks of (completion + D(1+ρ)),
//       first release ok's completion, first expire/revoke record), or never if a renew of
//       unknown outcome may have extended it; end_face is the same with unknown renewals taken
//       as not having happened.
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

// A timestamp on a named clock. t == kNever: never (or unknown, for an unfinished operation).
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
  std::optional<Nanos> lease_ns;   // D, as measured; unset if nothing said
  Stamp live_until;                // certainly live (client view) until; kNever t: not known live
  Stamp end_worst;                 // certainly over after this; t == kNever: maybe never
  Stamp end_face;                  // the same, unknown renewals taken as not having happened
  bool authoritative = false;      // from a grant record
  bool implied = false;            // known only from a renew ok of an acquire of unknown outcome
  std::vector<EventRef> evidence;  // acquire invoke/ok or the record
  // Releases (ok or info) of this token; expire/revoke records.
  std::vector<uint32_t> releases;     // OpIndex
  std::vector<uint32_t> end_records;  // other_events index
  std::optional<EventRef> end_event;  // the event that fixes end_worst, if any
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
  std::vector<uint32_t> writes;         // indices into FencingInput::writes, by call
};

struct LockToken {
  uint32_t lock = 0;
  int64_t token = 0;
  friend bool operator==(const LockToken& a, const LockToken& b) {
    return a.lock == b.lock && a.token == b.token;
  }
};
struct LockTokenHash {
  size_t operator()(const LockToken& k) const {
    uint64_t h = static_cast<uint64_t>(k.token) * 0x9e3779b97f4a7c15ULL;
    return static_cast<size_t>(h ^ (uint64_t{k.lock} << 17) ^ (h >> 29));
  }
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
  std::vector<Grant> grants;
  std::vector<Write> writes;  // every write, any outcome
  std::vector<LockData> per_lock;
  // (lock, token) -> grants with that token, in grants order.
  std::unordered_map<LockToken, std::vector<uint32_t>, LockTokenHash> by_token;
  std::vector<std::string> notes;

  const std::vector<uint32_t>* GrantsWithToken(uint32_t lock, int64_t token) const;
  // The skew two stamps may be off by: 0 on one clock.
  Nanos SkewBetween(const Stamp& a, const Stamp& b) const { return a.node == b.node ? 0 : skew_ns; }
};

// Decodes `history`. kUnsupported "source:line:col: fencing: ..." for a malformed value of the
// vocabulary, or an operation outside it; kInvalidArgument for bad options.
StatusOr<FencingInput> BuildLeaseTimeline(const History& history, const FencingOptions& options);

// How two stamps are ordered under the clock model.
struct Order {
  bool certain = false;  // a before b for every clock assignment within the skew bound
  bool face = false;     // a before b as written
  bool cross = false;    // on different clocks
  Nanos gap = 0;         // b - a
};
Order Before(const FencingInput& in, const Stamp& a, const Stamp& b);

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
