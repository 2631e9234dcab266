// Each model's sequential semantics, through its compiled spec: what a step accepts, what it
// leaves out, and what the registry says about it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/model.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::testing::HasSubstr;

// A compiled single-partition history and a way to run ops in a given order.
struct Compiled {
  History history;
  std::vector<const Operation*> ops;
  std::unique_ptr<Model> model;
  std::unique_ptr<PartitionSpec> spec;

  // Steps through `order` from the initial state; nullopt if some step is refused.
  std::optional<uint64_t> Run(const std::vector<uint32_t>& order) {
    uint64_t s = spec->Init();
    for (uint32_t i : order) {
      std::optional<uint64_t> n = spec->Step(s, i);
      if (!n) return std::nullopt;
      s = *n;
    }
    return s;
  }
};

Compiled Compile(std::string_view model, HistoryBuilder b, ModelOptions options = {}) {
  Compiled c;
  c.history = std::move(b.Build().value());
  for (const Operation& op : c.history.ops) c.ops.push_back(&op);
  c.model = std::move(MakeModel(model, options).value());
  StatusOr<std::unique_ptr<PartitionSpec>> spec = c.model->Compile(c.ops, "h");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  if (spec.ok()) c.spec = std::move(spec).value();
  return c;
}

Value S(const char* s) { return Value::String(s); }
Value I(int64_t i) { return Value::Int(i); }
Value Pair(Value a, Value b) { return Value::Vector({std::move(a), std::move(b)}); }

TEST(RegisterModelTest, ReadSeesLastWrite) {
  HistoryBuilder b;
  b.Invoke(0, "write", I(1)).Ok(0).Invoke(0, "read").Ok(0, I(1)).Invoke(0, "read").Ok(0, I(2));
  Compiled c = Compile("register", std::move(b));
  EXPECT_TRUE(c.Run({0, 1}));
  EXPECT_FALSE(c.Run({0, 2}));
  EXPECT_FALSE(c.Run({1}));  // nil before the write
  EXPECT_TRUE(c.spec->Pure(1));
  EXPECT_FALSE(c.spec->Pure(0));
}

TEST(RegisterModelTest, InitialValueOverrides) {
  HistoryBuilder b;
  b.Invoke(0, "read").Ok(0, I(5));
  ModelOptions o;
  o.initial = I(5);
  EXPECT_TRUE(Compile("register", std::move(b), o).Run({0}));
}

TEST(RegisterModelTest, FailedWriteAndUnknownReadConstrainNothing) {
  HistoryBuilder b;
  b.Invoke(0, "write", I(1)).Fail(0).Invoke(1, "read").Info(1);
  Compiled c = Compile("register", std::move(b));
  EXPECT_FALSE(c.spec->Relevant(0));
  EXPECT_FALSE(c.spec->Relevant(1));
}

TEST(CasRegisterModelTest, CasOutcomes) {
  auto history = [] {
    HistoryBuilder b;
    b.Invoke(0, "write", I(1)).Ok(0);
    b.Invoke(0, "cas", Pair(I(1), I(2))).Ok(0);
    b.Invoke(0, "cas", Pair(I(1), I(3))).Fail(0);
    b.Invoke(0, "cas", Pair(I(2), I(4))).Info(0);
    return b;
  };
  ModelOptions porcupine;
  porcupine.fail_observes = true;
  EXPECT_FALSE(Compile("cas-register", history()).spec->Relevant(2));  // Jepsen: it did not happen
  Compiled c = Compile("cas-register", history(), porcupine);
  EXPECT_TRUE(c.spec->Relevant(2));
  EXPECT_TRUE(c.Run({0, 1, 2}));
  EXPECT_FALSE(c.Run({0, 2}));     // a failed cas [1 3] while it held 1
  EXPECT_FALSE(c.Run({1}));        // an ok cas [1 2] on nil
  EXPECT_TRUE(c.spec->Pure(2));    // the failed cas only observed
  // An unknown cas always steps: to 4 if it held 2, else unchanged.
  EXPECT_EQ(c.spec->Describe(*c.Run({0, 1, 3})), I(4));
  EXPECT_EQ(c.spec->Describe(*c.Run({0, 3})), I(1));
}

TEST(KvModelTest, UnsetKeyReadsAsEmptyOrNilAndAppendsConcatenate) {
  HistoryBuilder b;
  b.Invoke(0, "get").Ok(0, S(""));
  b.Invoke(0, "get").Ok(0, Value());
  b.Invoke(0, "append", S("ab")).Ok(0);
  b.Invoke(0, "append", S("c")).Ok(0);
  b.Invoke(0, "get").Ok(0, S("abc"));
  b.Invoke(0, "put", S("z")).Ok(0);
  Compiled c = Compile("kv", std::move(b));
  EXPECT_TRUE(c.Run({0, 1, 2, 3, 4}));
  EXPECT_FALSE(c.Run({3, 2, 4}));
  EXPECT_EQ(c.spec->Describe(*c.Run({2, 3, 5})), S("z"));
}

TEST(KvModelTest, KeyFromFieldOrTuple) {
  auto m = MakeModel("kv");
  ASSERT_TRUE(m.ok());
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder().Invoke(0, "put", Pair(S("k"), S("v"))).Ok(0).Build());
  ASSERT_OK_AND_ASSIGN(Value key, (*m)->PartitionOf(h.ops[0]));
  EXPECT_EQ(key, S("k"));
}

TEST(MutexModelTest, AcquireNeedsItFreeReleaseNeedsItHeld) {
  HistoryBuilder b;
  b.Invoke(0, "acquire").Ok(0).Invoke(0, "release").Ok(0).Invoke(1, "acquire").Ok(1);
  Compiled c = Compile("mutex", std::move(b));
  EXPECT_TRUE(c.Run({0, 1, 2}));
  EXPECT_FALSE(c.Run({0, 2}));
  EXPECT_FALSE(c.Run({1}));
}

TEST(SetModelTest, ReadSeesExactlyTheAddedElements) {
  HistoryBuilder b;
  b.Invoke(0, "add", I(1)).Ok(0).Invoke(0, "add", I(2)).Ok(0);
  b.Invoke(1, "read").Ok(1, Value::Vector({I(2), I(1)}));
  b.Invoke(1, "read").Ok(1, Value::Vector({I(1)}));
  Compiled c = Compile("set", std::move(b));
  EXPECT_TRUE(c.Run({0, 1, 2}));
  EXPECT_FALSE(c.Run({0, 1, 3}));
  EXPECT_TRUE(c.Run({0, 3}));
  EXPECT_EQ(c.spec->Describe(*c.Run({1, 0})), Value::Set({I(1), I(2)}));
}

TEST(QueueModelTest, FifoDequeuesTheFront) {
  HistoryBuilder b;
  b.Invoke(0, "enqueue", I(1)).Ok(0).Invoke(0, "enqueue", I(2)).Ok(0);
  b.Invoke(1, "dequeue").Ok(1, I(2));
  b.Invoke(1, "dequeue").Ok(1, Value());
  Compiled c = Compile("fifo-queue", std::move(b));
  EXPECT_FALSE(c.Run({0, 1, 2}));
  EXPECT_TRUE(c.Run({1, 0, 2}));
  EXPECT_TRUE(c.Run({3}));          // found it empty
  EXPECT_FALSE(c.Run({0, 3}));
}

TEST(QueueModelTest, UnorderedDequeuesAnyElementOnce) {
  HistoryBuilder b;
  b.Invoke(0, "enqueue", I(1)).Ok(0).Invoke(0, "enqueue", I(2)).Ok(0);
  b.Invoke(1, "dequeue").Ok(1, I(2));
  b.Invoke(2, "dequeue").Ok(2, I(2));
  Compiled c = Compile("unordered-queue", std::move(b));
  EXPECT_TRUE(c.Run({0, 1, 2}));
  EXPECT_FALSE(c.Run({0, 1, 2, 3}));
}

TEST(QueueModelTest, UnknownUnorderedDequeueMakesEmptyResultsUninformative) {
  HistoryBuilder b;
  b.Invoke(0, "enqueue", I(1)).Ok(0);
  b.Invoke(1, "dequeue").Info(1);
  b.Invoke(2, "dequeue").Ok(2, Value());
  Compiled c = Compile("unordered-queue", std::move(b));
  EXPECT_FALSE(c.spec->Relevant(1));
  EXPECT_FALSE(c.spec->Relevant(2));
}

TEST(ModelRegistryTest, EveryIdMakesAModelThatDocumentsItsOperations) {
  for (const std::string& id : ModelIds()) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Model> m, MakeModel(id));
    EXPECT_EQ(m->id(), id);
    EXPECT_FALSE(m->operations().empty()) << id;
  }
}

TEST(ModelRegistryTest, UnknownIdSuggestsNearest) {
  EXPECT_THAT(MakeModel("mutx"), testing::StatusIs(StatusCode::kNotFound,
                                                   HasSubstr("did you mean 'mutex'?")));
  EXPECT_THAT(MakeModel("zzzzzzzz"), testing::StatusIs(StatusCode::kNotFound,
                                                       HasSubstr("see `fenceline models`")));
}

TEST(ModelRegistryTest, UnknownOperationNamesTheModelsOperations) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder("q.jsonl").Invoke(0, "push", I(1)).Ok(0).Build());
  auto m = MakeModel("fifo-queue");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT((*m)->Compile({&h.ops[0]}, "q.jsonl"),
              testing::StatusIs(StatusCode::kUnsupported,
                                HasSubstr("q.jsonl:2:1: fifo-queue has no operation 'push' "
                                          "(operations: enqueue, dequeue)")));
}

}  // namespace
}  // namespace fenceline
