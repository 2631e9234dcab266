// include/fenceline/stream.h
//
// Streaming linearizability checking: events are handed over as they are read, and each
// partition is searched segment by segment, so that memory follows the concurrency window,
// not the history's length (docs/checking.md, "Streaming").
//   1. Events are paired into operations as HistoryBuilder pairs them, and each operation is
//      put in its partition (Model::PartitionOf) as soon as it is invoked.
//   2. A partition commits a cut where none of its operations is in flight except info ones,
//      and every later operation must begin after every earlier one ended. Its operations
//      between two cuts are a segment.
//   3. The state of a partition at a cut is a set of configurations: a model state, and the
//      multiset of info operations still open (they may take effect at any later time, or
//      never). Searching a segment from each configuration, with every way of finishing it
//      enumerated (checker/search/linearizability_search.h, SearchLimits::on_complete), gives
//      the configurations at the next cut, deduplicated and reduced by dominance. No
//      configuration left: the partition is not linearizable, decided there.
//   4. A segment's operations are freed once it is committed.
// The verdict equals CheckLinearizability's on the whole history (tests/stream/ checks it on
// the corpus and on random histories); where it could not be equal, the check refuses to
// start (StreamSupport) or the partition is unknown with a reason, never a guess.
#ifndef FENCELINE_STREAM_H_
#define FENCELINE_STREAM_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/model.h"
#include "fenceline/status.h"

namespace fenceline {

struct StreamOptions {
  ModelOptions model;  // as for MakeModel
  // Values are Jepsen [key value] tuples, split as SplitIndependentKeys splits them, an
  // operation at a time. One case the whole file allows is an error here: a completion with a
  // key whose invoke had none but a tuple (already split when it was invoked).
  bool independent = false;
  // Bytes the searches may hold at once (as CheckOptions::memory_budget); kNoMemoryLimit: none.
  size_t memory_budget = DefaultMemoryBudget();
  // Past it, partitions still open are unknown ("deadline ... reached"); max(): none.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // A partition commits a cut once its segment holds at least this many operations (fewer
  // cuts, fewer searches; 1: at every cut, as the tests do).
  size_t min_segment_ops = 256;
  // Operations held in all segments together past which every partition that can commit a cut
  // does so, whatever its segment's size (many quiet keys must not hold memory).
  size_t max_buffered_ops = 1 << 16;
  // Configurations a partition may carry across a cut; past it the partition is unknown.
  size_t max_configurations = 4096;
  // Distinct open info operations (function and value; reads are never kept, and identical
  // ones are counted, not copied) a partition may carry across a cut; past it the partition is
  // unknown, since each may still take effect and memory would follow the history's length.
  size_t max_open_info = 4096;
};

// Whether `model_id` with `options` can be streamed so that the verdict equals the whole-file
// one. kUnsupported with the reason otherwise (a model other than register, cas-register, kv,
// mutex and multi-register; --nil-reads auto with an initial value other than nil, where a later write of nil would
// change the meaning of earlier reads).
Status StreamSupport(std::string_view model_id, const ModelOptions& options);

struct StreamStats {
  uint64_t events = 0;      // client events handed over
  uint64_t operations = 0;  // operations invoked
  uint64_t cuts = 0;        // segments committed
  size_t peak_buffered_ops = 0;       // operations held in segments at once, all partitions
  size_t peak_configurations = 0;     // largest configuration set of one partition at a cut
  size_t peak_open_info = 0;          // most distinct open info operations of one partition
  // Most operations one segment's search was given: the configuration's state, copies of its
  // open info operations, the segment's own.
  size_t peak_search_ops = 0;
};

// Not thread-safe; single use: Add every event in input order, then Finish once.
class StreamChecker {
 public:
  // `source` names the input in messages ("<stdin>"). Errors: those of MakeModel and
  // StreamSupport.
  static StatusOr<std::unique_ptr<StreamChecker>> Create(std::string_view model_id,
                                                         const StreamOptions& options,
                                                         std::string source);
  ~StreamChecker();
  StreamChecker(const StreamChecker&) = delete;
  StreamChecker& operator=(const StreamChecker&) = delete;

  // The next event. Errors are HistoryBuilder::Add's (with the same messages), the model's
  // (an operation it cannot interpret, kUnsupported), and two of streaming's own
  // (kInvalidHistory): a client event without a time after timed ones (the whole file would
  // then be ordered by input position, which decisions already made did not assume), and a
  // time earlier than the one before it. After an error the checker is spent.
  Status Add(Event event);

  // A partition decided before the end of the input: a violation, or unknown.
  struct Decision {
    PartitionResult result;
    // For a violation, the operation the deciding segment could not place, for people:
    // "read -> 3 (lines 4-5)"; the line of the last event read when it was decided.
    std::string unlinearizable;
    uint32_t decided_at_line = 0;
  };
  // Partitions decided since the last call, in the order decided.
  std::vector<Decision> TakeDecided();

  // Ends the input: open invokes become info operations and every partition is decided. The
  // result has CheckLinearizability's shape: partitions in key order. Violations carry the
  // counterexample of the segment that decided them: `linearized` is the prefix of that
  // segment's operations (the state before it is the configuration's), and `proof` is empty.
  StatusOr<CheckResult> Finish();

  const StreamStats& stats() const;

 private:
  struct Impl;
  explicit StreamChecker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fenceline

#endif  // FENCELINE_STREAM_H_
