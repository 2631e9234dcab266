// StreamChecker on histories built so that the answer is known, one behaviour each: info
// operations carried across cuts, the append rule, budgets, refusals and input errors.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/parse.h"
#include "fenceline/stream.h"
#include "stream/stream_testing.h"

namespace fenceline {
namespace {

using ::fenceline::testing::StreamJsonLines;
using ::testing::HasSubstr;

StreamOptions EveryCut() {
  StreamOptions o;
  o.min_segment_ops = 1;
  return o;
}

TEST(StreamCheckTest, InfoWriteTakesEffectSegmentsLater) {
  // The info write of 2 stays open across two cuts; the read of 2 is explained by it.
  const std::string h =
      R"({"process":0,"type":"invoke","f":"write","value":1}
{"process":0,"type":"ok","f":"write","value":1}
{"process":1,"type":"invoke","f":"write","value":2}
{"process":1,"type":"info","f":"write","value":2}
{"process":0,"type":"invoke","f":"read","value":null}
{"process":0,"type":"ok","f":"read","value":1}
{"process":0,"type":"invoke","f":"read","value":null}
{"process":0,"type":"ok","f":"read","value":2}
)";
  StreamStats stats;
  StatusOr<CheckResult> r = StreamJsonLines(h, "register", EveryCut(), &stats);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->verdict, Verdict::kLinearizable);
  EXPECT_GE(stats.cuts, 3u);
}

TEST(StreamCheckTest, AppliedInfoWriteCannotBeUndone) {
  // Once the read of 2 placed the info write, the old value 1 cannot come back.
  const std::string h =
      R"({"process":0,"type":"invoke","f":"write","value":1}
{"process":0,"type":"ok","f":"write","value":1}
{"process":1,"type":"invoke","f":"write","value":2}
{"process":1,"type":"info","f":"write","value":2}
{"process":0,"type":"invoke","f":"read","value":null}
{"process":0,"type":"ok","f":"read","value":2}
{"process":0,"type":"invoke","f":"read","value":null}
{"process":0,"type":"ok","f":"read","value":1}
)";
  StatusOr<CheckResult> r = StreamJsonLines(h, "register", EveryCut());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kNotLinearizable);
  ASSERT_TRUE(r->partitions[0].counterexample.has_value());
  EXPECT_THAT(r->partitions[0].counterexample->unlinearizable,
              ::testing::ElementsAre(static_cast<OpIndex>(3)));
}

TEST(StreamCheckTest, InfoAppendExtendedByALaterAppendIsSeenLater) {
  // The model drops an info append nothing in its segment saw; across a cut that would lose
  // it (the later append extends it, and only the next segment reads "ab"), so the cut waits.
  const std::string h =
      R"({"process":0,"type":"invoke","f":"append","key":"k","value":"a"}
{"process":0,"type":"info","f":"append","key":"k","value":"a"}
{"process":1,"type":"invoke","f":"append","key":"k","value":"b"}
{"process":1,"type":"ok","f":"append","key":"k","value":"b"}
{"process":1,"type":"invoke","f":"get","key":"k","value":null}
{"process":1,"type":"ok","f":"get","key":"k","value":"ab"}
)";
  StatusOr<CheckResult> r = StreamJsonLines(h, "kv", EveryCut());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->verdict, Verdict::kLinearizable);
}

TEST(StreamCheckTest, TooManyConfigurationsIsUnknown) {
  // Two concurrent writes leave two states at the cut.
  const std::string h =
      R"({"process":0,"type":"invoke","f":"write","value":1}
{"process":1,"type":"invoke","f":"write","value":2}
{"process":0,"type":"ok","f":"write","value":1}
{"process":1,"type":"ok","f":"write","value":2}
{"process":0,"type":"invoke","f":"read","value":null}
{"process":0,"type":"ok","f":"read","value":2}
)";
  StreamOptions o = EveryCut();
  StreamStats stats;
  StatusOr<CheckResult> r = StreamJsonLines(h, "register", o, &stats);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kLinearizable);
  EXPECT_EQ(stats.peak_configurations, 2u);
  o.max_configurations = 1;
  r = StreamJsonLines(h, "register", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kUnknown);
  EXPECT_THAT(r->partitions[0].reason, HasSubstr("more than 1 configurations"));
}

TEST(StreamCheckTest, ViolationIsDecidedBeforeTheEnd) {
  std::string h =
      R"({"process":0,"type":"invoke","f":"write","value":1}
{"process":0,"type":"ok","f":"write","value":1}
{"process":0,"type":"invoke","f":"read","value":null}
{"process":0,"type":"ok","f":"read","value":3}
)";
  for (int i = 0; i < 5; ++i) {
    h += R"({"process":0,"type":"invoke","f":"write","value":1}
{"process":0,"type":"ok","f":"write","value":1}
)";
  }
  StatusOr<std::unique_ptr<StreamChecker>> c = StreamChecker::Create("register", EveryCut(), "h");
  ASSERT_TRUE(c.ok());
  StatusOr<History> whole = ParseHistoryText(h, "h");
  ASSERT_TRUE(whole.ok());
  std::vector<Event> events = testing::EventsOf(*whole);
  size_t decided_at = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_TRUE((*c)->Add(events[i]).ok());
    std::vector<StreamChecker::Decision> d = (*c)->TakeDecided();
    if (decided_at == 0 && !d.empty()) {
      decided_at = i + 1;
      EXPECT_EQ(d[0].unlinearizable, "read nil -> 3 (ok, line 3-4)");
      EXPECT_EQ(d[0].decided_at_line, 5u);
    }
  }
  EXPECT_EQ(decided_at, 5u);  // at the invoke after the bad read
  StatusOr<CheckResult> r = (*c)->Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(r->partitions[0].op_count, 7u);
}

TEST(StreamCheckTest, RefusesModelsItCannotStream) {
  EXPECT_EQ(StreamSupport("set", {}).code(), StatusCode::kUnsupported);
  EXPECT_THAT(StreamSupport("mutex", {}).message(), HasSubstr("drop --stream"));
  ModelOptions mo;
  mo.initial = Value::Int(0);
  EXPECT_THAT(StreamSupport("register", mo).message(), HasSubstr("--nil-reads"));
  mo.nil_reads = NilReads::kValue;
  EXPECT_TRUE(StreamSupport("register", mo).ok());
  EXPECT_TRUE(StreamSupport("kv", {}).ok());
}

TEST(StreamCheckTest, InputErrorsAreTheBuildersOrStreamings) {
  StatusOr<CheckResult> r = StreamJsonLines(
      R"({"process":0,"type":"ok","f":"read","value":1}
)",
      "register", EveryCut());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidHistory);
  EXPECT_THAT(r.status().message(), HasSubstr(":1:1: process 0 completes an operation"));
  r = StreamJsonLines(R"({"process":0,"type":"invoke","f":"read","value":null,"time":5}
{"process":0,"type":"ok","f":"read","value":null}
)",
                      "register", EveryCut());
  EXPECT_THAT(r.status().message(), HasSubstr(":2:1: an event without a time"));
  r = StreamJsonLines(R"({"process":0,"type":"invoke","f":"read","value":null,"time":5}
{"process":0,"type":"ok","f":"read","value":null,"time":4}
)",
                      "register", EveryCut());
  EXPECT_THAT(r.status().message(), HasSubstr(":2:1: time 4 is before"));
  r = StreamJsonLines(R"({"process":0,"type":"invoke","f":"frob","value":null}
{"process":0,"type":"ok","f":"frob","value":null}
)",
                      "register", EveryCut());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace fenceline
