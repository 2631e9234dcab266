// tests/testing/oracle.h
//
// A brute-force linearizability oracle, independent of the engine and of the models' compiled
// specs: it tries every order of the operations consistent with real time (and, for each info
// operation, both "took effect" and "never"), stepping its own Value-level model. Exponential:
// for histories of up to about 8 operations.
#ifndef FENCELINE_TESTS_TESTING_ORACLE_H_
#define FENCELINE_TESTS_TESTING_ORACLE_H_

#include <string_view>

#include "fenceline/history.h"

namespace fenceline::testing {

// `model`: "register", "cas-register", "kv" (single key, string values, append), "mutex",
// "set", "fifo-queue". True iff the history is linearizable.
bool OracleLinearizable(const History& history, std::string_view model);

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_TESTING_ORACLE_H_
