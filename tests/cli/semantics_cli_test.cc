// The flags that choose the semantics (docs/semantics.md), as users run them on the samples.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

using ::testing::HasSubstr;

TEST(SemanticsCliTest, FailedCasIsInertUnlessFailObserves) {
  for (const char* sample : {"histories/cas-register/valid/failed-cas-while-holding-from.jsonl",
                             "histories/cas-register/valid/write-concern-failed-cas.edn"}) {
    EXPECT_EQ(RunCli({"check", "--model", "cas-register", SourcePath(sample)}).exit_code, 0)
        << sample;
    CliResult r = RunCli({"check", "--model", "cas-register", "--fail-observes", SourcePath(sample)});
    EXPECT_EQ(r.exit_code, 1) << sample << r.err;
    EXPECT_THAT(r.out, HasSubstr("cannot linearize: p")) << sample;
  }
}

TEST(SemanticsCliTest, NilReadsRules) {
  const std::string sample = SourcePath("histories/register/valid/nil-read-from-zero.edn");
  auto exit_code = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"check", "--model", "register", "--initial", "0", sample};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args).exit_code;
  };
  EXPECT_EQ(exit_code({}), 0);
  EXPECT_EQ(exit_code({"--nil-reads", "auto"}), 0);
  EXPECT_EQ(exit_code({"--nil-reads", "unknown"}), 0);
  EXPECT_EQ(exit_code({"--nil-reads", "value"}), 1);
}

TEST(SemanticsCliTest, UnknownNilReadsRuleIsAnError) {
  CliResult r = RunCli({"check", "--model", "register", "--nil-reads", "maybe",
                        SourcePath("histories/register/valid/nil-read-from-zero.edn")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown --nil-reads 'maybe' (auto, unknown or value)"));
  EXPECT_EQ(r.out, "");
}

// The example: every report shows the get -> "y" that began after append x was
// acknowledged and does not show it, with its input lines.
TEST(ProofCliTest, LostAppendShowsTheReadThatProvesIt) {
  const std::string sample = SourcePath("histories/kv/invalid/lost-append.jsonl");
  auto report = [&](const char* format) {
    CliResult r = RunCli({"check", "--model", "kv", "--format", format, sample});
    EXPECT_EQ(r.exit_code, 1) << format << r.err;
    return r.out;
  };
  EXPECT_THAT(report("text"), HasSubstr("proof (these results forbid every placement of it):\n"
                                        "      line 5-6  p2 get \"a\" -> \"y\" ok\n"));
  EXPECT_THAT(report("json"), HasSubstr("\"proof\":[{\"id\":2,\"process\":2,\"f\":\"get\","
                                        "\"key\":\"a\",\"value\":null,\"type\":\"ok\",\"output\":\"y\","
                                        "\"line\":5,\"complete_line\":6}]"));
  const std::string edn = report("edn");
  EXPECT_THAT(edn, HasSubstr(":proof [{:process 2, :type :ok, :f :get, :key \"a\", :value \"y\", :line 6}]"));
  for (const char* knossos : {":op {", ":previous-ok ", ":final-paths ["}) {
    EXPECT_THAT(edn, HasSubstr(knossos));
  }
  CliResult plain = RunCli({"check", "--model", "kv", "--no-proof", sample});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.out, ::testing::Not(HasSubstr("proof")));
  const std::string html = report("html");
  // The sentence under the file's heading, and the read drawn as proof (orange) in the picture.
  EXPECT_THAT(html, HasSubstr("the operations proving it: p2 get &quot;a&quot; -&gt; &quot;y&quot; "
                              "ok (line 5-6)"));
  EXPECT_THAT(html, HasSubstr("\"cls\":\"proof\",\"label\":\"get \u2192 \\\"y\\\"\""));
}

}  // namespace
}  // namespace fenceline::testing
