// checker/report/counterexample.h
//
// What every report format says about a violation, computed once: the unlinearizable
// operation, the last ok operation of the prefix before it, each process's last operation in
// that prefix, and the window of operations a picture should show.
#ifndef FENCELINE_CHECKER_REPORT_COUNTEREXAMPLE_H_
#define FENCELINE_CHECKER_REPORT_COUNTEREXAMPLE_H_

#include <optional>
#include <string>
#include <vector>

#include "fenceline/check.h"
#include "fenceline/history.h"

namespace fenceline::internal {

struct ViolationFacts {
  const Operation* op = nullptr;           // the operation that could not be linearized
  const Operation* previous_ok = nullptr;  // the last ok operation of the linearized prefix
  std::vector<const Operation*> last_ops;  // each process's last op in the prefix, by process
  std::vector<const Operation*> prefix_tail;  // the last `context` ops of the prefix, in order
  std::vector<const Operation*> proof;  // Counterexample::proof, by OpIndex
  size_t prefix_length = 0;
};

ViolationFacts DescribeViolation(const History& history, const Counterexample& cx, int context);

// "p3 cas [1 2] ok" / "p3 read -> 4 ok" / "p1 write 2 info"
std::string OperationSummary(const History& history, const Operation& op);
// "41" or "41-52": the input lines of the op's invoke and completion.
std::string OperationLines(const Operation& op);

// One sentence a person can act on, for JUnit failures, JSON and the HTML caption:
// "key 3: p2 cas [1 3] ok (lines 7-8) cannot be linearized after 5 operations, in state 2;
// the operations proving it: p1 read -> 1 ok (line 9)". `p` must have a counterexample.
std::string ViolationSentence(const History& history, const PartitionResult& p);

// The input lines of the unlinearizable operations and the proof, sorted, no repeats.
std::vector<uint32_t> ViolationLines(const History& history, const Counterexample& cx);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_REPORT_COUNTEREXAMPLE_H_
