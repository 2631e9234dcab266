#include "checker/cli/parse_budget.h"

#include <algorithm>
#include <utility>

#include "checker/parse/parse_memory.h"

namespace fenceline::cli {
namespace {

// As the search words its causes (checker/search/parallel_check.cc), so that one history's
// reason reads the same whether parsing or searching ran out of time.
std::string DurationText(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms < 1000 || ms % 100 != 0) return std::to_string(ms) + " ms";
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    text += '.';
    text += std::to_string(ms % 1000 / 100);
  }
  return text + " s";
}

std::string MemoryCause(const internal::MemoryBudget& budget) {
  return "memory limit of " + std::to_string(budget.limit() >> 20) + " MiB";
}

}  // namespace

ParseOptions ParseOptionsFor(const ParseOptions& base, std::chrono::steady_clock::time_point start,
                             std::chrono::milliseconds time_limit,
                             std::chrono::steady_clock::time_point run_deadline) {
  ParseOptions o = base;
  o.deadline = std::chrono::steady_clock::time_point::max();
  if (time_limit.count() > 0) {
    o.deadline = start + time_limit;
    o.deadline_cause = "time limit of " + DurationText(time_limit);
  }
  if (run_deadline < o.deadline) {
    o.deadline = run_deadline;
    o.deadline_cause = "deadline of the whole run";
  }
  return o;
}

ParseOptions WithParseMemory(ParseOptions base, const internal::MemoryBudget& budget) {
  if (budget.limit() == kNoMemoryLimit) return base;
  // 0 would mean none: with nothing left, the first byte charged stops the parse.
  base.memory_limit = std::max<uint64_t>(1, budget.limit() - budget.used());
  base.memory_cause = MemoryCause(budget);
  return base;
}

Status ChargeParsedHistory(const History& history, internal::MemoryBudget& budget) {
  if (budget.limit() == kNoMemoryLimit) return OkStatus();
  const uint64_t bytes = HistoryMemoryBytes(history);
  if (budget.TryReserveFixed(static_cast<size_t>(bytes))) return OkStatus();
  const uint32_t line = history.ops.empty() ? 1 : history.ops.back().invoke_pos.line;
  return internal::MemoryLimitReached(history.source, line, MemoryCause(budget), "parsing");
}

bool IsBudgetStop(const Status& s) {
  return s.code() == StatusCode::kDeadlineExceeded || s.code() == StatusCode::kResourceExhausted;
}

CheckResult UnknownAfterParsing(const Status& late) {
  CheckResult r;
  r.verdict = Verdict::kUnknown;
  PartitionResult p;
  p.verdict = Verdict::kUnknown;
  p.reason = late.message();
  r.partitions.push_back(std::move(p));
  return r;
}

FencingResult InconclusiveAfterParsing(const Status& late) {
  FencingResult r;
  r.verdict = FencingVerdict::kInconclusive;
  r.notes.push_back(late.message());
  return r;
}

}  // namespace fenceline::cli
