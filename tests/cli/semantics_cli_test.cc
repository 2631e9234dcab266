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

}  // namespace
}  // namespace fenceline::testing
