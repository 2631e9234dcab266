// The `fenceline check --model fencing` command on the samples in histories/fencing/: exit
// codes, the report on stdout and flags. Samples that need flags (a skew bound) live in
// histories/fencing/skew/ and are listed here with theirs; possible/ holds samples that exit 3.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

using ::testing::HasSubstr;

CliResult Fencing(std::vector<std::string> extra, const std::string& sample) {
  std::vector<std::string> args = {"check", "--model", "fencing"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(SourcePath("histories/fencing/" + sample));
  return RunCli(args);
}

TEST(FencingCliTest, PauseWithoutFencingExitsOneWithTheSentence) {
  CliResult r = Fencing({}, "invalid/pause-without-fencing.jsonl");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("p3 wrote with token 34 at 12.031 s, 1.021 s after its lease on L "
                               "expired and 0.411 s after p5 was granted token 35; the storage "
                               "accepted it"));
}

TEST(FencingCliTest, PauseWithFencingExitsZero) {
  CliResult r = Fencing({}, "valid/pause-with-fencing.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("fencing safe (0 errors, 0 warnings"));
}

TEST(FencingCliTest, JsonReportIsValidAndKeyed) {
  CliResult r = Fencing({"--format", "json"}, "invalid/forged-token.jsonl");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"schema_version\":2"));
  EXPECT_THAT(r.out, HasSubstr("\"id\":\"forged-token\""));
}

TEST(FencingCliTest, SkewExplainsTheLateWriteAway) {
  CliResult certain = Fencing({}, "skew/late-write-on-another-clock.jsonl");
  EXPECT_EQ(certain.exit_code, 1) << certain.out << certain.err;
  CliResult possible = Fencing({"--clock-skew", "100"}, "skew/late-write-on-another-clock.jsonl");
  EXPECT_EQ(possible.exit_code, 3) << possible.out << possible.err;
  EXPECT_THAT(possible.out, HasSubstr("possible (explained away by 40 ms of skew)"));
}

TEST(FencingCliTest, SkewCannotExplainALargeGap) {
  CliResult r = Fencing({"--clock-skew", "100"}, "skew/late-write-beyond-skew.jsonl");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
}

// The regression samples of issue 9, one per cause (histories/fencing/README.md).
TEST(FencingCliTest, TimeModelRegressionSamplesKeepTheirExitCodes) {
  struct Case {
    const char* sample;
    std::vector<std::string> flags;
    int exit_code;
    const char* must_say;
  };
  const Case cases[] = {
      {"valid/grant-record-lags-unknown-acquire.jsonl", {}, 0, "fencing safe"},
      {"valid/renewal-after-two-unknown-acquires.jsonl", {}, 0, "fencing safe"},
      {"invalid/pause-with-lagging-grant-record.jsonl", {}, 1, "expired-lease-write: error, certain"},
      {"invalid/pause-with-waiting-acquire.jsonl", {}, 1, "expired-lease-write: error, certain"},
      {"invalid/blocking-acquire-waited-past-lease.jsonl", {}, 1,
       "overlapping-leases: error, certain"},
      {"skew/stolen-token-within-skew.jsonl", {"--clock-skew", "20"}, 1,
       "foreign-token: error, certain"},
      {"possible/extreme-tokens-after-unknown-acquire.jsonl", {}, 3, "forged-token: error, possible"},
      {"valid/false-rejection-before-late-revoke.jsonl", {}, 0,
       "false-rejection: warning, certain"},
      {"valid/release-ok-after-late-revoke.jsonl", {}, 0, "false-rejection: warning, possible"},
      {"invalid/lost-grant-inside-one-clients-two-leases.jsonl", {}, 1,
       "overlapping-leases: error, certain"},
  };
  for (const Case& c : cases) {
    CliResult r = Fencing(c.flags, c.sample);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.sample << "\n" << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr(c.must_say)) << c.sample;
  }
}

TEST(FencingCliTest, BadLockForIsUnusable) {
  CliResult r = Fencing({"--lock-for", "file"}, "valid/pause-with-fencing.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--lock-for expects RESOURCE=LOCK, got 'file'"));
}

TEST(FencingCliTest, MalformedSampleIsUnusableWithItsLine) {
  CliResult r = RunCli({"check", "--model", "fencing", "-"},
                       "{\"process\":\"p1\",\"type\":\"invoke\",\"f\":\"acquire\",\"value\":{},"
                       "\"time\":1}\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("<stdin>:1:1: fencing: expected a \"lock\" in acquire"));
}

}  // namespace
}  // namespace fenceline::testing
