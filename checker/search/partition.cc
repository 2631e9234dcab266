#include "checker/search/partition.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "checker/model/models.h"

namespace fenceline::internal {

namespace {

// Operations taken this far ahead of their probe: the key's text is asked for kAhead
// operations before its hash is taken, and the table slot kAhead before the probe.
constexpr size_t kAhead = 8;
static_assert((kAhead & (kAhead - 1)) == 0, "a ring indexed by i % kAhead");

// The text of an explicit key, which hashing reads: asking for it is only a hint, so a key of
// another kind (or an operation keyed by a tuple) costs nothing but a wasted prefetch.
void PrefetchKey(const Operation& op) {
  if (op.key) __builtin_prefetch(&op.key->text());
}

// The first 8 bytes of a text, big-endian and padded with zeros: where two texts' prefixes
// differ, they order as the texts do (bytes compare unsigned, as std::string's compare does).
uint64_t TextPrefix(const std::string& t) {
  uint64_t p = 0;
  for (size_t i = 0; i < 8; ++i) {
    p = (p << 8) | (i < t.size() ? static_cast<unsigned char>(t[i]) : 0u);
  }
  return p;
}

// `order` (key ids) sorted by Value order of their keys. With string keys (kv's), each key's
// prefix sits beside its id, so that most comparisons of 100,000 keys read no key's text (a
// cache miss each); equal prefixes are compared in full.
void SortKeys(const std::vector<Value>& keys, std::vector<uint32_t>& order) {
  const bool strings =
      std::all_of(keys.begin(), keys.end(), [](const Value& k) { return k.is_string(); });
  if (!strings) {
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
    return;
  }
  std::vector<std::pair<uint64_t, uint32_t>> by_prefix(order.size());
  for (size_t i = 0; i < order.size(); ++i) by_prefix[i] = {TextPrefix(keys[order[i]].text()), order[i]};
  std::sort(by_prefix.begin(), by_prefix.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return keys[a.second] < keys[b.second];
  });
  for (size_t i = 0; i < order.size(); ++i) order[i] = by_prefix[i].second;
}

}  // namespace

// Keys are interned to dense ids in an open-addressing table that holds each key's id and hash
// (no node per key), and each operation's id is kept; the partitions are then sized exactly and
// filled in one pass. So an operation costs one hash probe and one append, with 10 keys or
// 100,000. With many keys the key's text, its slot and its key are each a cache miss; the
// operations are therefore taken in a pipeline, the text and the slot asked for ahead, so that
// the misses of successive operations overlap instead of following one another.
StatusOr<std::vector<Partition>> PartitionHistory(const History& history, const Model& model) {
  constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kEmpty;
  };
  const size_t n = history.ops.size();
  std::vector<Value> keys;
  std::vector<uint64_t> hashes;  // per key id, to rebuild the table as it grows
  std::vector<Slot> table(64);   // size a power of two, at most half full
  std::vector<uint32_t> id_of(n);
  // Each operation's key: in the operation where the model says where (KeyedPartitions), else
  // the copy PartitionOf returned, held in `ring_owned`.
  const auto* keyed = dynamic_cast<const KeyedPartitions*>(&model);
  std::array<const Value*, kAhead> ring_key{};
  std::array<Value, kAhead> ring_owned;
  std::array<uint64_t, kAhead> ring_hash{};
  for (size_t i = 0; i < n && i < kAhead; ++i) PrefetchKey(history.ops[i]);
  // Step i probes operation i - kAhead, then takes operation i's key into the slot it freed.
  for (size_t i = 0; i < n + kAhead; ++i) {
    if (i >= kAhead) {
      const size_t j = i - kAhead;
      const Value& key = *ring_key[j % kAhead];
      const uint64_t h = ring_hash[j % kAhead];
      size_t mask = table.size() - 1;
      size_t slot = h & mask;
      uint32_t id = kEmpty;
      for (; table[slot].id != kEmpty; slot = (slot + 1) & mask) {
        if (table[slot].hash == h && keys[table[slot].id] == key) {
          id = table[slot].id;
          break;
        }
      }
      if (id == kEmpty) {
        id = static_cast<uint32_t>(keys.size());
        keys.push_back(key);
        hashes.push_back(h);
        table[slot] = Slot{h, id};
        if (2 * keys.size() > table.size()) {
          table.assign(2 * table.size(), Slot{});
          mask = table.size() - 1;
          for (uint32_t k = 0; k < keys.size(); ++k) {
            size_t s = hashes[k] & mask;
            while (table[s].id != kEmpty) s = (s + 1) & mask;
            table[s] = Slot{hashes[k], k};
          }
        }
      }
      id_of[j] = id;
    }
    if (i < n) {
      if (i + kAhead < n) PrefetchKey(history.ops[i + kAhead]);
      const Value* key = keyed != nullptr ? keyed->PartitionKey(history.ops[i]) : nullptr;
      if (key == nullptr) {
        // Operations are asked in history order, so the error is the first operation's.
        StatusOr<Value> where = model.PartitionOf(history.ops[i]);
        if (!where.ok()) {
          return Status(where.status().code(), history.source + where.status().message());
        }
        ring_owned[i % kAhead] = std::move(where).value();
        key = &ring_owned[i % kAhead];
      }
      const uint64_t h = key->Hash();
      __builtin_prefetch(&table[h & (table.size() - 1)]);
      ring_key[i % kAhead] = key;
      ring_hash[i % kAhead] = h;
    }
  }
  std::vector<uint32_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0u);
  SortKeys(keys, order);
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
  for (size_t i = 0; i < n; ++i) {
    parts[rank[id_of[i]]].ops.push_back(&history.ops[i]);
  }
  return parts;
}

}  // namespace fenceline::internal
