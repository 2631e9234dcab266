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
  size_t prefix_length = 0;
};

ViolationFacts DescribeViolation(const History& history, const Counterexample& cx, int context);

// "p3 cas [1 2] ok" / "p3 read -> 4 ok" / "p1 write 2 info"
std::string OperationSummary(const History& history, const Operation& op);
// "41" or "41-52": the input lines of the op's invoke and completion.
std::string OperationLines(const Operation& op);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_REPORT_COUNTEREXAMPLE_H_
