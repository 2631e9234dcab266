// checker/model/model_util.h
//
// Pieces every model's compiler shares: locating an operation in messages, interning values
// and composite states into the 64-bit ids the search steps through.
#ifndef FENCELINE_CHECKER_MODEL_MODEL_UTIL_H_
#define FENCELINE_CHECKER_MODEL_MODEL_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fenceline/history.h"
#include "fenceline/status.h"
#include "fenceline/value.h"
#include "checker/util/value_bytes.h"

namespace fenceline::internal {

// "source:line:col: " of the operation's completion if it has one, else of its invoke.
std::string OpWhere(std::string_view source, const Operation& op);

// kUnsupported: "source:line:col: <model> has no operation 'f' (operations: ...)".
Status UnknownOperation(std::string_view source, const Operation& op, std::string_view model,
                        std::string_view operations);
// kUnsupported: "source:line:col: <model>: expected <what> for <f>, got <value>".
Status BadValue(std::string_view source, const Operation& op, std::string_view model,
                std::string_view what, const Value& got);


// Bytes a hash-map node and a bucket take beyond their key and value (libstdc++: next pointer,
// cached hash, allocator header, bucket pointer).
inline constexpr size_t kHashNodeOverhead = 48;

// Dense ids for Values; equal Values get equal ids. Open addressing over (hash, id) slots, the
// Values in one vector: a hot key interns a value per operation (100,000 of them on one key),
// and a node per value made interning, and freeing the spec, a cache miss and an allocation
// apiece.
class ValueInterner {
 public:
  uint64_t Intern(const Value& v) {
    const uint64_t h = v.Hash();
    if (2 * (values_.size() + 1) > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        s = Slot{h, static_cast<uint32_t>(values_.size())};
        values_.push_back(v);
        bytes_ += Cost(v);
        return s.id;
      }
      if (s.hash == h && values_[s.id] == v) return s.id;
    }
  }
  const Value& Get(uint64_t id) const { return values_[id]; }
  size_t size() const { return values_.size(); }
  // What interning `v` adds to bytes(): the estimate of the node-based table this replaced
  // (two copies, a node, the id). It bounds what this one holds (a copy and at most four
  // slots' share), and budgets trip where they did.
  static size_t Cost(const Value& v) { return 2 * ValueBytes(v) + kHashNodeOverhead + sizeof(uint64_t); }
  size_t bytes() const { return bytes_; }  // estimate, for the memory budget

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kEmpty;
  };
  // Doubles the table (a power of two, at most half full), placing slots by their hash.
  void Grow() {
    std::vector<Slot> old(std::max<size_t>(16, 2 * slots_.size()));
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::vector<Value> values_;
  size_t bytes_ = 0;
};

// Dense ids for composite states (a set, a queue) held as vectors of element ids.
class SequenceInterner {
 public:
  uint64_t Intern(const std::vector<uint32_t>& seq) {
    auto [it, inserted] = ids_.try_emplace(seq, seqs_.size());
    if (inserted) {
      seqs_.push_back(seq);
      bytes_ += 2 * (sizeof(seq) + sizeof(uint32_t) * seq.size() + 16) + kHashNodeOverhead +
                sizeof(uint64_t);
    }
    return it->second;
  }
  const std::vector<uint32_t>& Get(uint64_t id) const { return seqs_[id]; }
  size_t bytes() const { return bytes_; }  // estimate, for the memory budget

 private:
  struct Hash {
    size_t operator()(const std::vector<uint32_t>& v) const {
      uint64_t h = 0xcbf29ce484222325ULL;
      for (uint32_t x : v) h = (h ^ x) * 0x100000001b3ULL;
      return static_cast<size_t>(h);
    }
  };
  std::unordered_map<std::vector<uint32_t>, uint64_t, Hash> ids_;
  std::vector<std::vector<uint32_t>> seqs_;
  size_t bytes_ = 0;
};

// A Jepsen `[from to]` pair, or false.
bool IsPair(const Value& v);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_MODEL_MODEL_UTIL_H_
