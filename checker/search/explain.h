// checker/search/explain.h
//
// The proof behind a violation (Counterexample::proof): the few observations (pure
// operations: reads, and failed cas under --fail-observes) whose results, with real-time order,
// leave the unlinearizable operation u no place. Sound by construction and checked by the
// search itself, never inferred: the restricted history keeps every operation that changes
// the state and drops only observations, which can only make a history more linearizable, so
//   (a) the restricted history with u is not linearizable: the full history is not either;
//   (b) with u freed from real time (its interval stretched over the whole history) it is:
//       the observations and the order of events, not u's result alone, forbid u.
// The proof is an empty list when u is impossible against the state-changing operations
// alone, or when nothing was verified within the budget. Steps:
//   1. Windows of observations of growing width around u (in invoke order) until one has
//      (a) and (b); when none has (other anomalies nearby), a set grown from the nearest
//      observations, each kept only if (b) still holds.
//   2. Delta debugging (Zeller): drop chunks of halving size while (a) and (b) hold.
// Budgets are deterministic (searches, memoized configurations), so the proof does not depend
// on threads or timing; past the deadline the proof is empty.
#ifndef FENCELINE_CHECKER_SEARCH_EXPLAIN_H_
#define FENCELINE_CHECKER_SEARCH_EXPLAIN_H_

#include <string_view>
#include <vector>

#include "checker/search/linearizability_search.h"
#include "fenceline/history.h"
#include "fenceline/model.h"

namespace fenceline::internal {

// `ops`: the partition, in invoke order, compiled into `spec` (its Relevant() and Pure()
// sort the operations). `unlinearizable` must be one of `ops`. Returns the proof sorted by
// OpIndex, without `unlinearizable`. Throws nothing but std::bad_alloc, as SearchPartition.
std::vector<OpIndex> ExplainViolation(const Model& model, const std::vector<const Operation*>& ops,
                                      std::string_view source, const PartitionSpec& spec,
                                      OpIndex unlinearizable, const SearchLimits& limits);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_SEARCH_EXPLAIN_H_
