// The fenced-register model, through the linearizability engine.
#include "checker/model/fenced_register_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::fenceline::testing::StatusIs;
using ::testing::HasSubstr;

Value W(int64_t token, int64_t value, const char* resource = "r") {
  return Value::Map({Value::String("resource"), Value::String(resource), Value::String("token"),
                     Value::Int(token), Value::String("value"), Value::Int(value)});
}
Value R(const char* resource = "r") {
  return Value::Map({Value::String("resource"), Value::String(resource)});
}
Value RV(Value v, const char* resource = "r") {
  return Value::Map(
      {Value::String("resource"), Value::String(resource), Value::String("value"), std::move(v)});
}

Verdict CheckOf(HistoryBuilder& b) {
  StatusOr<History> h = b.Build();
  EXPECT_TRUE(h.ok()) << h.status().message();
  std::unique_ptr<Model> m = internal::MakeFencedRegisterModel();
  StatusOr<CheckResult> r = CheckLinearizability(*h, *m);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->verdict : Verdict::kUnknown;
}

TEST(FencedRegisterModelTest, HigherTokensAreAccepted) {
  HistoryBuilder b;
  b.Invoke(0, "write", W(1, 10)).Ok(0).Invoke(1, "write", W(2, 20)).Ok(1);
  b.Invoke(2, "read", R()).Ok(2, RV(Value::Int(20)));
  EXPECT_EQ(CheckOf(b), Verdict::kLinearizable);
}

TEST(FencedRegisterModelTest, AcceptedLowerTokenIsNotLinearizable) {
  HistoryBuilder b;
  b.Invoke(0, "write", W(2, 20)).Ok(0).Invoke(1, "write", W(1, 10)).Ok(1);
  EXPECT_EQ(CheckOf(b), Verdict::kNotLinearizable);
}

TEST(FencedRegisterModelTest, EqualTokenIsAccepted) {
  HistoryBuilder b;
  b.Invoke(0, "write", W(2, 20)).Ok(0).Invoke(0, "write", W(2, 21)).Ok(0);
  EXPECT_EQ(CheckOf(b), Verdict::kLinearizable);
}

TEST(FencedRegisterModelTest, RejectionObservedAHigherToken) {
  HistoryBuilder ok;
  ok.Invoke(0, "write", W(2, 20)).Ok(0).Invoke(1, "write", W(1, 10)).Fail(1);
  EXPECT_EQ(CheckOf(ok), Verdict::kLinearizable);
  HistoryBuilder bad;  // nothing higher was ever written: the rejection is impossible
  bad.Invoke(1, "write", W(1, 10)).Fail(1);
  EXPECT_EQ(CheckOf(bad), Verdict::kNotLinearizable);
}

TEST(FencedRegisterModelTest, UnknownWriteMayOrMayNotHaveHappened) {
  HistoryBuilder b;
  b.Invoke(0, "write", W(3, 30)).Info(0);
  b.Invoke(1, "read", R()).Ok(1, RV(Value()));
  b.Invoke(2, "read", R()).Ok(2, RV(Value::Int(30)));
  EXPECT_EQ(CheckOf(b), Verdict::kLinearizable);
}

TEST(FencedRegisterModelTest, ResourcesArePartitions) {
  HistoryBuilder b;
  b.Invoke(0, "write", W(2, 20, "a")).Ok(0).Invoke(1, "write", W(1, 10, "b")).Ok(1);
  StatusOr<History> h = b.Build();
  ASSERT_TRUE(h.ok());
  std::unique_ptr<Model> m = internal::MakeFencedRegisterModel();
  StatusOr<CheckResult> r = CheckLinearizability(*h, *m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kLinearizable);
  EXPECT_EQ(r->partitions.size(), 2u);
}

TEST(FencedRegisterModelTest, WriteWithoutTokenIsUnsupported) {
  HistoryBuilder b;
  b.Invoke(0, "write", R()).Ok(0);
  StatusOr<History> h = b.Build();
  ASSERT_TRUE(h.ok());
  std::unique_ptr<Model> m = internal::MakeFencedRegisterModel();
  EXPECT_THAT(CheckLinearizability(*h, *m),
              StatusIs(StatusCode::kUnsupported, HasSubstr("expected an integer \"token\"")));
}

TEST(FencedRegisterModelTest, LockOperationPointsToTheFencingModel) {
  HistoryBuilder b;
  b.Invoke(0, "acquire", Value::Map({Value::String("lock"), Value::String("L")})).Ok(0);
  StatusOr<History> h = b.Build();
  ASSERT_TRUE(h.ok());
  std::unique_ptr<Model> m = internal::MakeFencedRegisterModel();
  EXPECT_THAT(CheckLinearizability(*h, *m),
              StatusIs(StatusCode::kUnsupported,
                       HasSubstr(":2:1: fenced-register has no operation 'acquire' (operations: "
                                 "write, read); for lock and storage histories use --model "
                                 "fencing")));
}

TEST(FencedRegisterModelTest, IsRegistered) {
  StatusOr<std::unique_ptr<Model>> m = MakeModel("fenced-register");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ((*m)->id(), "fenced-register");
}

}  // namespace
}  // namespace fenceline

namespace fenceline {
namespace {

Verdict FencingCheckOf(HistoryBuilder& b) {
  StatusOr<History> h = b.Build();
  EXPECT_TRUE(h.ok()) << h.status().message();
  std::unique_ptr<Model> m = internal::MakeFencedRegisterModelForFencing();
  StatusOr<CheckResult> r = CheckLinearizability(*h, *m);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->verdict : Verdict::kUnknown;
}

// The fencing variant leaves out the unknown-outcome writes whose value no read returned; the
// verdicts are those of the whole search, by brute force over the unknown writes' fates.
TEST(FencedRegisterForFencingTest, UnreadUnknownWritesChangeNoVerdict) {
  // Read values: an unknown write whose value is read is still needed to explain the read.
  HistoryBuilder needed;
  needed.Invoke(0, "write", W(5, 50)).Info(0);
  needed.Invoke(1, "read", R()).Ok(1, RV(Value::Int(50)));
  EXPECT_EQ(FencingCheckOf(needed), Verdict::kLinearizable);
  // An unread unknown write with a high token never forces a rejection of a later accepted one.
  HistoryBuilder unread;
  unread.Invoke(0, "write", W(9, 90)).Info(0);
  unread.Invoke(1, "write", W(1, 10)).Ok(1);
  unread.Invoke(2, "read", R()).Ok(2, RV(Value::Int(10)));
  EXPECT_EQ(FencingCheckOf(unread), Verdict::kLinearizable);
  // And leaving it out does not hide a violation among the others.
  HistoryBuilder stale;
  stale.Invoke(0, "write", W(9, 90)).Info(0);
  stale.Invoke(1, "write", W(3, 30)).Ok(1);
  stale.Invoke(2, "write", W(2, 20)).Ok(2);
  EXPECT_EQ(FencingCheckOf(stale), Verdict::kNotLinearizable);
  // A read of a value only an unknown write with a lower token than an accepted one could have
  // installed: that write is read, so it stays, and fencing forbids it.
  HistoryBuilder fenced;
  fenced.Invoke(0, "write", W(4, 40)).Ok(0);
  fenced.Invoke(1, "write", W(1, 10)).Info(1);
  fenced.Invoke(2, "read", R()).Ok(2, RV(Value::Int(10)));
  EXPECT_EQ(FencingCheckOf(fenced), Verdict::kNotLinearizable);
}

}  // namespace
}  // namespace fenceline
