#include "checker/search/partition.h"

#include <algorithm>
#include <numeric>

namespace fenceline::internal {

// Keys are interned to dense ids in an open-addressing table of ids (no node per key), and each
// operation's id is kept; the partitions are then sized exactly and filled in one pass. So an
// operation costs one hash probe and one append, with 10 keys or 100,000.
StatusOr<std::vector<Partition>> PartitionHistory(const History& history, const Model& model) {
  constexpr uint32_t kEmpty = UINT32_MAX;
  std::vector<Value> keys;
  std::vector<uint64_t> hashes;                // per key id
  std::vector<uint32_t> table(64, kEmpty);     // key ids; size a power of two, at most half full
  std::vector<uint32_t> id_of(history.ops.size());
  auto place = [&](uint64_t h) {
    size_t slot = h & (table.size() - 1);
    while (table[slot] != kEmpty) slot = (slot + 1) & (table.size() - 1);
    return slot;
  };
  for (size_t i = 0; i < history.ops.size(); ++i) {
    StatusOr<Value> where = model.PartitionOf(history.ops[i]);
    if (!where.ok()) {
      return Status(where.status().code(), history.source + where.status().message());
    }
    const uint64_t h = where->Hash();
    size_t slot = h & (table.size() - 1);
    uint32_t id = kEmpty;
    for (; table[slot] != kEmpty; slot = (slot + 1) & (table.size() - 1)) {
      const uint32_t k = table[slot];
      if (hashes[k] == h && keys[k] == *where) {
        id = k;
        break;
      }
    }
    if (id == kEmpty) {
      id = static_cast<uint32_t>(keys.size());
      keys.push_back(std::move(where).value());
      hashes.push_back(h);
      table[slot] = id;
      if (2 * keys.size() > table.size()) {
        table.assign(2 * table.size(), kEmpty);
        for (uint32_t k = 0; k < keys.size(); ++k) table[place(hashes[k])] = k;
      }
    }
    id_of[i] = id;
  }
  std::vector<uint32_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
  std::vector<uint32_t> rank(keys.size());
  for (uint32_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
  std::vector<uint32_t> count(keys.size(), 0);
  for (uint32_t id : id_of) ++count[id];
  std::vector<Partition> parts(keys.size());
  for (uint32_t k = 0; k < keys.size(); ++k) {
    Partition& p = parts[rank[k]];
    p.key = std::move(keys[k]);
    p.ops.reserve(count[k]);
  }
  for (size_t i = 0; i < history.ops.size(); ++i) {
    parts[rank[id_of[i]]].ops.push_back(&history.ops[i]);
  }
  return parts;
}

}  // namespace fenceline::internal
