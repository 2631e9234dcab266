#include "checker/search/linearizability_search.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace fenceline::internal {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The set of linearized operations on the current path, with its canonical window:
// words_[0, lo_) are all ones, words_[hi_, end) all zeros, lo_ <= hi_.
class LinearizedSet {
 public:
  explicit LinearizedSet(size_t n) : words_((n + 63) / 64, 0), zobrist_(n) {
    for (size_t i = 0; i < n; ++i) zobrist_[i] = SplitMix64(i + 0x5eed);
  }

  void Set(uint32_t k) {
    const uint32_t w = k >> 6;
    words_[w] |= uint64_t{1} << (k & 63);
    hash_ ^= zobrist_[k];
    if (w >= hi_) hi_ = w + 1;
    while (lo_ < hi_ && words_[lo_] == ~uint64_t{0}) ++lo_;
  }

  void Clear(uint32_t k) {
    const uint32_t w = k >> 6;
    words_[w] &= ~(uint64_t{1} << (k & 63));
    hash_ ^= zobrist_[k];
    if (w < lo_) lo_ = w;
    while (hi_ > lo_ && words_[hi_ - 1] == 0) --hi_;
  }

  uint64_t hash() const { return hash_; }
  uint32_t lo() const { return lo_; }
  uint32_t len() const { return hi_ - lo_; }
  const uint64_t* window() const { return words_.data() + lo_; }

 private:
  std::vector<uint64_t> words_;
  std::vector<uint64_t> zobrist_;
  uint64_t hash_ = 0;
  uint32_t lo_ = 0, hi_ = 0;
};

// The linearized set split in two: operations that completed, in a windowed bitset, and
// operations of unknown outcome (info, never returning), in a small bitset of their own. The
// split lets the memo use dominance: of two configurations with the same state and the same
// completed operations, the one with fewer info operations linearized can still do everything
// the other can (an info operation always succeeds, so it can also go last).
class Configuration {
 public:
  explicit Configuration(const std::vector<bool>& info) : info_(info), slot_(info.size()) {
    uint32_t completed = 0, unknown = 0;
    for (size_t k = 0; k < info.size(); ++k) slot_[k] = info[k] ? unknown++ : completed++;
    completed_ = std::make_unique<LinearizedSet>(completed);
    unknown_.assign((unknown + 63) / 64, 0);
  }

  void Set(uint32_t k) {
    ++linearized_;
    if (info_[k]) unknown_[slot_[k] >> 6] |= uint64_t{1} << (slot_[k] & 63);
    else completed_->Set(slot_[k]);
  }
  void Clear(uint32_t k) {
    --linearized_;
    if (info_[k]) unknown_[slot_[k] >> 6] &= ~(uint64_t{1} << (slot_[k] & 63));
    else completed_->Clear(slot_[k]);
  }

  size_t linearized() const { return linearized_; }
  const LinearizedSet& completed() const { return *completed_; }
  const std::vector<uint64_t>& unknown() const { return unknown_; }

 private:
  const std::vector<bool>& info_;
  std::vector<uint32_t> slot_;
  std::unique_ptr<LinearizedSet> completed_;
  std::vector<uint64_t> unknown_;
  size_t linearized_ = 0;
};

// Memo of configurations (linearized set, state) already explored: open addressing over slots,
// windows stored in fixed-size chunks so that growth never doubles a huge buffer.
class MemoTable {
 public:
  // `expected` sizes the first allocations: a partition of n operations records at least
  // about n configurations, and small ones (100,000 keys of ten operations) must not each
  // pay for a table sized for large ones.
  MemoTable(size_t budget, size_t expected) : budget_(budget) {
    size_t slots = 16;
    while (slots < 2 * expected && slots < 1024) slots *= 2;
    slots_.resize(slots);
  }

  enum class Insert { kNew, kSeen, kOverBudget };

  // kSeen if a configuration with this state and these completed operations, and a subset of
  // these info operations, was recorded before: whatever this one can reach, that one could.
  Insert TryInsert(const Configuration& config, uint64_t state) {
    const LinearizedSet& set = config.completed();
    const std::vector<uint64_t>& unknown = config.unknown();
    const uint64_t h = set.hash() ^ SplitMix64(state);
    size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i].used) {
      Slot& s = slots_[i];
      if (s.hash == h && s.state == state && s.lo == set.lo() && s.len == set.len() &&
          (s.len == 0 || std::memcmp(Words(s), set.window(), sizeof(uint64_t) * s.len) == 0)) {
        for (size_t m = s.masks; m != kNoMask; m = masks_[m]) {
          bool subset = true;
          for (size_t w = 0; w < unknown.size() && subset; ++w) {
            subset = (masks_[m + 1 + w] & ~unknown[w]) == 0;
          }
          if (subset) return Insert::kSeen;
        }
        if (OverBudget(unknown.size() + 1)) return Insert::kOverBudget;
        s.masks = AddMask(unknown, s.masks);
        ++count_;
        return Insert::kNew;
      }
      i = (i + 1) & mask;
    }
    if (OverBudget(set.len() + unknown.size() + 1)) return Insert::kOverBudget;
    Slot s;
    s.used = true;
    s.hash = h;
    s.state = state;
    s.lo = set.lo();
    s.len = set.len();
    s.where = Store(set.window(), set.len());
    s.masks = AddMask(unknown, kNoMask);
    slots_[i] = s;
    ++count_;
    if (++used_ * 2 > slots_.size()) Grow();
    return Insert::kNew;
  }

  size_t count() const { return count_; }
  size_t bytes() const {
    return slots_.size() * sizeof(Slot) + (stored_words_ + masks_.capacity()) * sizeof(uint64_t);
  }

 private:
  static constexpr size_t kChunkWords = size_t{1} << 16;
  static constexpr size_t kNoMask = SIZE_MAX;

  bool OverBudget(size_t words) const {
    return bytes() + sizeof(uint64_t) * words + kChunkWords * sizeof(uint64_t) > budget_;
  }

  // Masks of info operations, chained per slot: [next, word0, word1, ...].
  size_t AddMask(const std::vector<uint64_t>& unknown, size_t next) {
    const size_t at = masks_.size();
    masks_.push_back(next);
    masks_.insert(masks_.end(), unknown.begin(), unknown.end());
    return at;
  }

  struct Slot {
    uint64_t hash = 0;
    uint64_t state = 0;
    const uint64_t* where = nullptr;
    size_t masks = kNoMask;
    uint32_t lo = 0, len = 0;
    bool used = false;
  };

  static const uint64_t* Words(const Slot& s) { return s.where; }

  const uint64_t* Store(const uint64_t* words, uint32_t len) {
    if (len == 0) return nullptr;
    if (chunks_.empty() || chunk_used_ + len > chunk_size_) {
      // Chunks grow geometrically up to kChunkWords, and are not zeroed: every word is
      // written before it is read.
      chunk_size_ = std::max<size_t>(std::min(kChunkWords, std::max<size_t>(1024, 2 * chunk_size_)), len);
      chunks_.push_back(std::make_unique_for_overwrite<uint64_t[]>(chunk_size_));
      stored_words_ += chunk_size_;
      chunk_used_ = 0;
    }
    uint64_t* dst = chunks_.back().get() + chunk_used_;
    std::memcpy(dst, words, sizeof(uint64_t) * len);
    chunk_used_ += len;
    return dst;
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      size_t i = s.hash & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  size_t budget_;
  std::vector<Slot> slots_;
  size_t count_ = 0;  // configurations recorded
  size_t used_ = 0;   // slots in use
  std::vector<uint64_t> masks_;
  std::vector<std::unique_ptr<uint64_t[]>> chunks_;
  size_t chunk_size_ = 0, chunk_used_ = 0, stored_words_ = 0;
};

struct Frame {
  uint32_t entry;       // the call entry linearized at this level
  uint64_t prev_state;  // the state before it
  bool forced;          // a greedily linearized pure op: its siblings need no exploring
};

}  // namespace

PartitionResult SearchPartition(PartitionSpec& spec, const std::vector<const Operation*>& ops,
                                const SearchLimits& limits) {
  PartitionResult result;
  result.op_count = ops.size();

  // Relevant operations in call order; `orig[k]` is the spec index of search op k.
  std::vector<uint32_t> orig;
  for (uint32_t i = 0; i < ops.size(); ++i) {
    if (spec.Relevant(i)) orig.push_back(i);
  }
  std::stable_sort(orig.begin(), orig.end(),
                   [&](uint32_t a, uint32_t b) { return ops[a]->call < ops[b]->call; });
  const auto n = static_cast<uint32_t>(orig.size());
  if (n == 0) {
    result.verdict = Verdict::kLinearizable;
    return result;
  }
  std::vector<bool> pure(n);
  for (uint32_t k = 0; k < n; ++k) pure[k] = spec.Pure(orig[k]);

  // Entries 2k (call of op k) and 2k+1 (its return), linked in time order between the head
  // and tail sentinels.
  const uint32_t head = 2 * n, tail = 2 * n + 1;
  std::vector<uint32_t> next(2 * n + 2), prev(2 * n + 2);
  {
    std::vector<uint32_t> order(2 * n);
    for (uint32_t e = 0; e < 2 * n; ++e) order[e] = e;
    auto time_of = [&](uint32_t e) {
      const Operation& op = *ops[orig[e >> 1]];
      return (e & 1) ? op.ret : op.call;
    };
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      Nanos ta = time_of(a), tb = time_of(b);
      if (ta != tb) return ta < tb;
      if ((a & 1) != (b & 1)) return (a & 1) < (b & 1);  // calls first: touching is concurrent
      return a < b;
    });
    uint32_t last = head;
    for (uint32_t e : order) {
      next[last] = e;
      prev[e] = last;
      last = e;
    }
    next[last] = tail;
    prev[tail] = last;
  }
  auto lift = [&](uint32_t call) {
    next[prev[call]] = next[call];
    prev[next[call]] = prev[call];
    const uint32_t ret = call + 1;
    next[prev[ret]] = next[ret];
    prev[next[ret]] = prev[ret];
  };
  auto unlift = [&](uint32_t call) {
    const uint32_t ret = call + 1;
    next[prev[ret]] = ret;
    prev[next[ret]] = ret;
    next[prev[call]] = call;
    prev[next[call]] = call;
  };

  std::vector<bool> info(n);
  for (uint32_t k = 0; k < n; ++k) info[k] = ops[orig[k]]->ret == kNever;
  Configuration linearized(info);
  MemoTable memo(limits.memory_budget, n);
  std::vector<Frame> stack;
  uint64_t state = spec.Init();

  // The deepest failure seen: the counterexample if the search fails.
  size_t best_depth = 0;
  bool have_best = false;
  std::vector<uint32_t> best_prefix;
  uint64_t best_state = state;
  uint32_t best_blocked = 0;

  auto finish_linearizable = [&]() {
    result.verdict = Verdict::kLinearizable;
    result.states_explored = memo.count();
    return result;
  };
  auto finish_unknown = [&](std::string reason) {
    result.verdict = Verdict::kUnknown;
    result.reason = std::move(reason);
    result.states_explored = memo.count();
    return result;
  };

  auto finish_over_budget = [&]() {
    return finish_unknown("memory budget of " + std::to_string(limits.memory_budget >> 20) +
                          " MiB reached after " + std::to_string(memo.count()) +
                          " configurations");
  };

  // The lookahead checks the next few reads to return, scanning a bounded stretch of the list:
  // enough to see past a burst of concurrent writes, few enough to stay cheap.
  constexpr int kLookahead = 2;
  constexpr int kLookaheadSpan = 256;
  const bool use_lookahead = spec.HasLookahead();
  std::vector<bool> done_by_spec(use_lookahead ? ops.size() : 0, false);
  uint32_t cur = next[head];
  bool new_config = true;
  uint64_t steps = 0;
  while (true) {
    if (next[head] == tail) return finish_linearizable();
    if ((++steps & 1023) == 0) {
      if (limits.cancel && limits.cancel->load(std::memory_order_relaxed)) {
        return finish_unknown("cancelled after the first violation");
      }
      if (std::chrono::steady_clock::now() >= limits.deadline) {
        return finish_unknown("time limit reached after " + std::to_string(memo.count()) +
                              " configurations");
      }
    }

    bool backtrack = false;
    bool record = false;
    if (new_config) {
      new_config = false;
      // Greedy step: a pure candidate the model accepts goes first, without branching.
      bool forced = false;
      for (uint32_t e = next[head]; e != tail && (e & 1) == 0; e = next[e]) {
        const uint32_t k = e >> 1;
        if (!pure[k] || !spec.Step(state, orig[k])) continue;
        linearized.Set(k);
        if (linearized.linearized() == n) return finish_linearizable();
        switch (memo.TryInsert(linearized, state)) {
          case MemoTable::Insert::kNew:
            stack.push_back(Frame{e, state, true});
            if (use_lookahead) done_by_spec[orig[k]] = true;
            lift(e);
            new_config = true;
            break;
          case MemoTable::Insert::kSeen:
            linearized.Clear(k);
            backtrack = true;
            break;
          case MemoTable::Insert::kOverBudget:
            return finish_over_budget();
        }
        forced = true;
        break;
      }
      if (forced && new_config) continue;
      cur = next[head];
    }

    if (!backtrack) {
      if (cur == tail) {
        // Unreachable: the last entry of a non-empty list is a return.
        return finish_unknown("internal: search ran off the end of the history");
      }
      if ((cur & 1) == 0) {
        const uint32_t k = cur >> 1;
        if (!pure[k]) {  // pure candidates were all tried by the greedy step
          std::optional<uint64_t> s = spec.Step(state, orig[k]);
          if (s && use_lookahead) {
            // Lookahead: the next operations to return must stay reachable from *s.
            done_by_spec[orig[k]] = true;
            if (!spec.Viable(*s, orig[k], done_by_spec)) s.reset();
            lift(cur);
            int observers = 0, scanned = 0;
            for (uint32_t e = s ? next[head] : tail;
                 e != tail && observers < kLookahead && scanned < kLookaheadSpan; e = next[e]) {
              ++scanned;
              if ((e & 1) == 0 || !pure[e >> 1]) continue;
              ++observers;
              if (!spec.Reachable(*s, orig[e >> 1], done_by_spec)) {
                s.reset();
                break;
              }
            }
            unlift(cur);
            done_by_spec[orig[k]] = false;
          }
          if (s) {
            linearized.Set(k);
            // Checked before the memo, which may hold an ancestor this configuration extends
            // only by info operations (dominance would wrongly prune the finish).
            if (linearized.linearized() == n) return finish_linearizable();
            switch (memo.TryInsert(linearized, *s)) {
              case MemoTable::Insert::kNew:
                stack.push_back(Frame{cur, state, false});
                if (use_lookahead) done_by_spec[orig[k]] = true;
                state = *s;
                lift(cur);
                new_config = true;
                continue;
              case MemoTable::Insert::kSeen:
                linearized.Clear(k);
                break;
              case MemoTable::Insert::kOverBudget:
                return finish_over_budget();
            }
          }
        }
        cur = next[cur];
        continue;
      }
      // Returns of info operations (never) sort last: reaching one means every operation
      // that completed is linearized, and info operations always succeed, so they can all go
      // last. (The memo's dominance relies on this: it prunes placing them any earlier when
      // that changes nothing.)
      if (info[cur >> 1]) return finish_linearizable();
      // A return entry of an operation not yet linearized: this prefix is a dead end.
      backtrack = true;
      record = true;
    }

    if (record && (!have_best || stack.size() > best_depth)) {
      have_best = true;
      best_depth = stack.size();
      best_prefix.clear();
      for (const Frame& f : stack) best_prefix.push_back(orig[f.entry >> 1]);
      best_state = state;
      best_blocked = orig[cur >> 1];
    }
    while (true) {
      if (stack.empty()) {
        result.verdict = Verdict::kNotLinearizable;
        result.states_explored = memo.count();
        Counterexample cx;
        for (uint32_t i : best_prefix) cx.linearized.push_back(ops[i]->index);
        cx.state = spec.Describe(best_state);
        if (have_best) cx.unlinearizable.push_back(ops[best_blocked]->index);
        result.counterexample = std::move(cx);
        return result;
      }
      Frame f = stack.back();
      stack.pop_back();
      state = f.prev_state;
      linearized.Clear(f.entry >> 1);
      if (use_lookahead) done_by_spec[orig[f.entry >> 1]] = false;
      unlift(f.entry);
      if (!f.forced) {
        cur = next[f.entry];
        break;
      }
    }
  }
}

}  // namespace fenceline::internal
