// The stale-token check's first pass takes its partitions from the lease timeline's per-resource
// lists (StoragePartitions) instead of from the engine's pass over the whole history. These
// tests hold it to the old path on varied simulated histories: the same partitions (the old
// ones less the lock operations), and the same per-partition results through the engine. And the
// analysis' own arrays are charged to the memory budget: past it, inconclusive with the cause.
#include "checker/fencing/stale_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checker/model/fenced_register_model.h"
#include "checker/search/memory_budget.h"
#include "checker/search/partition.h"
#include "fenceline/fencing.h"
#include "fencing/fencing_sim.h"

namespace fenceline::testing {
namespace {

using internal::FencingInput;
using internal::Partition;

struct Shape {
  double skew_ms;
  double info_rate;
  bool records;
  SimFault fault;
};

constexpr Shape kShapes[] = {
    {0, 0, false, SimFault::kNone},           {30, 0.1, false, SimFault::kNone},
    {0, 0.2, true, SimFault::kNone},          {40, 0.05, true, SimFault::kStaleToken},
    {0, 0.1, false, SimFault::kStaleToken},   {20, 0, false, SimFault::kForgedToken},
    {0, 0.05, false, SimFault::kFalseRejection},
};

SimOptions Options(const Shape& s, uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  o.clients = 6;
  o.locks = 3;
  o.ops_per_client = 80;
  o.skew_ms = s.skew_ms;
  o.info_rate = s.info_rate;
  o.records = s.records;
  o.fault = s.fault;
  return o;
}

bool IsStorage(const Operation& op) { return op.f == "write" || op.f == "read"; }

TEST(StoragePartitionsTest, SameAsTheWholeHistoryPartitionsLessTheLockOperations) {
  std::unique_ptr<Model> model = internal::MakeFencedRegisterModelForFencing();
  int compared = 0;
  for (const Shape& shape : kShapes) {
    for (uint64_t seed = 1; seed <= 12; ++seed) {
      SCOPED_TRACE("seed " + std::to_string(seed) + ", skew " + std::to_string(shape.skew_ms));
      StatusOr<History> h = SimulateHistory(Options(shape, seed));
      ASSERT_TRUE(h.ok()) << h.status().message();
      FencingOptions fo;
      fo.clock_skew_ms = shape.skew_ms;
      StatusOr<FencingInput> in = internal::BuildLeaseTimeline(*h, fo);
      ASSERT_TRUE(in.ok()) << in.status().message();
      StatusOr<std::vector<Partition>> fast = internal::StoragePartitions(*in, *model);
      StatusOr<std::vector<Partition>> whole = internal::PartitionHistory(*h, *model);
      ASSERT_TRUE(fast.ok() && whole.ok());
      std::vector<Partition> expected;
      for (Partition& p : *whole) {
        std::erase_if(p.ops, [](const Operation* op) { return !IsStorage(*op); });
        if (!p.ops.empty()) expected.push_back(std::move(p));
      }
      ASSERT_EQ(fast->size(), expected.size());
      for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ((*fast)[i].key, expected[i].key);
        EXPECT_EQ((*fast)[i].ops, expected[i].ops);
      }
      ++compared;

      // Through the engine, every resource's result is the old path's.
      internal::MemoryBudget budget(size_t{1} << 30);
      CheckOptions co;
      co.threads = 2;
      StatusOr<CheckResult> now =
          internal::CheckPartitionsInBudget(*h, std::move(fast).value(), *model, co, budget);
      StatusOr<CheckResult> before =
          std::move(internal::CheckHistoriesInBudget({&*h}, *model, co, budget).front());
      ASSERT_TRUE(now.ok() && before.ok());
      std::vector<const PartitionResult*> old_resources;
      for (const PartitionResult& p : before->partitions) {
        if (!p.key.is_nil()) old_resources.push_back(&p);
      }
      ASSERT_EQ(now->partitions.size(), old_resources.size());
      for (size_t i = 0; i < old_resources.size(); ++i) {
        const PartitionResult& a = now->partitions[i];
        const PartitionResult& b = *old_resources[i];
        EXPECT_EQ(a.key, b.key);
        EXPECT_EQ(a.verdict, b.verdict);
        EXPECT_EQ(a.op_count, b.op_count);
        EXPECT_EQ(a.reason, b.reason);
        ASSERT_EQ(a.counterexample.has_value(), b.counterexample.has_value());
        if (a.counterexample) {
          EXPECT_EQ(a.counterexample->unlinearizable, b.counterexample->unlinearizable);
          EXPECT_EQ(a.counterexample->linearized, b.counterexample->linearized);
        }
      }
    }
  }
  EXPECT_EQ(compared, 12 * static_cast<int>(std::size(kShapes)));
}

// A resource named only in a write's completion (its invoke's "resource" is nil) goes where the
// model puts it, in the nil partition, as on the whole-history path.
TEST(StoragePartitionsTest, OperationTheModelKeysAsNilStaysInTheNilPartition) {
  HistoryBuilder b("<t>");
  auto add = [&](const std::string& p, EventType type, const std::string& f, Value v, Nanos t) {
    const Status added = b.Add(MakeEvent(p, type, f, std::move(v), t, ""));
    ASSERT_TRUE(added.ok()) << added.message();
  };
  auto map = [](std::vector<Value> items) { return Value::Map(std::move(items)); };
  const Value r = Value::String("resource"), tok = Value::String("token");
  add("p1", EventType::kInvoke, "write", map({r, Value(), tok, Value::Int(1)}), 0);
  add("p1", EventType::kOk, "write", map({r, Value::String("x"), tok, Value::Int(1)}), 10);
  add("p2", EventType::kInvoke, "write", map({r, Value::String("x"), tok, Value::Int(2)}), 20);
  add("p2", EventType::kOk, "write", map({r, Value::String("x"), tok, Value::Int(2)}), 30);
  StatusOr<History> h = b.Finish();
  ASSERT_TRUE(h.ok());
  StatusOr<FencingInput> in = internal::BuildLeaseTimeline(*h, {});
  ASSERT_TRUE(in.ok()) << in.status().message();
  std::unique_ptr<Model> model = internal::MakeFencedRegisterModelForFencing();
  StatusOr<std::vector<Partition>> fast = internal::StoragePartitions(*in, *model);
  StatusOr<std::vector<Partition>> whole = internal::PartitionHistory(*h, *model);
  ASSERT_TRUE(fast.ok() && whole.ok());
  ASSERT_EQ(fast->size(), 2u);
  ASSERT_EQ(whole->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*fast)[i].key, (*whole)[i].key);
    EXPECT_EQ((*fast)[i].ops, (*whole)[i].ops);
  }
}

// The lease timeline is charged to the one account the searches share: a limit below it gives
// an inconclusive result that says why, and checks nothing; a limit above it, the full result.
TEST(FencingMemoryBudgetTest, TimelineOverTheLimitIsInconclusiveWithTheCause) {
  SimOptions o = Options(kShapes[0], 7);
  o.fault = SimFault::kStaleToken;
  StatusOr<History> h = SimulateHistory(o);
  ASSERT_TRUE(h.ok());
  FencingOptions fo;
  fo.memory_budget = internal::TimelineBytesBound(*h) - 1;
  StatusOr<FencingResult> tight = CheckFencing(*h, fo);
  ASSERT_TRUE(tight.ok());
  EXPECT_EQ(tight->verdict, FencingVerdict::kInconclusive);
  EXPECT_TRUE(tight->violations.empty());
  EXPECT_THAT(tight->notes, ::testing::ElementsAre(::testing::HasSubstr(
                                "reached before the fencing analysis: its lease timeline of")));
  fo.memory_budget = size_t{256} << 20;
  StatusOr<FencingResult> roomy = CheckFencing(*h, fo);
  ASSERT_TRUE(roomy.ok());
  EXPECT_EQ(roomy->verdict, FencingVerdict::kViolation);
  // The bound covers what the decoding keeps.
  StatusOr<FencingInput> in = internal::BuildLeaseTimeline(*h, {});
  ASSERT_TRUE(in.ok());
  EXPECT_LE(internal::TimelineBytes(*in), internal::TimelineBytesBound(*h));
}


// The bound is an upper bound however many names a history uses: every operation may name a new
// lock or resource (here long names, past the strings' inline buffer, each on its own clock,
// with acquires of unknown outcome), whose tables, lists and notes the decoding keeps. The old
// bound charged per operation only and fell short on 2,000 resources (305,408 bytes kept against
// a bound of 257,276).
TEST(FencingMemoryBudgetTest, TimelineBoundHoldsWithManyNames) {
  HistoryBuilder b("<t>");
  auto add = [&](const std::string& p, EventType type, const std::string& f, Value v, Nanos t,
                 const std::string& node) {
    const Status added = b.Add(MakeEvent(p, type, f, std::move(v), t, node));
    ASSERT_TRUE(added.ok()) << added.message();
  };
  auto map = [](std::vector<Value> items) { return Value::Map(std::move(items)); };
  const Value lk = Value::String("lock"), r = Value::String("resource"),
              tok = Value::String("token"), lease = Value::String("lease_ms");
  const std::string pad(40, 'n');
  for (int i = 0; i < 2000; ++i) {
    const std::string p = "client-" + std::to_string(i);
    const std::string node = "node-" + pad + std::to_string(i);
    const Nanos t = Nanos{10} * i;
    const std::string lock = "lock-" + pad + std::to_string(i);
    const std::string res = "resource-" + pad + std::to_string(i);
    // An acquire of unknown outcome, then a write and a read on a resource no lock guards.
    // (a process whose operation's outcome is unknown invokes nothing more)
    add(p + "-i", EventType::kInvoke, "acquire", map({lk, Value::String(lock)}), t, node);
    add(p + "-i", EventType::kInfo, "acquire", map({lk, Value::String(lock)}), t + 1, node);
    add(p, EventType::kInvoke, "write", map({r, Value::String(res), tok, Value::Int(1)}), t + 2,
        node);
    add(p, EventType::kOk, "write", map({r, Value::String(res), tok, Value::Int(1)}), t + 3,
        node);
    add(p, EventType::kInvoke, "acquire", map({lk, Value::String(lock + "b")}), t + 4, node);
    add(p, EventType::kOk, "acquire",
        map({lk, Value::String(lock + "b"), tok, Value::Int(1), lease, Value::Int(100)}), t + 5,
        node);
  }
  StatusOr<History> h = b.Finish();
  ASSERT_TRUE(h.ok());
  StatusOr<FencingInput> in = internal::BuildLeaseTimeline(*h, {});
  ASSERT_TRUE(in.ok()) << in.status().message();
  ASSERT_EQ(in->resources.size(), 2000u);
  ASSERT_EQ(in->locks.size(), 4000u);
  EXPECT_LE(internal::TimelineBytes(*in), internal::TimelineBytesBound(*h));
}

}  // namespace
}  // namespace fenceline::testing
