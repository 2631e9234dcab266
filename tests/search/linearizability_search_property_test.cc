// The engine against the brute-force oracle, and against itself across thread counts.
#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/report.h"
#include "testing/oracle.h"
#include "testing/random_history.h"

namespace fenceline {
namespace {

Verdict EngineVerdict(const History& h, const std::string& model, int threads = 0) {
  auto m = MakeModel(model);
  CheckOptions options;
  options.threads = threads;
  StatusOr<CheckResult> r = CheckLinearizability(h, **m, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->verdict : Verdict::kUnknown;
}

struct Case {
  const char* model;
  double info_rate;
};

class OracleAgreementTest : public ::testing::TestWithParam<Case> {};

TEST_P(OracleAgreementTest, EngineAgreesWithOracleOnRandomSmallHistories) {
  const Case c = GetParam();
  int violations = 0, linearizable = 0;
  for (uint64_t seed = 1; seed <= 1500; ++seed) {
    testing::RandomHistoryOptions o;
    o.model = c.model;
    o.seed = seed;
    o.ops = 2 + static_cast<int>(seed % 7);  // 2..8 operations
    o.processes = 2 + static_cast<int>(seed % 3);
    o.info_rate = c.info_rate;
    o.consistent = seed % 2 == 0;
    History h = testing::RandomHistory(o);
    SCOPED_TRACE("model " + std::string(c.model) + " seed " + std::to_string(seed));
    const bool expected = testing::OracleLinearizable(h, c.model);
    const Verdict got = EngineVerdict(h, c.model);
    ASSERT_EQ(got, expected ? Verdict::kLinearizable : Verdict::kNotLinearizable)
        << testing::ToJsonLines(h);
    (expected ? linearizable : violations)++;
  }
  // The generator must exercise both verdicts, or agreement proves little.
  EXPECT_GT(violations, 100);
  EXPECT_GT(linearizable, 100);
}

INSTANTIATE_TEST_SUITE_P(Models, OracleAgreementTest,
                         ::testing::Values(Case{"register", 0}, Case{"register", 0.2},
                                           Case{"cas-register", 0}, Case{"cas-register", 0.25},
                                           Case{"kv", 0}, Case{"kv", 0.2}, Case{"mutex", 0},
                                           Case{"mutex", 0.2}, Case{"set", 0}, Case{"set", 0.2},
                                           Case{"fifo-queue", 0}, Case{"fifo-queue", 0.2}),
                         [](const auto& param_info) {
                           std::string name = param_info.param.model;
                           for (char& ch : name) if (ch == '-') ch = '_';
                           return name + (param_info.param.info_rate > 0 ? "_with_info" : "");
                         });

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
