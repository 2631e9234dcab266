// Unit tests of CheckFencing: each check, positive and negative, the clock model and the
// certainty rules (docs/fencing.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "checker/report/fencing_report.h"
#include "fenceline/fencing.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::fenceline::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr Nanos kMs = 1'000'000;

Value M(std::vector<std::pair<std::string, Value>> kv) {
  std::vector<Value> items;
  for (auto& [k, v] : kv) {
    items.push_back(Value::String(k));
    items.push_back(std::move(v));
  }
  return Value::Map(std::move(items));
}
Value S(const std::string& s) { return Value::String(s); }
Value I(int64_t i) { return Value::Int(i); }

// Builds histories event by event, with times in ms on named clocks.
class H {
 public:
  H& E(const std::string& p, EventType type, const std::string& f, Value v, int64_t ms,
       const std::string& node = "") {
    Event e;
    e.process = S(p);
    e.type = type;
    e.f = f;
    e.value = std::move(v);
    e.time = ms * kMs;
    e.node = node;
    e.pos = {++line_, 1};
    events_.push_back(std::move(e));
    return *this;
  }
  // acquire [at, at+1] ms, ok with token and lease.
  H& Acquire(const std::string& p, const std::string& lock, int64_t token, int64_t lease_ms,
             int64_t at, const std::string& node = "") {
    E(p, EventType::kInvoke, "acquire", M({{"lock", S(lock)}}), at, node);
    return E(p, EventType::kOk, "acquire",
             M({{"lock", S(lock)}, {"token", I(token)}, {"lease_ms", I(lease_ms)}}), at + 1, node);
  }
  H& Write(const std::string& p, const std::string& resource, int64_t token, EventType outcome,
           int64_t at, const std::string& node = "", int64_t value = 0) {
    Value v = M({{"resource", S(resource)}, {"token", I(token)}, {"value", I(value)}});
    E(p, EventType::kInvoke, "write", v, at, node);
    return E(p, outcome, "write", outcome == EventType::kInfo ? Value() : v, at + 1, node);
  }
  H& Release(const std::string& p, const std::string& lock, int64_t token, EventType outcome,
             int64_t at) {
    Value v = M({{"lock", S(lock)}, {"token", I(token)}});
    E(p, EventType::kInvoke, "release", v, at);
    return E(p, outcome, "release", v, at + 1);
  }
  H& Record(const std::string& f, const std::string& lock, int64_t token, const std::string& client,
            int64_t at) {
    return E("nemesis", EventType::kOk, f,
             M({{"lock", S(lock)}, {"token", I(token)}, {"client", S(client)}}), at);
  }
  History Build() {
    HistoryBuilder b("t.jsonl");
    for (Event& e : events_) EXPECT_TRUE(b.Add(std::move(e)).ok());
    StatusOr<History> h = b.Finish();
    EXPECT_TRUE(h.ok()) << h.status().message();
    return std::move(h).value();
  }

 private:
  std::vector<Event> events_;
  uint32_t line_ = 0;
};

FencingResult Check(const History& h, FencingOptions o = {}) {
  StatusOr<FencingResult> r = CheckFencing(h, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : FencingResult();
}

std::vector<std::string> Ids(const FencingResult& r) {
  std::vector<std::string> ids;
  for (const Violation& v : r.violations) ids.push_back(v.id);
  return ids;
}

const Violation* Find(const FencingResult& r, const std::string& id) {
  for (const Violation& v : r.violations) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

// Kleppmann's pause scenario: p3's lease (token 34, 10 s) expires during a pause, p5 gets 35.
H Pause(EventType late_write_outcome, bool p5_writes) {
  H h;
  h.Acquire("p3", "L", 34, 10'000, 1'000);
  h.Acquire("p5", "L", 35, 10'000, 11'600);
  if (p5_writes) h.Write("p5", "file", 35, EventType::kOk, 11'700);
  h.Write("p3", "file", 34, late_write_outcome, 12'031);
  return h;
}

TEST(FencingCheckerTest, PauseWithoutFencingIsExpiredLeaseWriteAndStaleToken) {
  FencingResult r = Check(Pause(EventType::kOk, true).Build());
  EXPECT_EQ(r.verdict, FencingVerdict::kViolation);
  EXPECT_THAT(Ids(r), ElementsAre("expired-lease-write", "stale-token"));
  const Violation& v = r.violations[0];
  EXPECT_EQ(v.severity, Severity::kError);
  EXPECT_EQ(v.certainty, Certainty::kCertain);
  EXPECT_EQ(v.lock, "L");
  EXPECT_EQ(v.resource, "file");
  EXPECT_THAT(v.clients, ElementsAre("p3", "p5"));
  EXPECT_THAT(v.tokens, ElementsAre(34, 35));
  // Lease: acquire ok at 1.001 s + 10 s = 11.001 s; p5's ok at 11.601 s.
  EXPECT_EQ(v.message,
            "p3 wrote with token 34 at 12.031 s, 1.03 s after its lease on L expired and 0.43 s "
            "after p5 was granted token 35; the storage accepted it");
  std::vector<uint32_t> lines;
  for (const TimelineEvent& e : v.timeline) lines.push_back(e.line);
  EXPECT_THAT(lines, ElementsAre(1, 2, 3, 4, 7, 8));
  const Violation& s = r.violations[1];
  EXPECT_THAT(s.message, HasSubstr("accepted p3's write with token 34 on file at 12.031 s after "
                                   "it had accepted p5's write with token 35"));
}

TEST(FencingCheckerTest, PauseWithFencingStorageIsSafe) {
  FencingResult r = Check(Pause(EventType::kFail, true).Build());
  EXPECT_EQ(r.verdict, FencingVerdict::kSafe);
  EXPECT_TRUE(r.violations.empty()) << r.violations[0].message;
}

TEST(FencingCheckerTest, PauseBeforeNewHolderWritesIsStillExpiredLeaseWrite) {
  // Fencing alone cannot help while the new holder has not written yet.
  FencingResult r = Check(Pause(EventType::kOk, false).Build());
  EXPECT_THAT(Ids(r), ElementsAre("expired-lease-write"));
}

TEST(FencingCheckerTest, WriteAfterExpiryWithNoOtherGrantIsWarning) {
  H h;
  h.Acquire("p3", "L", 34, 1'000, 0).Write("p3", "file", 34, EventType::kOk, 5'000);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("write-after-expiry"));
  EXPECT_EQ(r.violations[0].severity, Severity::kWarning);
  EXPECT_EQ(r.verdict, FencingVerdict::kSafe);
}

TEST(FencingCheckerTest, WriteWithinLeaseIsClean) {
  H h;
  h.Acquire("p3", "L", 34, 1'000, 0).Write("p3", "file", 34, EventType::kOk, 900);
  EXPECT_TRUE(Check(h.Build()).violations.empty());
}

TEST(FencingCheckerTest, ReleaseEndsTheLease) {
  H h;
  h.Acquire("p3", "L", 34, 100'000, 0)
      .Release("p3", "L", 34, EventType::kOk, 10)
      .Acquire("p5", "L", 35, 100'000, 20)
      .Write("p3", "file", 34, EventType::kOk, 30);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("expired-lease-write"));
  EXPECT_THAT(r.violations[0].message, HasSubstr("after it released L"));
}

TEST(FencingCheckerTest, SkewWithinBoundMakesViolationPossibleWithMargin) {
  // The write is stamped 30 ms after the lease's latest end, on another clock.
  H h;
  h.Acquire("p3", "L", 34, 1'000, 0, "a")
      .Acquire("p5", "L", 35, 1'000, 1'002, "a")
      .Write("p3", "file", 34, EventType::kOk, 1'031, "b");
  History hist = h.Build();
  FencingOptions o;
  o.clock_skew_ms = 50;
  FencingResult r = Check(hist, o);
  ASSERT_THAT(Ids(r), ElementsAre("expired-lease-write"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kPossible);
  ASSERT_TRUE(r.violations[0].margin_ms.has_value());
  EXPECT_DOUBLE_EQ(*r.violations[0].margin_ms, 28.0);  // 1031 - (1002 + 1): the newer grant
  EXPECT_EQ(r.verdict, FencingVerdict::kInconclusive);
  o.clock_skew_ms = 20;
  r = Check(hist, o);
  ASSERT_THAT(Ids(r), ElementsAre("expired-lease-write"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
}

TEST(FencingCheckerTest, DriftWidensLeaseBeforeItCertainlyExpired) {
  H h;
  h.Acquire("p3", "L", 34, 10'000, 0).Write("p3", "file", 34, EventType::kOk, 10'005);
  History hist = h.Build();
  EXPECT_THAT(Ids(Check(hist)), ElementsAre("write-after-expiry"));
  FencingOptions o;
  o.clock_drift_ppm = 1'000;  // 10 s may last 10.01 s
  EXPECT_TRUE(Check(hist, o).violations.empty());
}

TEST(FencingCheckerTest, RenewOfUnknownOutcomeMakesExpiryPossibleOnly) {
  H h;
  h.Acquire("p3", "L", 34, 1'000, 0)
      .E("p3", EventType::kInvoke, "renew", M({{"lock", S("L")}, {"token", I(34)}}), 500)
      .E("p3", EventType::kInfo, "renew", Value(), 600)
      .Acquire("p5", "L", 35, 1'000, 3'000)
      .Write("p3", "file", 34, EventType::kOk, 4'000);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("expired-lease-write"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kPossible);
  EXPECT_FALSE(r.violations[0].margin_ms.has_value());
}

TEST(FencingCheckerTest, NeverIssuedTokenIsForged) {
  H h;
  h.Acquire("p1", "L", 7, 10'000, 0).Write("p9", "file", 1000, EventType::kOk, 100);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("forged-token"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
  EXPECT_THAT(r.violations[0].message,
              HasSubstr("p9 wrote to file with token 1000 at 0.1 s, a token the lock service "
                        "never issued for L"));
  EXPECT_THAT(r.violations[0].message, HasSubstr("locks every honest holder out"));
}

TEST(FencingCheckerTest, ForgedTokenAboveAllLinksLaterRejections) {
  H h;
  h.Write("p9", "file", 1000, EventType::kOk, 100)
      .Acquire("p1", "L", 36, 10'000, 200)
      .Write("p1", "file", 36, EventType::kFail, 300);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("forged-token"));
  const Violation& v = r.violations[0];
  EXPECT_THAT(v.message, HasSubstr("the storage then rejected 1 later write (first p1's with "
                                   "token 36 at 0.3 s)"));
  bool linked = false;
  for (const TimelineEvent& e : v.timeline)
    linked |= e.line == 5 && e.note.find("forged") != std::string::npos;
  EXPECT_TRUE(linked);
}

TEST(FencingCheckerTest, TokenIssuedOnlyAfterTheWriteIsForged) {
  H h;
  h.Write("p1", "file", 8, EventType::kOk, 100).Acquire("p1", "L", 8, 10'000, 500);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("forged-token"));
  EXPECT_THAT(r.violations[0].message, HasSubstr("0.4 s before the lock service issued token 8"));
}

TEST(FencingCheckerTest, AcquireOfUnknownOutcomeMakesForgeryPossible) {
  H h;
  h.Acquire("p1", "L", 7, 100, 0)
      .E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 50)
      .E("p2", EventType::kInfo, "acquire", Value(), 60)
      .Write("p3", "file", 9, EventType::kOk, 500);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("forged-token"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kPossible);
  EXPECT_EQ(r.verdict, FencingVerdict::kInconclusive);
}

TEST(FencingCheckerTest, LaterGrantBoundsWhatAnUnknownAcquireCouldIssue) {
  // The unknown acquire came before grant 8, so it issued a token below 8: 9 is certainly forged.
  H h;
  h.E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0)
      .E("p2", EventType::kInfo, "acquire", Value(), 10)
      .Write("p3", "file", 5, EventType::kOk, 100)
      .Acquire("p1", "L", 8, 100, 400);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("forged-token"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kPossible);  // 5 < 8: it could have issued 5
  H h2;
  h2.E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0)
      .E("p2", EventType::kInfo, "acquire", Value(), 10)
      .Write("p3", "file", 9, EventType::kOk, 100)
      .Acquire("p1", "L", 8, 100, 400);
  r = Check(h2.Build());
  ASSERT_THAT(Ids(r), ElementsAre("forged-token"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
}

TEST(FencingCheckerTest, GrantRecordsMakeForgeryCertain) {
  H h;
  h.Acquire("p1", "L", 7, 100, 0)
      .Record("grant", "L", 7, "p1", 0)
      .E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 50)
      .E("p2", EventType::kInfo, "acquire", Value(), 60)
      .Write("p3", "file", 9, EventType::kOk, 500);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("forged-token"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
}

TEST(FencingCheckerTest, GrantRecordDoesNotExtendWhatTheClientMayRelyOn) {
  // etcd: p1's lease starts at its acquire, but it waits 5 s for the lock. Its lease may run out
  // 10 s after the invoke, so p2's grant at 10.5 s is no overlap, though 5 s after p1's grant.
  H h;
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0)
      .Record("grant", "L", 1, "p1", 5'000)
      .E("p1", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(1)}, {"lease_ms", I(10'000)}}), 5'001)
      .E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 6'000)
      .Record("grant", "L", 2, "p2", 10'500)
      .E("p2", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(2)}, {"lease_ms", I(10'000)}}), 10'501);
  EXPECT_TRUE(Check(h.Build()).violations.empty());
}

TEST(FencingCheckerTest, RecordOfAnUnresolvedClientDescribesTheAcquire) {
  H h;
  h.Acquire("p1", "L", 1, 10'000, 0)
      .Record("grant", "L", 1, "lease:7a3", 1)
      .Acquire("p2", "L", 2, 10'000, 20'000)
      .Record("grant", "L", 2, "lease:7a4", 20'001);
  FencingResult r = Check(h.Build());
  EXPECT_TRUE(r.violations.empty()) << r.violations[0].message;
  EXPECT_EQ(r.grants, 2u);
}

TEST(FencingCheckerTest, TokenOfAnotherClientIsForeign) {
  H h;
  h.Acquire("p5", "L", 35, 10'000, 0).Write("p4", "file", 35, EventType::kOk, 100);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("foreign-token"));
  EXPECT_THAT(r.violations[0].clients, ElementsAre("p4", "p5"));
  EXPECT_THAT(r.violations[0].message,
              HasSubstr("but the lock service granted token 35 on L to p5"));
}

TEST(FencingCheckerTest, GrantWhileAnotherLeaseCertainlyLiveOverlaps) {
  H h;
  h.Acquire("p1", "L", 1, 10'000, 0).Acquire("p2", "L", 2, 10'000, 5'000);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("overlapping-leases"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
  EXPECT_THAT(r.violations[0].message,
              HasSubstr("p2 was granted L with token 2 at 5.001 s while p1's lease with token 1 "
                        "was certainly live until 10 s"));
}

TEST(FencingCheckerTest, ReleasedLeaseDoesNotOverlap) {
  H h;
  h.Acquire("p1", "L", 1, 10'000, 0)
      .Release("p1", "L", 1, EventType::kOk, 100)
      .Acquire("p2", "L", 2, 10'000, 5'000);
  EXPECT_TRUE(Check(h.Build()).violations.empty());
}

TEST(FencingCheckerTest, ReleaseOfUnknownOutcomeMakesOverlapPossible) {
  H h;
  h.Acquire("p1", "L", 1, 10'000, 0)
      .Release("p1", "L", 1, EventType::kInfo, 100)
      .Acquire("p2", "L", 2, 10'000, 5'000);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("overlapping-leases"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kPossible);
}

TEST(FencingCheckerTest, GrantAfterExpiryDoesNotOverlap) {
  H h;
  h.Acquire("p1", "L", 1, 1'000, 0).Acquire("p2", "L", 2, 1'000, 1'500);
  EXPECT_TRUE(Check(h.Build()).violations.empty());
}

TEST(FencingCheckerTest, LowerTokenGrantedLaterIsNonMonotonic) {
  H h;
  h.Acquire("p1", "L", 10, 100, 0).Acquire("p2", "L", 9, 100, 1'000);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("non-monotonic-grant"));
  EXPECT_THAT(r.violations[0].tokens, ElementsAre(9, 10));
  EXPECT_THAT(r.violations[0].message,
              HasSubstr("granted L to p2 with token 9 at 1.001 s, not greater than token 10"));
}

TEST(FencingCheckerTest, ConcurrentGrantsAreNotOrdered) {
  H h;
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0)
      .E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 1)
      .E("p2", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(9)}, {"lease_ms", I(1)}}), 5)
      .E("p1", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(10)}, {"lease_ms", I(1)}}), 6);
  EXPECT_TRUE(Check(h.Build()).violations.empty());
}

TEST(FencingCheckerTest, RejectingTheCurrentTokenIsFalseRejection) {
  H h;
  h.Acquire("p1", "L", 5, 10'000, 0).Write("p1", "file", 5, EventType::kFail, 100);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("false-rejection"));
  EXPECT_EQ(r.violations[0].severity, Severity::kWarning);
  EXPECT_EQ(r.verdict, FencingVerdict::kSafe);
}

TEST(FencingCheckerTest, RejectionAfterHigherTokenIsNotFalse) {
  H h;
  h.Acquire("p1", "L", 5, 10'000, 0)
      .Write("p9", "file", 6, EventType::kInfo, 50)
      .Write("p1", "file", 5, EventType::kFail, 100);
  FencingResult r = Check(h.Build());
  // The info write with token 6 may have been accepted first (and is forged, possibly).
  for (const Violation& v : r.violations) EXPECT_NE(v.id, "false-rejection");
}

TEST(FencingCheckerTest, InfoWritesWithLowerTokenAreNotStale) {
  H h;
  h.Acquire("p1", "L", 5, 100'000, 0)
      .Write("p1", "file", 5, EventType::kInfo, 10, "", 1)
      .Release("p1", "L", 5, EventType::kOk, 20)
      .Acquire("p2", "L", 6, 100'000, 30)
      .Write("p2", "file", 6, EventType::kOk, 40, "", 2)
      .E("p3", EventType::kInvoke, "read", M({{"resource", S("file")}}), 50)
      .E("p3", EventType::kOk, "read", M({{"resource", S("file")}, {"value", I(2)}}), 51);
  FencingResult r = Check(h.Build());
  EXPECT_TRUE(r.violations.empty()) << r.violations[0].message;
}

TEST(FencingCheckerTest, ReadOfFencedOutValueIsStaleToken) {
  H h;
  h.Acquire("p2", "L", 6, 100'000, 0)
      .Write("p2", "file", 6, EventType::kOk, 10, "", 2)
      .Write("p1", "file", 5, EventType::kInfo, 20, "", 1)
      .E("p3", EventType::kInvoke, "read", M({{"resource", S("file")}}), 50)
      .E("p3", EventType::kOk, "read", M({{"resource", S("file")}, {"value", I(1)}}), 51);
  FencingResult r = Check(h.Build());
  const Violation* v = Find(r, "stale-token");
  ASSERT_NE(v, nullptr);
  EXPECT_THAT(v->message, HasSubstr("p3's read of file at 0.05 s returned 1"));
}

TEST(FencingCheckerTest, ResourcesMapToLocksByFlag) {
  H h;
  h.Acquire("p1", "A", 1, 100, 0)
      .Acquire("p2", "B", 1, 100, 0)
      .Write("p1", "r", 1, EventType::kOk, 10);
  History hist = h.Build();
  FencingResult r = Check(hist);
  EXPECT_THAT(r.notes, ElementsAre(HasSubstr("resource r maps to no lock")));
  FencingOptions o;
  o.lock_for = {{"r", "B"}};
  r = Check(hist, o);
  ASSERT_THAT(Ids(r), ElementsAre("foreign-token"));
  EXPECT_EQ(r.violations[0].lock, "B");
}

TEST(FencingCheckerTest, MalformedAcquireIsUnsupported) {
  H h;
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0)
      .E("p1", EventType::kOk, "acquire", M({{"lock", S("L")}, {"lease_ms", I(5)}}), 1);
  EXPECT_THAT(
      CheckFencing(h.Build()),
      StatusIs(StatusCode::kUnsupported,
               HasSubstr("t.jsonl:2:1: fencing: expected an integer \"token\" in acquire")));
}

TEST(FencingCheckerTest, UnknownOperationIsUnsupported) {
  H h;
  h.E("p1", EventType::kInvoke, "cas", Value(), 0).E("p1", EventType::kOk, "cas", Value(), 1);
  EXPECT_THAT(CheckFencing(h.Build()),
              StatusIs(StatusCode::kUnsupported, HasSubstr("fencing has no operation 'cas'")));
}

TEST(FencingCheckerTest, NegativeSkewIsInvalidArgument) {
  FencingOptions o;
  o.clock_skew_ms = -1;
  EXPECT_THAT(CheckFencing(H().Build(), o),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--clock-skew")));
}

TEST(FencingCheckerTest, ReportIsTheSameAtAnyThreadCount) {
  H h;
  for (int l = 0; l < 6; ++l) {
    const std::string lock = "L" + std::to_string(l);
    h.Acquire("p1", lock, 10, 1'000, l * 10).Acquire("p2", lock, 9, 1'000, 5'000 + l * 10);
    h.Write("p3", lock, 99, EventType::kOk, 6'000 + l * 10);
  }
  History hist = h.Build();
  FencingOptions one;
  one.threads = 1;
  FencingOptions two;
  two.threads = 2;
  FencingResult a = Check(hist, one), b = Check(hist, two);
  const std::string ja = internal::RenderFencingJson({{"t", {}, &hist, &a}}, one);
  const std::string jb = internal::RenderFencingJson({{"t", {}, &hist, &b}}, one);
  EXPECT_EQ(ja, jb);
  EXPECT_EQ(a.violations.size(), 12u);
}

TEST(FencingReportTest, JsonHasSchemaAndEvidence) {
  History hist = Pause(EventType::kOk, true).Build();
  FencingResult r = Check(hist);
  const std::string json = internal::RenderFencingJson({{"pause.jsonl", {}, &hist, &r}}, {});
  EXPECT_THAT(json, HasSubstr("{\"schema_version\":1,\"model\":\"fencing\""));
  EXPECT_THAT(json, HasSubstr("\"id\":\"expired-lease-write\",\"severity\":\"error\","
                              "\"certainty\":\"certain\",\"margin_ms\":null,\"lock\":\"L\""));
  EXPECT_THAT(json, HasSubstr("{\"line\":7,\"time\":12031000000,\"node\":\"\",\"process\":\"p3\""));
  const std::string text = internal::RenderFencingText({{"pause.jsonl", {}, &hist, &r}}, {});
  EXPECT_THAT(text, HasSubstr("pause.jsonl: fencing violation (2 errors, 0 warnings"));
  EXPECT_THAT(text, HasSubstr("[1] expired-lease-write: error, certain; lock L; resource file"));
}

}  // namespace
}  // namespace fenceline
