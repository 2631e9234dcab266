// The register/kv compiler's linear-time set-up (dropping unobserved unknowns, the writes each
// read may follow, the reads that witness an append) against the quadratic definitions it
// replaced, kept here as the reference: on random histories with the shapes those tables are
// about (self-delimiting appends and ones that are not, duplicates, prefixes, empty and
// non-string values, ties in time, unknown outcomes, failed cas), both must give exactly the
// same tables. And compilation with a cache shared by many subsets of one history (a proof's
// restricted searches) against compilation afresh: the same answers and the same charges.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checker/model/register_spec.h"
#include "fenceline/history.h"

namespace fenceline::internal {
namespace {

using View = RegisterCompileView;
using K = View::Kind;

bool Prefix(const Value& of, const Value& p) {
  return of.text().compare(0, p.text().size(), p.text()) == 0;
}

// The definitions as first written: each unknown write against every observed value.
std::vector<bool> RefRelevant(const View& v) {
  std::vector<bool> relevant;
  for (const View::Op& c : v.ops) relevant.push_back(c.relevant_compiled);
  std::vector<Value> seen;
  for (const View::Op& c : v.ops) {
    if (c.kind == K::kCas && c.outcome == Outcome::kFail && c.relevant_compiled) return relevant;
  }
  for (size_t i = 0; i < v.ops.size(); ++i) {
    const View::Op& c = v.ops[i];
    if (c.kind == K::kRead && c.relevant_compiled) seen.push_back(c.a);
    if (c.kind == K::kCas && c.relevant_compiled) seen.push_back(c.a);
  }
  bool appends = false;
  for (const View::Op& c : v.ops) appends |= c.kind == K::kAppend;
  auto observed = [&](const Value& w) {
    for (const Value& s : seen) {
      if (s == w) return true;
    }
    if (!appends) return false;
    for (const Value& s : seen) {
      if (!s.is_string() || !w.is_string() || Prefix(s, w)) return true;
    }
    return false;
  };
  auto appended_seen = [&](const Value& add) {
    if (!add.is_string() || add.text().empty()) return true;
    for (const Value& s : seen) {
      if (!s.is_string() || s.text().find(add.text()) != std::string::npos) return true;
    }
    return false;
  };
  for (size_t i = 0; i < v.ops.size(); ++i) {
    const View::Op& c = v.ops[i];
    if (c.outcome != Outcome::kInfo) continue;
    if (c.kind == K::kWrite && !observed(c.a)) relevant[i] = false;
    if (c.kind == K::kCas && !observed(c.b)) relevant[i] = false;
    if (c.kind == K::kAppend && !appended_seen(c.a)) relevant[i] = false;
  }
  return relevant;
}

// Every write scanned for every read.
std::vector<std::vector<uint32_t>> RefResets(const View& v, const std::vector<Operation>& src) {
  std::vector<std::vector<uint32_t>> out(v.ops.size());
  if (!v.has_appends) return out;
  for (uint32_t r = 0; r < v.ops.size(); ++r) {
    const View::Op& c = v.ops[r];
    if (c.kind != K::kRead || !c.relevant) continue;
    for (uint32_t w = 0; w < v.ops.size(); ++w) {
      const View::Op& wc = v.ops[w];
      if (!wc.relevant) continue;
      if (!(wc.kind == K::kWrite || (wc.kind == K::kCas && wc.outcome != Outcome::kFail))) continue;
      const Value& set = wc.kind == K::kWrite ? wc.a : wc.b;
      if (src[w].call > src[r].ret) continue;
      if (!c.a.is_string() || !set.is_string() || Prefix(c.a, set)) out[r].push_back(w);
    }
  }
  return out;
}

// Every unique append text searched for in every written value and every read.
std::vector<std::vector<uint32_t>> RefWitnesses(const View& v) {
  if (!v.has_appends) return {};
  const auto& ops = v.ops;
  char marker = 0;
  std::map<std::string, int> appended;
  std::vector<Value> written;
  for (const View::Op& c : ops) {
    if (!c.relevant) continue;
    if (c.kind == K::kAppend) {
      const Value& t = c.a;
      if (!t.is_string() || t.text().empty()) return {};
      if (marker == 0) marker = t.text()[0];
      if (t.text()[0] != marker || t.text().find(marker, 1) != std::string::npos) return {};
      ++appended[t.text()];
    } else if (c.kind == K::kWrite || (c.kind == K::kCas && c.outcome != Outcome::kFail)) {
      const Value& set = c.kind == K::kWrite ? c.a : c.b;
      if (!set.is_string()) return {};
      written.push_back(set);
    }
  }
  if (marker == 0) return {};
  if (!v.init.is_string()) return {};
  written.push_back(v.init);
  auto has_block = [marker](const std::string& s, const std::string& t) {
    for (size_t p = s.find(t); p != std::string::npos; p = s.find(t, p + 1)) {
      if (p + t.size() == s.size() || s[p + t.size()] == marker) return true;
    }
    return false;
  };
  std::vector<std::vector<uint32_t>> witnesses(ops.size());
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const View::Op& c = ops[i];
    if (!c.relevant || c.kind != K::kAppend) continue;
    const std::string& t = c.a.text();
    if (appended[t] != 1) continue;
    bool in_write = false;
    for (const Value& w : written) in_write |= has_block(w.text(), t);
    if (in_write) continue;
    for (uint32_t r = 0; r < ops.size(); ++r) {
      const View::Op& rc = ops[r];
      if (rc.kind != K::kRead || !rc.relevant || !rc.a.is_string()) continue;
      if (has_block(rc.a.text(), t)) witnesses[i].push_back(r);
    }
  }
  return witnesses;
}

struct Gen {
  explicit Gen(uint64_t seed) : rng(seed) {}
  std::mt19937_64 rng;
  int Below(int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Below(100) < percent; }

  // Blocks "x3", sometimes broken ("x", "3", "x3x"), from a small alphabet so that texts
  // repeat, prefix each other and contain each other.
  std::string Block() {
    if (Chance(5)) return Chance(50) ? "x" : std::to_string(Below(4));
    if (Chance(3)) return "x" + std::to_string(Below(4)) + "x";
    return "x" + std::to_string(Below(values));
  }
  std::string Text(int max_blocks) {
    std::string s;
    for (int n = Below(max_blocks + 1); n > 0; --n) s += Block();
    return s;
  }
  Value Any(int max_blocks) {
    if (Chance(odd_values)) return Chance(50) ? Value::Int(Below(3)) : Value::Vector({Value::Int(1)});
    if (Chance(3)) return Value();
    return Value::String(Text(max_blocks));
  }
  int values = 6;
  int odd_values = 0;  // percent of values that are not strings
};

std::vector<Operation> RandomOps(Gen& g, int n, bool cas, bool append) {
  std::vector<Operation> ops(static_cast<size_t>(n));
  Nanos t = 0;
  for (int i = 0; i < n; ++i) {
    Operation& op = ops[static_cast<size_t>(i)];
    op.index = static_cast<OpIndex>(i);
    t += g.Below(3);
    op.call = t;
    const int roll = g.Below(100);
    const int o = g.Below(100);
    op.outcome = o < 70 ? Outcome::kOk : o < 85 ? Outcome::kInfo : Outcome::kFail;
    if (roll < 40) {
      op.f = "read";
      op.output = g.Any(5);
      if (g.Chance(20) && op.output.is_string()) {
        op.output = Value::String("w" + std::to_string(g.Below(3)) + op.output.text());
      }
    } else if (roll < 60) {
      op.f = "write";
      op.input = g.Chance(10) ? Value::String("") : g.Any(2);
      // A head without the marker ("w1", "w1x2"), as generated histories write.
      if (g.Chance(30) && op.input.is_string()) {
        op.input = Value::String("w" + std::to_string(g.Below(3)) + op.input.text());
      }
    } else if (roll < 70 && cas) {
      op.f = "cas";
      op.input = Value::Vector({g.Any(2), g.Any(2)});
    } else if (append) {
      op.f = "append";
      op.input = g.Chance(90) ? Value::String(g.Block()) : g.Any(1);
    } else {
      op.f = "read";
      op.output = g.Any(5);
    }
    op.ret = op.outcome == Outcome::kInfo ? kNever : op.call + g.Below(12);
  }
  return ops;
}

void ExpectSameAsReference(const std::vector<Operation>& ops, const RegisterDialect& d,
                           const Value& initial) {
  std::vector<const Operation*> ptrs;
  for (const Operation& op : ops) ptrs.push_back(&op);
  StatusOr<View> view = InspectRegisterCompile(ptrs, "h", d, initial);
  ASSERT_TRUE(view.ok()) << view.status().message();
  const View& v = *view;
  ASSERT_EQ(v.ops.size(), ops.size());
  std::vector<bool> relevant = RefRelevant(v);
  for (size_t i = 0; i < ops.size(); ++i) {
    ASSERT_EQ(v.ops[i].relevant, relevant[i]) << "op " << i << " relevance";
  }
  std::vector<std::vector<uint32_t>> resets = RefResets(v, ops);
  for (size_t i = 0; i < ops.size(); ++i) {
    ASSERT_EQ(v.ops[i].resets, resets[i]) << "op " << i << " resets";
  }
  ASSERT_EQ(v.witnesses, RefWitnesses(v));
}

TEST(RegisterCompilePropertyTest, KvTablesEqualTheQuadraticDefinitions) {
  int with_witnesses = 0, with_resets = 0, with_drops = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Gen g(seed);
    g.values = 2 + g.Below(10);
    g.odd_values = seed % 5 == 0 ? 10 : 0;
    std::vector<Operation> ops = RandomOps(g, 1 + g.Below(40), /*cas=*/seed % 3 != 0, true);
    RegisterDialect d;
    d.model = "kv";
    d.cas = true;
    d.append = true;
    d.nil_is_empty = seed % 2 == 0;
    d.fail_observes = seed % 4 < 2;
    d.nil_reads = static_cast<NilReads>(seed % 3);
    const Value initial = seed % 7 == 0 ? Value::String("x0") : Value::String("");
    ExpectSameAsReference(ops, d, initial);
    if (HasFailure()) return;
    // The tables must not be trivially empty: count the histories where they say something.
    std::vector<const Operation*> ptrs;
    for (const Operation& op : ops) ptrs.push_back(&op);
    View v = InspectRegisterCompile(ptrs, "h", d, initial).value();
    bool any_w = false, any_r = false, any_d = false;
    for (const auto& w : v.witnesses) any_w |= !w.empty();
    for (const View::Op& o : v.ops) {
      any_r |= !o.resets.empty();
      any_d |= o.relevant_compiled && !o.relevant;
    }
    with_witnesses += any_w;
    with_resets += any_r;
    with_drops += any_d;
  }
  EXPECT_GT(with_witnesses, 300);
  EXPECT_GT(with_resets, 1000);
  EXPECT_GT(with_drops, 300);
}

TEST(RegisterCompilePropertyTest, RegisterDropsEqualTheQuadraticDefinition) {
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Gen g(seed);
    g.odd_values = 20;
    std::vector<Operation> ops = RandomOps(g, 1 + g.Below(30), seed % 2 == 0, false);
    RegisterDialect d;
    d.model = "cas-register";
    d.cas = seed % 2 == 0;
    d.fail_observes = seed % 4 < 2;
    d.nil_reads = static_cast<NilReads>(seed % 3);
    ExpectSameAsReference(ops, d, Value());
    if (HasFailure()) return;
  }
}

// Subsets of one history compiled one after another with one cache, each against the same
// subset compiled afresh, driven by the same random walk: every answer the search asks for
// (relevance, purity, each step's success and state, the lookahead's verdicts) and the bytes
// charged to the budget after every step must be the same.
TEST(RegisterCompilePropertyTest, CachedCompilationEqualsCompilationAfresh) {
  int steps_taken = 0, appends_shared = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Gen g(seed);
    g.values = 2 + g.Below(6);
    g.odd_values = seed % 5 == 0 ? 10 : 0;
    std::vector<Operation> ops = RandomOps(g, 2 + g.Below(30), /*cas=*/seed % 3 != 0, seed % 4 != 3);
    RegisterDialect d;
    d.model = "kv";
    d.cas = true;
    d.append = seed % 4 != 3;
    d.nil_is_empty = seed % 2 == 0;
    d.fail_observes = seed % 4 < 2;
    d.nil_reads = static_cast<NilReads>(seed % 3);
    const Value initial = seed % 7 == 0 ? Value::String("x0") : Value::String("");
    std::unique_ptr<CompileCache> cache = NewRegisterCompileCache();
    for (int subset = 0; subset < 8; ++subset) {
      std::vector<const Operation*> sub;
      for (const Operation& op : ops) {
        if (subset == 0 || op.f != "read" || g.Chance(60)) sub.push_back(&op);
      }
      auto fresh = CompileRegister(sub, "h", d, initial);
      auto cached = CompileRegister(sub, "h", d, initial, cache.get());
      ASSERT_EQ(fresh.ok(), cached.ok());
      if (!fresh.ok()) break;
      PartitionSpec& a = **fresh;
      PartitionSpec& b = **cached;
      ASSERT_EQ(a.HasLookahead(), b.HasLookahead());
      ASSERT_EQ(a.StateBytes(), b.StateBytes());
      const auto n = static_cast<uint32_t>(sub.size());
      for (uint32_t i = 0; i < n; ++i) {
        ASSERT_EQ(a.Relevant(i), b.Relevant(i)) << "op " << i;
        ASSERT_EQ(a.Pure(i), b.Pure(i)) << "op " << i;
      }
      for (int walk = 0; walk < 4; ++walk) {
        uint64_t sa = a.Init(), sb = b.Init();
        std::vector<bool> linearized(n, false);
        for (int step = 0; step < 3 * static_cast<int>(n); ++step) {
          const auto i = static_cast<uint32_t>(g.Below(static_cast<int>(n)));
          ASSERT_EQ(a.Describe(sa), b.Describe(sb));
          ASSERT_EQ(a.Reachable(sa, i, linearized), b.Reachable(sb, i, linearized)) << "op " << i;
          std::optional<uint64_t> na = a.Step(sa, i), nb = b.Step(sb, i);
          ASSERT_EQ(na.has_value(), nb.has_value()) << "op " << i;
          ASSERT_EQ(a.StateBytes(), b.StateBytes()) << "after op " << i;
          if (!na) continue;
          ASSERT_EQ(a.Viable(*na, i, linearized), b.Viable(*nb, i, linearized)) << "op " << i;
          linearized[i] = true;
          sa = *na;
          sb = *nb;
          ++steps_taken;
          appends_shared += subset > 0 && sub[i]->f == "append";
        }
      }
    }
    if (HasFailure()) return;
  }
  EXPECT_GT(steps_taken, 10000);
  EXPECT_GT(appends_shared, 1000);
}

}  // namespace
}  // namespace fenceline::internal
