// Parallel checking. oneTBB is confined to this file. Every (history, partition) pair is one
// task; tasks run largest first for balance, write only their own result slot, and never throw
// (oneTBB would rethrow in the caller). Results are read back in a fixed order, so the outcome
// does not depend on scheduling.
#include <algorithm>
#include <atomic>
#include <memory>
#include <numeric>
#include <optional>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for_each.h>
#include <oneapi/tbb/task_arena.h>

#include "checker/search/linearizability_search.h"
#include "checker/search/partition.h"
#include "fenceline/check.h"

namespace fenceline {

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kLinearizable: return "linearizable";
    case Verdict::kNotLinearizable: return "not-linearizable";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

namespace {

struct Task {
  size_t history;
  size_t partition;
  size_t size;
};

struct HistoryWork {
  Status status;
  std::vector<internal::Partition> partitions;
  std::vector<PartitionResult> results;
  // A partition the model could not compile; the history reports the first, in key order.
  std::vector<Status> compile_errors;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Set when one of this history's partitions is not linearizable (--first-violation).
  std::atomic<bool> cancel{false};
};

void RunTask(const Model& model, const CheckOptions& options, const History& history,
             HistoryWork& work, size_t p) {
  internal::Partition& part = work.partitions[p];
  PartitionResult& out = work.results[p];
  StatusOr<std::unique_ptr<PartitionSpec>> spec = model.Compile(part.ops, history.source);
  if (!spec.ok()) {
    work.compile_errors[p] = spec.status();
    return;
  }
  internal::SearchLimits limits;
  limits.deadline = work.deadline;
  limits.memory_budget = options.memory_budget;
  limits.cancel = options.first_violation_only ? &work.cancel : nullptr;
  out = internal::SearchPartition(**spec, part.ops, limits);
  if (out.verdict == Verdict::kNotLinearizable) work.cancel.store(true);
}

}  // namespace

std::vector<StatusOr<CheckResult>> CheckHistories(const std::vector<const History*>& histories,
                                                  const Model& model, const CheckOptions& options) {
  std::vector<HistoryWork> work(histories.size());
  std::vector<Task> tasks;
  const auto start = std::chrono::steady_clock::now();
  for (size_t h = 0; h < histories.size(); ++h) {
    StatusOr<std::vector<internal::Partition>> parts =
        internal::PartitionHistory(*histories[h], model);
    if (!parts.ok()) {
      work[h].status = parts.status();
      continue;
    }
    work[h].partitions = std::move(parts).value();
    work[h].results.resize(work[h].partitions.size());
    work[h].compile_errors.resize(work[h].partitions.size());
    if (options.time_limit.count() > 0) work[h].deadline = start + options.time_limit;
    for (size_t p = 0; p < work[h].partitions.size(); ++p) {
      tasks.push_back(Task{h, p, work[h].partitions[p].ops.size()});
    }
  }
  // Largest first balances the threads. When the first violation ends a history's search,
  // smallest first finds one sooner, before a hard partition can hold a thread.
  std::stable_sort(tasks.begin(), tasks.end(), [&](const Task& a, const Task& b) {
    return options.first_violation_only ? a.size < b.size : a.size > b.size;
  });

  auto run_all = [&] {
    tbb::parallel_for_each(tasks.begin(), tasks.end(), [&](const Task& t) {
      RunTask(model, options, *histories[t.history], work[t.history], t.partition);
    });
  };
  if (options.threads == 1) {
    for (const Task& t : tasks) RunTask(model, options, *histories[t.history], work[t.history], t.partition);
  } else if (options.threads > 1) {
    tbb::task_arena arena(options.threads);
    arena.execute(run_all);
  } else {
    run_all();
  }

  std::vector<StatusOr<CheckResult>> out;
  out.reserve(histories.size());
  for (size_t h = 0; h < histories.size(); ++h) {
    HistoryWork& w = work[h];
    if (!w.status.ok()) {
      out.emplace_back(w.status);
      continue;
    }
    CheckResult result;
    Status compile_error;
    bool any_unknown = false, any_violation = false;
    for (size_t p = 0; p < w.partitions.size(); ++p) {
      if (!w.compile_errors[p].ok()) {
        compile_error = w.compile_errors[p];
        break;
      }
      PartitionResult& r = w.results[p];
      r.key = w.partitions[p].key;
      any_unknown |= r.verdict == Verdict::kUnknown;
      any_violation |= r.verdict == Verdict::kNotLinearizable;
      result.partitions.push_back(std::move(r));
    }
    if (!compile_error.ok()) {
      out.emplace_back(compile_error);
      continue;
    }
    result.verdict = any_violation ? Verdict::kNotLinearizable
                     : any_unknown ? Verdict::kUnknown
                                   : Verdict::kLinearizable;
    out.emplace_back(std::move(result));
  }
  return out;
}

StatusOr<CheckResult> CheckLinearizability(const History& history, const Model& model,
                                           const CheckOptions& options) {
  std::vector<const History*> one{&history};
  return std::move(CheckHistories(one, model, options).front());
}

}  // namespace fenceline
