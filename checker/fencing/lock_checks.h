// checker/fencing/lock_checks.h
//
// The per-lock checks of the fencing analysis (docs/fencing.md). Each is a sweep over one
// lock's grants or writes, sorted once by lease_timeline.cc.
//
// grant_checks.cc:
// - non-monotonic-grant: grants by grant time; the highest token granted certainly before.
// - overlapping-leases: grants by grant time; an active set of leases that may still be live.
//
// write_checks.cc:
// - forged-token: per write, the grants of its token, and the tokens an acquire of unknown
//   outcome could have issued (prefix minima, suffix minima).
// - foreign-token, expired-lease-write, write-after-expiry, false-rejection: per write.
//
// Locks are independent: the driver (fencing_checker.cc) runs them in parallel, and the checks
// of a lock write only to that lock's list.
#ifndef FENCELINE_CHECKER_FENCING_LOCK_CHECKS_H_
#define FENCELINE_CHECKER_FENCING_LOCK_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "checker/fencing/lease_timeline.h"
#include "fenceline/fencing.h"

namespace fenceline::internal {

// Appends the grant checks' violations on `lock` to `out` (overlapping-leases only if the
// history is timed). Returns whether a grant of the lock is not above an earlier one as written,
// which the write checks need: then an acquire of unknown outcome could have issued any token.
bool CheckGrants(const FencingInput& in, uint32_t lock, std::vector<Violation>& out);

// Appends the write checks' violations on `lock` to `out`. `grants_non_monotonic`: what
// CheckGrants returned for the lock.
void CheckWrites(const FencingInput& in, uint32_t lock, bool grants_non_monotonic,
                 std::vector<Violation>& out);

// Upper bounds, in bytes, on what the checks of `lock` allocate for themselves while they run
// (their sorted copies, prefix arrays, sets and maps; not the violations they report), so that
// the driver can charge them to --memory-limit before they run.
size_t GrantChecksBytesBound(const FencingInput& in, uint32_t lock);
size_t WriteChecksBytesBound(const FencingInput& in, uint32_t lock);

// One node of a std::set or std::map of small values: libstdc++'s 32-byte node header, the
// value, and malloc's own overhead, rounded up. Bytes.
inline constexpr size_t kTreeNodeBytes = 64;

// What the checks of one lock share to build their violations. `in` and `out` must outlive it.
class LockCheck {
 protected:
  LockCheck(const FencingInput& in, uint32_t lock, std::vector<Violation>& out)
      : in_(in), h_(*in.history), lock_(lock), ld_(in.per_lock[lock]), out_(out) {}

  const Grant& G(uint32_t g) const { return in_.grants[g]; }
  const std::string& Client(uint32_t c) const { return in_.clients[c]; }
  const std::string& LockName() const { return in_.locks[lock_]; }

  Violation Make(std::string id, Severity severity, const Proof& p) const {
    Violation v;
    v.id = std::move(id);
    v.severity = severity;
    v.certainty = p.certain ? Certainty::kCertain : Certainty::kPossible;
    if (!p.certain && !p.unknown_outcome && p.margin) {
      v.margin_ms = static_cast<double>(*p.margin) / 1e6;
    }
    v.lock = LockName();
    return v;
  }

  void AddGrantEvidence(const Grant& g, const std::string& note, Violation& v) const {
    for (size_t i = 0; i < g.evidence.size(); ++i) {
      AppendRef(h_, g.evidence[i], i == 0 ? note : "", v.timeline);
    }
  }

  void Emit(Violation v) {
    SortTimeline(v.timeline);
    out_.push_back(std::move(v));
  }

  const FencingInput& in_;
  const History& h_;
  uint32_t lock_;
  const LockData& ld_;

 private:
  std::vector<Violation>& out_;
};

// " at 12.031 s", or nothing for a stamp without a time.
inline std::string At(const Stamp& s) {
  return s.t == kNever ? std::string() : " at " + FormatSeconds(s.t);
}

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_FENCING_LOCK_CHECKS_H_
