#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/search/linearizability_search.h"
#include "fenceline/check.h"
#include "fenceline/model.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::testing::HasSubstr;

Value Pair(int a, int b) { return Value::Vector({Value::Int(a), Value::Int(b)}); }

CheckResult Check(const History& h, std::string_view model, CheckOptions options = {}) {
  auto m = MakeModel(model);
  EXPECT_TRUE(m.ok());
  StatusOr<CheckResult> r = CheckLinearizability(h, **m, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : CheckResult{};
}

TEST(LinearizabilitySearchTest, ReadOfOverwrittenValueIsViolation) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                      .Invoke(0, "write", Value::Int(1)).Ok(0)
                                      .Invoke(0, "write", Value::Int(2)).Ok(0)
                                      .Invoke(1, "read").Ok(1, Value::Int(1))
                                      .Build());
  CheckResult r = Check(h, "register");
  EXPECT_EQ(r.verdict, Verdict::kNotLinearizable);
  ASSERT_TRUE(r.partitions[0].counterexample);
  const Counterexample& cx = *r.partitions[0].counterexample;
  ASSERT_EQ(cx.unlinearizable.size(), 1u);
  EXPECT_EQ(cx.unlinearizable[0], OpIndex{2});
  EXPECT_EQ(cx.state, Value::Int(2));
  EXPECT_EQ(cx.linearized.size(), 2u);
}

TEST(LinearizabilitySearchTest, ConcurrentReadMaySeeEitherValue) {
  for (int seen : {1, 2}) {
    ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                        .Invoke(0, "write", Value::Int(1)).Ok(0)
                                        .Invoke(0, "write", Value::Int(2))
                                        .Invoke(1, "read").Ok(1, Value::Int(seen))
                                        .Ok(0)
                                        .Build());
    EXPECT_EQ(Check(h, "register").verdict, Verdict::kLinearizable) << seen;
  }
}

TEST(LinearizabilitySearchTest, InfoWriteMayTakeEffectLate) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                      .Invoke(0, "write", Value::Int(1)).Info(0)
                                      .Invoke(1, "read").Ok(1, Value())
                                      .Invoke(1, "read").Ok(1, Value::Int(1))
                                      .Build());
  EXPECT_EQ(Check(h, "register").verdict, Verdict::kLinearizable);
}

TEST(LinearizabilitySearchTest, InfoWriteMayNeverTakeEffect) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                      .Invoke(0, "write", Value::Int(1)).Info(0)
                                      .Invoke(1, "read").Ok(1, Value())
                                      .Build());
  EXPECT_EQ(Check(h, "register").verdict, Verdict::kLinearizable);
}

TEST(LinearizabilitySearchTest, FailedWriteNeverTookEffect) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                      .Invoke(0, "write", Value::Int(1)).Fail(0)
                                      .Invoke(1, "read").Ok(1, Value::Int(1))
                                      .Build());
  EXPECT_EQ(Check(h, "register").verdict, Verdict::kNotLinearizable);
}

// Jepsen's :fail: the cas did not take place, whatever the register held (tests/model/
// semantics_test.cc has the --fail-observes side).
TEST(LinearizabilitySearchTest, FailedCasNeverTookEffect) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                      .Invoke(0, "write", Value::Int(1)).Ok(0)
                                      .Invoke(1, "cas", Pair(1, 2)).Fail(1)
                                      .Build());
  EXPECT_EQ(Check(h, "cas-register").verdict, Verdict::kLinearizable);
}

TEST(LinearizabilitySearchTest, EmptyHistoryIsLinearizable) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder().Build());
  CheckResult r = Check(h, "cas-register");
  EXPECT_EQ(r.verdict, Verdict::kLinearizable);
}

TEST(LinearizabilitySearchTest, KeysAreCheckedIndependently) {
  HistoryBuilder b;
  auto kv = [](const char* k, Value v) { return Value::Vector({Value::String(k), std::move(v)}); };
  b.Invoke(0, "put", kv("a", Value::String("1"))).Ok(0);
  b.Invoke(0, "get", kv("a", Value())).Ok(0, kv("a", Value::String("1")));
  b.Invoke(1, "get", kv("b", Value())).Ok(1, kv("b", Value::String("7")));
  ASSERT_OK_AND_ASSIGN(History h, b.Build());
  CheckResult r = Check(h, "kv");
  EXPECT_EQ(r.verdict, Verdict::kNotLinearizable);
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].key, Value::String("a"));
  EXPECT_EQ(r.partitions[0].verdict, Verdict::kLinearizable);
  EXPECT_EQ(r.partitions[1].verdict, Verdict::kNotLinearizable);
}

TEST(LinearizabilitySearchTest, MemoryBudgetGivesUnknownWithReason) {
  // Many concurrent writes and a read no order can explain: the search must exhaust its
  // configurations, which a tiny budget does not allow.
  HistoryBuilder b;
  for (int p = 0; p < 12; ++p) b.Invoke(p, "write", Value::Int(p));
  for (int p = 0; p < 12; ++p) b.Ok(p);
  b.Invoke(20, "read").Ok(20, Value::Int(99));
  ASSERT_OK_AND_ASSIGN(History h, b.Build());
  CheckOptions options;
  options.memory_budget = 1;
  CheckResult r = Check(h, "register", options);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.partitions[0].reason, HasSubstr("memory budget"));
}

TEST(LinearizabilitySearchTest, UnsupportedOperationNamesLine) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder("h.jsonl").Invoke(0, "frob").Ok(0).Build());
  auto m = MakeModel("register");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(CheckLinearizability(h, **m),
              testing::StatusIs(StatusCode::kUnsupported,
                                HasSubstr("h.jsonl:2:1: register has no operation 'frob'")));
}

TEST(LinearizabilitySearchTest, CasNeedsAPair) {
  ASSERT_OK_AND_ASSIGN(History h,
                       HistoryBuilder("h.jsonl").Invoke(0, "cas", Value::Int(3)).Ok(0).Build());
  auto m = MakeModel("cas-register");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(CheckLinearizability(h, **m),
              testing::StatusIs(StatusCode::kUnsupported,
                                HasSubstr("expected a value [from to] for cas, got 3")));
}


// A register whose reads are all relevant, the info ones included: no shipped model keeps an
// info read (it constrains nothing), but the search's contract allows a pure info operation,
// and one made the greedy step walk into a configuration the info dominance had already
// seen, pruning the only path to a linearization.
class RegisterWithInfoReads final : public PartitionSpec {
 public:
  explicit RegisterWithInfoReads(std::vector<const Operation*> ops) : ops_(std::move(ops)) {}
  bool Relevant(uint32_t) const override { return true; }
  uint64_t Init() override { return 0; }
  std::optional<uint64_t> Step(uint64_t state, uint32_t i) override {
    const Operation& o = *ops_[i];
    if (o.f == "write") return static_cast<uint64_t>(o.input.int_value());
    if (o.outcome == Outcome::kInfo) return state;  // an unknown read sees anything
    return static_cast<uint64_t>(o.output.int_value()) == state ? std::optional<uint64_t>(state)
                                                             : std::nullopt;
  }
  bool Pure(uint32_t i) const override { return ops_[i]->f == "read"; }
  Value Describe(uint64_t state) const override { return Value::Int(static_cast<int64_t>(state)); }
  size_t StateBytes() const override { return 0; }

 private:
  std::vector<const Operation*> ops_;
};

TEST(LinearizabilitySearchTest, PureInfoOperationDoesNotPruneTheOnlyLinearization) {
  // write 1 returns; then an info read is invoked, concurrent with write 2; a read sees 2.
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                      .Invoke(0, "write", Value::Int(1)).Ok(0)
                                      .Invoke(1, "read")
                                      .Invoke(2, "write", Value::Int(2)).Ok(2)
                                      .Invoke(3, "read").Ok(3, Value::Int(2))
                                      .Info(1)
                                      .Build());
  std::vector<const Operation*> ops;
  for (const Operation& o : h.ops) ops.push_back(&o);
  RegisterWithInfoReads spec(ops);
  PartitionResult r = internal::SearchPartition(spec, ops, internal::SearchLimits{});
  EXPECT_EQ(r.verdict, Verdict::kLinearizable) << r.reason;
}

}  // namespace
}  // namespace fenceline
