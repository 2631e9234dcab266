#include "checker/report/counterexample.h"

#include <algorithm>
#include <map>

namespace fenceline::internal {

ViolationFacts DescribeViolation(const History& history, const Counterexample& cx, int context) {
  ViolationFacts facts;
  if (!cx.unlinearizable.empty()) {
    facts.op = &history.ops[static_cast<size_t>(cx.unlinearizable.front())];
  }
  facts.prefix_length = cx.linearized.size();
  for (OpIndex i : cx.proof) facts.proof.push_back(&history.ops[static_cast<size_t>(i)]);
  std::map<uint32_t, const Operation*> last_by_process;
  for (OpIndex i : cx.linearized) {
    const Operation& op = history.ops[static_cast<size_t>(i)];
    if (op.outcome == Outcome::kOk) facts.previous_ok = &op;
    last_by_process[static_cast<uint32_t>(op.process)] = &op;
  }
  for (const auto& [process, op] : last_by_process) facts.last_ops.push_back(op);
  const size_t n = cx.linearized.size();
  const size_t from = n > static_cast<size_t>(context) ? n - static_cast<size_t>(context) : 0;
  for (size_t k = from; k < n; ++k) {
    facts.prefix_tail.push_back(&history.ops[static_cast<size_t>(cx.linearized[k])]);
  }
  return facts;
}

std::string OperationSummary(const History& history, const Operation& op) {
  std::string s = "p" + history.process_names[static_cast<size_t>(op.process)] + " " + op.f;
  if (op.key) s += " " + op.key->ToEdn();
  if (!op.input.is_nil()) s += " " + op.input.ToEdn();
  if (op.outcome == Outcome::kOk && !op.output.is_nil() && op.output != op.input) {
    s += " -> " + op.output.ToEdn();
  } else if (op.outcome == Outcome::kOk && op.output.is_nil() && op.input.is_nil()) {
    s += " -> nil";
  }
  s += " ";
  s += OutcomeName(op.outcome);
  if (op.complete_pos.line == 0) s += " (never completed)";
  if (!op.error.is_nil()) s += " " + op.error.ToEdn();
  return s;
}

std::string OperationLines(const Operation& op) {
  std::string s = std::to_string(op.invoke_pos.line);
  if (op.complete_pos.line && op.complete_pos.line != op.invoke_pos.line) {
    s += "-" + std::to_string(op.complete_pos.line);
  }
  return s;
}

std::string ViolationSentence(const History& history, const PartitionResult& p) {
  const Counterexample& cx = *p.counterexample;
  std::string s = p.key.is_nil() ? "" : "key " + p.key.ToEdn() + ": ";
  if (cx.unlinearizable.empty()) {
    s += "not linearizable";
  } else {
    const Operation& op = history.ops[static_cast<size_t>(cx.unlinearizable.front())];
    const std::string lines = OperationLines(op);
    s += OperationSummary(history, op) + " (line" +
         (lines.find('-') == std::string::npos ? " " : "s ") + lines + ") cannot be linearized";
  }
  s += " after " + std::to_string(cx.linearized.size()) + " operation" +
       (cx.linearized.size() == 1 ? "" : "s") + ", in state " + cx.state.ToEdn();
  if (!cx.proof.empty()) {
    s += "; the operations proving it: ";
    for (size_t k = 0; k < cx.proof.size(); ++k) {
      const Operation& op = history.ops[static_cast<size_t>(cx.proof[k])];
      if (k > 0) s += ", ";
      s += OperationSummary(history, op) + " (line " + OperationLines(op) + ")";
    }
  }
  return s;
}

std::vector<uint32_t> ViolationLines(const History& history, const Counterexample& cx) {
  std::vector<uint32_t> lines;
  auto add = [&](OpIndex i) {
    const Operation& op = history.ops[static_cast<size_t>(i)];
    if (op.invoke_pos.line) lines.push_back(op.invoke_pos.line);
    if (op.complete_pos.line) lines.push_back(op.complete_pos.line);
  };
  for (OpIndex i : cx.unlinearizable) add(i);
  for (OpIndex i : cx.proof) add(i);
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  return lines;
}

}  // namespace fenceline::internal
