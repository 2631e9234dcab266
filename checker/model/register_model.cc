// register and cas-register, and the single-cell compiled spec kv shares with them.
//   read        ok value v: the register held v; an ok read of nil follows --nil-reads
//   write v     sets it
//   cas [a b]   ok: held a, now holds b
// A failed operation did not take place and constrains nothing (Jepsen); with --fail-observes
// a failed cas observed a value other than a (Porcupine), and other failures stay inert.
// Info operations may have taken effect at any point after their invoke, or never.
#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "checker/model/models.h"
#include "checker/model/register_spec.h"

namespace fenceline::internal {
namespace {

enum class Kind : uint8_t { kRead, kWrite, kCas, kAppend };

struct CompiledOp {
  Kind kind = Kind::kRead;
  Outcome outcome = Outcome::kOk;
  bool relevant = true;
  // read: a = expected, b = 1 if a write or cas could have set a prefix of it (lookahead off);
  // write: a = new; cas: a = from, b = to; append: a = suffix id.
  uint64_t a = 0, b = 0;
};

// For each read whose value extends the value a write or cas sets (see FindResetsForReads):
// those writes, kept as prefixes of shared groups so that the table grows with the reads and
// the distinct values each one extends, not with reads times writes.
struct ResetTable {
  struct Use {
    uint32_t group;  // index into groups
    uint32_t count;  // the first `count` writes of that group
  };
  // Spec indices of writes, each group in call order.
  std::vector<std::vector<uint32_t>> groups;
  std::vector<Use> uses;
  // Read list j (a read's b - 1) is uses[begin[j], begin[j + 1]).
  std::vector<uint32_t> begin;

  bool AnyNotLinearized(uint64_t list, const std::vector<bool>& linearized) const {
    for (uint32_t u = begin[list]; u < begin[list + 1]; ++u) {
      const std::vector<uint32_t>& g = groups[uses[u].group];
      // Latest call first: the writes most likely still pending.
      for (uint32_t k = uses[u].count; k-- > 0;) {
        if (!linearized[g[k]]) return true;
      }
    }
    return false;
  }

  std::vector<uint32_t> Expand(uint64_t list) const {
    std::vector<uint32_t> out;
    for (uint32_t u = begin[list]; u < begin[list + 1]; ++u) {
      const std::vector<uint32_t>& g = groups[uses[u].group];
      out.insert(out.end(), g.begin(), g.begin() + uses[u].count);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

// A polynomial hash of a string's prefixes, extended one character at a time; equal prefixes
// hash equal, and every match is confirmed by comparing the text.
uint64_t RollHash(uint64_t h, char c) {
  return (h + static_cast<unsigned char>(c) + 1) * 0x100000001b3ULL;
}
uint64_t PrefixKey(uint64_t h, size_t len) {
  return h ^ (static_cast<uint64_t>(len) * 0x9e3779b97f4a7c15ULL);
}

// The states appends lead to, keyed by a hash of (state, suffix): open addressing over
// entries, not a node per entry, since a hot key's search records one for nearly every append
// it places (and freeing the nodes took as long as a quarter of its search).
struct AppendMemo {
  uint64_t key = 0;
  uint64_t state = 0, suffix = 0, next = kNoState;
  static constexpr uint64_t kNoState = UINT64_MAX;  // an empty entry
};
class AppendTable {
 public:
  // The entry holding `key`, or nullptr.
  AppendMemo* Find(uint64_t key) {
    if (entries_.empty()) return nullptr;
    const size_t mask = entries_.size() - 1;
    for (size_t i = Mix(key) & mask; entries_[i].next != AppendMemo::kNoState; i = (i + 1) & mask) {
      if (entries_[i].key == key) return &entries_[i];
    }
    return nullptr;
  }
  // An empty entry for `key`, which Find did not find; the caller fills it (key included).
  AppendMemo* Add(uint64_t key) {
    if (2 * (size_ + 1) > entries_.size()) Grow();
    ++size_;
    const size_t mask = entries_.size() - 1;
    size_t i = Mix(key) & mask;
    while (entries_[i].next != AppendMemo::kNoState) i = (i + 1) & mask;
    return &entries_[i];
  }
  size_t size() const { return size_; }

 private:
  // Keys are products of state ids, whose low bits vary little.
  static uint64_t Mix(uint64_t key) { return (key ^ (key >> 29)) * 0xbf58476d1ce4e5b9ULL; }
  void Grow() {
    std::vector<AppendMemo> old(std::max<size_t>(16, 2 * entries_.size()));
    old.swap(entries_);
    const size_t mask = entries_.size() - 1;
    for (const AppendMemo& e : old) {
      if (e.next == AppendMemo::kNoState) continue;
      size_t i = Mix(e.key) & mask;
      while (entries_[i].next != AppendMemo::kNoState) i = (i + 1) & mask;
      entries_[i] = e;
    }
  }

  std::vector<AppendMemo> entries_;  // a power of two, at most half full
  size_t size_ = 0;
};

// The values a compilation and its search intern, and the bytes they are charged for. Alone, a
// spec has an interner of its own. Sharing a cache's (CachedCompiler), it notes which of the
// shared values it used, and is charged what an interner of its own would hold: the same
// values, so the same bytes, and budgets trip where they would.
class SpecValues {
 public:
  SpecValues() : own_(std::make_unique<ValueInterner>()), values_(own_.get()) {}
  explicit SpecValues(ValueInterner& shared) : values_(&shared) {}

  uint64_t Intern(const Value& v) {
    const uint64_t id = values_->Intern(v);
    if (own_ == nullptr) Use(id);
    return id;
  }
  // Notes that the spec holds `id` (a shared value it found rather than interned).
  void Use(uint64_t id) {
    if (own_ != nullptr) return;
    if (id >= used_.size()) used_.resize(std::max<size_t>(2 * used_.size(), id + 1), false);
    if (used_[id]) return;
    used_[id] = true;
    used_bytes_ += ValueInterner::Cost(values_->Get(id));
  }
  const Value& Get(uint64_t id) const { return values_->Get(id); }
  size_t bytes() const { return own_ != nullptr ? own_->bytes() : used_bytes_; }
  bool shared() const { return own_ == nullptr; }
  const ValueInterner& interner() const { return *values_; }

 private:
  std::unique_ptr<ValueInterner> own_;
  ValueInterner* values_;
  std::vector<bool> used_;
  size_t used_bytes_ = 0;
};

// Each operation as compiled from itself alone, under a cache's value ids: a read's relevance
// still depends on whether nil is a state, which the whole subset decides.
struct CachedOp {
  CompiledOp op;
  bool reads_nil = false;
};

// What CachedCompiler shares between compilations of one partition's subsets.
class RegisterCache final : public CompileCache {
 public:
  ValueInterner values;
  AppendTable appended;
  std::unordered_map<const Operation*, CachedOp> ops;
};

class RegisterSpec final : public PartitionSpec {
 public:
  RegisterSpec(std::vector<CompiledOp> ops, SpecValues values, uint64_t init, bool has_appends,
               ResetTable resets_for_read, std::vector<std::vector<uint32_t>> witnesses,
               AppendTable* shared_appended)
      : ops_(std::move(ops)),
        values_(std::move(values)),
        init_(init),
        has_appends_(has_appends),
        own_appended_(shared_appended == nullptr ? std::make_unique<AppendTable>() : nullptr),
        appended_(shared_appended != nullptr ? shared_appended : own_appended_.get()),
        resets_for_read_(std::move(resets_for_read)),
        witnesses_(std::move(witnesses)) {}

  // Between writes a key's value only grows by appends, so a pending read must return an
  // extension of the current value, unless a write (or cas) it extends could come first.
  bool HasLookahead() const override { return has_appends_; }
  bool Reachable(uint64_t state, uint32_t i, const std::vector<bool>& linearized) override {
    const CompiledOp& o = ops_[i];
    if (o.kind != Kind::kRead || !o.relevant) return true;
    const Value& seen = values_.Get(o.a);
    if (!seen.is_string()) return true;
    // A write it extends may still come first.
    if (o.b != 0 && resets_for_read_.AnyNotLinearized(o.b - 1, linearized)) return true;
    const Value& now = values_.Get(state);
    if (!now.is_string()) return true;
    return seen.text().compare(0, now.text().size(), now.text()) == 0;
  }

  // An append whose text only it can produce, seen by a read: that read must come later and
  // extend the value right after the append (no write may erase the text in between).
  bool Viable(uint64_t state, uint32_t i, const std::vector<bool>& linearized) override {
    if (witnesses_.empty() || witnesses_[i].empty()) return true;
    const Value& now = values_.Get(state);
    if (!now.is_string()) return true;
    int checked = 0;
    for (uint32_t r : witnesses_[i]) {
      if (linearized[r]) return false;  // it saw the text before the append took effect
      if (checked < 4) {
        ++checked;
        const Value& seen = values_.Get(ops_[r].a);
        if (seen.text().compare(0, now.text().size(), now.text()) != 0) return false;
      }
    }
    return true;
  }

  bool Relevant(uint32_t op) const override { return ops_[op].relevant; }
  uint64_t Init() override { return init_; }
  bool Pure(uint32_t op) const override {
    const CompiledOp& o = ops_[op];
    return o.kind == Kind::kRead || (o.kind == Kind::kCas && o.outcome == Outcome::kFail);
  }

  std::optional<uint64_t> Step(uint64_t state, uint32_t i) override {
    const CompiledOp& o = ops_[i];
    switch (o.kind) {
      case Kind::kRead:
        if (state == o.a) return state;
        return std::nullopt;
      case Kind::kWrite:
        return o.a;
      case Kind::kCas:
        switch (o.outcome) {
          case Outcome::kOk: return state == o.a ? std::optional<uint64_t>(o.b) : std::nullopt;
          case Outcome::kFail: return state != o.a ? std::optional<uint64_t>(state) : std::nullopt;
          case Outcome::kInfo: return state == o.a ? o.b : state;
        }
        return std::nullopt;
      case Kind::kAppend:
        return Append(state, o.a);
    }
    return std::nullopt;
  }

  Value Describe(uint64_t state) const override { return values_.Get(state); }
  size_t StateBytes() const override {
    // Sharing a cache's table, the appends this spec's own table would hold: those it asked for.
    const size_t appends = own_appended_ != nullptr ? appended_->size() : asked_.size();
    return values_.bytes() + appends * (kHashNodeOverhead + 4 * sizeof(uint64_t));
  }

  // The lookahead tables spelled out, for RegisterCompileView.
  std::vector<uint32_t> ResetsOf(uint32_t op) const {
    const CompiledOp& o = ops_[op];
    if (o.kind != Kind::kRead || o.b == 0) return {};
    return resets_for_read_.Expand(o.b - 1);
  }
  const std::vector<std::vector<uint32_t>>& witnesses() const { return witnesses_; }

 private:
  uint64_t Append(uint64_t state, uint64_t suffix) {
    // Backtracking revisits the same (state, append) pairs; building and hashing the string
    // again each time would dominate the search on long values.
    const uint64_t key = state * 0x9e3779b97f4a7c15ULL ^ suffix;
    AppendMemo* at = appended_->Find(key);
    uint64_t next;
    if (at != nullptr && at->state == state && at->suffix == suffix) {
      next = at->next;
    } else {
      next = BuildAppend(state, suffix);
      if (at == nullptr) at = appended_->Add(key);
      *at = AppendMemo{key, state, suffix, next};
    }
    if (own_appended_ == nullptr) {
      // Another spec of the cache may have built it: charged as if this one had.
      values_.Use(next);
      if (asked_.Find(key) == nullptr) *asked_.Add(key) = AppendMemo{key, state, suffix, next};
    }
    return next;
  }

  uint64_t BuildAppend(uint64_t state, uint64_t suffix) {
    const Value& cur = values_.Get(state);
    const Value& add = values_.Get(suffix);
    Value next;
    if (add.is_string() && (cur.is_string() || cur.is_nil())) {
      next = Value::String(cur.text() + add.text());
    } else {
      std::vector<Value> items = cur.is_sequential() ? cur.items() : std::vector<Value>{};
      items.push_back(add);
      next = Value::Vector(std::move(items));
    }
    return values_.Intern(next);
  }

  std::vector<CompiledOp> ops_;
  SpecValues values_;
  uint64_t init_;
  bool has_appends_;
  // (state, suffix) -> state after the append; keyed by a hash, verified by the pair (a pair
  // whose key another holds replaces it). The spec's own, or a cache's.
  std::unique_ptr<AppendTable> own_appended_;
  AppendTable* appended_;
  // With a cache's table: the keys this spec asked for, for StateBytes.
  AppendTable asked_;
  // For reads with b != 0: the writes and cas (spec indices) whose value the read extends.
  ResetTable resets_for_read_;
  // Per append (spec index): the reads that show its text; empty when the texts are not
  // self-delimiting (see FindWitnesses).
  std::vector<std::vector<uint32_t>> witnesses_;
};

// The value an operation carries: the tuple's second element when keys come in tuples.
const Value& Payload(const Value& v, bool tuples, bool has_key) {
  if (tuples && !has_key && IsPair(v)) return v.items()[1];
  return v;
}

// Which of `patterns` (non-empty) occur in some text of `texts`: Aho-Corasick, so the work is
// linear in the total length of both.
std::vector<bool> OccurIn(const std::vector<std::string_view>& patterns,
                          const std::vector<std::string_view>& texts) {
  std::unordered_map<uint64_t, uint32_t> go;  // (node << 8 | byte) -> node
  auto edge = [](uint32_t node, char c) {
    return (uint64_t{node} << 8) | static_cast<unsigned char>(c);
  };
  std::vector<std::vector<std::pair<char, uint32_t>>> children(1);
  std::vector<uint32_t> end_of(patterns.size());
  for (size_t i = 0; i < patterns.size(); ++i) {
    uint32_t node = 0;
    for (char c : patterns[i]) {
      auto [it, inserted] = go.try_emplace(edge(node, c), static_cast<uint32_t>(children.size()));
      if (inserted) {
        children[node].emplace_back(c, it->second);
        children.emplace_back();
      }
      node = it->second;
    }
    end_of[i] = node;
  }
  // Failure links, in breadth-first order: the longest proper suffix that is also a trie node.
  std::vector<uint32_t> fail(children.size(), 0), order{0};
  for (size_t q = 0; q < order.size(); ++q) {
    const uint32_t u = order[q];
    for (auto [c, v] : children[u]) {
      order.push_back(v);
      if (u == 0) continue;
      for (uint32_t f = fail[u];; f = fail[f]) {
        if (auto it = go.find(edge(f, c)); it != go.end()) {
          fail[v] = it->second;
          break;
        }
        if (f == 0) break;
      }
    }
  }
  std::vector<bool> hit(children.size(), false);
  for (std::string_view text : texts) {
    uint32_t node = 0;
    for (char c : text) {
      while (true) {
        if (auto it = go.find(edge(node, c)); it != go.end()) {
          node = it->second;
          break;
        }
        if (node == 0) break;
        node = fail[node];
      }
      hit[node] = true;
    }
  }
  // A node is hit if any node whose failure chain reaches it was: deeper nodes come later in
  // breadth-first order.
  for (size_t q = order.size(); q-- > 1;) {
    if (hit[order[q]]) hit[fail[order[q]]] = true;
  }
  std::vector<bool> found(patterns.size());
  for (size_t i = 0; i < patterns.size(); ++i) found[i] = hit[end_of[i]];
  return found;
}

// An operation of unknown outcome whose effect nothing observed can be taken never to have
// happened: if some linearization applies it, dropping it leaves one too, since the value it
// set was read by no one (not even extended by appends) and compared by no cas before the
// next write replaced it. A failed
// cas is the exception (any other value satisfies it), so with failed cas around nothing is
// dropped. Linear in the operations and the observed text: prefixes are found by binary search
// in the sorted observed strings, substrings by one Aho-Corasick pass.
void DropUnobservedUnknowns(std::vector<CompiledOp>& ops, const ValueInterner& values) {
  std::vector<uint64_t> seen;  // values reads returned and cas expected
  bool any_info = false, appends = false;
  for (const CompiledOp& c : ops) {
    if (c.kind == Kind::kCas && c.outcome == Outcome::kFail && c.relevant) return;
    if (c.kind == Kind::kRead && c.relevant) seen.push_back(c.a);
    if (c.kind == Kind::kCas && c.relevant) seen.push_back(c.a);
    any_info |= c.outcome == Outcome::kInfo;
    appends |= c.kind == Kind::kAppend;
  }
  if (!any_info) return;
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  bool seen_non_string = false;
  std::vector<std::string_view> seen_texts;
  for (uint64_t v : seen) {
    const Value& s = values.Get(v);
    if (s.is_string()) seen_texts.push_back(s.text());
    else seen_non_string = true;
  }
  std::sort(seen_texts.begin(), seen_texts.end());
  // With appends, a written value is also observed through the values appended to it: through
  // any observed value that is not a string, or any that extends it.
  auto observed = [&](uint64_t v) {
    if (std::binary_search(seen.begin(), seen.end(), v)) return true;
    if (!appends || seen.empty()) return false;
    const Value& w = values.Get(v);
    if (!w.is_string() || seen_non_string) return true;
    auto it = std::lower_bound(seen_texts.begin(), seen_texts.end(), std::string_view(w.text()));
    return it != seen_texts.end() && it->substr(0, w.text().size()) == w.text();
  };
  // An appended text is observed in any observed value that is not a string, or any that
  // contains it.
  std::unordered_map<uint64_t, bool> appended_seen;
  if (appends && !seen.empty() && !seen_non_string) {
    std::vector<uint64_t> ids;
    std::vector<std::string_view> patterns;
    for (const CompiledOp& c : ops) {
      if (c.outcome != Outcome::kInfo || c.kind != Kind::kAppend) continue;
      const Value& add = values.Get(c.a);
      if (!add.is_string() || add.text().empty()) continue;
      if (appended_seen.try_emplace(c.a, false).second) {
        ids.push_back(c.a);
        patterns.push_back(add.text());
      }
    }
    std::vector<bool> found = OccurIn(patterns, seen_texts);
    for (size_t i = 0; i < ids.size(); ++i) appended_seen[ids[i]] = found[i];
  }
  auto append_seen = [&](uint64_t suffix) {
    auto it = appended_seen.find(suffix);
    if (it != appended_seen.end()) return it->second;
    const Value& add = values.Get(suffix);
    // Not looked up: the empty or non-string text (seen anywhere), or nothing observed at all,
    // or an observed value that is not a string.
    if (!add.is_string() || add.text().empty()) return true;
    return !seen.empty();
  };
  for (CompiledOp& c : ops) {
    if (c.outcome != Outcome::kInfo) continue;
    if (c.kind == Kind::kWrite && !observed(c.a)) c.relevant = false;
    if (c.kind == Kind::kCas && !observed(c.b)) c.relevant = false;
    if (c.kind == Kind::kAppend && !append_seen(c.a)) c.relevant = false;
  }
}

// For the lookahead: a read whose value extends the value some write or cas sets may follow
// that write, whatever came before, as long as the write is not yet linearized and began
// before the read ended. Returns those writes per such read (c.b - 1). Each read's value is
// hashed once, prefix by prefix, and looked up at the lengths written values have, so the work
// is linear in the reads' text and the writes.
ResetTable FindResetsForReads(std::vector<CompiledOp>& ops,
                              const std::vector<const Operation*>& src,
                              const ValueInterner& values) {
  ResetTable table;
  std::vector<uint32_t> resets;
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const CompiledOp& c = ops[i];
    if (c.relevant && (c.kind == Kind::kWrite || (c.kind == Kind::kCas && c.outcome != Outcome::kFail))) {
      resets.push_back(i);
    }
  }
  // Call times side by side: the binary searches below take one per step, and behind an
  // operation pointer each was a cache miss (a hot key's 100,000 operations lie over 50 MB).
  std::vector<Nanos> call(ops.size());
  for (uint32_t i = 0; i < ops.size(); ++i) call[i] = src[i]->call;
  std::stable_sort(resets.begin(), resets.end(),
                   [&](uint32_t x, uint32_t y) { return call[x] < call[y]; });
  // Group 0: every write (a read of a non-string value extends anything); group 1: the writes
  // of non-string values (every string read extends them); then one per string value.
  table.groups.resize(2);
  table.groups[0] = resets;
  std::unordered_map<uint64_t, uint32_t> group_of;  // value id -> group
  std::vector<uint64_t> group_value{0, 0};          // group -> value id
  std::vector<std::pair<uint64_t, uint32_t>> by_key;  // PrefixKey of the whole value -> group
  std::vector<bool> length_used;
  for (uint32_t w : resets) {
    const uint64_t v = ops[w].kind == Kind::kWrite ? ops[w].a : ops[w].b;
    const Value& set = values.Get(v);
    if (!set.is_string()) {
      table.groups[1].push_back(w);
      continue;
    }
    auto [it, inserted] = group_of.try_emplace(v, static_cast<uint32_t>(table.groups.size()));
    if (inserted) {
      table.groups.emplace_back();
      group_value.push_back(v);
      const std::string& text = set.text();
      uint64_t h = 0;
      for (char ch : text) h = RollHash(h, ch);
      by_key.emplace_back(PrefixKey(h, text.size()), it->second);
      if (length_used.size() <= text.size()) length_used.resize(text.size() + 1, false);
      length_used[text.size()] = true;
    }
    table.groups[it->second].push_back(w);
  }
  std::sort(by_key.begin(), by_key.end());
  for (uint32_t r = 0; r < ops.size(); ++r) {
    CompiledOp& c = ops[r];
    if (c.kind != Kind::kRead || !c.relevant) continue;
    const Nanos ret = src[r]->ret;
    const size_t start = table.uses.size();
    // A group is in call order, so its writes that began before the read ended are a prefix.
    auto use = [&](uint32_t group) {
      const std::vector<uint32_t>& g = table.groups[group];
      auto end = std::upper_bound(g.begin(), g.end(), ret,
                                  [&](Nanos t, uint32_t w) { return t < call[w]; });
      if (end != g.begin()) table.uses.push_back({group, static_cast<uint32_t>(end - g.begin())});
    };
    const Value& seen = values.Get(c.a);
    if (!seen.is_string()) {
      use(0);
    } else {
      use(1);
      const std::string& text = seen.text();
      const size_t lengths = std::min(text.size() + 1, length_used.size());
      uint64_t h = 0;
      for (size_t len = 0; len < lengths; ++len) {
        if (len > 0) h = RollHash(h, text[len - 1]);
        if (!length_used[len]) continue;
        const uint64_t key = PrefixKey(h, len);
        for (auto it = std::lower_bound(by_key.begin(), by_key.end(), std::make_pair(key, 0u));
             it != by_key.end() && it->first == key; ++it) {
          if (text.compare(0, len, values.Get(group_value[it->second]).text()) == 0) {
            use(it->second);
          }
        }
      }
    }
    c.b = 0;
    if (table.uses.size() > start) {
      table.begin.push_back(static_cast<uint32_t>(start));
      c.b = table.begin.size();
    }
  }
  table.begin.push_back(static_cast<uint32_t>(table.uses.size()));
  return table;
}

// Which reads show which append. Sound only when an appended text in a read can have come from
// that append alone, so it applies when appends are self-delimiting, as in Porcupine's and
// Jepsen's append workloads ("x 3 1 y"): every append text starts with one marker character
// that appears nowhere else in an append text, and each text is appended once and is no block
// of a written value. A value is then always a written (or the initial) value W followed by
// the texts appended since, and cutting it before each marker gives W's own blocks, then
// exactly those texts: W may hold anything (no marker, as the generator's "p12", or markers,
// as Jepsen's), since every append starts a block of its own. So the text shows in a read as
// a whole block (from a marker to the next marker or the end) only if that append took effect
// before the read, after the write the read extends. Returns nothing (no pruning) when the
// appends are not of that form. Each read's and write's blocks are looked up once, so the work
// is linear in their text.
std::vector<std::vector<uint32_t>> FindWitnesses(const std::vector<CompiledOp>& ops,
                                                 const ValueInterner& values, uint64_t init) {
  char marker = 0;
  size_t appends = 0;
  std::vector<const std::string*> written;
  for (const CompiledOp& c : ops) {
    if (!c.relevant) continue;
    if (c.kind == Kind::kAppend) {
      const Value& t = values.Get(c.a);
      if (!t.is_string() || t.text().empty()) return {};
      if (marker == 0) marker = t.text()[0];
      if (t.text()[0] != marker || t.text().find(marker, 1) != std::string::npos) return {};
      ++appends;
    } else if (c.kind == Kind::kWrite || (c.kind == Kind::kCas && c.outcome != Outcome::kFail)) {
      written.push_back(&values.Get(c.kind == Kind::kWrite ? c.a : c.b).text());
      if (!values.Get(c.kind == Kind::kWrite ? c.a : c.b).is_string()) return {};
    }
  }
  if (marker == 0) return {};
  const Value& initial = values.Get(init);
  if (!initial.is_string()) return {};
  written.push_back(&initial.text());
  auto for_each_block = [marker](const std::string& v, auto&& fn) {
    for (size_t p = v.find(marker); p != std::string::npos;) {
      const size_t q = v.find(marker, p + 1);
      fn(std::string_view(v).substr(p, q == std::string::npos ? std::string::npos : q - p));
      p = q;
    }
  };
  // The appended texts, in one open-addressing table (a hot key appends 100,000 of them, and
  // a node-based map and set of them were most of this function): how many appends make each,
  // the first that does, and whether it is also a block of a written value.
  struct Text {
    std::string_view text;
    uint64_t hash = 0;
    uint32_t count = 0;  // 0: an empty entry
    uint32_t op = 0;
    bool written = false;
  };
  size_t size = 16;
  while (size < 2 * appends) size *= 2;
  std::vector<Text> table(size);
  const std::hash<std::string_view> hasher;
  auto find = [&](std::string_view t, uint64_t h) -> Text& {
    size_t i = h & (size - 1);
    while (table[i].count != 0 && !(table[i].hash == h && table[i].text == t)) {
      i = (i + 1) & (size - 1);
    }
    return table[i];
  };
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const CompiledOp& c = ops[i];
    if (!c.relevant || c.kind != Kind::kAppend) continue;
    const std::string& t = values.Get(c.a).text();
    const uint64_t h = hasher(t);
    Text& e = find(t, h);
    if (e.count++ == 0) e = Text{t, h, 1, i, false};
  }
  for (const std::string* w : written) {
    for_each_block(*w, [&](std::string_view b) {
      Text& e = find(b, hasher(b));
      if (e.count != 0) e.written = true;
    });
  }
  // A text only one append makes, and no write: that append is the only source.
  std::vector<std::vector<uint32_t>> witnesses(ops.size());
  for (uint32_t r = 0; r < ops.size(); ++r) {
    const CompiledOp& rc = ops[r];
    if (rc.kind != Kind::kRead || !rc.relevant || !values.Get(rc.a).is_string()) continue;
    for_each_block(values.Get(rc.a).text(), [&](std::string_view b) {
      const Text& e = find(b, hasher(b));
      if (e.count != 1 || e.written) return;
      std::vector<uint32_t>& w = witnesses[e.op];
      if (w.empty() || w.back() != r) w.push_back(r);
    });
  }
  return witnesses;
}

constexpr size_t kPrefetchAhead = 8;
void PrefetchOperation(const Operation* op) {
  const char* at = reinterpret_cast<const char*>(op);
  for (size_t offset = 0; offset < sizeof(Operation); offset += 64) __builtin_prefetch(at + offset);
}
// Interning hashes each value's text, which lies in a box of its own (the values of 100,000 keys
// are as scattered as their operations): asked for once the operation itself has arrived.
constexpr size_t kPrefetchValuesAhead = kPrefetchAhead / 2;
void PrefetchValues(const Operation* op) {
  if (op->input.is_string()) __builtin_prefetch(&op->input.text());
  if (op->output.is_string()) __builtin_prefetch(&op->output.text());
}

// CompileRegister, and with `view` the same compilation spelled out for tests.
StatusOr<std::unique_ptr<PartitionSpec>> CompileRegisterImpl(
    const std::vector<const Operation*>& ops, std::string_view source,
    const RegisterDialect& dialect, const Value& initial, RegisterCompileView* view,
    RegisterCache* cache) {
  SpecValues values = cache != nullptr ? SpecValues(cache->values) : SpecValues();
  auto intern = [&](const Value& v) {
    if (dialect.nil_is_empty && v.is_nil()) return values.Intern(Value::String(""));
    return values.Intern(v);
  };
  const uint64_t init = intern(initial);
  const uint64_t nil = intern(Value());
  std::vector<CompiledOp> compiled;
  compiled.reserve(ops.size());
  // Reads of nil, whose relevance waits for whether nil is a state.
  std::vector<bool> reads_nil(ops.size(), false);
  for (size_t i = 0; i < ops.size(); ++i) {
    // A key's operations lie far apart in the history: ask for the next ones ahead of time,
    // so their cache misses overlap this one's work.
    if (i + kPrefetchAhead < ops.size()) PrefetchOperation(ops[i + kPrefetchAhead]);
    if (i + kPrefetchValuesAhead < ops.size()) PrefetchValues(ops[i + kPrefetchValuesAhead]);
    const Operation* op = ops[i];
    if (cache != nullptr) {
      if (auto it = cache->ops.find(op); it != cache->ops.end()) {
        const CompiledOp& c = it->second.op;
        values.Use(c.a);
        if (c.kind == Kind::kCas) values.Use(c.b);
        reads_nil[i] = it->second.reads_nil;
        compiled.push_back(c);
        continue;
      }
    }
    CompiledOp c;
    c.outcome = op->outcome;
    const bool has_key = op->key.has_value();
    const Value& in = Payload(op->input, dialect.tuples, has_key);
    const Value& out = Payload(op->output, dialect.tuples, has_key);
    const std::string& f = op->f;
    if (f == "read" || (dialect.append && f == "get")) {
      c.kind = Kind::kRead;
      // Only an ok read observed anything (and a read of nil only where nil is a value: below).
      c.relevant = op->outcome == Outcome::kOk;
      reads_nil[i] = out.is_nil();
      c.a = intern(out);
    } else if (f == "write" || (dialect.append && f == "put")) {
      c.kind = Kind::kWrite;
      c.relevant = op->outcome != Outcome::kFail;
      c.a = intern(in);
    } else if (f == "cas" && (dialect.cas || dialect.append)) {
      c.kind = Kind::kCas;
      if (!IsPair(in)) return BadValue(source, *op, dialect.model, "a value [from to]", in);
      c.a = intern(in.items()[0]);
      c.b = intern(in.items()[1]);
      c.relevant = op->outcome != Outcome::kFail || dialect.fail_observes;
    } else if (dialect.append && f == "append") {
      c.kind = Kind::kAppend;
      c.relevant = op->outcome != Outcome::kFail;
      c.a = values.Intern(in);
    } else {
      return UnknownOperation(source, *op, dialect.model, dialect.operations);
    }
    if (cache != nullptr) cache->ops.emplace(op, CachedOp{c, reads_nil[i]});
    compiled.push_back(c);
  }
  // --nil-reads auto: nil is a value where the register can hold it, from the start or from
  // an operation that may have taken place (a failed one did not) and writes nil.
  bool nil_is_state = init == nil;
  for (const CompiledOp& c : compiled) {
    if (c.outcome == Outcome::kFail) continue;
    nil_is_state |= (c.kind == Kind::kWrite && c.a == nil) || (c.kind == Kind::kCas && c.b == nil);
  }
  const bool nil_reads_are_values =
      dialect.nil_reads == NilReads::kValue ||
      (dialect.nil_reads == NilReads::kAuto && nil_is_state);
  for (size_t i = 0; i < compiled.size(); ++i) {
    if (compiled[i].kind == Kind::kRead && reads_nil[i] && !nil_reads_are_values) {
      compiled[i].relevant = false;
    }
  }
  if (view) {
    view->init = values.Get(init);
    for (const CompiledOp& c : compiled) {
      RegisterCompileView::Op v;
      v.kind = static_cast<RegisterCompileView::Kind>(c.kind);
      v.outcome = c.outcome;
      v.relevant_compiled = c.relevant;
      v.a = values.Get(c.a);
      if (c.kind == Kind::kCas) v.b = values.Get(c.b);
      view->ops.push_back(std::move(v));
    }
  }
  DropUnobservedUnknowns(compiled, values.interner());
  bool has_appends = false;
  for (const CompiledOp& c : compiled) has_appends |= c.kind == Kind::kAppend && c.relevant;
  ResetTable resets;
  std::vector<std::vector<uint32_t>> witnesses;
  if (has_appends) {
    resets = FindResetsForReads(compiled, ops, values.interner());
    witnesses = FindWitnesses(compiled, values.interner(), init);
  }
  auto spec = std::make_unique<RegisterSpec>(std::move(compiled), std::move(values), init,
                                             has_appends, std::move(resets), std::move(witnesses),
                                             cache != nullptr ? &cache->appended : nullptr);
  if (view) {
    view->has_appends = has_appends;
    view->witnesses = spec->witnesses();
    for (uint32_t i = 0; i < view->ops.size(); ++i) {
      view->ops[i].relevant = spec->Relevant(i);
      view->ops[i].resets = spec->ResetsOf(i);
    }
  }
  return std::unique_ptr<PartitionSpec>(std::move(spec));
}

}  // namespace

StatusOr<std::unique_ptr<PartitionSpec>> CompileRegister(const std::vector<const Operation*>& ops,
                                                         std::string_view source,
                                                         const RegisterDialect& dialect,
                                                         const Value& initial,
                                                         CompileCache* cache) {
  return CompileRegisterImpl(ops, source, dialect, initial, nullptr,
                             static_cast<RegisterCache*>(cache));
}

std::unique_ptr<CompileCache> NewRegisterCompileCache() { return std::make_unique<RegisterCache>(); }

StatusOr<RegisterCompileView> InspectRegisterCompile(const std::vector<const Operation*>& ops,
                                                     std::string_view source,
                                                     const RegisterDialect& dialect,
                                                     const Value& initial) {
  RegisterCompileView view;
  FENCELINE_RETURN_IF_ERROR(CompileRegisterImpl(ops, source, dialect, initial, &view, nullptr).status());
  return view;
}

namespace {

class RegisterModel final : public RegisterFamilyModel {
 public:
  RegisterModel(const ModelOptions& options, bool cas)
      : initial_(options.initial.value_or(Value())),
        cas_(cas),
        fail_observes_(options.fail_observes),
        nil_reads_(options.nil_reads) {}

  std::string_view id() const override { return cas_ ? "cas-register" : "register"; }
  std::string_view description() const override {
    return cas_ ? "a single register with compare-and-set, starting at nil (--initial overrides)"
                : "a single read/write register, starting at nil (--initial overrides)";
  }
  std::vector<OperationDoc> operations() const override {
    std::vector<OperationDoc> docs = {
        {"read", "ok value v: the register held v (an ok read of nil: see --nil-reads)"},
        {"write", "value v: sets the register to v"},
    };
    if (cas_) {
      docs.push_back({"cas", "value [from to]; ok: held from, now holds to; fail: did not take "
                             "place (--fail-observes: did not hold from)"});
    }
    return docs;
  }

 private:
  RegisterDialect Dialect() const override {
    RegisterDialect d;
    d.model = id();
    d.operations = cas_ ? "read, write, cas" : "read, write";
    d.cas = cas_;
    d.fail_observes = fail_observes_;
    d.nil_reads = nil_reads_;
    return d;
  }
  const Value& Initial() const override { return initial_; }

  Value initial_;
  bool cas_;
  bool fail_observes_;
  NilReads nil_reads_;
};

}  // namespace

std::unique_ptr<Model> MakeRegisterModel(const ModelOptions& options, bool cas) {
  return std::make_unique<RegisterModel>(options, cas);
}

}  // namespace fenceline::internal
