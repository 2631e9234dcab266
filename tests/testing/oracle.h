// tests/testing/oracle.h
//
// A brute-force linearizability oracle, independent of the engine and of the models' compiled
// specs: it tries every order of the operations consistent with real time (and, for each info
// operation, both "took effect" and "never"), stepping its own Value-level model. Exponential:
// for histories of up to about 8 operations. The rules for failures and reads of nil are
// written here from their definitions (docs/semantics.md), not taken from the engine.
#ifndef FENCELINE_TESTS_TESTING_ORACLE_H_
#define FENCELINE_TESTS_TESTING_ORACLE_H_

#include <optional>
#include <string_view>

#include "fenceline/history.h"
#include "fenceline/model.h"

namespace fenceline::testing {

struct OracleOptions {
  // Jepsen (false): a failed operation never happened. Porcupine (true): a failed cas saw a
  // value other than its `from`.
  bool fail_observes = false;
  NilReads nil_reads = NilReads::kAuto;
  std::optional<Value> initial;  // register and cas-register; nil if unset
};

// `model`: "register", "cas-register", "kv" (single key, string values, append, starting at
// ""), "mutex", "set", "fifo-queue", "multi-register" (txn of [read k v] / [write k v];
// `initial` a map). True iff the history is linearizable.
bool OracleLinearizable(const History& history, std::string_view model,
                        const OracleOptions& options = {});

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_TESTING_ORACLE_H_
