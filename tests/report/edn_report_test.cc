// The EDN report speaks Jepsen's vocabulary: :valid?, :op, :previous-ok, :last-op, :configs,
// :final-paths; :results and :failures for independent keys; :cause and :error when a verdict is
// unknown or a file unusable. It reads back as one EDN value, whatever the number of files.
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

// The report is one value, the batch's; each file's Knossos map is under :files.
Value FileOf(const Value& report, size_t i = 0) {
  const Value* files = report.Find("files");
  EXPECT_NE(files, nullptr);
  if (files == nullptr || files->items().size() <= i) return Value();
  return files->items()[i];
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
  const Value top = ReadBack(report);
  ASSERT_TRUE(top.is_map()) << report;
  EXPECT_EQ(top.items()[0], Value::Keyword("valid?"));
  EXPECT_EQ(*top.Find("valid?"), Value::Bool(false));
  EXPECT_EQ(*top.Find("failures"), Value::Vector({Value::String("h.edn")}));
  const Value v = FileOf(top);
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
            "{:valid? true,\n"
            " :verdict :valid,\n"
            " :tool \"fenceline\",\n"
            " :version \"0.1.0\",\n"
            " :schema-version 2,\n"
            " :analysis :linearizability,\n"
            " :model \"cas-register\",\n"
            " :options {},\n"
            " :inputs [\"h.edn\"],\n"
            " :summary {:files 1, :valid 1, :invalid 0, :unknown 0, :error 0, :unusable [], "
            ":skipped-lines []},\n"
            " :failures [],\n"
            " :files [{:valid? true, :verdict :valid, :file \"h.edn\", :model \"cas-register\", "
            ":op-count 1}]}\n");
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
  const Value v = FileOf(ReadBack(Render(c, "kv")));
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
  // A violation is the news: the batch is invalid, and the unusable file is named.
  EXPECT_EQ(*v.Find("valid?"), Value::Bool(false));
  EXPECT_EQ(*v.Find("summary")->Find("unusable"), Value::Vector({Value::String("bad.edn")}));
  ASSERT_EQ(v.Find("files")->items().size(), 2u);
  EXPECT_EQ(*FileOf(v, 0).Find("file"), Value::String("h.edn"));
  const Value bad = FileOf(v, 1);
  EXPECT_EQ(*bad.Find("file"), Value::String("bad.edn"));
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
  const Value v = FileOf(ReadBack(RenderEdnReport({FileReport{"h.edn", OkStatus(), &h, &r}}, options)));
  EXPECT_EQ(v.ToEdn(),
            "{:valid? :unknown, :verdict :unknown, :file \"h.edn\", :model \"register\", "
            ":op-count 3, :cause :timeout, :error \"time limit of 1s reached\"}");
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
