// The CLI as users run it: exit codes, stdout/stderr separation, messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const char* kLinearizable =
    "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
    "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
    "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
    "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n";

TEST(CliTest, LinearizableHistoryExitsZero) {
  CliResult r = RunCli({"check", "--model", "register", "-"}, kLinearizable);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("<stdin>: linearizable"));
}

TEST(CliTest, ViolationExitsOneWithEvidence) {
  CliResult r = RunCli({"check", "-m", "cas-register",
                        SourcePath("histories/cas-register/invalid/lost-cas.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("NOT LINEARIZABLE"));
  EXPECT_THAT(r.out, HasSubstr("cannot linearize: p2 cas [1 3] ok"));
}

TEST(CliTest, JsonReportIsValidJsonOnStdout) {
  CliResult r = RunCli({"check", "--model", "register", "--format", "json", "-"}, kLinearizable);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("{\"schema_version\":2,"));
  EXPECT_THAT(r.out, HasSubstr("\"verdict\":\"valid\""));
  EXPECT_EQ(r.err, "");
}

TEST(CliTest, ParseErrorNamesFileLineColumnAndExitsTwo) {
  CliResult r = RunCli({"check", "--model", "register", "-"},
                       std::string(kLinearizable) + "{\"process\":1,\"type\":\"bogus\",\"f\":\"read\"}\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("<stdin>:5:14: expected \"invoke\", \"ok\", \"fail\" or \"info\""));
}

TEST(CliTest, TruncatedJsonNamesColumn) {
  CliResult r = RunCli({"check", "--model", "register", "-"}, "{\"process\":0,\"type\":\"invoke\"\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("<stdin>:1:29: invalid JSON: missing a comma or '}'"));
}

TEST(CliTest, CompletionWithoutInvokeIsInvalidHistory) {
  CliResult r = RunCli({"check", "--model", "register", "-"},
                       "{\"process\":3,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("<stdin>:1:1: process 3 completes an operation (:ok read) it never invoked"));
}

TEST(CliTest, MissingFileIsReported) {
  CliResult r = RunCli({"check", "--model", "register", "/nonexistent/h.jsonl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/h.jsonl: no such file"));
}

TEST(CliTest, UnknownModelSuggestsTheNearestOne) {
  CliResult r = RunCli({"check", "--model", "cas-regster", "-"}, kLinearizable);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown model 'cas-regster', did you mean 'cas-register'?"));
}

TEST(CliTest, BadFlagIsUsageError) {
  CliResult r = RunCli({"check", "--threads", "many", "-"}, kLinearizable);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("threads"));
}

TEST(CliTest, UnknownCommandExitsTwo) {
  CliResult r = RunCli({"chekc"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'chekc', did you mean 'check'?"));
}

TEST(CliTest, ModelsListsEveryModel) {
  CliResult r = RunCli({"models"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* m : {"register:", "cas-register:", "kv:", "mutex:", "set:", "unordered-queue:",
                        "fifo-queue:", "fencing:"}) {
    EXPECT_THAT(r.out, HasSubstr(m));
  }
}

TEST(CliTest, HelpAndVersion) {
  EXPECT_THAT(RunCli({"--help"}).out, HasSubstr("check"));
  EXPECT_THAT(RunCli({"--version"}).out, StartsWith("fenceline "));
  EXPECT_EQ(RunCli({"check", "--help"}).exit_code, 0);
}

TEST(CliTest, TimeLimitGivesUnknownExitThree) {
  // 14 concurrent writes of distinct values and a read of a value never written: proving the
  // violation needs every subset of the writes, far more than a 1 ms budget allows.
  std::string h;
  for (int p = 0; p < 14; ++p) {
    h += "{\"process\":" + std::to_string(p) + ",\"type\":\"invoke\",\"f\":\"write\",\"value\":" +
         std::to_string(p) + "}\n";
  }
  for (int r = 0; r < 14; ++r) {
    h += "{\"process\":" + std::to_string(100 + r) +
         ",\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n";
  }
  for (int r = 0; r < 14; ++r) {
    h += "{\"process\":" + std::to_string(100 + r) + ",\"type\":\"ok\",\"f\":\"read\",\"value\":" +
         std::to_string((r * 5) % 14) + "}\n";
  }
  for (int p = 0; p < 14; ++p) {
    h += "{\"process\":" + std::to_string(p) + ",\"type\":\"ok\",\"f\":\"write\",\"value\":" +
         std::to_string(p) + "}\n";
  }
  h += "{\"process\":200,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
       "{\"process\":200,\"type\":\"ok\",\"f\":\"read\",\"value\":99}\n";
  CliResult r = RunCli({"check", "--model", "register", "--memory-limit", "1", "-"}, h);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("unknown: memory budget"));
}

}  // namespace
}  // namespace fenceline::testing

namespace fenceline::testing {
namespace {

TEST(CliTest, IndependentSplitsJepsenTuplesIntoKeys) {
  // Key 1 is fine; key 2 reads a value never written there.
  const std::string h =
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":[1,5]}\n"
      "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":[1,5]}\n"
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":[2,null]}\n"
      "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":[2,5]}\n";
  CliResult r = RunCli({"check", "--model", "cas-register", "--independent", "-"}, h);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("2 keys, 1 not linearizable"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("key 2: not linearizable"));
}

}  // namespace
}  // namespace fenceline::testing
