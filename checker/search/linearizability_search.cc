#include "checker/search/linearizability_search.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

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
    if (info_[k]) {
      unknown_[slot_[k] >> 6] |= uint64_t{1} << (slot_[k] & 63);
      ++unknown_count_;
    } else {
      completed_->Set(slot_[k]);
    }
  }
  void Clear(uint32_t k) {
    --linearized_;
    if (info_[k]) {
      unknown_[slot_[k] >> 6] &= ~(uint64_t{1} << (slot_[k] & 63));
      --unknown_count_;
    } else {
      completed_->Clear(slot_[k]);
    }
  }

  size_t linearized() const { return linearized_; }
  uint32_t unknown_count() const { return unknown_count_; }  // info operations linearized
  const LinearizedSet& completed() const { return *completed_; }
  const std::vector<uint64_t>& unknown() const { return unknown_; }

 private:
  const std::vector<bool>& info_;
  std::vector<uint32_t> slot_;
  std::unique_ptr<LinearizedSet> completed_;
  std::vector<uint64_t> unknown_;
  size_t linearized_ = 0;
  uint32_t unknown_count_ = 0;
};

// Memo of configurations (linearized set, state) already explored: open addressing over slots;
// windows and info masks stored in chunks that grow to a fixed size, so that growth never
// doubles a huge buffer. Every allocation is charged to the memory account before it is made.
class MemoTable {
 public:
  // `expected` sizes the first table: a partition of n operations records at least about n
  // configurations, and small ones (100,000 keys of ten operations) must not each pay for a
  // table sized for large ones.
  MemoTable(MemoryAccount& account, size_t expected) : account_(account) {
    while (first_slots_ < 2 * expected && first_slots_ < 1024) first_slots_ *= 2;
  }
  ~MemoTable() { account_.Release(charged_); }
  MemoTable(const MemoTable&) = delete;
  MemoTable& operator=(const MemoTable&) = delete;

  enum class Insert { kNew, kSeen, kOverBudget };

  // kSeen if a configuration with this state and these completed operations, and a subset of
  // these info operations, was recorded before: whatever this one can reach, that one could.
  Insert TryInsert(const Configuration& config, uint64_t state) {
    const LinearizedSet& set = config.completed();
    const std::vector<uint64_t>& unknown = config.unknown();
    const uint64_t h = set.hash() ^ SplitMix64(state);
    if (slots_.empty() && !Grow()) return Insert::kOverBudget;
    size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i].used) {
      Slot& s = slots_[i];
      if (s.hash == h && s.state == state && s.lo == set.lo() && s.len == set.len() &&
          (s.len == 0 || std::memcmp(s.where, set.window(), sizeof(uint64_t) * s.len) == 0)) {
        // A mask that is a strict superset of this one is unlinked on the way: whatever it
        // would prune, this one (or a subset found further on, which then stays) prunes too,
        // so the answers are those of the whole chain and the chain stays short. Only a mask
        // with no more operations can be a subset and only one with more a strict superset,
        // so each mask takes one test, picked by its count.
        const uint32_t count = config.unknown_count();
        uint64_t* link = &s.masks_head;
        for (uint64_t* m = MaskAt(*link); m != nullptr; m = MaskAt(*link)) {
          if (MaskCount(m) <= count) {
            bool subset = true;
            for (size_t w = 0; w < unknown.size() && subset; ++w) {
              subset = (m[1 + w] & ~unknown[w]) == 0;
            }
            if (subset) return Insert::kSeen;
          } else {
            bool superset = true;
            for (size_t w = 0; w < unknown.size() && superset; ++w) {
              superset = (unknown[w] & ~m[1 + w]) == 0;
            }
            if (superset) {
              *link = (*link & ~kAddressMask) | (m[0] & kAddressMask);
              continue;
            }
          }
          link = &m[0];
        }
        uint64_t* added = AddMask(unknown, count, s.masks_head);
        if (added == nullptr) return Insert::kOverBudget;
        s.masks_head = reinterpret_cast<uintptr_t>(added);
        ++count_;
        return Insert::kNew;
      }
      i = (i + 1) & mask;
    }
    Slot s;
    s.used = true;
    s.hash = h;
    s.state = state;
    s.lo = set.lo();
    s.len = set.len();
    if (s.len > 0) {
      uint64_t* where = Allocate(s.len);
      if (where == nullptr) return Insert::kOverBudget;
      std::memcpy(where, set.window(), sizeof(uint64_t) * s.len);
      s.where = where;
    }
    uint64_t* first = AddMask(unknown, config.unknown_count(), 0);
    if (first == nullptr) return Insert::kOverBudget;
    s.masks_head = reinterpret_cast<uintptr_t>(first);
    // Grown before the insert, so a refused growth leaves the table as it was.
    if ((used_ + 1) * 2 > slots_.size()) {
      if (!Grow()) return Insert::kOverBudget;
      mask = slots_.size() - 1;
      for (i = h & mask; slots_[i].used; i = (i + 1) & mask) {
      }
    }
    slots_[i] = s;
    ++used_;
    ++count_;
    return Insert::kNew;
  }

  size_t count() const { return count_; }

 private:
  static constexpr size_t kFirstChunkWords = 1024;
  static constexpr size_t kMaxChunkWords = size_t{1} << 16;

  struct Slot {
    uint64_t hash = 0;
    uint64_t state = 0;
    const uint64_t* where = nullptr;  // the window, in a chunk
    uint64_t masks_head = 0;  // the address of the first of a chain of info masks, in a chunk
    uint32_t lo = 0, len = 0;
    bool used = false;
  };

  // Masks of info operations, chained per slot: [link, word0, word1, ...], `link` holding the
  // address of the next mask (0: none) in its low 48 bits and the mask's count of operations,
  // capped at kCountCap, in its high 16 (user-space addresses on x86-64 and AArch64 fit in 48).
  static constexpr int kAddressBits = 48;
  static constexpr uint64_t kAddressMask = (uint64_t{1} << kAddressBits) - 1;
  static constexpr uint32_t kCountCap = 0xffff;
  static uint64_t* MaskAt(uint64_t link) {
    return reinterpret_cast<uint64_t*>(static_cast<uintptr_t>(link & kAddressMask));
  }
  // A capped count reads as 0, so that a large mask is always tested as a possible subset,
  // never dropped as a superset (a miss there only keeps a dominated mask: still correct).
  static uint32_t MaskCount(const uint64_t* m) {
    const auto c = static_cast<uint32_t>(m[0] >> kAddressBits);
    return c == kCountCap ? 0 : c;
  }
  uint64_t* AddMask(const std::vector<uint64_t>& unknown, uint32_t count, uint64_t next) {
    uint64_t* m = Allocate(unknown.size() + 1);
    if (m == nullptr) return nullptr;
    m[0] = (next & kAddressMask) | (uint64_t{std::min(count, kCountCap)} << kAddressBits);
    std::copy(unknown.begin(), unknown.end(), m + 1);
    return m;
  }

  bool Charge(size_t bytes) {
    if (!account_.Reserve(bytes)) return false;
    charged_ += bytes;
    return true;
  }
  void Uncharge(size_t bytes) {
    account_.Release(bytes);
    charged_ -= bytes;
  }

  // `words` words from the current chunk, or a new one; nullptr if the budget refuses it.
  uint64_t* Allocate(size_t words) {
    if (chunks_.empty() || chunk_used_ + words > chunk_size_) {
      // Chunks start small, so that the many tiny partitions of a large history stay cheap,
      // and double up to a fixed size.
      const size_t size = std::max(
          words, chunks_.empty() ? kFirstChunkWords : std::min(2 * chunk_size_, kMaxChunkWords));
      if (!Charge(size * sizeof(uint64_t))) return nullptr;
      chunks_.push_back(std::make_unique_for_overwrite<uint64_t[]>(size));
      chunk_size_ = size;
      chunk_used_ = 0;
    }
    uint64_t* at = chunks_.back().get() + chunk_used_;
    chunk_used_ += words;
    return at;
  }

  // Doubles the table (or makes the first one). Both tables exist during the move, so both are
  // charged until the old one is gone.
  bool Grow() {
    const size_t size = slots_.empty() ? first_slots_ : 2 * slots_.size();
    if (!Charge(size * sizeof(Slot))) return false;
    std::vector<Slot> old(size);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      size_t i = s.hash & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = s;
    }
    Uncharge(old.size() * sizeof(Slot));
    return true;
  }

  MemoryAccount& account_;
  size_t charged_ = 0;  // bytes taken from account_
  size_t first_slots_ = 16;
  std::vector<Slot> slots_;
  size_t count_ = 0;  // configurations recorded
  size_t used_ = 0;   // slots in use
  std::vector<std::unique_ptr<uint64_t[]>> chunks_;
  size_t chunk_size_ = 0, chunk_used_ = 0;
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
  MemoryBudget unlimited(kNoMemoryLimit);
  std::optional<MemoryAccount> own;
  if (limits.memory == nullptr) own.emplace(unlimited);
  MemoryAccount& account = limits.memory ? *limits.memory : *own;
  auto over_budget = [&](size_t configurations) {
    result.verdict = Verdict::kUnknown;
    result.reason = "memory budget of " + std::to_string(account.limit() >> 20) +
                    " MiB reached after " + std::to_string(configurations) +
                    " configurations (this partition held " + std::to_string(account.held() >> 20) +
                    " MiB)";
    result.states_explored = configurations;
    return result;
  };
  // The model's interned states, charged as they grow.
  size_t spec_bytes = 0;
  if (!account.Track(spec_bytes, spec.StateBytes())) return over_budget(0);

  // Relevant operations in call order; `orig[k]` is the spec index of search op k.
  std::vector<uint32_t> orig;
  for (uint32_t i = 0; i < ops.size(); ++i) {
    if (spec.Relevant(i)) orig.push_back(i);
  }
  // History::ops is in invoke order, so the operations are nearly always in call order already
  // (and a stable sort of a sorted list leaves it as it is).
  auto by_call = [&](uint32_t a, uint32_t b) { return ops[a]->call < ops[b]->call; };
  if (!std::is_sorted(orig.begin(), orig.end(), by_call)) {
    std::stable_sort(orig.begin(), orig.end(), by_call);
  }
  const auto n = static_cast<uint32_t>(orig.size());
  if (n == 0) {
    result.verdict = Verdict::kLinearizable;
    return result;
  }
  // The arrays below, per relevant operation: the entry list (next, prev, and the sorted returns),
  // orig, the configuration's bitsets, slots and hashes, the stack, the deepest prefix.
  constexpr size_t kBytesPerOp = 80;
  const size_t fixed_bytes = kBytesPerOp * n + ops.size() / 8;
  if (!account.Reserve(fixed_bytes)) return over_budget(0);
  struct Unreserve {
    MemoryAccount& account;
    size_t bytes;
    ~Unreserve() { account.Release(bytes); }
  } unreserve{account, fixed_bytes};
  std::vector<bool> pure(n);
  for (uint32_t k = 0; k < n; ++k) pure[k] = spec.Pure(orig[k]);

  // Entries 2k (call of op k) and 2k+1 (its return), linked in time order between the head
  // and tail sentinels.
  const uint32_t head = 2 * n, tail = 2 * n + 1;
  std::vector<uint32_t> next(2 * n + 2), prev(2 * n + 2);
  {
    // The order: by time, calls before returns at equal times (touching is concurrent), then by
    // entry. Calls already come in that order (op k by call time, ties by k), so only the
    // returns are sorted, by (time, entry), with their times beside them rather than behind an
    // operation pointer each comparison, and the two lists are merged.
    std::vector<std::pair<Nanos, uint32_t>> returns(n);
    for (uint32_t k = 0; k < n; ++k) returns[k] = {ops[orig[k]]->ret, 2 * k + 1};
    std::sort(returns.begin(), returns.end());
    uint32_t last = head;
    auto append = [&](uint32_t e) {
      next[last] = e;
      prev[e] = last;
      last = e;
    };
    size_t r = 0;
    for (uint32_t k = 0; k < n; ++k) {
      const Nanos call = ops[orig[k]]->call;
      while (r < n && returns[r].first < call) append(returns[r++].second);
      append(2 * k);
    }
    while (r < n) append(returns[r++].second);
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
  // A pure operation of unknown outcome is never taken greedily (nor as a lookahead observer):
  // placing it lands on a configuration its parent dominates, the memo prunes it, and the
  // greedy step, which has no siblings to fall back on, would abandon the parent.
  for (uint32_t k = 0; k < n; ++k) {
    if (info[k]) pure[k] = false;
  }
  // Pure operations not yet linearized: the lookahead stops once it has checked them all, as
  // the rest of its stretch holds no read to check (a proof's restricted histories keep a few
  // reads among hundreds of writes, and scanned 256 entries a step for them).
  uint32_t pure_left = 0;
  for (uint32_t k = 0; k < n; ++k) pure_left += pure[k];
  Configuration linearized(info);
  MemoTable memo(account, n);
  std::vector<Frame> stack;
  uint64_t state = spec.Init();

  // The deepest failure seen: the counterexample if the search fails.
  // best_prefix is kept in step with the stack rather than copied at each new depth (which,
  // with a dead end a little deeper every few steps, made long histories quadratic): its first
  // `best_synced` entries are the stack's bottom frames.
  size_t best_depth = 0;
  bool have_best = false;
  std::vector<uint32_t> best_prefix;
  size_t best_synced = 0;
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

  auto finish_over_budget = [&]() { return over_budget(memo.count()); };

  // Enumeration (SearchLimits::on_complete): hands over the configuration reached, with `also`
  // (an info operation linearized but not yet on the stack, or n: none).
  bool completed_any = false;
  std::vector<uint32_t> applied_info;
  auto hand_over = [&](const uint64_t& at, uint32_t also) {
    completed_any = true;
    // Info operations linearized after the last completed one: the configuration before them
    // is handed over too, and the next segment may apply them first.
    const bool trailing_info = also < n ? info[also] : !stack.empty() && info[stack.back().entry >> 1];
    if (trailing_info) return;
    applied_info.clear();
    for (const Frame& f : stack) {
      if (info[f.entry >> 1]) applied_info.push_back(orig[f.entry >> 1]);
    }
    if (also < n && info[also]) applied_info.push_back(orig[also]);
    (*limits.on_complete)(at, applied_info);
  };

  // The lookahead checks every read that returns within a bounded stretch of the list. Not
  // just the next few: with many operations in flight on a key, a write placed too early
  // contradicts a read several returns later, and a search that learns it only on reaching
  // that read backtracks through every ordering of the writes in between (1,000 operations
  // with 14 in flight: 300 configurations an operation with the next two reads checked, 1.3
  // with all). The stretch covers a concurrency window many times over and keeps a step cheap
  // on long histories; reads past it are checked when the search gets near them.
  constexpr int kLookaheadSpan = 256;
  // It also stops at the second cut where nothing is in flight: everything before such a cut
  // precedes everything after it, so on a quiet key the search reaches the cut within a few
  // steps and learns there what reads beyond it need; scanning past it only cost time (1,000
  // keys of 1,000 operations: 16 reads checked a step).
  constexpr int kLookaheadCuts = 2;
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
        return finish_unknown(std::string(limits.deadline_cause) + " reached after " +
                              std::to_string(memo.count()) + " configurations");
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
        if (linearized.linearized() == n) {
          if (!limits.on_complete) return finish_linearizable();
          hand_over(state, k);
          linearized.Clear(k);
          backtrack = true;
          forced = true;
          break;
        }
        switch (memo.TryInsert(linearized, state)) {
          case MemoTable::Insert::kNew:
            stack.push_back(Frame{e, state, true});
            if (use_lookahead) done_by_spec[orig[k]] = true;
            lift(e);
            --pure_left;
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
          if (!account.Track(spec_bytes, spec.StateBytes())) return finish_over_budget();
          if (s && use_lookahead) {
            // Lookahead: the reads about to return must stay reachable from *s.
            done_by_spec[orig[k]] = true;
            if (!spec.Viable(*s, orig[k], done_by_spec)) s.reset();
            lift(cur);
            int scanned = 0, open = 0, cuts = 0;
            uint32_t reads = 0;
            for (uint32_t e = s && pure_left > 0 ? next[head] : tail;
                 e != tail && scanned < kLookaheadSpan && cuts < kLookaheadCuts; e = next[e]) {
              ++scanned;
              if ((e & 1) == 0) {
                ++open;
                continue;
              }
              if (--open == 0) ++cuts;
              if (!pure[e >> 1]) continue;
              if (!spec.Reachable(*s, orig[e >> 1], done_by_spec)) {
                s.reset();
                break;
              }
              if (++reads == pure_left) break;
            }
            unlift(cur);
            done_by_spec[orig[k]] = false;
          }
          if (s) {
            linearized.Set(k);
            // Checked before the memo, which may hold an ancestor this configuration extends
            // only by info operations (dominance would wrongly prune the finish).
            if (linearized.linearized() == n && !limits.on_complete) return finish_linearizable();
            if (linearized.linearized() == n) {
              hand_over(*s, k);
              linearized.Clear(k);
              cur = next[cur];
              continue;
            }
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
      if (info[cur >> 1] && !limits.on_complete) return finish_linearizable();
      backtrack = true;
      if (info[cur >> 1]) {
        hand_over(state, n);
      } else {
        // A return entry of an operation not yet linearized: this prefix is a dead end.
        record = true;
      }
    }

    if (record && (!have_best || stack.size() > best_depth)) {
      have_best = true;
      best_depth = stack.size();
      best_prefix.resize(best_synced);
      for (size_t d = best_synced; d < stack.size(); ++d) {
        best_prefix.push_back(orig[stack[d].entry >> 1]);
      }
      best_synced = stack.size();
      best_state = state;
      best_blocked = orig[cur >> 1];
    }
    while (true) {
      if (stack.empty()) {
        if (completed_any) return finish_linearizable();
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
      best_synced = std::min(best_synced, stack.size());
      state = f.prev_state;
      linearized.Clear(f.entry >> 1);
      if (use_lookahead) done_by_spec[orig[f.entry >> 1]] = false;
      unlift(f.entry);
      pure_left += pure[f.entry >> 1];
      if (!f.forced) {
        cur = next[f.entry];
        break;
      }
    }
  }
}

}  // namespace fenceline::internal
