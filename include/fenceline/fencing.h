// include/fenceline/fencing.h
//
// Lease and fencing-token analysis (docs/fencing.md). Given a history of lock operations
// (acquire, renew, release, and the lock service's grant/expire/revoke records) and storage
// operations (write, read), finds the ways a lock failed to protect a resource:
//   1. Build, per lock, a timeline of grants with conservative lease bounds: when the client may
//      rely on its lease, and until when the service may still consider it live.
//   2. Sweep each lock's grants and each resource's writes in time order for the lease and token
//      checks (expired-lease-write, forged-token, foreign-token, overlapping-leases,
//      non-monotonic-grant, false-rejection).
//   3. Check the storage's writes and reads per resource against the fenced-register model with
//      the linearizability engine (stale-token), so concurrency and unknown outcomes are sound.
// Every comparison of two timestamps goes through the clock model (skew between nodes, drift of
// lease durations); a violation that holds under some but not all clock assignments or outcomes
// of unknown operations is reported as possible, with the skew that would explain it away.
#ifndef FENCELINE_FENCING_H_
#define FENCELINE_FENCING_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline {

struct FencingOptions {
  // How far two nodes' clocks may disagree, in ms. 0: one clock.
  double clock_skew_ms = 0;
  // Rate error of every clock, in parts per million: a lease of D ms lasts [D(1-ρ), D(1+ρ)].
  double clock_drift_ppm = 0;
  // (resource, lock) pairs; a resource not listed is guarded by the lock of the same name, else
  // by the history's only lock.
  std::vector<std::pair<std::string, std::string>> lock_for;
  int threads = 0;                              // 0: every core. 1: fully serial.
  std::chrono::milliseconds time_limit{0};      // for the stale-token search; 0: none
  // Time already spent on the history (its parsing), counted against time_limit, which
  // messages name as given ("time limit of 2 s reached ...").
  std::chrono::steady_clock::duration time_used{0};
  // One deadline for the stale-token search, as CheckOptions::deadline; max(): none.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Bytes the stale-token searches (both passes, all threads together) may hold at once.
  size_t memory_budget = DefaultMemoryBudget();
  // Progress of the stale-token search's first pass, which searches every resource (one
  // partition each), as CheckOptions::on_progress reports it.
  // The second pass re-searches only resources on several clocks and is not counted. Never
  // changes a result. Empty: none.
  std::function<void(const CheckProgress&)> on_progress;
};

enum class Severity : uint8_t { kError, kWarning };
std::string_view SeverityName(Severity s);  // "error", "warning"

enum class Certainty : uint8_t { kCertain, kPossible };
std::string_view CertaintyName(Certainty c);  // "certain", "possible"

// One event of a violation's evidence, in time order within the violation.
struct TimelineEvent {
  std::optional<Nanos> time;  // as written, on `node`'s clock
  std::string node;
  std::string process;  // process name as written
  std::string type;     // "invoke", "ok", "fail", "info"
  std::string f;
  Value value;
  Value error;
  uint32_t line = 0;  // input line; 0 for events built in code
  std::string note;   // the event's part in the violation: "p5 granted token 35"
};

struct Violation {
  std::string id;  // "stale-token", "expired-lease-write", ... (docs/fencing.md)
  Severity severity = Severity::kError;
  Certainty certainty = Certainty::kCertain;
  // For a possible violation: the skew, in ms, that would explain it away. Unset when certain or
  // when an unknown outcome rather than the clock makes it uncertain.
  std::optional<double> margin_ms;
  std::string lock;      // "" if none applies
  std::string resource;  // "" if none applies
  std::vector<std::string> clients;
  std::vector<int64_t> tokens;
  std::vector<TimelineEvent> timeline;
  std::string message;  // one sentence a person can act on
};

enum class FencingVerdict {
  kSafe,          // no error-level violation, certain or possible
  kViolation,     // an error-level violation is certain
  kInconclusive,  // a possible error-level violation, or an unknown stale-token search
};
std::string_view FencingVerdictName(FencingVerdict v);  // "safe", "violation", "inconclusive"

struct FencingResult {
  FencingVerdict verdict = FencingVerdict::kSafe;
  // Ordered by lock, then resource, then first input line, then id: the same at any thread count.
  std::vector<Violation> violations;
  // Why parts of the analysis are incomplete ("resource r1 maps to no lock", "stale-token search
  // on resource r1 stopped: memory budget ..."). Sorted.
  std::vector<std::string> notes;
  size_t locks = 0;      // distinct locks seen
  size_t resources = 0;  // distinct resources seen
  size_t grants = 0;     // acquire oks and grant records
  size_t writes = 0;     // write operations, any outcome
};

// Runs every check on `history`. Non-OK (kUnsupported, "source:line:col: ...") for an
// operation of the fencing vocabulary whose value is malformed (an acquire ok without a token),
// kInvalidArgument for bad options. Violations are an OK result. Thread-safe; the result does
// not depend on options.threads.
[[nodiscard]] StatusOr<FencingResult> CheckFencing(const History& history,
                                                   const FencingOptions& options = {});

// One grant's lease as the analysis bounds it (the lease bounds of step 1; docs/fencing.md,
// "The clock model"), for pictures of the lease timeline. Times are as written, put on one axis
// by widening each bound by the skew bound when the history has several clocks, so that an
// extent holds on every clock: the lease is certainly live (the client may rely on it)
// throughout [certain_from, certain_until], and certainly not live outside
// [possible_from, possible_until]. An unset bound is one the history does not give (possible_from:
// no lower bound; possible_until: a renewal of unknown outcome or without a lease may have
// extended it indefinitely; certain_*: never certainly live, as for a grant known only from a
// record). Untimed histories: every bound unset.
struct LeaseExtent {
  std::string lock;
  std::string client;  // process name as written, or the record's client
  int64_t token = 0;
  std::optional<double> lease_ms;  // D as measured, if any event said
  std::optional<Nanos> certain_from, certain_until;
  std::optional<Nanos> possible_from, possible_until;
  bool from_record = false;  // the lock service's grant record names it
  uint32_t line = 0;  // first input line of its evidence (the acquire's ok, or the grant record)
};

// The lease extents of every grant in `history`, by lock (sorted), then as the analysis orders
// them (by earliest grant time, then token). The same errors as CheckFencing. Deterministic.
// Costs one decoding pass of the history (CheckFencing's first step); thread-safe.
[[nodiscard]] StatusOr<std::vector<LeaseExtent>> FencingLeaseExtents(
    const History& history, const FencingOptions& options = {});

}  // namespace fenceline

#endif  // FENCELINE_FENCING_H_
