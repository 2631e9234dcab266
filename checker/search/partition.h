// checker/search/partition.h
//
// P-compositionality: operations are grouped by Model::PartitionOf; each group is checked on
// its own. Groups come out ordered by key (Value order), the order results are reported in.
#ifndef FENCELINE_CHECKER_SEARCH_PARTITION_H_
#define FENCELINE_CHECKER_SEARCH_PARTITION_H_

#include <vector>

#include "fenceline/history.h"
#include "fenceline/model.h"
#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline::internal {

struct Partition {
  Value key;
  std::vector<const Operation*> ops;  // in History::ops order (invoke order)
};

StatusOr<std::vector<Partition>> PartitionHistory(const History& history, const Model& model);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_SEARCH_PARTITION_H_
