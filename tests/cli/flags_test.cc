// The strict numeric flag parsers (checker/cli/flags.h).
#include "checker/cli/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace fenceline::cli {
namespace {

using std::chrono::nanoseconds;
using ::testing::HasSubstr;

nanoseconds Seconds(std::string_view text) {
  return ParseDuration(text, "s", "--time-limit").value();
}

TEST(ParseDurationTest, BareNumberTakesTheGivenUnit) {
  EXPECT_EQ(Seconds("30"), std::chrono::seconds(30));
  EXPECT_EQ(ParseDuration("5", "ms", "--clock-skew").value(), std::chrono::milliseconds(5));
  EXPECT_EQ(Seconds("0"), nanoseconds(0));
}

TEST(ParseDurationTest, UnitsAndFractions) {
  EXPECT_EQ(Seconds("30s"), std::chrono::seconds(30));
  EXPECT_EQ(Seconds("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(Seconds("2m"), std::chrono::minutes(2));
  EXPECT_EQ(Seconds("2min"), std::chrono::minutes(2));
  EXPECT_EQ(Seconds("1.5h"), std::chrono::minutes(90));
  EXPECT_EQ(Seconds("250us"), std::chrono::microseconds(250));
  EXPECT_EQ(Seconds("7ns"), nanoseconds(7));
  EXPECT_EQ(Seconds("0.25"), std::chrono::milliseconds(250));
  EXPECT_EQ(Seconds(".5s"), std::chrono::milliseconds(500));
  // Below a nanosecond is dropped, not rounded into a different value.
  EXPECT_EQ(Seconds("1.0000000009s"), nanoseconds(1'000'000'000));
}

TEST(ParseDurationTest, RejectsWhatIsNotAFiniteNonNegativeDuration) {
  for (const char* bad :
       {"", "nan", "inf", "-1", "+1", "1e30", "1e3", "1.5.2", "s", "10 s", "10sec", "0x10", "."}) {
    EXPECT_THAT(ParseDuration(bad, "s", "--time-limit"),
                testing::StatusIs(StatusCode::kInvalidArgument,
                                  HasSubstr("--time-limit: expected a duration such as 30s")))
        << bad;
  }
}

TEST(ParseDurationTest, RejectsDurationsNoClockCanAdd) {
  EXPECT_THAT(ParseDuration("99999999999999999999999", "s", "--deadline"),
              testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("too long")));
  EXPECT_THAT(ParseDuration("876001h", "s", "--deadline"),
              testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("at most 100 years")));
  EXPECT_TRUE(ParseDuration("876000h", "s", "--deadline").ok());
}

TEST(ParseMebibytesTest, WholeMebibytesAndZeroForNone) {
  EXPECT_EQ(ParseMebibytes("256", 7, "--memory-limit").value(), size_t{256} << 20);
  EXPECT_EQ(ParseMebibytes("0", 7, "--memory-limit").value(), 7u);
}

TEST(ParseMebibytesTest, NoWraparound) {
  // 2^44 MiB is 2^64 bytes: it used to wrap to 0.
  EXPECT_THAT(ParseMebibytes("17592186044416", 7, "--memory-limit"),
              testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("MiB is more than")));
  EXPECT_EQ(ParseMebibytes("17592186044415", 7, "--memory-limit").value(),
            size_t{17592186044415} << 20);
  EXPECT_THAT(ParseMebibytes("99999999999999999999999", 7, "--memory-limit"),
              testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("MiB is more than")));
}

TEST(ParseMebibytesTest, RejectsSignsAndFractions) {
  for (const char* bad : {"", "-1", "1.5", "1e3", "nan", "12M", " 1"}) {
    EXPECT_THAT(ParseMebibytes(bad, 7, "--memory-limit"),
                testing::StatusIs(StatusCode::kInvalidArgument,
                                  HasSubstr("--memory-limit: expected a whole number of MiB")))
        << bad;
  }
}

}  // namespace
}  // namespace fenceline::cli
