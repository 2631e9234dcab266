// The engine against the brute-force oracle, and against itself across thread counts.
#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/report.h"
#include "testing/oracle.h"
#include "testing/random_history.h"

namespace fenceline {
namespace {

Verdict EngineVerdict(const History& h, const std::string& model, int threads = 0,
                      const ModelOptions& model_options = {}) {
  auto m = MakeModel(model, model_options);
  CheckOptions options;
  options.threads = threads;
  StatusOr<CheckResult> r = CheckLinearizability(h, **m, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->verdict : Verdict::kUnknown;
}

// One semantics under test: a model, how often outcomes are unknown, the convention for
// failures, the rule for reads of nil, and where registers start.
struct Case {
  const char* model;
  double info_rate;
  bool fail_observes = false;
  NilReads nil_reads = NilReads::kAuto;
  bool start_at_zero = false;  // register models: --initial 0 instead of nil
};

std::string NilReadsName(NilReads n) {
  return n == NilReads::kAuto ? "auto" : n == NilReads::kUnknown ? "unknown" : "value";
}

std::string CaseName(const Case& c) {
  std::string name = c.model;
  for (char& ch : name) if (ch == '-') ch = '_';
  if (c.info_rate > 0) name += "_with_info";
  name += c.fail_observes ? "_fail_observes" : "_fail_inert";
  name += "_nil_" + NilReadsName(c.nil_reads);
  if (c.start_at_zero) name += "_from_0";
  return name;
}

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const char* model : {"register", "cas-register", "kv", "mutex", "set", "fifo-queue",
                            "multi-register"}) {
    const std::string m = model;
    const bool registers = m == "register" || m == "cas-register" || m == "multi-register";
    const bool nil_rules = registers || m == "kv";
    for (double info : {0.0, 0.2}) {
      for (bool observes : {false, true}) {
        for (NilReads nil : {NilReads::kAuto, NilReads::kUnknown, NilReads::kValue}) {
          if (!nil_rules && nil != NilReads::kAuto) continue;
          for (bool zero : {false, true}) {
            if (zero && !registers) continue;
            cases.push_back(Case{model, info, observes, nil, zero});
          }
        }
      }
    }
  }
  return cases;
}

class OracleAgreementTest : public ::testing::TestWithParam<Case> {};

// The generator mixes every shape the semantics distinguish: definite failures with errors
// (of writes, reads and cas), reads of nil, writes of nil, info operations whose processes
// come back renumbered, and random results as well as results of a real sequential run.
TEST_P(OracleAgreementTest, EngineAgreesWithOracleOnRandomSmallHistories) {
  const Case c = GetParam();
  const std::string model = c.model;
  ModelOptions model_options;
  model_options.fail_observes = c.fail_observes;
  model_options.nil_reads = c.nil_reads;
  testing::OracleOptions oracle;
  oracle.fail_observes = c.fail_observes;
  oracle.nil_reads = c.nil_reads;
  if (c.start_at_zero) {
    const Value zero = model == "multi-register"
                           ? Value::Map({Value::Keyword("x"), Value::Int(0), Value::Keyword("y"),
                                         Value::Int(0)})
                           : Value::Int(0);
    model_options.initial = zero;
    oracle.initial = zero;
  }
  int violations = 0, linearizable = 0;
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    testing::RandomHistoryOptions o;
    o.model = c.model;
    o.seed = seed;
    o.ops = 2 + static_cast<int>(seed % 7);  // 2..8 operations
    o.processes = 2 + static_cast<int>(seed % 3);
    o.info_rate = c.info_rate;
    o.consistent = seed % 2 == 0;
    o.fail_rate = seed % 3 == 0 ? 0.0 : 0.2;
    o.nil_read_rate = seed % 5 < 2 ? 0.3 : 0.0;
    o.nil_write_rate = seed % 7 == 0 ? 0.3 : 0.0;
    if (c.start_at_zero) o.initial = *model_options.initial;
    History h = testing::RandomHistory(o);
    SCOPED_TRACE(CaseName(c) + " seed " + std::to_string(seed));
    const bool expected = testing::OracleLinearizable(h, c.model, oracle);
    const Verdict got = EngineVerdict(h, c.model, 0, model_options);
    ASSERT_EQ(got, expected ? Verdict::kLinearizable : Verdict::kNotLinearizable)
        << testing::ToJsonLines(h);
    (expected ? linearizable : violations)++;
  }
  // The generator must exercise both verdicts, or agreement proves little.
  EXPECT_GT(violations, 100);
  EXPECT_GT(linearizable, 100);
}

INSTANTIATE_TEST_SUITE_P(Semantics, OracleAgreementTest, ::testing::ValuesIn(AllCases()),
                         [](const auto& param_info) { return CaseName(param_info.param); });

// The agreement above proves something only if the generated histories tell the conventions
// apart: enough of them must get different verdicts under each failure and nil-read rule.
TEST(LinearizabilityPropertyTest, GeneratedHistoriesSeparateTheConventions) {
  int fail_differs = 0, nil_differs = 0, renumbered = 0;
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    testing::RandomHistoryOptions o;
    o.model = "cas-register";
    o.seed = seed;
    o.ops = 2 + static_cast<int>(seed % 7);
    o.consistent = true;
    o.info_rate = 0.2;
    o.fail_rate = 0.2;
    o.nil_read_rate = 0.3;
    o.initial = Value::Int(0);
    History h = testing::RandomHistory(o);
    testing::OracleOptions jepsen, porcupine, unknown, value;
    porcupine.fail_observes = true;
    unknown.nil_reads = NilReads::kUnknown;
    value.nil_reads = NilReads::kValue;
    for (testing::OracleOptions* x : {&jepsen, &porcupine, &unknown, &value}) x->initial = o.initial;
    fail_differs += testing::OracleLinearizable(h, o.model, jepsen) !=
                    testing::OracleLinearizable(h, o.model, porcupine);
    nil_differs += testing::OracleLinearizable(h, o.model, unknown) !=
                   testing::OracleLinearizable(h, o.model, value);
    renumbered += h.process_names.size() > static_cast<size_t>(o.processes);
    // Jepsen's renumbering: a process p whose operation ended in :info continues as
    // p + processes, and p never invokes again.
    std::map<int, bool> crashed;
    for (const Operation& op : h.ops) {
      const int p = std::stoi(h.process_names[static_cast<size_t>(op.process)]);
      ASSERT_FALSE(crashed[p]) << "process " << p << " invoked after its :info";
      if (p >= o.processes) {
        ASSERT_TRUE(crashed[p - o.processes]) << p;
      }
      if (op.outcome == Outcome::kInfo) crashed[p] = true;
    }
  }
  EXPECT_GT(fail_differs, 30);
  EXPECT_GT(nil_differs, 30);
  EXPECT_GT(renumbered, 100);
}

// Every proof is checked against the oracle, independently of the engine: the proof holds
// only observations (reads); the history with those reads and every other non-read
// operation is not linearizable; with the unlinearizable operation freed from real time, it is.
TEST(LinearizabilityPropertyTest, ProofsAreConfirmedByTheOracle) {
  int with_proof = 0;
  for (const char* model : {"register", "cas-register", "kv"}) {
    for (uint64_t seed = 1; seed <= 1500; ++seed) {
      testing::RandomHistoryOptions o;
      o.model = model;
      o.seed = seed;
      o.ops = 3 + static_cast<int>(seed % 6);
      o.processes = 2 + static_cast<int>(seed % 3);
      o.consistent = seed % 2 == 0;
      o.lose_append = std::string(model) == "kv" && seed % 4 == 0;
      o.delimited = o.lose_append;
      o.info_rate = seed % 3 == 0 ? 0.2 : 0;
      o.fail_rate = 0.1;
      History h = testing::RandomHistory(o);
      auto m = MakeModel(model);
      StatusOr<CheckResult> r = CheckLinearizability(h, **m);
      ASSERT_TRUE(r.ok());
      if (r->verdict != Verdict::kNotLinearizable) continue;
      const Counterexample& cx = *r->partitions.front().counterexample;
      if (cx.proof.empty()) continue;
      ++with_proof;
      SCOPED_TRACE(std::string(model) + " seed " + std::to_string(seed) + "\n" +
                   testing::ToJsonLines(h));
      ASSERT_TRUE(std::is_sorted(cx.proof.begin(), cx.proof.end()));
      const OpIndex u = cx.unlinearizable.front();
      History restricted, freed;
      restricted.source = freed.source = h.source;
      Nanos first = h.ops.front().call;
      for (const Operation& op : h.ops) {
        const bool read = op.f == "read" || op.f == "get";
        const bool in_proof = std::binary_search(cx.proof.begin(), cx.proof.end(), op.index);
        ASSERT_TRUE(read || !in_proof) << "proof holds a non-observation: line " << op.invoke_pos.line;
        if (read && !in_proof && op.index != u) continue;
        restricted.ops.push_back(op);
        freed.ops.push_back(op);
        if (op.index == u) {
          freed.ops.back().call = first;
          freed.ops.back().ret = kNever - 1;
        }
      }
      EXPECT_FALSE(testing::OracleLinearizable(restricted, model));
      EXPECT_TRUE(testing::OracleLinearizable(freed, model));
    }
  }
  EXPECT_GT(with_proof, 100);
}

// Appends with self-delimiting values switch on the witness pruning: its verdicts must match
// the oracle's, on consistent histories, random ones and ones with a lost append.
TEST(LinearizabilityPropertyTest, DelimitedAppendsAgreeWithOracle) {
  int violations = 0, linearizable = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    testing::RandomHistoryOptions o;
    o.model = "kv";
    o.seed = seed;
    o.ops = 3 + static_cast<int>(seed % 6);
    o.processes = 2 + static_cast<int>(seed % 3);
    o.delimited = true;
    o.info_rate = seed % 4 == 0 ? 0.2 : 0;
    o.consistent = seed % 3 != 0;
    o.lose_append = seed % 3 == 1;
    History h = testing::RandomHistory(o);
    SCOPED_TRACE("seed " + std::to_string(seed));
    const bool expected = testing::OracleLinearizable(h, "kv");
    ASSERT_EQ(EngineVerdict(h, "kv"), expected ? Verdict::kLinearizable : Verdict::kNotLinearizable)
        << testing::ToJsonLines(h);
    (expected ? linearizable : violations)++;
  }
  EXPECT_GT(violations, 200);
  EXPECT_GT(linearizable, 200);
}

// Hot keys: one key, many operations in flight, many unknown outcomes (their processes come
// back renumbered), written values with no marker or with an append's block inside ("w3",
// "w3x3y"): the shapes the witness reads and the lookahead over every read about to return
// prune hardest. Both must leave the oracle's verdict as it is.
TEST(LinearizabilityPropertyTest, HotKeyAppendsAgreeWithOracle) {
  int violations = 0, linearizable = 0, renumbered = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    testing::RandomHistoryOptions o;
    o.model = "kv";
    o.seed = seed;
    o.ops = 4 + static_cast<int>(seed % 6);             // 4..9 operations
    o.processes = 3 + static_cast<int>(seed % 4);       // 3..6, all on one key
    o.max_overlap = 4 + static_cast<int>(seed % 3) * 4;  // up to every operation in flight
    o.delimited = true;
    o.unmarked_writes = seed % 5 != 0;
    o.info_rate = seed % 4 == 0 ? 0.4 : seed % 4 == 1 ? 0.1 : 0;
    o.consistent = seed % 3 != 0;
    o.lose_append = seed % 3 == 1;
    History h = testing::RandomHistory(o);
    SCOPED_TRACE("seed " + std::to_string(seed));
    const bool expected = testing::OracleLinearizable(h, "kv");
    ASSERT_EQ(EngineVerdict(h, "kv"), expected ? Verdict::kLinearizable : Verdict::kNotLinearizable)
        << testing::ToJsonLines(h);
    (expected ? linearizable : violations)++;
    renumbered += h.process_names.size() > static_cast<size_t>(o.processes);
  }
  EXPECT_GT(violations, 300);
  EXPECT_GT(linearizable, 300);
  EXPECT_GT(renumbered, 300);
}

// The same shapes at a size no oracle reaches, from sequential runs (linearizable by
// construction): a pruning that cut a real linearization would show as a violation here.
TEST(LinearizabilityPropertyTest, HotKeyHistoriesFromSequentialRunsAreLinearizable) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    testing::RandomHistoryOptions o;
    o.model = "kv";
    o.seed = seed;
    o.ops = 300;
    o.processes = 12;
    o.max_overlap = 6;  // about 10 operations in flight
    o.values = seed % 3 == 0 ? 3 : 100;  // written values repeat, or hardly
    o.keys = seed % 2 == 0 ? 1 : 2;
    o.delimited = seed % 4 != 3;
    o.unmarked_writes = seed % 4 < 2;
    o.info_rate = seed % 3 == 0 ? 0.1 : 0.01;
    History h = testing::RandomHistory(o);
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_EQ(EngineVerdict(h, "kv"), Verdict::kLinearizable) << testing::ToJsonLines(h);
  }
}

TEST(LinearizabilityPropertyTest, DelimitedAppendHistoriesFromSequentialRunsAreLinearizable) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    testing::RandomHistoryOptions o;
    o.model = "kv";
    o.seed = seed;
    o.ops = 400;
    o.processes = 8;
    o.keys = 3;
    o.delimited = true;
    o.info_rate = 0.02;
    History h = testing::RandomHistory(o);
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_EQ(EngineVerdict(h, "kv"), Verdict::kLinearizable);
  }
}

TEST(LinearizabilityPropertyTest, HistoriesFromSequentialRunsAreLinearizable) {
  for (const char* model : {"register", "cas-register", "kv", "mutex", "set", "fifo-queue"}) {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      testing::RandomHistoryOptions o;
      o.model = model;
      o.seed = seed;
      // Queues with many concurrent enqueues are exponential for any checker: keep them small.
      const bool queue = std::string(model) == "fifo-queue";
      o.ops = queue ? 60 : 300;
      o.processes = queue ? 4 : 6;
      o.keys = 4;
      o.info_rate = 0.03;
      History h = testing::RandomHistory(o);
      SCOPED_TRACE(std::string(model) + " seed " + std::to_string(seed));
      ASSERT_EQ(EngineVerdict(h, model), Verdict::kLinearizable);
    }
  }
}

TEST(LinearizabilityPropertyTest, ReportIsIdenticalAtAnyThreadCount) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    testing::RandomHistoryOptions o;
    o.model = "kv";
    o.seed = seed;
    o.ops = 200;
    o.keys = 8;
    o.processes = 5;
    o.consistent = seed % 3 != 0;
    History h = testing::RandomHistory(o);
    auto m = MakeModel("kv");
    std::string reports[3];
    int threads[3] = {1, 2, 4};
    for (int i = 0; i < 3; ++i) {
      CheckOptions options;
      options.threads = threads[i];
      StatusOr<CheckResult> r = CheckLinearizability(h, **m, options);
      ASSERT_TRUE(r.ok());
      FileReport f{"h", OkStatus(), &h, &*r};
      ReportOptions ro;
      ro.model_id = "kv";
      reports[i] = RenderJsonReport({f}, ro) + RenderTextReport({f}, ro);
    }
    SCOPED_TRACE("seed " + std::to_string(seed));
    EXPECT_EQ(reports[0], reports[1]);
    EXPECT_EQ(reports[0], reports[2]);
  }
}

}  // namespace
}  // namespace fenceline
