// The lease bars of the fencing picture are the analysis' own bounds (FencingLeaseExtents): the
// extents follow the clock model of docs/fencing.md (skew only between clocks, drift on the
// lease's length, releases and records as upper bounds on the end, unknown renewals unbounded),
// and the HTML draws exactly those.
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/fencing.h"
#include "fenceline/parse.h"
#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

constexpr Nanos kMs = 1000000;

// "p3" acquires L on clock `a` (invoke 1000 ms, ok 1010 ms, lease 10 s), then writes on clock
// `write_node`; `more` is appended.
std::string Acquired(const std::string& write_node, const std::string& more = "") {
  return "{\"process\":\"p3\",\"type\":\"invoke\",\"f\":\"acquire\",\"value\":{\"lock\":\"L\"},"
         "\"time\":1000000000,\"node\":\"a\"}\n"
         "{\"process\":\"p3\",\"type\":\"ok\",\"f\":\"acquire\",\"value\":{\"lock\":\"L\","
         "\"token\":34,\"lease_ms\":10000},\"time\":1010000000,\"node\":\"a\"}\n"
         "{\"process\":\"p3\",\"type\":\"invoke\",\"f\":\"write\",\"value\":{\"resource\":\"L\","
         "\"token\":34,\"value\":1},\"time\":2000000000,\"node\":\"" + write_node + "\"}\n"
         "{\"process\":\"p3\",\"type\":\"ok\",\"f\":\"write\",\"value\":{\"resource\":\"L\","
         "\"token\":34,\"value\":1},\"time\":2010000000,\"node\":\"" + write_node + "\"}\n" + more;
}

LeaseExtent OnlyExtent(const std::string& text, double skew_ms, double drift_ppm = 0) {
  ParseOptions po;
  po.format = InputFormat::kJsonLines;
  StatusOr<History> h = ParseHistoryText(text, "h.jsonl", po);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.status().message());
  FencingOptions o;
  o.clock_skew_ms = skew_ms;
  o.clock_drift_ppm = drift_ppm;
  StatusOr<std::vector<LeaseExtent>> x = FencingLeaseExtents(*h, o);
  EXPECT_TRUE(x.ok()) << (x.ok() ? "" : x.status().message());
  EXPECT_EQ(x->size(), 1u);
  return x->empty() ? LeaseExtent() : x->front();
}

TEST(FencingLeaseExtentTest, OneClockIsNeverWidenedBySkew) {
  for (double skew : {0.0, 50.0}) {
    const LeaseExtent x = OnlyExtent(Acquired("a"), skew);
    EXPECT_EQ(x.lock, "L");
    EXPECT_EQ(x.client, "p3");
    EXPECT_EQ(x.token, 34);
    EXPECT_THAT(x.lease_ms, Optional(10000.0));
    EXPECT_EQ(x.line, 2u);  // the acquire's ok
    EXPECT_FALSE(x.from_record);
    // Certainly live from the ok to invoke + D; possibly from the invoke to ok + D.
    EXPECT_THAT(x.certain_from, Optional(1010 * kMs));
    EXPECT_THAT(x.certain_until, Optional(11000 * kMs));
    EXPECT_THAT(x.possible_from, Optional(1000 * kMs));
    EXPECT_THAT(x.possible_until, Optional(11010 * kMs));
  }
}

TEST(FencingLeaseExtentTest, SkewBetweenClocksWidensThePossibleAndNarrowsTheCertain) {
  const LeaseExtent x = OnlyExtent(Acquired("b"), 50);
  EXPECT_THAT(x.certain_from, Optional(1060 * kMs));
  EXPECT_THAT(x.certain_until, Optional(10950 * kMs));
  EXPECT_THAT(x.possible_from, Optional(950 * kMs));
  EXPECT_THAT(x.possible_until, Optional(11060 * kMs));
}

TEST(FencingLeaseExtentTest, DriftShortensWhatIsCertainAndLengthensWhatIsPossible) {
  const LeaseExtent x = OnlyExtent(Acquired("a"), 0, 1000);  // 0.1%: 10 ms of 10 s
  EXPECT_THAT(x.certain_until, Optional(10990 * kMs));
  EXPECT_THAT(x.possible_until, Optional(11020 * kMs));
}

TEST(FencingLeaseExtentTest, ReleaseEndsThePossibleExtentAndUnknownRenewalUnboundsIt) {
  const std::string release =
      "{\"process\":\"p3\",\"type\":\"invoke\",\"f\":\"release\",\"value\":{\"lock\":\"L\","
      "\"token\":34},\"time\":5000000000,\"node\":\"a\"}\n"
      "{\"process\":\"p3\",\"type\":\"ok\",\"f\":\"release\",\"value\":{\"lock\":\"L\","
      "\"token\":34},\"time\":5010000000,\"node\":\"a\"}\n";
  EXPECT_THAT(OnlyExtent(Acquired("a", release), 0).possible_until, Optional(5010 * kMs));
  const std::string renew =
      "{\"process\":\"p3\",\"type\":\"invoke\",\"f\":\"renew\",\"value\":{\"lock\":\"L\","
      "\"token\":34},\"time\":5000000000,\"node\":\"a\"}\n"
      "{\"process\":\"p3\",\"type\":\"info\",\"f\":\"renew\",\"value\":{\"lock\":\"L\","
      "\"token\":34},\"time\":5010000000,\"node\":\"a\"}\n";
  const LeaseExtent x = OnlyExtent(Acquired("a", renew), 0);
  EXPECT_EQ(x.possible_until, std::nullopt);
  EXPECT_THAT(x.certain_until, Optional(11000 * kMs));  // an unknown renewal is not relied on
  const std::string renewed =
      "{\"process\":\"p3\",\"type\":\"invoke\",\"f\":\"renew\",\"value\":{\"lock\":\"L\","
      "\"token\":34},\"time\":5000000000,\"node\":\"a\"}\n"
      "{\"process\":\"p3\",\"type\":\"ok\",\"f\":\"renew\",\"value\":{\"lock\":\"L\","
      "\"token\":34,\"lease_ms\":10000},\"time\":5010000000,\"node\":\"a\"}\n";
  const LeaseExtent y = OnlyExtent(Acquired("a", renewed), 0);
  EXPECT_THAT(y.certain_until, Optional(15000 * kMs));
  EXPECT_THAT(y.possible_until, Optional(15010 * kMs));
}

// The picture's bars are those extents: on the two-clock sample with a 50 ms skew bound, the
// light bar of token 34 spans [0.95 s, 11.06 s] and the dark one [1.06 s, 10.95 s].
TEST(FencingHtmlTest, LeaseBarsAreTheAnalysisBounds) {
  CliResult r = RunCli({"check", "--model", "fencing", "--clock-skew", "50ms", "--format", "html",
                        SourcePath("histories/fencing/skew/late-write-on-another-clock.jsonl")});
  EXPECT_THAT(r.out, HasSubstr("{\"lane\":0,\"t0\":950000000,\"t1\":11060000000,\"cls\":\"maybe\""));
  EXPECT_THAT(r.out, HasSubstr("{\"lane\":0,\"t0\":1060000000,\"t1\":10950000000,\"cls\":\"lease\""));
  EXPECT_THAT(r.out, HasSubstr("certainly live 1.060 s to 10.950 s; possibly live from 0.950 s "
                               "until 11.060 s (under skew bound 50.0 ms)"));
  // The violation's red line carries its sentence.
  EXPECT_THAT(r.out, HasSubstr("\"cls\":\"violation\",\"label\":\"[1] expired-lease-write\","
                               "\"tip\":\"[1] expired-lease-write (error, "));
  // Without the skew bound, the bars are those of one clock.
  CliResult plain = RunCli({"check", "--model", "fencing", "--format", "html",
                            SourcePath("histories/fencing/skew/late-write-on-another-clock.jsonl")});
  EXPECT_THAT(plain.out, HasSubstr("{\"lane\":0,\"t0\":1000000000,\"t1\":11010000000,\"cls\":\"maybe\""));
  EXPECT_THAT(plain.out, HasSubstr("{\"lane\":0,\"t0\":1010000000,\"t1\":11000000000,\"cls\":\"lease\""));
}

}  // namespace
}  // namespace fenceline::testing
