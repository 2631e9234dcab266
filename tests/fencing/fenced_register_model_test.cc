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
