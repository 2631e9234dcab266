// Tests of history.txt / jepsen.log reading: tabs or runs of spaces, log prefixes, skipped log
// output, and the etcd corpus convention of errors in the value position.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/formats.h"
#include "fenceline/history.h"
#include "fenceline/status.h"
#include "testing/parse_helpers.h"

namespace fenceline::internal {
namespace {

using testing::I;
using testing::Kw;
using testing::Vec;

History MustParse(std::string_view text) { return testing::MustParseWith(ParseJepsenLog, text, "j.log"); }
std::string ErrorOf(std::string_view text) { return testing::ParseErrorWith(ParseJepsenLog, text, "j.log"); }

TEST(JepsenLogParserTest, ReadsPrefixedTabSeparatedLines) {
  History h = MustParse(
      "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\n"
      "INFO  jepsen.util - 3\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 3\t:ok\t:read\tnil\n"
      "INFO  jepsen.util - 2\t:fail\t:cas\t[3 0]\n");
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[0].f, "cas");
  EXPECT_EQ(h.ops[0].input, Vec({I(3), I(0)}));
  EXPECT_EQ(h.ops[0].outcome, Outcome::kFail);
  EXPECT_EQ(h.ops[0].invoke_pos.line, 1u);
  EXPECT_EQ(h.ops[0].invoke_pos.column, 21u);  // the process, after the prefix
  EXPECT_EQ(h.ops[1].output, Value::Nil());
  EXPECT_EQ(h.process_names, (std::vector<std::string>{"2", "3"}));
}

TEST(JepsenLogParserTest, ReadsRunsOfSpacesAndBareHistoryTxt) {
  const char* kSpaces =
      "INFO  jepsen.util - 4   :invoke :cas    [1 2]\n"
      "INFO  jepsen.util - 4   :ok     :cas    [1 2]\n";
  const char* kBare = "4\t:invoke\t:cas\t[1 2]\n4\t:ok\t:cas\t[1 2]";
  const char* kCrlf = "4\t:invoke\t:cas\t[1 2]\r\n4\t:ok\t:cas\t[1 2]\r\n";
  for (const char* text : {kSpaces, kBare, kCrlf}) {
    History h = MustParse(text);
    ASSERT_EQ(h.ops.size(), 1u) << text;
    EXPECT_EQ(h.ops[0].input, Vec({I(1), I(2)}));
    EXPECT_EQ(h.ops[0].output, Vec({I(1), I(2)}));
    EXPECT_EQ(h.ops[0].outcome, Outcome::kOk);
  }
}

TEST(JepsenLogParserTest, SkipsLinesThatAreNotEvents) {
  History h = MustParse(
      "2015-04-23 12:00:01,123{GMT}\tINFO\t[main] jepsen.core: Running test\n"
      "\n"
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
      "WARN  jepsen.db - {:type:ok} not an event, nor is :okay or x:ok\n"
      "INFO  jepsen.util - 0\t:ok\t:read\t1\n");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].complete_pos.line, 5u);
}

TEST(JepsenLogParserTest, KeepsNemesisEventsApart) {
  History h = MustParse(
      ":nemesis\t:info\t:start\tnil\n"
      "0\t:invoke\t:read\tnil\n"
      ":nemesis\t:info\t:start\t[:isolated {\"n1\" #{\"n2\" \"n3\"}}]\n"
      "0\t:ok\t:read\tnil\n");
  ASSERT_EQ(h.ops.size(), 1u);
  ASSERT_EQ(h.other_events.size(), 2u);
  EXPECT_EQ(h.other_events[0].process, Kw("nemesis"));
  EXPECT_EQ(h.other_events[1].value.items().size(), 2u);
}

TEST(JepsenLogParserTest, TimedOutCompletionsCarryAnErrorNotAValue) {
  History h = MustParse(
      "1\t:invoke\t:write\t3\n"
      "1\t:info\t:write\t:timed-out\n"
      "2\t:invoke\t:read\tnil\n"
      "2\t:fail\t:read\t:timed-out\n"
      "3\t:invoke\t:cas\t[1 2]\n"
      "3\t:fail\t:cas\t:not-found\n");
  ASSERT_EQ(h.ops.size(), 3u);
  for (const Operation& op : h.ops) {
    EXPECT_EQ(op.output, Value::Nil()) << op.f;
    EXPECT_TRUE(op.error.is_keyword()) << op.f;
  }
  EXPECT_EQ(h.ops[0].input, I(3));
  EXPECT_EQ(h.ops[0].error, Kw("timed-out"));
  EXPECT_EQ(h.ops[2].error, Kw("not-found"));
}

TEST(JepsenLogParserTest, KeywordValuesStayValuesWhenTheInvokeHadOne) {
  History h = MustParse(
      "1\t:invoke\t:write\t:a\n"
      "1\t:fail\t:write\t:a\n"
      "2\t:invoke\t:read\tnil\n"
      "2\t:ok\t:read\t:a\n"
      "3\t:invoke\t:write\t:b\n"
      "3\t:info\t:write\t:timed-out\n");
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[0].output, Kw("a"));
  EXPECT_EQ(h.ops[0].error, Value::Nil());
  EXPECT_EQ(h.ops[1].output, Kw("a"));  // :ok values are never errors
  EXPECT_EQ(h.ops[2].output, Value::Nil());
  EXPECT_EQ(h.ops[2].error, Kw("timed-out"));
}

TEST(JepsenLogParserTest, ReadsAnErrorColumn) {
  History h = MustParse(
      "0\t:invoke\t:cas\t[1 2]\n"
      "0\t:fail\t:cas\t[1 2]\t{:cause \"no leader\"}\n");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].output, Vec({I(1), I(2)}));
  EXPECT_EQ(h.ops[0].error, Value::Map({Kw("cause"), Value::String("no leader")}));
}

TEST(JepsenLogParserTest, EmptyInputIsAnEmptyHistory) {
  EXPECT_TRUE(MustParse("").ops.empty());
  EXPECT_TRUE(MustParse("\n\nINFO nothing here\n").ops.empty());
}

TEST(JepsenLogParserErrorTest, EventLikeLinesMustBeWellFormed) {
  EXPECT_EQ(ErrorOf("0\t:invoke\n"),
            "j.log:1:10: expected a function keyword after :invoke, got end of line");
  EXPECT_EQ(ErrorOf("0\t:invoke\tread\tnil\n"),
            "j.log:1:11: expected a keyword as the function after :invoke, got 'read'");
  EXPECT_EQ(ErrorOf("0\t:invoke\t:read\n"),
            "j.log:1:16: expected a value after :read, got end of line");
  EXPECT_EQ(ErrorOf("0\t:invoke\t:cas\t[3 0\n1\t:invoke\t:read\tnil]\n"),
            "j.log:1:20: expected ']' to close the vector opened at 1:16, got end of line");
  EXPECT_EQ(ErrorOf("0\t:fail\t:cas\t[3 0]\t:e\textra\n"),
            "j.log:1:23: expected end of line after the error, got 'extra'");
  EXPECT_EQ(ErrorOf(":invoke\t:read\tnil\n"),
            "j.log:1:1: expected a process before :invoke, got start of line");
  EXPECT_EQ(ErrorOf("INFO jepsen.util - \t:invoke\t:read\tnil\n"),
            "j.log:1:18: expected a process (an integer, keyword or string) before :invoke, "
            "got '-'");
  EXPECT_EQ(ErrorOf("x\n0\t:ok\t:read\t\"unterminated\n"),
            "j.log:2:26: expected '\"' to close the string opened at 2:13, got end of line");
}

TEST(JepsenLogParserErrorTest, InconsistentHistoriesComeFromTheBuilder) {
  StatusOr<History> h = testing::ParseWith(ParseJepsenLog, "INFO  jepsen.util - 3\t:ok\t:read\tnil\n", "j.log");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidHistory);
  EXPECT_THAT(h.status().message(), ::testing::StartsWith("j.log:1:21: "));
}

}  // namespace
}  // namespace fenceline::internal
