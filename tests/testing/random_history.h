// tests/testing/random_history.h
//
// Seeded random histories for property tests and benchmarks. `consistent` histories are
// generated from a real sequential execution (each operation takes effect at a random point
// inside its interval), so they are linearizable by construction; the others get random
// results, so roughly half of them are not.
#ifndef FENCELINE_TESTS_TESTING_RANDOM_HISTORY_H_
#define FENCELINE_TESTS_TESTING_RANDOM_HISTORY_H_

#include <cstdint>
#include <string>

#include "fenceline/history.h"

namespace fenceline::testing {

struct RandomHistoryOptions {
  std::string model = "cas-register";  // register, cas-register, kv, mutex, set, fifo-queue
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
  // With `consistent`: one ok append is acknowledged but never applied (a lost write).
  bool lose_append = false;
};

History RandomHistory(const RandomHistoryOptions& options);

// The history as JSON Lines, one event a line, in time order (for CLI tests and benchmarks).
std::string ToJsonLines(const History& history);

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_TESTING_RANDOM_HISTORY_H_
