// Parallel checking. oneTBB is confined to this file. Every (history, partition) pair is one
// task. Tasks sit in one queue, a history's together (largest history first, and within it
// largest partition first), and a fixed set of workers takes them in that order, so a history's
// clock (--time-limit) runs while its own partitions are searched, not while it waits behind
// others. Tasks write only their own result slot and never throw (oneTBB would rethrow in the
// caller). Results are read back in a fixed order, so the outcome does not depend on
// scheduling; a partition refused memory only because others held it is searched again alone
// (checker/search/memory_budget.h).
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <new>
#include <numeric>
#include <optional>
#include <thread>

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include "checker/search/explain.h"
#include "checker/search/linearizability_search.h"
#include "checker/search/memory_budget.h"
#include "checker/search/partition.h"
#include "fenceline/check.h"

namespace fenceline {

size_t DefaultMemoryBudget() {
  static const size_t bytes = internal::DefaultMemoryBudgetBytes();
  return bytes;
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kLinearizable: return "linearizable";
    case Verdict::kNotLinearizable: return "not-linearizable";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kThreadSanitizer = true;
#else
constexpr bool kThreadSanitizer = false;
#endif
#else
constexpr bool kThreadSanitizer = false;
#endif

// Operations prefetched before a partition is compiled (the compiler prefetches ahead as it
// goes; this covers the first ones, and the whole of a small partition).
constexpr size_t kPrefetchedOps = 16;

struct Task {
  size_t history;
  size_t partition;
  size_t size;
};

// "10 s", "1.5 s", "250 ms": a duration as a flag would give it.
std::string DurationText(Clock::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 1000 || ms % 100 != 0) return std::to_string(ms) + " ms";
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) text += "." + std::to_string(ms % 1000 / 100);
  return text + " s";
}

struct HistoryWork {
  Status status;
  std::vector<internal::Partition> partitions;
  std::vector<PartitionResult> results;
  // A partition the model could not compile; the history reports the first, in key order.
  std::vector<Status> compile_errors;
  // Set for a partition refused memory only because others held it at the time.
  std::vector<char> retry;
  // Spent before the search: parsing (CheckOptions::time_used) and partitioning.
  Clock::duration used{0};
  // When the first of this history's partitions started, in Clock ticks; 0: not yet.
  std::atomic<Clock::rep> started{0};
  // Set when one of this history's partitions is not linearizable (--first-violation).
  std::atomic<bool> cancel{false};
};

class Checker {
 public:
  Checker(const std::vector<const History*>& histories, const Model& model,
          const CheckOptions& options, internal::MemoryBudget& budget)
      : histories_(histories),
        model_(model),
        options_(options),
        budget_(budget),
        work_(histories.size()) {}

  // The partitions of histories_[0] as the caller grouped them, instead of PartitionHistory's.
  void GivePartitions(std::vector<internal::Partition> partitions) {
    given_ = std::move(partitions);
    has_given_ = true;
  }

  std::vector<StatusOr<CheckResult>> Run();

 private:
  // `final_pass`: the partition's verdict is final now, even if it was refused memory.
  void RunTask(const Task& t, bool final_pass);
  // Runs tasks[k] (not the final pass), with the next task's operations prefetched.
  void RunNext(const std::vector<Task>& tasks, size_t k);
  void Report(const Task* done);
  void Search(HistoryWork& work, size_t h, size_t p);

  const std::vector<const History*>& histories_;
  const Model& model_;
  const CheckOptions& options_;
  internal::MemoryBudget& budget_;
  std::vector<HistoryWork> work_;
  std::vector<internal::Partition> given_;
  bool has_given_ = false;
  // CheckOptions::on_progress: the counts, and each history's partitions not yet done.
  std::mutex progress_mu_;
  CheckProgress progress_;
  std::vector<size_t> partitions_left_;
};

void Checker::Report(const Task* done) {
  if (!options_.on_progress) return;
  std::lock_guard<std::mutex> lock(progress_mu_);
  if (done != nullptr) {
    ++progress_.partitions_done;
    progress_.operations_done += done->size;
    if (--partitions_left_[done->history] == 0) ++progress_.histories_done;
  }
  options_.on_progress(progress_);
}

// A partition's operations lie scattered over the history (with 100,000 keys, one in 100,000),
// so compiling them is a cache and TLB miss per operation, taken one after another. Asked for
// together, the misses overlap.
void Prefetch(const internal::Partition& part) {
  for (size_t i = 0; i < part.ops.size() && i < kPrefetchedOps; ++i) {
    const char* at = reinterpret_cast<const char*>(part.ops[i]);
    for (size_t offset = 0; offset < sizeof(Operation); offset += 64) {
      __builtin_prefetch(at + offset);
    }
  }
}

void Checker::RunNext(const std::vector<Task>& tasks, size_t k) {
  // With 100,000 keys a partition is a few operations, searched in microseconds: the next
  // one's misses, asked for now, then overlap this one's work instead of following it. (The
  // next task may go to another thread; the prefetch is only a hint either way.)
  if (k + 1 < tasks.size()) {
    const Task& n = tasks[k + 1];
    Prefetch(work_[n.history].partitions[n.partition]);
  }
  RunTask(tasks[k], false);
}

void Checker::RunTask(const Task& t, bool final_pass) {
  HistoryWork& work = work_[t.history];
  PartitionResult& out = work.results[t.partition];
  try {
    Search(work, t.history, t.partition);
  } catch (const std::bad_alloc&) {
    out = PartitionResult();
    out.op_count = work.partitions[t.partition].ops.size();
    out.reason = "out of memory: the system refused memory within the memory budget of " +
                 std::to_string(budget_.limit() >> 20) + " MiB (lower --memory-limit)";
  }
  if (final_pass || !work.retry[t.partition]) Report(&t);
}

void Checker::Search(HistoryWork& work, size_t h, size_t p) {
  internal::Partition& part = work.partitions[p];
  PartitionResult& out = work.results[p];
  out = PartitionResult();
  out.op_count = part.ops.size();

  // The history's clock starts with its first partition's search.
  Clock::rep started = work.started.load();
  if (started == 0) {
    const Clock::rep now = Clock::now().time_since_epoch().count();
    started = work.started.compare_exchange_strong(started, now) ? now : started;
  }
  internal::SearchLimits limits;
  std::string cause;
  if (options_.time_limit.count() > 0) {
    const Clock::duration left =
        std::chrono::duration_cast<Clock::duration>(options_.time_limit) - work.used;
    limits.deadline = Clock::time_point(Clock::duration(started)) + left;
    cause = "time limit of " + DurationText(options_.time_limit);
    if (left <= Clock::duration::zero()) {
      out.reason =
          cause + " reached before the search (parsing took " + DurationText(work.used) + ")";
      return;
    }
  }
  if (options_.deadline < limits.deadline) {
    limits.deadline = options_.deadline;
    cause = "deadline of the whole run";
  }
  limits.deadline_cause = cause;
  if (Clock::now() >= limits.deadline) {
    out.reason = cause + " reached before the search";
    return;
  }

  Prefetch(part);
  StatusOr<std::unique_ptr<PartitionSpec>> spec = model_.Compile(part.ops, histories_[h]->source);
  if (!spec.ok()) {
    work.compile_errors[p] = spec.status();
    return;
  }
  internal::MemoryAccount account(budget_);
  limits.memory = &account;
  limits.cancel = options_.first_violation_only ? &work.cancel : nullptr;
  out = internal::SearchPartition(**spec, part.ops, limits);
  if (out.verdict == Verdict::kNotLinearizable) work.cancel.store(true);
  if (options_.explain && out.counterexample && !out.counterexample->unlinearizable.empty()) {
    out.counterexample->proof = internal::ExplainViolation(
        model_, part.ops, histories_[h]->source, **spec, out.counterexample->unlinearizable.front(),
        limits);
  }
  // A refusal that would not have happened alone (the search's, or the proof's pool): the
  // partition is searched again once nothing else runs.
  if (account.contended()) work.retry[p] = 1;
}

std::vector<StatusOr<CheckResult>> Checker::Run() {
  std::vector<Task> tasks;
  for (size_t h = 0; h < histories_.size(); ++h) {
    HistoryWork& w = work_[h];
    const Clock::time_point begin = Clock::now();
    StatusOr<std::vector<internal::Partition>> parts =
        h == 0 && has_given_ ? StatusOr<std::vector<internal::Partition>>(std::move(given_))
                             : internal::PartitionHistory(*histories_[h], model_);
    if (!parts.ok()) {
      w.status = parts.status();
      continue;
    }
    w.partitions = std::move(parts).value();
    w.results.resize(w.partitions.size());
    w.compile_errors.resize(w.partitions.size());
    w.retry.resize(w.partitions.size(), 0);
    w.used = Clock::now() - begin;
    if (h < options_.time_used.size()) w.used += options_.time_used[h];
    for (size_t p = 0; p < w.partitions.size(); ++p) {
      tasks.push_back(Task{h, p, w.partitions[p].ops.size()});
    }
  }
  partitions_left_.assign(histories_.size(), 0);
  for (const Task& t : tasks) ++partitions_left_[t.history];
  progress_.partitions_total = tasks.size();
  progress_.histories_total = histories_.size();
  for (size_t left : partitions_left_) progress_.histories_done += left == 0;
  Report(nullptr);
  // Largest first balances the threads. When the first violation ends a history's search,
  // smallest first finds one sooner, before a hard partition can hold a thread. A history's
  // tasks stay together, ordered by its largest partition.
  std::vector<size_t> largest(histories_.size(), 0);
  for (const Task& t : tasks) largest[t.history] = std::max(largest[t.history], t.size);
  std::stable_sort(tasks.begin(), tasks.end(), [&](const Task& a, const Task& b) {
    if (a.history != b.history) {
      if (largest[a.history] != largest[b.history]) {
        return largest[a.history] > largest[b.history];
      }
      return a.history < b.history;
    }
    return options_.first_violation_only ? a.size < b.size : a.size > b.size;
  });

  const int threads = std::min(options_.threads, kMaxThreads);
  if (threads == 1 || tasks.size() <= 1) {
    for (size_t k = 0; k < tasks.size(); ++k) RunNext(tasks, k);
  } else if (kThreadSanitizer) {
    // TSan cannot see oneTBB's synchronization (Debian's libtbb is not instrumented, so every
    // hand-off through its queues would be reported), so under TSan the same workers run on
    // std::threads, whose start and join it does see; all that they share is then checked.
    const int workers = std::min<int>(threads > 1 ? threads : 2, static_cast<int>(tasks.size()));
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (int i = 0; i < workers; ++i) {
      pool.emplace_back([&] {
        for (size_t k = next.fetch_add(1); k < tasks.size(); k = next.fetch_add(1)) {
          RunNext(tasks, k);
        }
      });
    }
    for (std::thread& t : pool) t.join();
  } else {
    tbb::task_arena arena(threads > 1 ? threads : tbb::task_arena::automatic);
    arena.execute([&] {
      const int workers = std::min<int>(arena.max_concurrency(), static_cast<int>(tasks.size()));
      std::atomic<size_t> next{0};
      tbb::task_group group;
      for (int i = 0; i < workers; ++i) {
        group.run([&] {
          for (size_t k = next.fetch_add(1); k < tasks.size(); k = next.fetch_add(1)) {
            RunNext(tasks, k);
          }
        });
      }
      group.wait();
    });
  }
  // Alone now, every partition has the whole budget: the verdict it would get at one thread.
  // What the others freed may still sit in their threads' malloc arenas, uncounted by the
  // budget but resident: given back first, so the process stays near the budget.
  bool any_retry = false;
  for (const Task& t : tasks) any_retry |= work_[t.history].retry[t.partition] != 0;
#if defined(__GLIBC__)
  if (any_retry) malloc_trim(0);
#endif
  for (const Task& t : tasks) {
    if (work_[t.history].retry[t.partition]) RunTask(t, true);
  }

  std::vector<StatusOr<CheckResult>> out;
  out.reserve(histories_.size());
  for (size_t h = 0; h < histories_.size(); ++h) {
    HistoryWork& w = work_[h];
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

}  // namespace

namespace internal {

std::vector<StatusOr<CheckResult>> CheckHistoriesInBudget(
    const std::vector<const History*>& histories, const Model& model, const CheckOptions& options,
    MemoryBudget& budget) {
  return Checker(histories, model, options, budget).Run();
}

StatusOr<CheckResult> CheckPartitionsInBudget(const History& history,
                                              std::vector<Partition> partitions, const Model& model,
                                              const CheckOptions& options, MemoryBudget& budget) {
  const std::vector<const History*> one{&history};
  Checker checker(one, model, options, budget);
  checker.GivePartitions(std::move(partitions));
  return std::move(checker.Run().front());
}

}  // namespace internal

std::vector<StatusOr<CheckResult>> CheckHistories(const std::vector<const History*>& histories,
                                                  const Model& model, const CheckOptions& options) {
  internal::MemoryBudget budget(options.memory_budget);
  return Checker(histories, model, options, budget).Run();
}

StatusOr<CheckResult> CheckLinearizability(const History& history, const Model& model,
                                           const CheckOptions& options) {
  std::vector<const History*> one{&history};
  return std::move(CheckHistories(one, model, options).front());
}

}  // namespace fenceline
