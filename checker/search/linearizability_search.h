// checker/search/linearizability_search.h
//
// The search for one partition: Wing & Gong's algorithm as improved by Lowe ("Testing for
// linearizability", CCPE 2017) and used by Porcupine.
//   1. Each operation becomes a call and a return entry in one list sorted by real time
//      (calls before returns at equal times: touching intervals are concurrent).
//   2. Walking the list, a call entry is tentatively linearized if the model accepts it and the
//      configuration (linearized set, state) was never seen (memoization); a return entry of a
//      not-yet-linearized operation means the current prefix cannot be extended: backtrack.
//   3. Pure operations (reads) that the model accepts are linearized first without branching:
//      any linearization from here can be rearranged to place them first.
//   4. Dominance for unknown outcomes: info operations always succeed, so a configuration
//      with fewer of them linearized (same state, same completed operations) can do all that
//      one with more can; the memo keeps, per (completed set, state), the info subsets seen and
//      prunes supersets. Once only info operations remain, the history is linearizable.
//   5. Lookahead (PartitionSpec::Reachable / Viable): a step after which one of the reads
//      returning within the next stretch of the list can no longer be satisfied is pruned.
// The completed operations' set is memoized as a window of a bitset over operations in call
// order (words before the window are all ones, after it all zeros), so memory per configuration
// stays proportional to the operations in flight, not to the history's length.
#ifndef FENCELINE_CHECKER_SEARCH_LINEARIZABILITY_SEARCH_H_
#define FENCELINE_CHECKER_SEARCH_LINEARIZABILITY_SEARCH_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "checker/search/memory_budget.h"
#include "fenceline/check.h"
#include "fenceline/model.h"

namespace fenceline::internal {

struct SearchLimits {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // What the deadline is, for the reason: "time limit of 10 s" -> "time limit of 10 s reached
  // after N configurations".
  std::string_view deadline_cause = "time limit";
  // Charged for the memo, the model's interned states and the search's arrays; nullptr: no
  // limit. After a refusal, memory->contended() says whether it was due to other partitions.
  MemoryAccount* memory = nullptr;
  const std::atomic<bool>* cancel = nullptr;  // set by another partition's violation
  // Enumeration, for streaming (checker/stream/): when set, every configuration in which all
  // completed operations are linearized is handed to it (the state, and the spec indices of
  // the info operations linearized on the way there) and the search backtracks and goes on
  // instead of stopping. The verdict is then kLinearizable iff it was called at least once.
  // Left out: configurations the memo's info dominance prunes (each is matched by one handed
  // over with the same state and fewer info operations applied), and those whose last steps
  // are info operations after every completed one (the configuration before those steps is
  // handed over, and whoever continues from it may take them first).
  const std::function<void(uint64_t state, const std::vector<uint32_t>& applied_info)>*
      on_complete = nullptr;
};

// Searches `ops` (one partition, in invoke order) with `spec` compiled from them. Fills every
// field of the result except `key`. Throws nothing but std::bad_alloc (memory the budget
// allowed but the system could not give).
PartitionResult SearchPartition(PartitionSpec& spec, const std::vector<const Operation*>& ops,
                                const SearchLimits& limits);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_SEARCH_LINEARIZABILITY_SEARCH_H_
