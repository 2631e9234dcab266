// tests/testing/random_history.h
//
// Seeded random histories for property tests and benchmarks. `consistent` histories are
// generated from a real sequential execution (each operation takes effect at a random point
// inside its interval), so they are linearizable by construction under Jepsen's rules (unless
// nil reads or lost appends are asked for); the others get random results, so roughly half of
// them are not. Like Jepsen's clients, a process whose operation ends in :info never invokes
// again: its thread continues as process + `processes`.
#ifndef FENCELINE_TESTS_TESTING_RANDOM_HISTORY_H_
#define FENCELINE_TESTS_TESTING_RANDOM_HISTORY_H_

#include <cstdint>
#include <string>

#include "fenceline/history.h"

namespace fenceline::testing {

struct RandomHistoryOptions {
  // register, cas-register, kv, mutex, set, fifo-queue, multi-register
  std::string model = "cas-register";
  uint64_t seed = 1;
  int processes = 3;
  int ops = 8;
  int values = 3;           // distinct values written / compared
  int keys = 1;             // kv only: ops spread over this many keys
  double info_rate = 0.0;   // chance an operation's outcome is unknown
  bool consistent = true;
  int max_overlap = 4;      // mean operation duration, in units of the mean gap between calls
  // kv: self-delimiting values, as Jepsen's and Porcupine's append workloads write them
  // (appends "x12y", writes "xw3y"), which the engine's append pruning relies on.
  bool delimited = false;
  // With `delimited`: written values without the marker ("w3", as fenceline_gen's "p12"), or
  // with an appended text's block after it ("w3x3y"), which must not count as that append.
  bool unmarked_writes = false;
  // With `consistent`: one ok append is acknowledged but never applied (a lost write).
  bool lose_append = false;
  // Chance an operation fails with a definite error (an :error such as :not-primary): it did
  // not take effect, as Jepsen's :fail promises.
  double fail_rate = 0.0;
  // Chance an ok read returns nil whatever the register held (a client that lost the value,
  // which Knossos reads as unknown).
  double nil_read_rate = 0.0;
  // Chance a register write (or a cas's new value) is nil.
  double nil_write_rate = 0.0;
  // Register models: the state the sequential run starts from (nil if unset).
  Value initial;
};

History RandomHistory(const RandomHistoryOptions& options);

// The history as JSON Lines, one event a line, in time order (for CLI tests and benchmarks).
std::string ToJsonLines(const History& history);

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_TESTING_RANDOM_HISTORY_H_
