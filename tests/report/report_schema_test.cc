// Every report of every sample, as users get it from the CLI: the JSON matches
// docs/report.schema.json, the EDN is one value in Jepsen's vocabulary, the JUnit has the shape
// CI servers read, verdicts agree with the sample's directory (valid/, invalid/), and each
// report is byte-identical at any thread count.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include "checker/parse/edn_reader.h"
#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/model.h"
#include "fenceline/report.h"
#include "report/report_testing.h"
#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Expected(const Sample& s) {
  return s.path.find("/valid/") != std::string::npos ? "valid" : "invalid";
}

std::vector<std::string> Args(const Sample& s, std::vector<std::string> extra) {
  std::vector<std::string> args = {"check", "--model", s.model, s.path};
  args.insert(args.end(), s.flags.begin(), s.flags.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

class SampleReportTest : public ::testing::TestWithParam<Sample> {};

TEST_P(SampleReportTest, JsonMatchesTheSchemaWithTheExpectedVerdict) {
  const Sample& s = GetParam();
  CliResult r = RunCli(Args(s, {"--format", "json"}));
  ASSERT_EQ(SchemaErrors(r.out), "") << r.out;
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  EXPECT_EQ(std::string(d["verdict"].GetString()), Expected(s));
  EXPECT_EQ(std::string(d["files"][0]["verdict"].GetString()), Expected(s));
  EXPECT_EQ(std::string(d["analysis"].GetString()),
            s.model == "fencing" ? "fencing" : "linearizability");
  EXPECT_EQ(r.exit_code, Expected(s) == "valid" ? 0 : 1) << r.err;
}

TEST_P(SampleReportTest, EdnIsOneValueInJepsensVocabulary) {
  const Sample& s = GetParam();
  CliResult r = RunCli(Args(s, {"--format", "edn"}));
  StatusOr<Value> v = internal::ReadEdn(r.out, "report.edn");
  ASSERT_TRUE(v.ok()) << v.status().message() << "\n" << r.out;
  ASSERT_TRUE(v->is_map());
  EXPECT_EQ(v->items()[0], Value::Keyword("valid?"));
  EXPECT_EQ(*v->Find("valid?"), Value::Bool(Expected(s) == "valid"));
  ASSERT_NE(v->Find("files"), nullptr);
  ASSERT_EQ(v->Find("files")->items().size(), 1u);
  EXPECT_EQ(*v->Find("files")->items()[0].Find("valid?"), Value::Bool(Expected(s) == "valid"));
}

TEST_P(SampleReportTest, JunitHasTheShapeCiServersRead) {
  const Sample& s = GetParam();
  char dir[] = "/tmp/fenceline-junit-XXXXXX";
  const std::string junit = std::string(mkdtemp(dir)) + "/junit.xml";
  CliResult r = RunCli(Args(s, {"--junit", junit}));
  const std::string xml = [&] {
    std::ifstream in(junit);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  std::remove(junit.c_str());
  rmdir(dir);
  ASSERT_EQ(JunitErrors(xml), "") << xml;
  if (Expected(s) == "valid") {
    EXPECT_THAT(xml, HasSubstr("failures=\"0\""));
  } else {
    EXPECT_THAT(xml, HasSubstr("<failure message=\"")) << xml;
  }
}

TEST_P(SampleReportTest, EveryFormatIsTheSameAtAnyThreadCount) {
  const Sample& s = GetParam();
  for (const char* format : {"text", "json", "edn", "html"}) {
    CliResult one = RunCli(Args(s, {"--format", format, "--threads", "1"}));
    CliResult three = RunCli(Args(s, {"--format", format, "--threads", "3"}));
    EXPECT_EQ(one.out, three.out) << format;
    EXPECT_EQ(one.exit_code, three.exit_code) << format;
  }
}

std::string CaseName(const ::testing::TestParamInfo<Sample>& info) {
  std::string name = info.param.path.substr(info.param.path.find("histories/") + 10);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Histories, SampleReportTest, ::testing::ValuesIn(Samples()), CaseName);

TEST(ReportSchemaTest, RejectsReportsOutsideTheSchema) {
  const std::string good = RunCli({"check", "--model", "register", "--format", "json",
                                   SourcePath("histories/register/invalid/stale-read.jsonl")})
                               .out;
  ASSERT_EQ(SchemaErrors(good), "");
  std::string old_vocabulary = good;
  old_vocabulary.replace(old_vocabulary.find("\"invalid\""), 9, "\"not-linearizable\"");
  EXPECT_THAT(SchemaErrors(old_vocabulary), HasSubstr("schema violation"));
  std::string old_version = good;
  old_version.replace(old_version.find("\"schema_version\":2"), 18, "\"schema_version\":1");
  EXPECT_THAT(SchemaErrors(old_version), HasSubstr("schema violation"));
  std::string string_process = good;
  string_process.replace(string_process.find("\"process\":1"), 11, "\"process\":[1]");
  EXPECT_THAT(SchemaErrors(string_process), HasSubstr("schema violation"));
  EXPECT_THAT(SchemaErrors(good.substr(0, good.size() / 2)), HasSubstr("not valid UTF-8 JSON"));
  EXPECT_THAT(SchemaErrors("{\"schema_version\":2,\"tool\":\"fenceline\",\"v\":\"\xff\"}"),
              HasSubstr("not valid UTF-8 JSON"));
}

TEST(ReportSchemaTest, JunitCheckRejectsWhatCiServersWouldNot) {
  EXPECT_THAT(JunitErrors("<testsuites tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">"
                          "<testsuite name=\"a\" tests=\"2\" failures=\"0\" errors=\"0\" "
                          "skipped=\"0\" time=\"0\"><testcase name=\"x\" classname=\"c\" "
                          "time=\"0\"/></testsuite></testsuites>"),
              HasSubstr("do not add up"));
  EXPECT_THAT(JunitErrors("<testsuites><testsuite name=\"a\"></testsuites>"),
              HasSubstr("not well-formed"));
  EXPECT_THAT(JunitErrors("<testsuite/>"), HasSubstr("not <testsuites>"));
  // What only the schema (xmllint, tests/report/junit.xsd) catches.
  const std::string ok_case = "<testcase name=\"x\" classname=\"c\" time=\"0\"/>";
  auto suites = [](const std::string& testcase, const std::string& time) {
    return "<testsuites tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">"
           "<testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" "
           "time=\"" + time + "\">" + testcase + "</testsuite></testsuites>";
  };
  EXPECT_EQ(JunitErrors(suites(ok_case, "0")), "");
  EXPECT_THAT(JunitErrors(suites(ok_case, "soon")), HasSubstr("junit.xsd"));
  EXPECT_THAT(JunitErrors(suites(ok_case, "0\" timestamp=\"yesterday")), HasSubstr("junit.xsd"));
  EXPECT_EQ(JunitErrors(suites(ok_case, "0\" timestamp=\"2026-12-02T03:00:00")), "");
  EXPECT_THAT(JunitErrors(suites("<properties><property name=\"p\"/></properties>" + ok_case, "0")),
              HasSubstr("junit.xsd"));
}

// A JUnit report with every outcome, from each analysis: a failure (a certain violation), an
// error (an unusable file), a skipped case (an unknown verdict, a possible violation), and a
// finding the policy lets pass in <system-out>; each one accepted by the schema CI servers read.
TEST(ReportSchemaTest, JunitOfEveryOutcomeValidatesAgainstTheCiSchema) {
  char dir[] = "/tmp/fenceline-junit-all-XXXXXX";
  const std::string d = mkdtemp(dir);
  const std::string junit = d + "/junit.xml", hard = d + "/hard.jsonl";
  // Fourteen concurrent writes and reads: more configurations than 1 MiB of memo table holds,
  // so the verdict is unknown, whatever the thread count.
  {
    auto ev = [](int p, const char* type, const char* f, const std::string& v) {
      return "{\"process\":" + std::to_string(p) + ",\"type\":\"" + type + "\",\"f\":\"" + f +
             "\",\"value\":" + v + "}\n";
    };
    std::string h;
    const int n = 14;
    for (int p = 0; p < n; ++p) h += ev(p, "invoke", "write", std::to_string(p));
    for (int r = 0; r < n; ++r) h += ev(100 + r, "invoke", "read", "null");
    for (int r = 0; r < n; ++r) h += ev(100 + r, "ok", "read", std::to_string(r * 5 % n));
    for (int p = 0; p < n; ++p) h += ev(p, "ok", "write", std::to_string(p));
    h += ev(999, "invoke", "read", "null") + ev(999, "ok", "read", "99999");
    std::ofstream(hard) << h;
  }
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {{"check", "--model", "register", "--memory-limit", "1", "--junit", junit,
        SourcePath("histories/register/invalid/stale-read.jsonl"), hard, "/nonexistent.jsonl",
        SourcePath("histories/register/valid/concurrent-write-read.jsonl")},
       {"<failure message=", "<error message=\"/nonexistent.jsonl", "<skipped message=\"memory "
        "budget of 1 MiB reached"}},
      {{"check", "--model", "register", "--allow", "not-linearizable", "--junit", junit,
        SourcePath("histories/register/invalid/stale-read.jsonl")},
       {"<system-out>allowed: "}},
      {{"check", "--model", "fencing", "--junit", junit,
        SourcePath("histories/fencing/invalid/forged-token.jsonl"),
        SourcePath("histories/fencing/possible/extreme-tokens-after-unknown-acquire.jsonl"),
        SourcePath("histories/fencing/valid/false-rejection-warning.jsonl"), "/nonexistent.jsonl"},
       {"<failure message=", "<error message=\"/nonexistent.jsonl",
        "<skipped message=\"possible, not certain: ", "<system-out>warning, certain: "}},
  };
  for (const Case& c : cases) {
    CliResult r = RunCli(c.args);
    const std::string xml = Slurp(junit);
    EXPECT_EQ(JunitErrors(xml), "") << xml;
    for (const std::string& e : c.expected) EXPECT_THAT(xml, HasSubstr(e)) << c.args[2];
  }
  std::remove(junit.c_str());
  std::remove(hard.c_str());
  rmdir(dir);
}

// The batch that misled CI: a violation next to an unreadable file. The violation is the news
// (exit 1, verdict invalid); the unreadable file is still named.
TEST(ReportBatchTest, ViolationWinsOverAnUnusableFileWhichIsStillNamed) {
  const std::string bad = SourcePath("histories/register/invalid/stale-read.jsonl");
  const std::string fencing_bad = SourcePath("histories/fencing/invalid/forged-token.jsonl");
  for (const auto& [model, file] : {std::pair<std::string, std::string>{"register", bad},
                                    {"fencing", fencing_bad}}) {
    CliResult r = RunCli({"check", "--model", model, "--format", "json", file, "/nonexistent.jsonl"});
    EXPECT_EQ(r.exit_code, 1) << model << r.err;
    ASSERT_EQ(SchemaErrors(r.out), "") << r.out;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    EXPECT_EQ(std::string(d["verdict"].GetString()), "invalid");
    EXPECT_EQ(std::string(d["summary"]["unusable"][0].GetString()), "/nonexistent.jsonl");
    EXPECT_EQ(std::string(d["files"][1]["verdict"].GetString()), "error");
    EXPECT_THAT(r.err, HasSubstr("/nonexistent.jsonl: no such file"));

    CliResult edn = RunCli({"check", "--model", model, "--format", "edn", file, "/nonexistent.jsonl"});
    StatusOr<Value> v = internal::ReadEdn(edn.out, "report.edn");
    ASSERT_TRUE(v.ok()) << edn.out;
    EXPECT_EQ(*v->Find("valid?"), Value::Bool(false));
    EXPECT_EQ(v->Find("files")->items().size(), 2u);
  }
  // Without a violation, the unusable file decides: exit 2, verdict error.
  CliResult r = RunCli({"check", "--model", "register", "--format", "json",
                        SourcePath("histories/register/valid/concurrent-write-read.jsonl"),
                        "/nonexistent.jsonl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("\"verdict\":\"error\",\"options\""));
}

TEST(ReportContentTest, ProcessesKeepTheirTypeAndOperationsTheirJepsenIndex) {
  const std::string h =
      "{:index 0, :type :invoke, :process 0, :f :write, :value 1}\n"
      "{:index 1, :type :ok, :process 0, :f :write, :value 1}\n"
      "{:index 2, :type :invoke, :process \"c7\", :f :read, :value nil}\n"
      "{:index 3, :type :ok, :process \"c7\", :f :read, :value 2}\n";
  CliResult r = RunCli({"check", "--model", "register", "--format", "json", "-"}, h);
  ASSERT_EQ(SchemaErrors(r.out), "") << r.out;
  EXPECT_THAT(r.out, HasSubstr("{\"id\":1,\"index\":3,\"process\":\"c7\",\"f\":\"read\""));
  EXPECT_THAT(r.out, HasSubstr("{\"id\":0,\"index\":1,\"process\":0,\"f\":\"write\""));
  EXPECT_THAT(r.out, HasSubstr("\"line\":3,\"complete_line\":4"));
}

// Log lines a Jepsen log holds besides its events: named in the summary of the JSON and EDN
// reports, and in a note on stderr, by both analyses.
TEST(ReportContentTest, SkippedLogLinesAreInTheSummaryAndOnStderr) {
  char dir[] = "/tmp/fenceline-skipped-XXXXXX";
  const std::string d = mkdtemp(dir);
  const std::string reg = d + "/register.log", fen = d + "/fencing.log";
  std::ofstream(reg) << "INFO  jepsen.core - Running test\n"
                        "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
                        "INFO  jepsen.util - 0\t:ok\t:write\t1\n"
                        "WARN  jepsen.db - something unrelated\n"
                        "WARN  jepsen.db - and more\n"
                        "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
                        "INFO  jepsen.util - 1\t:ok\t:read\t1\n";
  std::ofstream(fen) << "INFO  jepsen.util - 0\t:invoke\t:acquire\t{:lock \"l\"}\n"
                        "INFO  jepsen.util - 0\t:ok\t:acquire\t{:lock \"l\", :token 1}\n"
                        "WARN  jepsen.db - something unrelated\n"
                        "INFO  jepsen.util - 0\t:invoke\t:write\t{:resource \"l\", :token 1}\n"
                        "INFO  jepsen.util - 0\t:ok\t:write\t{:resource \"l\", :token 1}\n";
  for (const auto& [model, clean, file, lines, first] :
       {std::tuple<std::string, std::string, std::string, int, int>{
            "register", SourcePath("histories/register/valid/concurrent-write-read.jsonl"), reg,
            3, 1},
        {"fencing", SourcePath("histories/fencing/valid/pause-with-fencing.jsonl"), fen, 1, 3}}) {
    CliResult json = RunCli({"check", "--model", model, "--format", "json", clean, file});
    EXPECT_EQ(json.exit_code, 0) << json.err;
    ASSERT_EQ(SchemaErrors(json.out), "") << json.out;
    EXPECT_THAT(json.out, HasSubstr("\"skipped_lines\":[{\"path\":\"" + file + "\",\"lines\":" +
                                    std::to_string(lines) + ",\"first_line\":" +
                                    std::to_string(first) + "}]"));
    EXPECT_THAT(json.err, HasSubstr(file + ": note: skipped " + std::to_string(lines) +
                                    " line(s) without a Jepsen event (the first is line " +
                                    std::to_string(first) + ")"));
    CliResult edn = RunCli({"check", "--model", model, "--format", "edn", clean, file});
    StatusOr<Value> v = internal::ReadEdn(edn.out, "report.edn");
    ASSERT_TRUE(v.ok()) << edn.out;
    const Value* skipped = v->Find("summary")->Find("skipped-lines");
    ASSERT_NE(skipped, nullptr);
    ASSERT_EQ(skipped->items().size(), 1u);
    EXPECT_EQ(*skipped->items()[0].Find("path"), Value::String(file));
    EXPECT_EQ(*skipped->items()[0].Find("lines"), Value::Int(lines));
    EXPECT_EQ(*skipped->items()[0].Find("first-line"), Value::Int(first));
    // A file without stray lines is not listed.
    CliResult alone = RunCli({"check", "--model", model, "--format", "json", clean});
    EXPECT_THAT(alone.out, HasSubstr("\"skipped_lines\":[]"));
  }
  std::remove(reg.c_str());
  std::remove(fen.c_str());
  rmdir(dir);
}

TEST(ReportContentTest, TimingsOnlyWhenAskedFor) {
  const std::string file = SourcePath("histories/register/valid/concurrent-write-read.jsonl");
  CliResult plain = RunCli({"check", "--model", "register", "--format", "json", file});
  EXPECT_THAT(plain.out, Not(HasSubstr("timings")));
  CliResult timed = RunCli({"check", "--model", "register", "--format", "json", "--timings", file});
  EXPECT_EQ(SchemaErrors(timed.out), "");
  EXPECT_THAT(timed.out, HasSubstr("\"timings\":{\"parse_s\":"));
}

// Bytes that are not UTF-8 in a value (a lone 0xFF, a truncated sequence; the readers refuse
// them, but a History built by a program may carry them) are replaced, never copied: every
// report stays valid UTF-8.
TEST(ReportContentTest, InvalidUtf8InValuesNeverReachesAReport) {
  StatusOr<History> h = HistoryBuilder("bad\xff.edn")
                            .Invoke(0, "write", Value::String("a\xff"))
                            .Ok(0, Value::String("a\xff"))
                            .Invoke(1, "read")
                            .Ok(1, Value::String("b\xe2\x82"))
                            .Build();
  ASSERT_TRUE(h.ok());
  StatusOr<std::unique_ptr<Model>> model = MakeModel("register");
  ASSERT_TRUE(model.ok());
  StatusOr<CheckResult> r = CheckLinearizability(*h, **model);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->verdict, Verdict::kNotLinearizable);
  ReportOptions options;
  options.model_id = "register";
  const std::vector<FileReport> files = {FileReport{"bad\xff.edn", OkStatus(), &*h, &*r}};
  const std::string json = RenderJsonReport(files, options);
  EXPECT_EQ(SchemaErrors(json), "");
  for (const std::string& report : {json, RenderEdnReport(files, options),
                                    RenderTextReport(files, options),
                                    RenderHtmlReport(files, options),
                                    RenderJunitReport(files, options)}) {
    EXPECT_TRUE(IsUtf8Text(report)) << report;
    EXPECT_THAT(report, HasSubstr("\xEF\xBF\xBD"));
  }
  EXPECT_EQ(JunitErrors(RenderJunitReport(files, options)), "");
  EXPECT_FALSE(IsUtf8Text("a\xff"));  // the check can fail
}

}  // namespace
}  // namespace fenceline::testing
