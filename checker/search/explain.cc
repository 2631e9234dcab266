#include "checker/search/explain.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>

#include "checker/model/models.h"
#include "checker/search/memory_budget.h"

namespace fenceline::internal {
namespace {

// Enough for the few hundred small searches a proof takes on histories like Jepsen's; a
// partition whose violation needs more gets no proof rather than a slow report.
constexpr int kMaxSearches = 400;
constexpr uint64_t kMaxConfigurations = 200'000;
constexpr uint64_t kMaxOperationsSearched = 60'000;  // summed over the restricted histories
constexpr size_t kMaxGrown = 64;                     // observations tried when growing a set
// A restricted history that needs more than a small search is not the local proof sought:
// give up on the proof at the first such, instead of searching it out.
constexpr size_t kSearchMemory = size_t{2} << 20;  // the memo takes 0.5 MiB to start
constexpr int kMaxUndecided = 1;

class Explainer {
 public:
  // `fixed`: positions of the operations every restricted history keeps (those that change
  // the state), ascending.
  Explainer(const Model& model, const std::vector<const Operation*>& ops, std::string_view source,
            uint32_t u, std::vector<uint32_t> fixed, const SearchLimits& limits)
      : model_(model), ops_(ops), source_(source), u_(u), fixed_(std::move(fixed)),
        limits_(limits), free_u_(*ops[u]) {
    // Every restricted history is the partition less some observations: compiled with a cache
    // where the model has one, each compilation takes the values, the states appends lead to
    // and the operations' compiled forms from the ones before (a proof's searches were mostly
    // that work, done again for each).
    cached_ = dynamic_cast<const CachedCompiler*>(&model_);
    if (cached_ != nullptr) cache_ = cached_->NewCompileCache();
    limits_.memory = nullptr;  // each restricted search gets a small pool of its own
    limits_.cancel = nullptr;
    // u as if its interval spanned the whole history: real time no longer constrains it.
    Nanos first = free_u_.call;
    for (const Operation* op : ops) first = std::min(first, op->call);
    free_u_.call = first;
    free_u_.ret = kNever - 1;
  }

  bool exhausted() const {
    return timed_out_ || undecided_ >= kMaxUndecided || searches_ >= kMaxSearches ||
           configs_ >= kMaxConfigurations ||
           operations_ >= kMaxOperationsSearched;
  }
  bool timed_out() const { return timed_out_; }

  // The verdict of the history restricted to the fixed operations, the observations
  // `subset` (positions, ascending) and u, or u freed from real time (`free_u`). kUnknown
  // when the budget is spent.
  Verdict Check(const std::vector<uint32_t>& subset, bool free_u) {
    if (exhausted()) return Verdict::kUnknown;
    if (std::chrono::steady_clock::now() >= limits_.deadline) {
      timed_out_ = true;
      return Verdict::kUnknown;
    }
    ++searches_;
    std::vector<uint32_t> positions;
    positions.reserve(fixed_.size() + subset.size() + 1);
    std::merge(fixed_.begin(), fixed_.end(), subset.begin(), subset.end(),
               std::back_inserter(positions));
    if (!free_u) positions.insert(std::upper_bound(positions.begin(), positions.end(), u_), u_);
    std::vector<const Operation*> sub;
    sub.reserve(positions.size() + 1);
    if (free_u) sub.push_back(&free_u_);  // its call is the earliest: first in invoke order
    for (uint32_t p : positions) sub.push_back(ops_[p]);
    operations_ += sub.size();
    StatusOr<std::unique_ptr<PartitionSpec>> spec =
        cached_ != nullptr ? cached_->CompileCached(sub, source_, *cache_)
                           : model_.Compile(sub, source_);
    if (!spec.ok()) return Verdict::kUnknown;
    // Its own pool, not the run's: the budget, and so the proof, must not depend on what
    // other partitions hold at the time (ExplainViolation charged the pool to the run).
    MemoryBudget pool(kSearchMemory);
    MemoryAccount account(pool);
    SearchLimits limits = limits_;
    limits.memory = &account;
    PartitionResult r = SearchPartition(**spec, sub, limits);
    configs_ += r.states_explored;
    undecided_ += r.verdict == Verdict::kUnknown;
    // Asked of the clock, not of the reason's words: every deadline (--time-limit, the run's
    // --deadline) has its own wording, and a proof cut short by any of them must be dropped
    // whole rather than reported half-minimised, which would depend on the machine's speed.
    if (r.verdict == Verdict::kUnknown && std::chrono::steady_clock::now() >= limits_.deadline) {
      timed_out_ = true;
    }
    return r.verdict;
  }

  // Not linearizable with u where it is; linearizable once u is freed from real time: the
  // observations and the order of events, not u's result alone, leave u no place.
  bool Proves(const std::vector<uint32_t>& subset) {
    if (Check(subset, false) != Verdict::kNotLinearizable) return false;
    return Check(subset, true) == Verdict::kLinearizable;
  }

 private:
  const Model& model_;
  const std::vector<const Operation*>& ops_;
  std::string_view source_;
  uint32_t u_;
  std::vector<uint32_t> fixed_;
  SearchLimits limits_;
  Operation free_u_;
  const CachedCompiler* cached_ = nullptr;
  std::unique_ptr<CompileCache> cache_;  // outlives every spec compiled with it
  int searches_ = 0;
  int undecided_ = 0;
  uint64_t configs_ = 0;
  uint64_t operations_ = 0;
  bool timed_out_ = false;
};

}  // namespace

std::vector<OpIndex> ExplainViolation(const Model& model, const std::vector<const Operation*>& ops,
                                      std::string_view source, const PartitionSpec& spec,
                                      OpIndex unlinearizable, const SearchLimits& limits) {
  uint32_t u = UINT32_MAX;
  std::vector<uint32_t> observations, fixed;  // positions of the relevant operations but u
  for (uint32_t i = 0; i < ops.size(); ++i) {
    if (ops[i]->index == unlinearizable) {
      u = i;
    } else if (spec.Relevant(i)) {
      (spec.Pure(i) ? observations : fixed).push_back(i);
    }
  }
  if (u == UINT32_MAX) return {};
  // The restricted searches run one at a time, each in a pool of kSearchMemory of its own (so
  // that the proof does not depend on what other partitions hold), and that pool is memory the
  // process holds: the whole of it is taken from the run's account first, and given back at the
  // end. Refused, there is no proof; when the refusal was only because of other partitions
  // (limits.memory->contended()), the caller searches the partition again alone.
  if (limits.memory != nullptr && !limits.memory->Reserve(kSearchMemory)) return {};
  struct GiveBack {
    MemoryAccount* account;
    ~GiveBack() {
      if (account != nullptr) account->Release(kSearchMemory);
    }
  } give_back{limits.memory};
  Explainer ex(model, ops, source, u, std::move(fixed), limits);

  // 1. The smallest window of observations around u (in invoke order) that proves it.
  const auto at = static_cast<size_t>(
      std::lower_bound(observations.begin(), observations.end(), u) - observations.begin());
  std::vector<uint32_t> proof;
  bool found = false;
  for (size_t radius = 2;; radius *= 2) {
    const size_t lo = at > radius ? at - radius : 0;
    const size_t hi = std::min(observations.size(), at + radius);
    std::vector<uint32_t> window(observations.begin() + static_cast<long>(lo),
                                 observations.begin() + static_cast<long>(hi));
    if (ex.Proves(window)) {
      proof = std::move(window);
      found = true;
      break;
    }
    if (ex.exhausted()) return {};
    if (lo == 0 && hi == observations.size()) break;
  }
  // 1b. Windows that hold other anomalies never prove it: grow a set instead, nearest
  // observations first, keeping each only if freeing u still explains them all.
  if (!found) {
    std::vector<uint32_t> order = observations;
    auto distance = [u](uint32_t p) { return p < u ? u - p : p - u; };
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return distance(a) < distance(b); });
    if (order.size() > kMaxGrown) order.resize(kMaxGrown);
    for (uint32_t c : order) {
      std::vector<uint32_t> grown = proof;
      grown.insert(std::upper_bound(grown.begin(), grown.end(), c), c);
      if (ex.Check(grown, true) != Verdict::kLinearizable) {
        if (ex.exhausted()) return {};
        continue;
      }
      proof = std::move(grown);
      if (ex.Check(proof, false) == Verdict::kNotLinearizable) {
        found = true;
        break;
      }
      if (ex.exhausted()) return {};
    }
  }
  if (!found) return {};

  // 2. Delta debugging: drop chunks while the proof still holds.
  for (size_t chunk = (proof.size() + 1) / 2; chunk >= 1 && !ex.exhausted();
       chunk = chunk == 1 ? 0 : (chunk + 1) / 2) {
    for (size_t i = 0; i < proof.size() && !ex.exhausted();) {
      std::vector<uint32_t> smaller(proof.begin(), proof.begin() + static_cast<long>(i));
      smaller.insert(smaller.end(),
                     proof.begin() + static_cast<long>(std::min(proof.size(), i + chunk)),
                     proof.end());
      if (ex.Proves(smaller)) {
        proof = std::move(smaller);
      } else {
        i += chunk;
      }
    }
  }
  // A deadline makes what was verified depend on timing: say nothing rather than vary.
  if (ex.timed_out()) return {};
  std::vector<OpIndex> out;
  for (uint32_t p : proof) out.push_back(ops[p]->index);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fenceline::internal
