// CheckFencing: the lease and token checks, one lock at a time (lock_checks.h: grant_checks.cc,
// write_checks.cc), plus the stale-token check through the linearizability engine
// (include/fenceline/fencing.h, docs/fencing.md). Locks are independent, so they run in parallel
// on oneTBB (the brief for issue 4 allows it here); each writes only its own slot and the results
// are concatenated in lock order, then sorted, so the report does not depend on the thread count.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "checker/fencing/lease_timeline.h"
#include "checker/fencing/lock_checks.h"
#include "checker/fencing/stale_token.h"
#include "fenceline/fencing.h"

namespace fenceline {

std::string_view SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

std::string_view CertaintyName(Certainty c) {
  return c == Certainty::kCertain ? "certain" : "possible";
}

std::string_view FencingVerdictName(FencingVerdict v) {
  switch (v) {
    case FencingVerdict::kSafe:
      return "safe";
    case FencingVerdict::kViolation:
      return "violation";
    case FencingVerdict::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

namespace internal {
namespace {

uint32_t FirstLine(const Violation& v) {
  uint32_t line = std::numeric_limits<uint32_t>::max();
  for (const TimelineEvent& e : v.timeline) {
    if (e.line != 0) line = std::min(line, e.line);
  }
  return line;
}

}  // namespace
}  // namespace internal

StatusOr<FencingResult> CheckFencing(const History& history, const FencingOptions& options) {
  internal::MemoryBudget budget(options.memory_budget);
  return internal::CheckFencingInBudget(history, options, budget);
}

StatusOr<FencingResult> internal::CheckFencingInBudget(const History& history,
                                                       const FencingOptions& options,
                                                       MemoryBudget& budget) {
  using internal::FencingInput;
  // The analysis' own arrays share the searches' account: reserved before they are built (an
  // upper bound), then held at their size until the searches are done.
  internal::MemoryAccount account(budget);
  auto over_budget = [&](size_t bytes) {
    FencingResult over;
    over.verdict = FencingVerdict::kInconclusive;
    over.notes.push_back("memory limit of " + std::to_string(budget.limit() >> 20) +
                         " MiB reached before the fencing analysis: its lease timeline of " +
                         std::to_string(history.ops.size()) + " operations needs up to " +
                         std::to_string((bytes + (1 << 20) - 1) >> 20) +
                         " MiB (raise --memory-limit); nothing was checked");
    return over;
  };
  size_t timeline_bytes = internal::TimelineBytesBound(history, options);
  if (!account.Reserve(timeline_bytes)) return over_budget(timeline_bytes);
  size_t reserved = timeline_bytes;
  FENCELINE_ASSIGN_OR_RETURN(FencingInput in, internal::BuildLeaseTimeline(history, options));
  timeline_bytes = internal::TimelineBytes(in);
  if (!account.Track(reserved, timeline_bytes)) return over_budget(timeline_bytes);
  FencingResult result;
  result.locks = in.locks.size();
  result.resources = in.resources.size();
  result.grants = in.grants.size();
  result.writes = in.writes.size();
  result.notes = in.notes;

  // The per-lock checks' own arrays come on top: reserved for every lock at once (any number of
  // them may run together, so a refusal does not depend on the thread count), given back before
  // the searches start.
  size_t checks_bytes = 0;
  for (uint32_t l = 0; l < in.locks.size(); ++l) {
    checks_bytes += internal::GrantChecksBytesBound(in, l) + internal::WriteChecksBytesBound(in, l);
  }
  if (!account.Reserve(checks_bytes)) {
    FencingResult over;
    over.verdict = FencingVerdict::kInconclusive;
    over.notes.push_back("memory limit of " + std::to_string(budget.limit() >> 20) +
                         " MiB reached before the fencing analysis' lease and token checks: with "
                         "the lease timeline, their arrays for " +
                         std::to_string(in.grants.size()) + " grants and " +
                         std::to_string(in.writes.size()) + " writes need up to " +
                         std::to_string((timeline_bytes + checks_bytes + (1 << 20) - 1) >> 20) +
                         " MiB (raise --memory-limit); nothing was checked");
    return over;
  }
  std::vector<std::vector<Violation>> per_lock(in.locks.size());
  auto run = [&](size_t lock) {
    const auto l = static_cast<uint32_t>(lock);
    const bool non_monotonic = internal::CheckGrants(in, l, per_lock[lock]);
    internal::CheckWrites(in, l, non_monotonic, per_lock[lock]);
  };
  if (options.threads == 1 || in.locks.size() < 2) {
    for (size_t l = 0; l < in.locks.size(); ++l) run(l);
  } else {
    // Tasks only fill their own slot and never throw.
    tbb::task_arena arena(options.threads > 0 ? options.threads : tbb::task_arena::automatic);
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, in.locks.size()),
                        [&](const tbb::blocked_range<size_t>& r) {
                          for (size_t l = r.begin(); l != r.end(); ++l) run(l);
                        });
    });
  }
  for (auto& vs : per_lock) {
    for (Violation& v : vs) result.violations.push_back(std::move(v));
  }
  account.Release(checks_bytes);

  FENCELINE_ASSIGN_OR_RETURN(internal::StaleTokenOutcome stale,
                             internal::CheckStaleTokens(in, options, budget));
  for (Violation& v : stale.violations) result.violations.push_back(std::move(v));
  for (std::string& n : stale.notes) result.notes.push_back(std::move(n));
  std::sort(result.notes.begin(), result.notes.end());

  std::stable_sort(result.violations.begin(), result.violations.end(),
                   [](const Violation& a, const Violation& b) {
                     if (a.lock != b.lock) return a.lock < b.lock;
                     if (a.resource != b.resource) return a.resource < b.resource;
                     const uint32_t la = internal::FirstLine(a), lb = internal::FirstLine(b);
                     if (la != lb) return la < lb;
                     return a.id < b.id;
                   });

  bool certain_error = false, possible_error = stale.unknown;
  for (const Violation& v : result.violations) {
    if (v.severity != Severity::kError) continue;
    if (v.certainty == Certainty::kCertain)
      certain_error = true;
    else
      possible_error = true;
  }
  result.verdict = certain_error    ? FencingVerdict::kViolation
                   : possible_error ? FencingVerdict::kInconclusive
                                    : FencingVerdict::kSafe;
  return result;
}

}  // namespace fenceline
