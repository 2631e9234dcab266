// checker/fencing/stale_token.h
//
// The stale-token check: the storage's accepted writes and its reads on each resource must be
// linearizable against the fenced-register model (checker/model/fenced_register_model.h). The
// linearizability engine decides it, one partition per resource, so concurrent writes and
// writes of unknown outcome are handled soundly. Rejected writes are left out (they are the
// business of false-rejection; leaving constraints out can only hide violations, never invent
// them). Each resource is searched as written first; one stamped on several clocks that fails
// there is searched again under the skew bound (every interval widened by half the bound on each
// side, so only orders that hold under every clock assignment constrain it): failing there too is
// certain, failing only as written possible. An inconclusive search, in either pass, is noted.
#ifndef FENCELINE_CHECKER_FENCING_STALE_TOKEN_H_
#define FENCELINE_CHECKER_FENCING_STALE_TOKEN_H_

#include <string>
#include <vector>

#include "checker/fencing/lease_timeline.h"
#include "checker/search/memory_budget.h"
#include "checker/search/partition.h"
#include "fenceline/fencing.h"

namespace fenceline::internal {

struct StaleTokenOutcome {
  std::vector<Violation> violations;  // by resource
  std::vector<std::string> notes;     // why a resource's search was inconclusive
  bool unknown = false;               // some resource's search was inconclusive
};

// The first pass's partitions, grouped from the timeline's per-resource lists instead of by the
// engine's pass over the whole history: the lock operations, about half of it, are never visited
// (under the fencing variant of the model they would fall in the nil partition, irrelevant to
// every search, and were compiled and searched as one). Each storage operation still gets the
// model's own key, so the partitions, their order and any error are PartitionHistory's, less the
// lock operations: a resource's operations share one key but for odd input (a nil "resource" in
// the invoke, named only in the completion), whose operations go where the model puts them.
StatusOr<std::vector<Partition>> StoragePartitions(const FencingInput& in, const Model& model);

// Non-OK only if the engine could not run (an operation it cannot interpret). Both passes'
// searches are charged to `budget` (options.memory_budget is not read).
StatusOr<StaleTokenOutcome> CheckStaleTokens(const FencingInput& in, const FencingOptions& options,
                                             MemoryBudget& budget);

// CheckFencing with the stale-token searches charged to `budget`, which the caller may share
// between histories checked one after another (the fencing command's --memory-limit).
StatusOr<FencingResult> CheckFencingInBudget(const History& history, const FencingOptions& options,
                                             MemoryBudget& budget);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_FENCING_STALE_TOKEN_H_
