// The EDN report speaks Jepsen's vocabulary: :valid?, :op, :previous-ok, :last-op, :configs,
// :final-paths; :results and :failures for independent keys; :cause and :error when a verdict is
// unknown or a file unusable. It reads back as EDN.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/edn_reader.h"
#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"
#include "fenceline/report.h"

namespace fenceline {
namespace {

using ::testing::HasSubstr;

struct Checked {
  History history;
  CheckResult result;
};

Checked Check(const char* edn, const char* model_id) {
  ParseOptions options;
  options.format = InputFormat::kEdn;
  StatusOr<History> h = ParseHistoryText(edn, "h.edn", options);
  EXPECT_TRUE(h.ok()) << h.status().message();
  StatusOr<std::unique_ptr<Model>> model = MakeModel(model_id);
  EXPECT_TRUE(model.ok());
  Checked c{std::move(h).value(), {}};
  CheckOptions check;
  check.threads = 1;
  StatusOr<CheckResult> r = CheckLinearizability(c.history, **model, check);
  EXPECT_TRUE(r.ok()) << r.status().message();
  c.result = std::move(r).value();
  return c;
}

std::string Render(const Checked& c, const char* model_id) {
  ReportOptions options;
  options.model_id = model_id;
  return RenderEdnReport({FileReport{"h.edn", OkStatus(), &c.history, &c.result}}, options);
}

Value ReadBack(const std::string& report) {
  StatusOr<Value> v = internal::ReadEdn(report, "report.edn");
  EXPECT_TRUE(v.ok()) << v.status().message() << "\n" << report;
  return v.ok() ? *v : Value();
}

const char* const kStaleRead =
    "{:index 0, :time 10, :type :invoke, :process 0, :f :write, :value 1}\n"
    "{:index 1, :time 20, :type :ok, :process 0, :f :write, :value 1}\n"
    "{:index 2, :time 30, :type :invoke, :process 1, :f :write, :value 2}\n"
    "{:index 3, :time 40, :type :ok, :process 1, :f :write, :value 2}\n"
    "{:index 4, :time 50, :type :invoke, :process 2, :f :read, :value nil}\n"
    "{:index 5, :time 60, :type :ok, :process 2, :f :read, :value 1}\n";

TEST(EdnReportTest, ViolationNamesTheOpThePreviousOkAndTheFinalPaths) {
  Checked c = Check(kStaleRead, "cas-register");
  ASSERT_EQ(c.result.verdict, Verdict::kNotLinearizable);
  const std::string report = Render(c, "cas-register");
  const Value v = ReadBack(report);
  ASSERT_TRUE(v.is_map()) << report;
  EXPECT_EQ(v.items()[0], Value::Keyword("valid?"));
  EXPECT_EQ(*v.Find("valid?"), Value::Bool(false));
  EXPECT_EQ(*v.Find("file"), Value::String("h.edn"));
  EXPECT_EQ(*v.Find("model"), Value::String("cas-register"));
  EXPECT_EQ(v.Find("op")->ToEdn(),
            "{:process 2, :type :ok, :f :read, :value 1, :index 5, :time 60, :line 6}");
  EXPECT_EQ(v.Find("previous-ok")->ToEdn(),
            "{:process 1, :type :ok, :f :write, :value 2, :index 3, :time 40, :line 4}");
  EXPECT_EQ(*v.Find("state"), Value::Int(2));
  const Value* paths = v.Find("final-paths");
  ASSERT_NE(paths, nullptr);
  ASSERT_FALSE(paths->items().empty());
  EXPECT_THAT(paths->items()[0].ToEdn(), HasSubstr("#knossos.model.Inconsistent"));
  ASSERT_NE(v.Find("configs"), nullptr);
  ASSERT_NE(v.Find("last-ops"), nullptr);
  EXPECT_EQ(v.Find("last-ops")->items().size(), 4u);  // two processes: keys and ops
}

TEST(EdnReportTest, ValidHistoryIsAShortMap) {
  Checked c = Check(
      "{:type :invoke, :process 0, :f :write, :value 1}\n"
      "{:type :ok, :process 0, :f :write, :value 1}\n",
      "cas-register");
  EXPECT_EQ(Render(c, "cas-register"),
            "{:valid? true, :file \"h.edn\", :model \"cas-register\", :op-count 1}\n");
}

TEST(EdnReportTest, IndependentKeysGetResultsAndFailures) {
  Checked c = Check(
      "{:type :invoke, :process 0, :f :put, :key \"a\", :value \"x\"}\n"
      "{:type :ok, :process 0, :f :put, :key \"a\", :value \"x\"}\n"
      "{:type :invoke, :process 1, :f :put, :key \"b\", :value \"y\"}\n"
      "{:type :ok, :process 1, :f :put, :key \"b\", :value \"y\"}\n"
      "{:type :invoke, :process 2, :f :get, :key \"b\", :value nil}\n"
      "{:type :ok, :process 2, :f :get, :key \"b\", :value \"z\"}\n",
      "kv");
  const Value v = ReadBack(Render(c, "kv"));
  ASSERT_NE(v.Find("results"), nullptr);
  const Value& results = *v.Find("results");
  ASSERT_EQ(results.items().size(), 4u);
  EXPECT_EQ(results.items()[0], Value::String("a"));
  EXPECT_EQ(*results.items()[1].Find("valid?"), Value::Bool(true));
  EXPECT_EQ(*results.items()[3].Find("valid?"), Value::Bool(false));
  EXPECT_EQ(*v.Find("failures"), Value::Vector({Value::String("b")}));
}

TEST(EdnReportTest, UnusableFilesAndSeveralFiles) {
  Checked c = Check(kStaleRead, "cas-register");
  ReportOptions options;
  options.model_id = "cas-register";
  const std::string report = RenderEdnReport(
      {FileReport{"h.edn", OkStatus(), &c.history, &c.result},
       FileReport{"bad.edn", ParseError("bad.edn:3:7: expected '}', got end of input"), nullptr,
                  nullptr}},
      options);
  const Value v = ReadBack(report);
  ASSERT_TRUE(v.is_map());
  ASSERT_EQ(v.items().size(), 4u);
  EXPECT_EQ(v.items()[0], Value::String("h.edn"));
  EXPECT_EQ(v.items()[2], Value::String("bad.edn"));
  const Value& bad = v.items()[3];
  EXPECT_EQ(*bad.Find("valid?"), Value::Keyword("unknown"));
  EXPECT_EQ(*bad.Find("cause"), Value::Keyword("parse-error"));
  EXPECT_EQ(*bad.Find("error"), Value::String("bad.edn:3:7: expected '}', got end of input"));
}

TEST(EdnReportTest, UnknownVerdictsCarryCauseAndError) {
  History h;
  h.source = "h.edn";
  CheckResult r;
  r.verdict = Verdict::kUnknown;
  PartitionResult p;
  p.verdict = Verdict::kUnknown;
  p.reason = "time limit of 1s reached";
  p.op_count = 3;
  r.partitions.push_back(p);
  ReportOptions options;
  options.model_id = "register";
  EXPECT_EQ(RenderEdnReport({FileReport{"h.edn", OkStatus(), &h, &r}}, options),
            "{:valid? :unknown,\n :file \"h.edn\",\n :model \"register\",\n :op-count 3,\n"
            " :cause :timeout,\n :error \"time limit of 1s reached\"}\n");
}

TEST(EdnReportTest, SameInputSameBytesAtAnyThreadCount) {
  Checked c = Check(kStaleRead, "cas-register");
  const std::string once = Render(c, "cas-register");
  StatusOr<std::unique_ptr<Model>> model = MakeModel("cas-register");
  CheckOptions many;
  many.threads = 4;
  StatusOr<CheckResult> r = CheckLinearizability(c.history, **model, many);
  ASSERT_TRUE(r.ok());
  ReportOptions options;
  options.model_id = "cas-register";
  EXPECT_EQ(RenderEdnReport({FileReport{"h.edn", OkStatus(), &c.history, &*r}}, options), once);
}

}  // namespace
}  // namespace fenceline
