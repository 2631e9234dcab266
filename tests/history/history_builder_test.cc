#include <chrono>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/history.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

Event Ev(Value process, EventType type, std::string f, uint32_t line, std::optional<Nanos> time = {}) {
  Event e;
  e.process = std::move(process);
  e.type = type;
  e.f = std::move(f);
  e.pos = {line, 1};
  e.time = time;
  return e;
}

TEST(HistoryBuilderTest, PairsInvokeWithNextCompletionOfSameProcess) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                      .Invoke(0, "write", Value::Int(1))
                                      .Invoke(1, "read")
                                      .Ok(1, Value::Int(1))
                                      .Ok(0)
                                      .Build());
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[0].f, "write");
  EXPECT_EQ(h.ops[0].call, 0);
  EXPECT_EQ(h.ops[0].ret, 3);
  EXPECT_EQ(h.ops[1].output, Value::Int(1));
  EXPECT_EQ(h.ops[1].ret, 2);
  EXPECT_FALSE(h.timed);
}

TEST(HistoryBuilderTest, PendingAndInfoOperationsNeverReturn) {
  ASSERT_OK_AND_ASSIGN(History h,
                       HistoryBuilder().Invoke(0, "write").Info(0).Invoke(1, "read").Build());
  EXPECT_EQ(h.ops[0].outcome, Outcome::kInfo);
  EXPECT_EQ(h.ops[0].ret, kNever);
  EXPECT_EQ(h.ops[1].outcome, Outcome::kInfo);
  EXPECT_EQ(h.ops[1].complete_pos.line, 0u);
}

TEST(HistoryBuilderTest, UsesTimesWhenEveryEventHasOne) {
  HistoryBuilder b("t");
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kInvoke, "read", 1, 500)), testing::IsOk());
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kOk, "read", 2, 900)), testing::IsOk());
  ASSERT_OK_AND_ASSIGN(History h, b.Finish());
  EXPECT_TRUE(h.timed);
  EXPECT_EQ(h.ops[0].call, 500);
  EXPECT_EQ(h.ops[0].ret, 900);
}

TEST(HistoryBuilderTest, FallsBackToInputOrderWhenSomeTimeIsMissing) {
  HistoryBuilder b("t");
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kInvoke, "read", 1, 500)), testing::IsOk());
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kOk, "read", 2)), testing::IsOk());
  ASSERT_OK_AND_ASSIGN(History h, b.Finish());
  EXPECT_FALSE(h.timed);
  EXPECT_EQ(h.ops[0].ret, 1);
}

TEST(HistoryBuilderTest, SecondInvokeWhileOpenIsAnError) {
  HistoryBuilder b("h.jsonl");
  ASSERT_THAT(b.Add(Ev(Value::Int(4), EventType::kInvoke, "read", 1)), testing::IsOk());
  EXPECT_THAT(b.Add(Ev(Value::Int(4), EventType::kInvoke, "read", 2)),
              StatusIs(StatusCode::kInvalidHistory,
                       HasSubstr("h.jsonl:2:1: process 4 invokes again while its operation from "
                                 "line 1 is still open")));
}

TEST(HistoryBuilderTest, CompletionWithDifferentFIsAnError) {
  HistoryBuilder b("h.jsonl");
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kInvoke, "read", 1)), testing::IsOk());
  EXPECT_THAT(b.Add(Ev(Value::Int(0), EventType::kOk, "write", 2)),
              StatusIs(StatusCode::kInvalidHistory,
                       HasSubstr("h.jsonl:2:1: completion f 'write' differs from its invoke's 'read'")));
}

TEST(HistoryBuilderTest, CompletionAfterInfoIsAnError) {
  HistoryBuilder b("h.jsonl");
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kInvoke, "read", 1)), testing::IsOk());
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kInfo, "read", 2)), testing::IsOk());
  EXPECT_THAT(b.Add(Ev(Value::Int(0), EventType::kOk, "read", 3)),
              StatusIs(StatusCode::kInvalidHistory, HasSubstr("h.jsonl:3:1: process 0 completes")));
}

TEST(HistoryBuilderTest, NemesisEventsAreKeptApart) {
  HistoryBuilder b;
  ASSERT_THAT(b.Add(Ev(Value::Keyword("nemesis"), EventType::kInfo, "start", 1)), testing::IsOk());
  ASSERT_THAT(b.Add(Ev(Value::String("nemesis"), EventType::kInfo, "stop", 2)), testing::IsOk());
  ASSERT_OK_AND_ASSIGN(History h, b.Finish());
  EXPECT_TRUE(h.ops.empty());
  EXPECT_EQ(h.other_events.size(), 2u);
}

TEST(HistoryBuilderTest, CompletionBeforeInvokeTimeIsAnError) {
  HistoryBuilder b("h.jsonl");
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kInvoke, "read", 1, 900)), testing::IsOk());
  ASSERT_THAT(b.Add(Ev(Value::Int(0), EventType::kOk, "read", 2, 100)), testing::IsOk());
  EXPECT_THAT(b.Finish(), StatusIs(StatusCode::kInvalidHistory,
                                   HasSubstr("h.jsonl:2:1: completion time 100 is before")));
}

}  // namespace
}  // namespace fenceline

namespace fenceline {
namespace {

TEST(SplitIndependentKeysTest, MovesTupleKeysIntoTheOperation) {
  auto tuple = [](int k, Value v) { return Value::Vector({Value::Int(k), std::move(v)}); };
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder()
                                      .Invoke(0, "write", tuple(7, Value::Int(1))).Ok(0)
                                      .Invoke(1, "read", tuple(7, Value())).Ok(1, tuple(7, Value::Int(1)))
                                      .Invoke(2, "cas", tuple(3, Value::Vector({Value::Int(1), Value::Int(2)})))
                                      .Fail(2)
                                      .Build());
  ASSERT_THAT(SplitIndependentKeys(h), testing::IsOk());
  EXPECT_EQ(h.ops[0].key, Value::Int(7));
  EXPECT_EQ(h.ops[0].input, Value::Int(1));
  EXPECT_EQ(h.ops[1].output, Value::Int(1));
  EXPECT_EQ(h.ops[2].key, Value::Int(3));
  EXPECT_EQ(h.ops[2].input, Value::Vector({Value::Int(1), Value::Int(2)}));
}

TEST(SplitIndependentKeysTest, ValueThatIsNotATupleIsAnError) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder("h.edn").Invoke(0, "write", Value::Int(1)).Ok(0).Build());
  EXPECT_THAT(SplitIndependentKeys(h),
              testing::StatusIs(StatusCode::kInvalidHistory,
                                ::testing::HasSubstr("h.edn:1:1: expected a [key value] tuple (--independent), got 1")));
}

TEST(HistoryBuilderTest, TimesOutsideTheSupportedRangeAreErrors) {
  // INT64_MAX is kNever: an ok completion there would pass for one that never returned.
  for (Nanos t : {std::numeric_limits<Nanos>::max(), std::numeric_limits<Nanos>::min(),
                  kMaxTime + 1, kMinTime - 1}) {
    HistoryBuilder b("h");
    ASSERT_TRUE(b.Add(Ev(Value::Int(0), EventType::kInvoke, "read", 1, 0)).ok());
    EXPECT_THAT(b.Add(Ev(Value::Int(0), EventType::kOk, "read", 2, t)),
                StatusIs(StatusCode::kInvalidHistory,
                         HasSubstr("h:2:1: time " + std::to_string(t) + " is outside the supported range")));
  }
  HistoryBuilder b("h");
  ASSERT_TRUE(b.Add(Ev(Value::Int(0), EventType::kInvoke, "read", 1, kMinTime)).ok());
  ASSERT_TRUE(b.Add(Ev(Value::Int(0), EventType::kOk, "read", 2, kMaxTime)).ok());
  ASSERT_OK_AND_ASSIGN(History h, b.Finish());
  ASSERT_TRUE(h.timed);
  EXPECT_EQ(h.ops[0].outcome, Outcome::kOk);
  EXPECT_EQ(h.ops[0].ret, kMaxTime);
  EXPECT_NE(h.ops[0].ret, kNever);
}

TEST(HistoryBuilderTest, FinishStopsAtItsDeadlineAsAParseDoes) {
  // Closing a huge history is a pass over every operation after the last chunk's clock look;
  // past the deadline it is the parse's unknown, worded as a parse's stop, not a history.
  auto build = [](std::chrono::steady_clock::time_point deadline) {
    HistoryBuilder b("h");
    for (uint32_t i = 0; i < 200000; ++i) {
      const Value p = Value::Int(i % 5);
      EXPECT_TRUE(b.Add(Ev(p, EventType::kInvoke, "read", 2 * i + 1, 10 * i)).ok());
      EXPECT_TRUE(b.Add(Ev(p, EventType::kOk, "read", 2 * i + 2, 10 * i + 5)).ok());
    }
    b.set_deadline(deadline, "time limit of 2 s");
    return b.Finish();
  };
  EXPECT_THAT(build(std::chrono::steady_clock::now() - std::chrono::milliseconds(1)).status(),
              StatusIs(StatusCode::kDeadlineExceeded,
                       "h:400001:1: time limit of 2 s reached while pairing operations, after "
                       "400000 lines"));
  ASSERT_OK_AND_ASSIGN(History h, build(std::chrono::steady_clock::now() + std::chrono::hours(1)));
  EXPECT_EQ(h.ops.size(), 200000u);
  ASSERT_OK_AND_ASSIGN(History none, build(std::chrono::steady_clock::time_point::max()));
  EXPECT_EQ(none.ops.size(), 200000u);
}

TEST(HistoryBuilderTest, IntegerAndStringProcessesAreDifferentClients) {
  HistoryBuilder b("h");
  ASSERT_TRUE(b.Add(Ev(Value::Int(1), EventType::kInvoke, "read", 1)).ok());
  // Merged with integer 1, this would be a second invoke while its operation is open.
  ASSERT_TRUE(b.Add(Ev(Value::String("1"), EventType::kInvoke, "read", 2)).ok());
  ASSERT_TRUE(b.Add(Ev(Value::String("1"), EventType::kOk, "read", 3)).ok());
  ASSERT_TRUE(b.Add(Ev(Value::Int(1), EventType::kOk, "read", 4)).ok());
  ASSERT_TRUE(b.Add(Ev(Value::String("p1"), EventType::kInvoke, "read", 5)).ok());
  ASSERT_OK_AND_ASSIGN(History h, b.Finish());
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.process_names, (std::vector<std::string>{"1", "\"1\"", "p1"}));
  EXPECT_EQ(h.ops[0].complete_pos.line, 4u);
  EXPECT_EQ(h.ops[1].complete_pos.line, 3u);
}

// A history holds a repeated key, string or name once: what makes millions of operations fit.
TEST(HistoryBuilderTest, EqualKeysValuesAndNamesShareOneCopy) {
  HistoryBuilder b;
  for (int p = 0; p < 3; ++p) {
    Event inv = Ev(Value::Int(p), EventType::kInvoke, "append", 2 * static_cast<uint32_t>(p) + 1);
    inv.key = Value::String("k1");
    inv.value = Value::String("a" + std::to_string(p % 2) + ";");
    inv.node = "n1";
    ASSERT_THAT(b.Add(std::move(inv)), testing::IsOk());
    Event ok = Ev(Value::Int(p), EventType::kOk, "append", 2 * static_cast<uint32_t>(p) + 2);
    ok.value = Value::String("a" + std::to_string(p % 2) + ";");
    ok.error = Value::Keyword("none");
    ASSERT_THAT(b.Add(std::move(ok)), testing::IsOk());
  }
  ASSERT_OK_AND_ASSIGN(History h, b.Finish());
  ASSERT_EQ(h.ops.size(), 3u);
  for (const Operation& op : h.ops) {
    EXPECT_TRUE(op.key->SharesStorageWith(*h.ops[0].key));
    EXPECT_TRUE(op.output.SharesStorageWith(op.input)) << op.input.ToEdn();
    EXPECT_TRUE(op.error.SharesStorageWith(h.ops[0].error));
    EXPECT_EQ(op.f, "append");
    EXPECT_EQ(op.node, "n1");
    EXPECT_EQ(std::string_view(op.f).data(), std::string_view(h.ops[0].f).data());
  }
  EXPECT_TRUE(h.ops[2].input.SharesStorageWith(h.ops[0].input));
  EXPECT_FALSE(h.ops[1].input.SharesStorageWith(h.ops[0].input));
  EXPECT_EQ(h.ops[1].input, Value::String("a1;"));
}

}  // namespace
}  // namespace fenceline
