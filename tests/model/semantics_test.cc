// Jepsen's documented meaning of completions, checked end to end on hand-made histories whose
// verdicts follow from the definitions (docs/semantics.md):
//   :fail  the operation did not take place: it changes nothing and constrains nothing
//          (Knossos drops failed operations before its search); with --fail-observes, a
//          failed cas saw a value other than `from` (Porcupine's etcd model);
//   nil    an ok read of nil: the value nil where the register can hold nil (auto), never
//          (unknown, Knossos's rule), or always (value).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

Value I(int64_t i) { return Value::Int(i); }
Value S(const char* s) { return Value::String(s); }
Value Pair(Value a, Value b) { return Value::Vector({std::move(a), std::move(b)}); }
Value Kw(const char* k) { return Value::Keyword(k); }

struct Semantics {
  bool fail_observes = false;
  NilReads nil_reads = NilReads::kAuto;
  std::optional<Value> initial;
  bool independent = false;
};

Verdict Check(HistoryBuilder b, std::string_view model, const Semantics& s = {}) {
  StatusOr<History> h = b.Build();
  EXPECT_TRUE(h.ok()) << h.status().message();
  if (!h.ok()) return Verdict::kUnknown;
  if (s.independent) {
    EXPECT_TRUE(SplitIndependentKeys(*h).ok());
  }
  ModelOptions o;
  o.fail_observes = s.fail_observes;
  o.nil_reads = s.nil_reads;
  o.initial = s.initial;
  auto m = MakeModel(model, o);
  EXPECT_TRUE(m.ok());
  StatusOr<CheckResult> r = CheckLinearizability(*h, **m);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->verdict : Verdict::kUnknown;
}

Semantics FailObserves() {
  Semantics s;
  s.fail_observes = true;
  return s;
}
Semantics Nil(NilReads n, std::optional<Value> initial = std::nullopt) {
  Semantics s;
  s.nil_reads = n;
  s.initial = std::move(initial);
  return s;
}

constexpr Verdict kOk = Verdict::kLinearizable;
constexpr Verdict kBad = Verdict::kNotLinearizable;

// The MongoDB shape from the issue: a cas fails with a write-concern error while the register
// holds `from`. Jepsen: it did not happen, so nothing is wrong; Porcupine: a contradiction.
HistoryBuilder FailedCasWhileHoldingFrom() {
  HistoryBuilder b;
  b.Invoke(0, "write", I(0)).Ok(0);
  b.Invoke(1, "cas", Pair(I(0), I(4)));
  Event fail;
  fail.process = I(1);
  fail.type = EventType::kFail;
  fail.f = "cas";
  fail.value = Pair(I(0), I(4));
  fail.error = Kw("write-concern");
  EXPECT_TRUE(b.Add(std::move(fail)).ok());
  b.Invoke(2, "read").Ok(2, I(0));
  return b;
}

TEST(FailSemanticsTest, FailedCasWhileHoldingFromIsFineByDefault) {
  EXPECT_EQ(Check(FailedCasWhileHoldingFrom(), "cas-register"), kOk);
  EXPECT_EQ(Check(FailedCasWhileHoldingFrom(), "cas-register", FailObserves()), kBad);
}

TEST(FailSemanticsTest, FailedCasNeverSetsItsValue) {
  auto h = [] {
    HistoryBuilder b;
    b.Invoke(0, "write", I(0)).Ok(0).Invoke(1, "cas", Pair(I(0), I(4))).Fail(1);
    b.Invoke(2, "read").Ok(2, I(4));
    return b;
  };
  EXPECT_EQ(Check(h(), "cas-register"), kBad);
  EXPECT_EQ(Check(h(), "cas-register", FailObserves()), kBad);
}

TEST(FailSemanticsTest, FailedCasThatMismatchedIsFineEitherWay) {
  auto h = [] {
    HistoryBuilder b;
    b.Invoke(0, "write", I(1)).Ok(0).Invoke(1, "cas", Pair(I(0), I(4))).Fail(1);
    b.Invoke(2, "read").Ok(2, I(1));
    return b;
  };
  EXPECT_EQ(Check(h(), "cas-register"), kOk);
  EXPECT_EQ(Check(h(), "cas-register", FailObserves()), kOk);
}

TEST(FailSemanticsTest, FailedWriteNeverTookEffectUnderEitherConvention) {
  auto h = [] {
    HistoryBuilder b;
    b.Invoke(0, "write", I(1)).Ok(0).Invoke(1, "write", I(2)).Fail(1);
    b.Invoke(2, "read").Ok(2, I(1));
    return b;
  };
  EXPECT_EQ(Check(h(), "register"), kOk);
  EXPECT_EQ(Check(h(), "register", FailObserves()), kOk);
}

TEST(FailSemanticsTest, FailedReadSawNothing) {
  auto h = [] {
    HistoryBuilder b;
    b.Invoke(0, "write", I(1)).Ok(0).Invoke(1, "read").Fail(1, I(7));
    return b;
  };
  EXPECT_EQ(Check(h(), "register"), kOk);
  EXPECT_EQ(Check(h(), "register", FailObserves()), kOk);
}

TEST(FailSemanticsTest, KvFailedCasFollowsTheConvention) {
  auto h = [] {
    HistoryBuilder b;
    b.Invoke(0, "put", Pair(S("k"), S("a"))).Ok(0);
    b.Invoke(1, "cas", Pair(S("k"), Pair(S("a"), S("b")))).Fail(1);
    b.Invoke(2, "get", Pair(S("k"), Value())).Ok(2, Pair(S("k"), S("a")));
    return b;
  };
  EXPECT_EQ(Check(h(), "kv"), kOk);
  EXPECT_EQ(Check(h(), "kv", FailObserves()), kBad);
}

// Models where a failure defines no observation: fails are inert under both conventions.
TEST(FailSemanticsTest, MutexSetAndQueuesIgnoreFailures) {
  for (bool observes : {false, true}) {
    Semantics s;
    s.fail_observes = observes;
    {
      HistoryBuilder b;  // a failed acquire while free: it did not take place
      b.Invoke(0, "acquire").Fail(0).Invoke(1, "acquire").Ok(1).Invoke(1, "release").Ok(1);
      EXPECT_EQ(Check(std::move(b), "mutex", s), kOk);
    }
    {
      HistoryBuilder b;  // a failed add is not in the set
      b.Invoke(0, "add", I(1)).Fail(0).Invoke(1, "read").Ok(1, Value::Vector({I(1)}));
      EXPECT_EQ(Check(std::move(b), "set", s), kBad);
    }
    for (const char* queue : {"fifo-queue", "unordered-queue"}) {
      HistoryBuilder b;  // a failed enqueue cannot be dequeued; a failed dequeue removed nothing
      b.Invoke(0, "enqueue", I(1)).Ok(0).Invoke(1, "dequeue").Fail(1, I(1));
      b.Invoke(2, "dequeue").Ok(2, I(1)).Invoke(0, "enqueue", I(2)).Fail(0);
      b.Invoke(2, "dequeue").Ok(2, Value());
      EXPECT_EQ(Check(std::move(b), queue, s), kOk) << queue;
    }
  }
}

// Knossos's register: a read of nil from a register that starts at 0 and is never set to nil.
HistoryBuilder NilReadFromZero() {
  HistoryBuilder b;
  b.Invoke(0, "write", I(1)).Ok(0).Invoke(1, "read").Ok(1, Value());
  return b;
}

TEST(NilReadsTest, ReadOfNilWhereNilIsNoStateIsUnknownByDefault) {
  EXPECT_EQ(Check(NilReadFromZero(), "register", Nil(NilReads::kAuto, I(0))), kOk);
  EXPECT_EQ(Check(NilReadFromZero(), "register", Nil(NilReads::kUnknown, I(0))), kOk);
  EXPECT_EQ(Check(NilReadFromZero(), "register", Nil(NilReads::kValue, I(0))), kBad);
}

TEST(NilReadsTest, ReadOfNilFromARegisterStartingAtNilIsAValue) {
  // Starting at nil, a read of nil after write 1 completed is stale.
  EXPECT_EQ(Check(NilReadFromZero(), "register", Nil(NilReads::kAuto)), kBad);
  EXPECT_EQ(Check(NilReadFromZero(), "cas-register", Nil(NilReads::kAuto)), kBad);
  EXPECT_EQ(Check(NilReadFromZero(), "register", Nil(NilReads::kUnknown)), kOk);
  EXPECT_EQ(Check(NilReadFromZero(), "register", Nil(NilReads::kValue)), kBad);
}

TEST(NilReadsTest, AWriteOfNilThatMayHaveHappenedMakesNilAValue) {
  for (Outcome nil_write : {Outcome::kOk, Outcome::kInfo, Outcome::kFail}) {
    HistoryBuilder b;
    b.Invoke(2, "write", Value());
    if (nil_write == Outcome::kOk) b.Ok(2);
    if (nil_write == Outcome::kInfo) b.Info(2);
    if (nil_write == Outcome::kFail) b.Fail(2);
    b.Invoke(1, "read").Ok(1, Value()).Invoke(1, "read").Ok(1, I(0));
    // ok or info: nil is a state, so the read of nil needs the write of nil before it, and
    // then the read of 0 is impossible; a failed write of nil did not happen, so the read of
    // nil is unknown and the register simply held 0.
    const Verdict want = nil_write == Outcome::kFail ? kOk : kBad;
    EXPECT_EQ(Check(std::move(b), "register", Nil(NilReads::kAuto, I(0))), want)
        << OutcomeName(nil_write);
  }
}

TEST(NilReadsTest, CasToNilMakesNilAValue) {
  HistoryBuilder b;
  b.Invoke(0, "cas", Pair(I(0), Value())).Ok(0).Invoke(0, "write", I(1)).Ok(0);
  b.Invoke(1, "read").Ok(1, Value());
  EXPECT_EQ(Check(std::move(b), "cas-register", Nil(NilReads::kAuto, I(0))), kBad);
}

TEST(NilReadsTest, KvUnsetKeyReadsNilAsEmpty) {
  auto h = [] {
    HistoryBuilder b;
    b.Invoke(0, "append", Pair(S("k"), S("x"))).Ok(0);
    b.Invoke(1, "get", Pair(S("k"), Value())).Ok(1, Pair(S("k"), Value()));
    return b;
  };
  EXPECT_EQ(Check(h(), "kv"), kBad);  // nil is "" there: the append was lost
  EXPECT_EQ(Check(h(), "kv", Nil(NilReads::kValue)), kBad);
  EXPECT_EQ(Check(h(), "kv", Nil(NilReads::kUnknown)), kOk);
  EXPECT_EQ(Check(h(), "kv", Nil(NilReads::kAuto, S("start"))), kOk);
}

TEST(NilReadsTest, IndependentKeysApplyTheRulePerKey) {
  // Key 1 writes nil, key 2 never does: under auto, only key 1's nil read is a value.
  auto h = [](bool nil_in_key_2) {
    HistoryBuilder b;
    b.Invoke(0, "write", Pair(I(1), Value())).Ok(0).Invoke(0, "write", Pair(I(1), I(3))).Ok(0);
    b.Invoke(0, "write", Pair(I(2), I(3))).Ok(0);
    b.Invoke(1, "read", Pair(nil_in_key_2 ? I(2) : I(1), Value()));
    b.Ok(1, Pair(nil_in_key_2 ? I(2) : I(1), Value()));
    return b;
  };
  Semantics s = Nil(NilReads::kAuto, I(0));
  s.independent = true;
  EXPECT_EQ(Check(h(false), "register", s), kBad);
  EXPECT_EQ(Check(h(true), "register", s), kOk);
}

Value Txn(std::vector<Value> micro) { return Value::Vector(std::move(micro)); }
Value R(const char* k, Value v = {}) { return Value::Vector({Kw("read"), Kw(k), std::move(v)}); }
Value W(const char* k, Value v) { return Value::Vector({Kw("write"), Kw(k), std::move(v)}); }

TEST(MultiRegisterTest, TxnsApplyAtomicallyFromTheInitialMap) {
  auto h = [](int64_t seen_y) {
    HistoryBuilder b;
    b.Invoke(0, "txn", Txn({W("x", I(1)), W("y", I(1))})).Ok(0);
    b.Invoke(1, "txn", Txn({R("x"), R("y")})).Ok(1, Txn({R("x", I(1)), R("y", I(seen_y))}));
    return b;
  };
  // JSON's string keys name the same registers as EDN's keywords.
  Semantics s = Nil(NilReads::kAuto, Value::Map({S("x"), I(0), S("y"), I(0)}));
  EXPECT_EQ(Check(h(1), "multi-register", s), kOk);
  EXPECT_EQ(Check(h(0), "multi-register", s), kBad);  // a torn txn
}

TEST(MultiRegisterTest, NilReadInATxnIsUnknownAsInKnossos) {
  auto h = [] {
    HistoryBuilder b;
    b.Invoke(0, "txn", Txn({W("x", I(1))})).Ok(0);
    b.Invoke(1, "txn", Txn({R("x")})).Ok(1, Txn({R("x", Value())}));
    return b;
  };
  EXPECT_EQ(Check(h(), "multi-register"), kOk);
  EXPECT_EQ(Check(h(), "multi-register", Nil(NilReads::kUnknown)), kOk);
  EXPECT_EQ(Check(h(), "multi-register", Nil(NilReads::kValue)), kBad);
}

TEST(MultiRegisterTest, FailedTxnDidNotTakePlaceAndInfoTxnMayHave) {
  for (bool observes : {false, true}) {
    Semantics s;
    s.fail_observes = observes;  // defines nothing for txns
    HistoryBuilder b;
    b.Invoke(0, "txn", Txn({W("x", I(5))})).Fail(0);
    b.Invoke(1, "txn", Txn({W("x", I(6))})).Info(1);
    b.Invoke(2, "txn", Txn({R("x")})).Ok(2, Txn({R("x", I(6))}));
    b.Invoke(2, "txn", Txn({R("x")})).Ok(2, Txn({R("x", I(5))}));
    EXPECT_EQ(Check(std::move(b), "multi-register", s), kBad);
  }
}

TEST(MultiRegisterTest, RejectsMalformedTxnsAndInitialValues) {
  HistoryBuilder b;
  b.Invoke(0, "txn", Txn({Value::Vector({Kw("append"), Kw("x"), I(1)})})).Ok(0);
  StatusOr<History> h = b.Build();
  ASSERT_TRUE(h.ok());
  auto m = MakeModel("multi-register");
  EXPECT_THAT(CheckLinearizability(*h, **m),
              testing::StatusIs(StatusCode::kUnsupported,
                                ::testing::HasSubstr("expected micro-ops [read k v] or [write k v]")));
  ModelOptions o;
  o.initial = I(0);
  auto bad = MakeModel("multi-register", o);
  EXPECT_THAT(CheckLinearizability(*h, **bad),
              testing::StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("must be a map")));
}

}  // namespace
}  // namespace fenceline
