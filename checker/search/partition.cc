#include "checker/search/partition.h"

#include <algorithm>
#include <unordered_map>

namespace fenceline::internal {

StatusOr<std::vector<Partition>> PartitionHistory(const History& history, const Model& model) {
  std::vector<Partition> parts;
  std::unordered_map<Value, size_t, ValueHash> index;
  for (const Operation& op : history.ops) {
    StatusOr<Value> where = model.PartitionOf(op);
    if (!where.ok()) {
      return Status(where.status().code(), history.source + where.status().message());
    }
    Value key = std::move(where).value();
    auto [it, inserted] = index.try_emplace(key, parts.size());
    if (inserted) parts.push_back(Partition{std::move(key), {}});
    parts[it->second].ops.push_back(&op);
  }
  std::sort(parts.begin(), parts.end(),
            [](const Partition& a, const Partition& b) { return a.key < b.key; });
  return parts;
}

}  // namespace fenceline::internal
