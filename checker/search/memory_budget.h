// checker/search/memory_budget.h
//
// One account of the bytes every running search holds (memo tables, interned model states, the
// per-partition arrays), shared by all threads, so that --memory-limit bounds the process and
// not each partition. Memory is charged before it is allocated and given back when it is freed;
// a charge that would pass the limit is refused and the search stops with kUnknown.
//
// A refusal can depend on what other partitions hold at that moment, which depends on
// scheduling. A partition's account therefore remembers whether it would have been refused
// alone too; if not, CheckHistories searches it again once nothing else runs, so verdicts (and
// the configuration counts in reasons) do not depend on the thread count.
#ifndef FENCELINE_CHECKER_SEARCH_MEMORY_BUDGET_H_
#define FENCELINE_CHECKER_SEARCH_MEMORY_BUDGET_H_

#include <atomic>
#include <cstddef>
#include <vector>

#include "checker/search/partition.h"
#include "fenceline/check.h"

namespace fenceline::internal {

// The process-wide pool. Thread-safe.
class MemoryBudget {
 public:
  explicit MemoryBudget(size_t limit) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Takes `bytes` from the pool; false (and nothing taken) if that would pass the limit.
  bool TryReserve(size_t bytes);
  // Takes `bytes` for good, for what is held beside every search (the parsed histories): a
  // search is then "alone" with them, not with the whole limit. Only before searches start.
  bool TryReserveFixed(size_t bytes) {
    if (!TryReserve(bytes)) return false;
    fixed_ += bytes;
    return true;
  }
  void Release(size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  size_t limit() const { return limit_; }
  size_t used() const { return used_.load(std::memory_order_relaxed); }
  // What a search may hold when no other runs.
  size_t alone_limit() const { return limit_ - fixed_; }

 private:
  const size_t limit_;
  size_t fixed_ = 0;  // of used_, taken by TryReserveFixed
  std::atomic<size_t> used_{0};
};

// One partition's share of the pool: gives everything back when destroyed. Used by one thread.
class MemoryAccount {
 public:
  explicit MemoryAccount(MemoryBudget& budget) : budget_(budget) {}
  ~MemoryAccount() { budget_.Release(held_); }
  MemoryAccount(const MemoryAccount&) = delete;
  MemoryAccount& operator=(const MemoryAccount&) = delete;

  // False if the pool cannot give `bytes`; contended() then says whether it could have, had
  // this account been alone.
  bool Reserve(size_t bytes);
  void Release(size_t bytes);
  // Charges or releases the difference between `bytes` and what was last set for `slot`
  // (memory some other component grows on its own, such as a model's interned states).
  bool Track(size_t& slot, size_t bytes);

  size_t held() const { return held_; }
  size_t limit() const { return budget_.limit(); }
  bool contended() const { return contended_; }

 private:
  MemoryBudget& budget_;
  size_t held_ = 0;
  bool contended_ = false;
};

// The default for CheckOptions::memory_budget: half of the physical memory (or of the cgroup's
// memory.max when that is lower), 4 GiB where neither can be read.
size_t DefaultMemoryBudgetBytes();

// CheckHistories with every search charged to `budget` (options.memory_budget is ignored), so
// that calls made one after another, or from several threads, share one account: the fencing
// command's files and both of its stale-token passes do. A partition refused memory only
// because others held it is searched again once this call's other partitions are done.
std::vector<StatusOr<CheckResult>> CheckHistoriesInBudget(
    const std::vector<const History*>& histories, const Model& model, const CheckOptions& options,
    MemoryBudget& budget);

// CheckHistoriesInBudget for one history whose partitions the caller has already grouped (each
// as PartitionHistory would: one key, its operations in History::ops order, partitions in key
// order), so that a caller who knows them spares a pass over the whole history. Operations left
// out of every partition are not checked.
StatusOr<CheckResult> CheckPartitionsInBudget(const History& history,
                                              std::vector<Partition> partitions, const Model& model,
                                              const CheckOptions& options, MemoryBudget& budget);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_SEARCH_MEMORY_BUDGET_H_
