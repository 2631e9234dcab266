// include/fenceline/check.h
//
// Linearizability checking of a History against a sequential Model.
//   1. Partition: Model::PartitionOf splits the operations (P-compositionality, Horn & Kroening,
//      FORTE 2015); a history is linearizable iff every partition is.
//   2. Search each partition with Wing & Gong's backtracking algorithm and Lowe's memoization of
//      (linearized set, model state) ("Testing for linearizability", CCPE 2017), as Porcupine
//      and Knossos do, plus greedy linearization of pure operations (reads), dominance among
//      configurations that differ only in unknown-outcome operations, and read lookahead
//      (checker/search/linearizability_search.h, docs/checking.md).
//   3. Partitions, and histories in CheckHistories, run in parallel on oneTBB; results are
//      assembled in a fixed order, so the result never depends on the thread count.
#ifndef FENCELINE_CHECK_H_
#define FENCELINE_CHECK_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fenceline/history.h"
#include "fenceline/model.h"
#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline {

enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };
std::string_view VerdictName(Verdict v);  // "linearizable", "not-linearizable", "unknown"

// The default memory budget, in bytes: half of the physical memory (or of the container's
// limit, if lower); 4 GiB where neither can be read. Computed once.
size_t DefaultMemoryBudget();
inline constexpr size_t kNoMemoryLimit = SIZE_MAX;  // memory_budget: no limit
inline constexpr int kMaxThreads = 1024;           // CheckOptions::threads is capped here

// How far a CheckHistories call has got, for a progress display.
struct CheckProgress {
  size_t partitions_done = 0;   // partitions whose verdict is final
  size_t partitions_total = 0;  // of every history in the call
  size_t histories_done = 0;    // histories whose partitions are all done (or that failed)
  size_t histories_total = 0;
  uint64_t operations_done = 0;  // operations in the partitions done
};

struct CheckOptions {
  // Worker threads. 0: every core. 1: fully serial. Above kMaxThreads: kMaxThreads.
  int threads = 0;
  // Wall clock each history may take, 0: none. A history's clock starts with its first
  // partition's search, with `time_used[i]` already spent (say, parsing it); its partitions
  // that are still searching when it runs out report kUnknown ("time limit of ... reached").
  std::chrono::milliseconds time_limit{0};
  // Time already spent on histories[i] before the call, counted against time_limit. Missing
  // entries count as zero.
  std::vector<std::chrono::steady_clock::duration> time_used;
  // One deadline for the whole call (and every history in it); max(): none. Partitions still
  // searching then report kUnknown ("deadline ... reached").
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Bytes every search of the call may hold at once, all threads together: memo tables, the
  // models' interned states, per-partition arrays. Memory is charged before it is allocated;
  // a partition refused memory reports kUnknown ("memory budget of N MiB reached ..."). A
  // partition refused only because others held memory at the time is searched again alone,
  // so the result does not depend on the thread count. kNoMemoryLimit: none.
  size_t memory_budget = DefaultMemoryBudget();
  // Stop every partition once one violation is found (others then report kUnknown,
  // "cancelled after the first violation"). Off: every partition gets a verdict.
  bool first_violation_only = false;
  // Find each violation's Counterexample::proof: a few small searches of restricted histories
  // (checker/search/explain.h), bounded by deterministic budgets. Off: proofs stay empty.
  bool explain = true;
  // Called once with nothing done yet, then each time a partition's verdict is final, from the
  // calling thread or a worker. Calls never overlap, and partitions_done grows by one each
  // time; a partition searched again (see memory_budget) is counted once. Must not throw; the
  // workers wait while it runs, so it should be quick. Never changes a result. Empty: none.
  std::function<void(const CheckProgress&)> on_progress;
};

// Why a violation holds: the search's deepest point.
struct Counterexample {
  // The longest linearizable prefix found, in linearization order.
  std::vector<OpIndex> linearized;
  Value state;  // the model's state after `linearized`
  // The operation(s) none of whose placements extends that prefix: the first operation whose
  // return came before it could be linearized.
  std::vector<OpIndex> unlinearizable;
  // Completed operations whose observed results, with real-time order, forbid every placement
  // of `unlinearizable` (for a lost append: the read that began after the append was
  // acknowledged and does not show it). Sorted by OpIndex; empty if none was identified.
  std::vector<OpIndex> proof;
};

struct PartitionResult {
  Value key;                     // nil for single-partition models
  Verdict verdict = Verdict::kUnknown;
  std::string reason;            // why the verdict is unknown; empty otherwise
  size_t op_count = 0;           // operations in the partition (before dropping irrelevant ones)
  uint64_t states_explored = 0;  // memoized configurations
  std::optional<Counterexample> counterexample;  // set iff kNotLinearizable
};

struct CheckResult {
  // kNotLinearizable if any partition is; else kUnknown if any is; else kLinearizable.
  Verdict verdict = Verdict::kLinearizable;
  std::vector<PartitionResult> partitions;  // ordered by key (Value order)
};

// Checks `history` against `model`. A non-OK status means the check could not run (an
// operation the model cannot interpret). Arguments must outlive the call. Thread-safe.
[[nodiscard]] StatusOr<CheckResult> CheckLinearizability(const History& history, const Model& model,
                                                         const CheckOptions& options = {});

// Checks several histories at once; partitions of all of them share the thread pool.
// result[i] belongs to histories[i].
[[nodiscard]] std::vector<StatusOr<CheckResult>> CheckHistories(
    const std::vector<const History*>& histories, const Model& model,
    const CheckOptions& options = {});

}  // namespace fenceline

#endif  // FENCELINE_CHECK_H_
