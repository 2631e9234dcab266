// Tests of history.edn reading: Jepsen's op maps a line, whole vectors, tuple lines, and the
// Jepsen conventions (nemesis, errors, independent tuples).
#include "checker/parse/edn_history.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/formats.h"
#include "fenceline/history.h"
#include "fenceline/status.h"
#include "testing/parse_helpers.h"

namespace fenceline::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

using testing::I;
using testing::Kw;
using testing::Vec;

History MustParse(std::string_view text) { return testing::MustParseWith(ParseEdnHistory, text, "h.edn"); }
std::string ErrorOf(std::string_view text) { return testing::ParseErrorWith(ParseEdnHistory, text, "h.edn"); }

TEST(EdnHistoryTest, ReadsJepsenStoreMapLines) {
  History h = MustParse(
      "{:index 0, :time 1200, :type :invoke, :process 0, :f :cas, :value [1 2]}\n"
      "{:index 1, :time 1500, :type :invoke, :process 1, :f :read, :value nil}\n"
      "{:index 2, :time 2100, :type :fail, :process 0, :f :cas, :value [1 2]}\n"
      "{:index 3, :time 2500, :type :ok, :process 1, :f :read, :value 3}\n");
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_TRUE(h.timed);
  EXPECT_EQ(h.process_names, (std::vector<std::string>{"0", "1"}));
  const Operation& cas = h.ops[0];
  EXPECT_EQ(cas.f, "cas");
  EXPECT_EQ(cas.outcome, Outcome::kFail);
  EXPECT_EQ(cas.input, Vec({I(1), I(2)}));
  EXPECT_EQ(cas.call, 1200);
  EXPECT_EQ(cas.ret, 2100);
  EXPECT_THAT(cas.extra, ElementsAre(Pair("index", I(0)), Pair("index", I(2))));
  EXPECT_EQ(cas.invoke_pos.line, 1u);
  EXPECT_EQ(cas.invoke_pos.column, 1u);
  EXPECT_EQ(cas.complete_pos.line, 3u);
  EXPECT_EQ(h.ops[1].output, I(3));
}

TEST(EdnHistoryTest, ReadsKeysAsPorcupineKvWritesThem) {
  History h = MustParse(
      "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
      "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n");
  ASSERT_EQ(h.ops.size(), 1u);
  ASSERT_TRUE(h.ops[0].key.has_value());
  EXPECT_EQ(*h.ops[0].key, Value::String("0"));
  EXPECT_FALSE(h.timed);
}

TEST(EdnHistoryTest, ReadsAWholeHistoryVectorOrList) {
  const char* kVector =
      "[{:type :invoke :process 0 :f :write :value 1}\n"
      " {:type :ok :process 0 :f :write :value 1}]";
  const char* kList =
      "({:type :invoke :process 0 :f :write :value 1}\n"
      " {:type :ok :process 0 :f :write :value 1})";
  for (const char* text : {kVector, kList}) {
    History h = MustParse(text);
    ASSERT_EQ(h.ops.size(), 1u) << text;
    EXPECT_EQ(h.ops[0].outcome, Outcome::kOk);
    EXPECT_EQ(h.ops[0].complete_pos.line, 2u);
    EXPECT_EQ(h.ops[0].complete_pos.column, 2u);
  }
  EXPECT_TRUE(MustParse("[]").ops.empty());
  EXPECT_TRUE(MustParse("").ops.empty());
}

TEST(EdnHistoryTest, ReadsTupleLines) {
  History h = MustParse(
      "[0 :invoke :read nil]\n"
      "[1 :invoke :write 3]\n"
      "[0 :ok :read 3]\n"
      "[1 :info :write :timed-out]\n"
      "[2 :invoke :cas [3 4]]\n"
      "[2 :fail :cas [3 4] :cas-failed]\n");
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[0].output, I(3));
  // The keyword in a completion's value position is an error, not the value.
  EXPECT_EQ(h.ops[1].outcome, Outcome::kInfo);
  EXPECT_EQ(h.ops[1].input, I(3));
  EXPECT_EQ(h.ops[1].output, Value::Nil());
  EXPECT_EQ(h.ops[1].error, Kw("timed-out"));
  EXPECT_EQ(h.ops[2].output, Vec({I(3), I(4)}));
  EXPECT_EQ(h.ops[2].error, Kw("cas-failed"));
}

TEST(EdnHistoryTest, ReadsAVectorOfTuples) {
  History h = MustParse("[[0 :invoke :read nil] [0 :ok :read 1]]");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].output, I(1));
}

TEST(EdnHistoryTest, KeepsNemesisEventsApart) {
  History h = MustParse(
      "{:type :info, :process :nemesis, :f :start, :value nil}\n"
      "{:type :invoke, :process 0, :f :read, :value nil}\n"
      "{:type :info, :process :nemesis, :f :start, :value [:isolated {\"n1\" #{\"n2\"}}]}\n"
      "{:type :ok, :process 0, :f :read, :value nil}\n");
  ASSERT_EQ(h.ops.size(), 1u);
  ASSERT_EQ(h.other_events.size(), 2u);
  EXPECT_EQ(h.other_events[0].process, Kw("nemesis"));
  EXPECT_EQ(h.other_events[1].f, "start");
  EXPECT_EQ(h.other_events[1].pos.line, 3u);
}

TEST(EdnHistoryTest, KeepsErrorsNodesAndOtherFields) {
  History h = MustParse(
      "{:type :invoke, :process 3, :f :cas, :value [1 2], :node \"n1\", :custom {:a 1}}\n"
      "{:type :fail, :process 3, :f :cas, :value [1 2], :error [:not-leader \"n2\"]}\n");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].error, Vec({Kw("not-leader"), Value::String("n2")}));
  EXPECT_EQ(h.ops[0].node, "n1");
  EXPECT_THAT(h.ops[0].extra, ElementsAre(Pair("custom", Value::Map({Kw("a"), I(1)}))));
  // Map completions keep a keyword value: only positional formats carry errors there.
  History k = MustParse(
      "{:type :invoke, :process 0, :f :read, :value nil}\n"
      "{:type :info, :process 0, :f :read, :value :timed-out}\n");
  EXPECT_EQ(k.ops[0].output, Kw("timed-out"));
  EXPECT_EQ(k.ops[0].error, Value::Nil());
}

TEST(EdnHistoryTest, SplitsJepsenIndependentTuples) {
  History h = MustParse(
      "{:type :invoke, :process 0, :f :write, :value #jepsen.independent.Tuple{:key 7, :value 3}}\n"
      "{:type :ok, :process 0, :f :write, :value #jepsen.independent.Tuple{:key 7, :value 3}}\n"
      "{:type :invoke, :process 1, :f :read, :value #jepsen.independent/tuple [\"k\" nil]}\n"
      "{:type :ok, :process 1, :f :read, :value #jepsen.independent/tuple [\"k\" 3]}\n");
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[0].key, I(7));
  EXPECT_EQ(h.ops[0].input, I(3));
  EXPECT_EQ(h.ops[0].output, I(3));
  EXPECT_EQ(h.ops[1].key, Value::String("k"));
  EXPECT_EQ(h.ops[1].input, Value::Nil());
  EXPECT_EQ(h.ops[1].output, I(3));
}

TEST(EdnHistoryTest, ReadsRecordOps) {
  History h = MustParse(
      "#jepsen.history.Op{:index 0, :time 5, :type :invoke, :process 0, :f :read, :value nil}\n"
      "#jepsen.history.Op{:index 1, :time 9, :type :ok, :process 0, :f :read, :value 2}\n");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].output, I(2));
  EXPECT_EQ(h.ops[0].call, 5);
}

TEST(EdnHistoryTest, SkipsCommentsBlankLinesAndDiscards) {
  History h = MustParse(
      "; a sample history\n\n"
      "{:type :invoke, :process 0, :f :read, :value nil} ; first\n"
      "#_{:type :invoke, :process 9, :f :read, :value nil}\n"
      "{:type :ok, :process 0, :f :read, #_ :value #_ 5}\n");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].invoke_pos.line, 3u);
  EXPECT_EQ(h.ops[0].output, Value::Nil());
}

TEST(EdnHistoryTest, AcceptsStringKeysAndTypes) {
  History h = MustParse(
      "{\"type\" \"invoke\", \"process\" \"p1\", \"f\" \"read\", \"value\" nil}\n"
      "{\"type\" \"ok\", \"process\" \"p1\", \"f\" \"read\", \"value\" 1}\n");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.process_names, (std::vector<std::string>{"p1"}));
}

TEST(EdnHistoryErrorTest, MissingFields) {
  EXPECT_EQ(ErrorOf("{:process 0, :f :read}"),
            "h.edn:1:1: expected a :type in the event, got none");
  EXPECT_EQ(ErrorOf("\n  {:type :ok, :f :read}"),
            "h.edn:2:3: expected a :process in the event, got none");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process 0, :value 1}"),
            "h.edn:1:1: expected an :f in the invoke event, got none");
}

TEST(EdnHistoryErrorTest, BadFieldValues) {
  EXPECT_EQ(ErrorOf("{:type :done, :process 0, :f :read}"),
            "h.edn:1:8: expected :invoke, :ok, :fail or :info after :type, got :done");
  EXPECT_EQ(ErrorOf("{:type 1, :process 0, :f :read}"),
            "h.edn:1:8: expected :invoke, :ok, :fail or :info after :type, got 1");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process 0, :f 12}"),
            "h.edn:1:32: expected a keyword after :f, got 12");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process [0], :f :read}"),
            "h.edn:1:26: expected a process (an integer, keyword or string) after :process, "
            "got [0]");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process 0, :f :read, :time \"noon\"}"),
            "h.edn:1:45: expected integer nanoseconds after :time, got \"noon\"");
}

TEST(EdnHistoryErrorTest, MalformedMaps) {
  EXPECT_EQ(ErrorOf("{:type :invoke, :type :ok, :process 0, :f :read}"),
            "h.edn:1:17: expected distinct keys in the event map, got :type twice");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process 0, :f :read, :index 1, :index 2}"),
            "h.edn:1:49: expected distinct keys in the event map, got :index twice");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process 0, :f :read, :value}"),
            "h.edn:1:45: expected a value for key :value, got '}'");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process 0, :f :read\n"),
            "h.edn:2:1: expected '}' to close the event map opened at 1:1, got end of input");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process 0, :f :read]"),
            "h.edn:1:37: expected '}' or a map key, got ']'");
  EXPECT_EQ(ErrorOf("{:type :invoke, :process 0, :f :read, :value [1 2}"),
            "h.edn:1:50: expected ']' or an element, got '}'");
  EXPECT_EQ(ErrorOf("{:type :in@voke}"), "h.edn:1:11: expected a keyword character, got '@voke'");
}

TEST(EdnHistoryErrorTest, NotAnEvent) {
  EXPECT_EQ(ErrorOf("42"),
            "h.edn:1:1: expected an event map '{', a vector of events or a tuple "
            "[process type f value], got '42'");
  EXPECT_EQ(ErrorOf("[0 :invoke :read]"),
            "h.edn:1:1: expected a tuple [process type f value] or [process type f value "
            "error], got 3 elements");
  EXPECT_EQ(ErrorOf("[{:type :invoke, :process 0, :f :read} 7]"),
            "h.edn:1:40: expected an event map or ']', got '7'");
  EXPECT_EQ(ErrorOf("[{:type :invoke, :process 0, :f :read}"),
            "h.edn:1:39: expected ']' to close the history opened at 1:1, got end of input");
  EXPECT_EQ(ErrorOf("#inst \"2020\""),
            "h.edn:1:1: expected an event map or a tuple [process type f value], got "
            "#inst \"2020\"");
}

TEST(EdnHistoryErrorTest, DeepValuesAreBounded) {
  std::string text = "{:type :invoke, :process 0, :f :read, :value " + std::string(5000, '[');
  EXPECT_EQ(ErrorOf(text), "h.edn:1:558: expected nesting at most 512 deep, got deeper");
}

TEST(EdnHistoryErrorTest, InconsistentHistoriesComeFromTheBuilder) {
  StatusOr<History> h =
      testing::ParseWith(ParseEdnHistory, "{:type :ok, :process 4, :f :read, :value 1}\n", "h.edn");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidHistory);
  EXPECT_THAT(h.status().message(), ::testing::StartsWith("h.edn:1:1: "));
}

}  // namespace
}  // namespace fenceline::internal
