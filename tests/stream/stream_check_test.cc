// StreamChecker on histories built so that the answer is known, one behaviour each: info
// operations carried across cuts, the append rule, budgets, refusals and input errors.
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/model.h"
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

// One event a line; `process` < 0 leaves the process a fresh number (a crashed client's
// successor, as Jepsen numbers them).
class Lines {
 public:
  Lines& Op(int process, const std::string& f, const std::string& in, const std::string& type,
            const std::string& out) {
    const std::string p = std::to_string(process < 0 ? next_fresh_++ : process);
    text_ += "{\"process\":" + p + ",\"type\":\"invoke\",\"f\":\"" + f + "\",\"value\":" + in +
             "}\n{\"process\":" + p + ",\"type\":\"" + type + "\",\"f\":\"" + f +
             "\",\"value\":" + out + "}\n";
    return *this;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  int next_fresh_ = 1000;
};

Verdict WholeVerdict(const std::string& text, const std::string& model) {
  StatusOr<History> h = ParseHistoryText(text, "h");
  EXPECT_TRUE(h.ok());
  StatusOr<std::unique_ptr<Model>> m = MakeModel(model, {});
  EXPECT_TRUE(m.ok());
  CheckOptions co;
  co.explain = false;
  StatusOr<CheckResult> r = CheckLinearizability(*h, **m, co);
  EXPECT_TRUE(r.ok());
  return r->verdict;
}

// k open info writes of 1 can each bring 1 back once, after a write of 2: k times, not k + 1,
// however few copies each segment's search is given (at most its length + 1).
TEST(StreamCheckTest, EachReturnOfAnOpenInfoWriteUsesOneOfItsCopies) {
  for (int k : {1, 3, 6}) {
    for (int returns : {k, k + 1}) {
      Lines h;
      for (int i = 0; i < k; ++i) h.Op(-1, "write", "1", "info", "1");
      for (int i = 0; i < returns; ++i) {
        h.Op(0, "write", "2", "ok", "2");
        h.Op(0, "read", "null", "ok", "1");
      }
      SCOPED_TRACE("k " + std::to_string(k) + " returns " + std::to_string(returns) + "\n" +
                   h.text());
      const Verdict expected = returns <= k ? Verdict::kLinearizable : Verdict::kNotLinearizable;
      EXPECT_EQ(WholeVerdict(h.text(), "register"), expected);
      for (size_t segment : {size_t{1}, size_t{2}, size_t{256}}) {
        StreamOptions o;
        o.min_segment_ops = segment;
        StatusOr<CheckResult> r = StreamJsonLines(h.text(), "register", o);
        ASSERT_TRUE(r.ok()) << r.status().message();
        EXPECT_EQ(r->verdict, expected) << "min_segment_ops " << segment;
      }
    }
  }
}

// Many identical open info writes (a register's few values, many timeouts): a segment's search
// is given at most its length + 1 copies, so its cost does not grow with their number.
TEST(StreamCheckTest, IdenticalOpenInfoWritesDoNotSlowEachSegment) {
  auto searched = [](int infos) {
    Lines h;
    for (int i = 0; i < infos; ++i) {
      h.Op(-1, "write", "1", "info", "1");
      h.Op(0, "write", "2", "ok", "2");
      h.Op(0, "read", "null", "ok", "2");
    }
    h.Op(0, "read", "null", "ok", "1");
    StreamStats stats;
    StatusOr<CheckResult> r = StreamJsonLines(h.text(), "register", EveryCut(), &stats);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->verdict, Verdict::kLinearizable);
    return stats.peak_search_ops;
  };
  const size_t small = searched(100), large = searched(1000);
  // Each segment holds a few operations, so its search a few copies, however many are open
  // (with every copy, the last searches would hold about 1,000).
  EXPECT_EQ(large, small);
  EXPECT_LT(large, 10u);
}

// Distinct open info operations are each kept (each may still take effect); past the cap the
// partition is unknown with the cause, never a guess.
TEST(StreamCheckTest, TooManyDistinctOpenInfoOperationsIsUnknown) {
  Lines h;
  for (int i = 0; i < 50; ++i) {
    h.Op(-1, "write", std::to_string(100 + i), "info", std::to_string(100 + i));
    h.Op(0, "read", "null", "ok", "null");
  }
  h.Op(0, "read", "null", "ok", "120");
  StreamOptions o = EveryCut();
  StreamStats stats;
  StatusOr<CheckResult> r = StreamJsonLines(h.text(), "register", o, &stats);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, WholeVerdict(h.text(), "register"));
  EXPECT_EQ(r->verdict, Verdict::kLinearizable);
  EXPECT_EQ(stats.peak_open_info, 50u);
  o.max_open_info = 40;
  r = StreamJsonLines(h.text(), "register", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kUnknown);
  EXPECT_THAT(r->partitions[0].reason,
              HasSubstr("more than 40 distinct info operations open at a cut"));
}

// Info reads change nothing and are never carried: any number of them keeps nothing open.
TEST(StreamCheckTest, InfoReadsAreNeverKept) {
  Lines h;
  for (int i = 0; i < 200; ++i) {
    h.Op(-1, "read", "null", "info", "null");
    h.Op(0, "write", std::to_string(i), "ok", std::to_string(i));
  }
  StreamStats stats;
  StatusOr<CheckResult> r = StreamJsonLines(h.text(), "cas-register", EveryCut(), &stats);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kLinearizable);
  EXPECT_EQ(stats.peak_open_info, 0u);
}

TEST(StreamCheckTest, RefusesModelsItCannotStream) {
  EXPECT_EQ(StreamSupport("set", {}).code(), StatusCode::kUnsupported);
  EXPECT_THAT(StreamSupport("fifo-queue", {}).message(), HasSubstr("drop --stream"));
  EXPECT_TRUE(StreamSupport("mutex", {}).ok());
  ModelOptions mo;
  mo.initial = Value::Int(0);
  EXPECT_THAT(StreamSupport("register", mo).message(), HasSubstr("--nil-reads"));
  mo.nil_reads = NilReads::kValue;
  EXPECT_TRUE(StreamSupport("register", mo).ok());
  EXPECT_TRUE(StreamSupport("kv", {}).ok());
  // multi-register's nil reads are unknown unless --nil-reads value, whatever comes later.
  mo.nil_reads = NilReads::kAuto;
  mo.initial = ParseValueText("{:x 0}", "--initial").value();
  EXPECT_TRUE(StreamSupport("multi-register", mo).ok());
}

// A lock held across a cut: its state must come back in the next segment.
TEST(StreamCheckTest, MutexHeldAcrossACutStaysHeld) {
  Lines ok, bad;
  ok.Op(0, "acquire", "null", "ok", "null").Op(1, "release", "null", "ok", "null");
  bad.Op(0, "acquire", "null", "ok", "null").Op(1, "acquire", "null", "ok", "null");
  for (const auto& [h, expected] : {std::pair{ok.text(), Verdict::kLinearizable},
                                    std::pair{bad.text(), Verdict::kNotLinearizable}}) {
    EXPECT_EQ(WholeVerdict(h, "mutex"), expected);
    StreamStats stats;
    StatusOr<CheckResult> r = StreamJsonLines(h, "mutex", EveryCut(), &stats);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->verdict, expected) << h;
    EXPECT_GE(stats.cuts, 2u);
  }
}

// Registers written by one txn and read by a later one, segments apart.
TEST(StreamCheckTest, MultiRegisterStateCrossesCuts) {
  Lines ok, bad;
  ok.Op(0, "txn", R"([["write","x",1],["write","y",2]])", "ok", R"([["write","x",1],["write","y",2]])")
      .Op(0, "txn", R"([["write","x",3]])", "ok", R"([["write","x",3]])")
      .Op(1, "txn", R"([["read","x",null],["read","y",null]])", "ok", R"([["read","x",3],["read","y",2]])");
  bad.Op(0, "txn", R"([["write","x",1],["write","y",2]])", "ok", R"([["write","x",1],["write","y",2]])")
      .Op(0, "txn", R"([["write","x",3]])", "ok", R"([["write","x",3]])")
      .Op(1, "txn", R"([["read","x",null],["read","y",null]])", "ok", R"([["read","x",1],["read","y",2]])");
  for (const auto& [h, expected] : {std::pair{ok.text(), Verdict::kLinearizable},
                                    std::pair{bad.text(), Verdict::kNotLinearizable}}) {
    EXPECT_EQ(WholeVerdict(h, "multi-register"), expected);
    StreamStats stats;
    StatusOr<CheckResult> r = StreamJsonLines(h, "multi-register", EveryCut(), &stats);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->verdict, expected) << h;
    EXPECT_GE(stats.cuts, 2u);
  }
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
