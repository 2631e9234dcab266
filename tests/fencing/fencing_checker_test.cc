// Unit tests of CheckFencing: each check, positive and negative, the clock model and the
// certainty rules (docs/fencing.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "checker/fencing/lease_timeline.h"
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

// Neither grant is certainly first (the acquires overlap), but each came before the other's
// lease certainly ended: whichever was later was made while the other lease was live.
TEST(FencingCheckerTest, ConcurrentGrantsEachWithinTheOthersLeaseOverlap) {
  H h;
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0)
      .E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 5)
      .E("p2", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(2)}, {"lease_ms", I(10'000)}}), 8)
      .E("p1", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(1)}, {"lease_ms", I(10'000)}}), 10);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("overlapping-leases"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
  EXPECT_THAT(r.violations[0].clients, ElementsAre("p2", "p1"));
  EXPECT_THAT(r.violations[0].message, HasSubstr("each before the other's lease certainly ended"));
  EXPECT_THAT(r.violations[0].message, HasSubstr("which grant came first the events cannot tell"));
}

// The same, but p1's lease (from its invoke) may have ended before p2's grant, and p1 may have
// been granted before p2: no reading overlaps in every world.
TEST(FencingCheckerTest, ConcurrentGrantsWithAShortLeaseNeedNotOverlap) {
  H h;
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0)
      .E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 5)
      .E("p2", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(2)}, {"lease_ms", I(10'000)}}), 8)
      .E("p1", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(1)}, {"lease_ms", I(5)}}), 10);
  EXPECT_TRUE(Check(h.Build()).violations.empty());
}

// Issue 9's "gap 2b" (histories/fencing/invalid/blocking-acquire-waited-past-lease.jsonl): p1's
// blocking acquire waited 1.5 s for a lease of 1 s, so its grant is no certain overlap with
// either rival alone: granted before p3's lease certainly ended it overlaps p3, granted later
// it overlaps p2. Neither of p3 (a try-lock) and p2 (queued before p3's ok) is certainly first,
// but each was granted before the other's lease certainly ended, so they certainly overlap.
// Before, this history was reported safe.
TEST(FencingCheckerTest, BlockingAcquireThatWaitedPastItsLeaseIsProvenThroughItsRivals) {
  H h;
  const Value lock = M({{"lock", S("L")}});
  auto ok = [](int64_t token, int64_t lease) {
    return M({{"lock", S("L")}, {"token", I(token)}, {"lease_ms", I(lease)}});
  };
  h.E("p1", EventType::kInvoke, "acquire", lock, 0)
      .E("p3", EventType::kInvoke, "acquire", lock, 0)
      .E("p2", EventType::kInvoke, "acquire", lock, 0)
      .E("p3", EventType::kOk, "acquire", ok(1, 1'200), 1)
      .E("p2", EventType::kOk, "acquire", ok(2, 1'800), 1'100)
      .E("p1", EventType::kOk, "acquire", ok(3, 1'000), 1'500);
  const History history = h.Build();
  FencingResult r = Check(history);
  EXPECT_EQ(r.verdict, FencingVerdict::kViolation);
  ASSERT_THAT(Ids(r), ElementsAre("overlapping-leases"));
  const Violation& v = r.violations[0];
  EXPECT_EQ(v.certainty, Certainty::kCertain);
  EXPECT_THAT(v.clients, ElementsAre("p3", "p2"));
  EXPECT_THAT(v.tokens, ElementsAre(1, 2));
  EXPECT_EQ(v.message,
            "p3 was granted L with token 1 at 0.001 s and p2 with token 2 at 1.1 s, each before "
            "the other's lease certainly ended (p3's was certainly live until 1.2 s, p2's until "
            "1.8 s, neither released); which grant came first the events cannot tell, but either "
            "way it was made while the other lease was live: the lock service let two clients "
            "hold L at once");
  // Every event is on one clock, so the skew bound changes nothing.
  FencingOptions o;
  o.clock_skew_ms = 200;
  FencingResult skewed = Check(history, o);
  ASSERT_THAT(Ids(skewed), ElementsAre("overlapping-leases"));
  EXPECT_EQ(skewed.violations[0].certainty, Certainty::kCertain);
  // p3 on another clock: the 99 ms between p2's grant and p3's certain end is within a skew
  // bound of 200 ms, so the overlap is only possible.
  H other;
  other.E("p1", EventType::kInvoke, "acquire", lock, 0)
      .E("p3", EventType::kInvoke, "acquire", lock, 0, "n3")
      .E("p2", EventType::kInvoke, "acquire", lock, 0)
      .E("p3", EventType::kOk, "acquire", ok(1, 1'200), 1, "n3")
      .E("p2", EventType::kOk, "acquire", ok(2, 1'800), 1'100)
      .E("p1", EventType::kOk, "acquire", ok(3, 1'000), 1'500);
  FencingResult cross = Check(other.Build(), o);
  ASSERT_THAT(Ids(cross), ElementsAre("overlapping-leases"));
  EXPECT_EQ(cross.violations[0].certainty, Certainty::kPossible);
  EXPECT_EQ(cross.verdict, FencingVerdict::kInconclusive);
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

// One token granted to two clients: whichever grant came first, the second's token was not
// greater, so the order need not be known (before, concurrent grants hid it).
TEST(FencingCheckerTest, TokenGrantedTwiceIsNonMonotonicWhateverTheOrder) {
  H h;
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0)
      .E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 1)
      .E("p2", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(9)}, {"lease_ms", I(1)}}), 5)
      .E("p1", EventType::kOk, "acquire",
         M({{"lock", S("L")}, {"token", I(9)}, {"lease_ms", I(1)}}), 6);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("non-monotonic-grant"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
  EXPECT_THAT(r.violations[0].clients, ElementsAre("p1", "p2"));
  EXPECT_EQ(r.violations[0].message,
            "the lock service granted L with token 9 to p2 at 0.005 s and again to p1 at 0.006 s; "
            "whichever grant came first, the later one's token was not greater; fencing tokens "
            "must increase with every grant");
}

// A grant known only from its record (the acquire's answer lost) lies anywhere between the
// acquire's invoke and the record, wider than either of p1's two leases, which follow each other
// (the second granted before the first certainly ended): it overlapped one of them in every
// world, though neither pair alone is certain. Reported as one violation naming both leases
// (histories/fencing/invalid/lost-grant-inside-one-clients-two-leases.jsonl; safe before).
TEST(FencingCheckerTest, GrantInsideOneClientsChainedLeasesOverlapsIt) {
  auto build = [](int64_t second_acquire_at) {
    H h;
    h.Acquire("p1", "L", 1, 300, 0);
    h.E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 100);
    h.E("p2", EventType::kInfo, "acquire", Value(), 110);
    h.Acquire("p1", "L", 2, 300, second_acquire_at);
    h.Record("grant", "L", 3, "p2", 400);
    return h.Build();
  };
  FencingResult r = Check(build(250));
  ASSERT_THAT(Ids(r), ElementsAre("overlapping-leases"));
  const Violation& v = r.violations[0];
  EXPECT_EQ(v.certainty, Certainty::kCertain);
  EXPECT_THAT(v.clients, ElementsAre("p1", "p2"));
  EXPECT_THAT(v.tokens, ElementsAre(1, 2, 3));
  EXPECT_THAT(v.message, HasSubstr("which of those leases it overlapped the events cannot tell"));
  EXPECT_EQ(r.verdict, FencingVerdict::kViolation);
  // p1's second lease granted after its first may have ended: a gap p2's grant may fall in.
  FencingResult gap = Check(build(350));
  for (const Violation& x : gap.violations) {
    EXPECT_FALSE(x.id == "overlapping-leases" && x.certainty == Certainty::kCertain) << x.message;
  }
}

TEST(FencingCheckerTest, RejectingTheCurrentTokenIsFalseRejection) {
  H h;
  h.Acquire("p1", "L", 5, 10'000, 0).Write("p1", "file", 5, EventType::kFail, 100);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("false-rejection"));
  EXPECT_EQ(r.violations[0].severity, Severity::kWarning);
  EXPECT_EQ(r.verdict, FencingVerdict::kSafe);
}

// A revoke record is an upper bound on the revoke: the revoke may have come at any instant after
// the grant, so alone it excuses a rejection before it only possibly; a renew ok invoked after
// the write proves the lease was still held (the service does not renew a revoked lease), and
// the rejection certainly false; a release ok does not (etcd's unlock answers ok on a revoked
// lease). A record before the write excuses it.
TEST(FencingCheckerTest, FalseRejectionWeighsRevokeRecordsAsUpperBounds) {
  auto renew = [](H& h, int64_t at) {
    Value v = M({{"lock", S("L")}, {"token", I(5)}});
    h.E("p1", EventType::kInvoke, "renew", v, at);
    h.E("p1", EventType::kOk, "renew",
        M({{"lock", S("L")}, {"token", I(5)}, {"lease_ms", I(10'000)}}), at + 1);
  };
  {
    H h;  // renewed after the write, revoked later: certain
    h.Acquire("p1", "L", 5, 10'000, 0).Write("p1", "file", 5, EventType::kFail, 100);
    renew(h, 200);
    h.Record("revoke", "L", 5, "p1", 3'000);
    FencingResult r = Check(h.Build());
    const Violation* v = Find(r, "false-rejection");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->certainty, Certainty::kCertain);
  }
  {
    // Released (ok) after the write, revoke recorded later: the revoke may have come first and
    // the unlock answered ok all the same (histories/fencing/valid/release-ok-after-late-revoke).
    H h;
    h.Acquire("p1", "L", 5, 10'000, 0).Write("p1", "file", 5, EventType::kFail, 100);
    h.Release("p1", "L", 5, EventType::kOk, 200);
    h.Record("revoke", "L", 5, "p1", 3'000);
    FencingResult r = Check(h.Build());
    const Violation* v = Find(r, "false-rejection");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->certainty, Certainty::kPossible);
    EXPECT_THAT(v->message, HasSubstr("unless the lock service's revoke"));
  }
  {
    H h;  // revoked later, nothing held after the write: the revoke may have come first
    h.Acquire("p1", "L", 5, 10'000, 0).Write("p1", "file", 5, EventType::kFail, 100);
    h.Record("revoke", "L", 5, "p1", 3'000);
    FencingResult r = Check(h.Build());
    const Violation* v = Find(r, "false-rejection");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->certainty, Certainty::kPossible);
    EXPECT_FALSE(v->margin_ms.has_value());
    EXPECT_THAT(v->message, HasSubstr("unless the lock service's revoke"));
    EXPECT_EQ(r.verdict, FencingVerdict::kSafe);  // a warning
  }
  {
    H h;  // revoke recorded before the write: excused, even with a renewal later
    h.Acquire("p1", "L", 5, 10'000, 0);
    h.Record("revoke", "L", 5, "p1", 50);
    h.Write("p1", "file", 5, EventType::kFail, 100);
    FencingResult r = Check(h.Build());
    EXPECT_EQ(Find(r, "false-rejection"), nullptr);
  }
  {
    H h;  // the renewal's invoke not after the write: no proof the lease was held then
    h.Acquire("p1", "L", 5, 10'000, 0).Write("p1", "file", 5, EventType::kFail, 100);
    renew(h, 100);
    h.Record("revoke", "L", 5, "p1", 3'000);
    FencingResult r = Check(h.Build());
    const Violation* v = Find(r, "false-rejection");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->certainty, Certainty::kPossible);
  }
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
    std::string lock = "L";  // appended: GCC 12 warns falsely (-Wrestrict) on "L" + to_string
    lock += std::to_string(l);
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

// Issue 9, cause 1: a grant record is an upper bound on the grant's instant. The acquire (of
// unknown outcome) invoked at 0.3 ms was granted at once; its watch record arrived at 154 ms. A
// write with the token at 73 ms is not a forgery.
TEST(FencingTimeModelTest, GrantRecordIsOnlyAnUpperBoundOnTheGrant) {
  H h;
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0, "c1");
  h.E("p1", EventType::kInfo, "acquire", M({{"lock", S("L")}}), 50, "c1");
  h.Write("p1", "L", 1, EventType::kOk, 73, "c1");
  h.E("nemesis", EventType::kOk, "grant", M({{"lock", S("L")}, {"token", I(1)}, {"client", S("p1")}}),
      154, "service");
  FencingResult r = Check(h.Build());
  EXPECT_TRUE(r.violations.empty()) << r.violations[0].message;
  EXPECT_EQ(r.verdict, FencingVerdict::kSafe);
}

// Cause 1, the other half: a record stamped on another clock before its acquire's invoke does not
// move the grant's earliest instant, so a grant that comes after it as written is not ordered
// against it by the record.
TEST(FencingTimeModelTest, RecordOnAnotherClockDoesNotMoveTheEarliestInstant) {
  H h;
  // p1's grant: invoke 100, ok 101 on c1; its record at 90 on the service's clock.
  h.Acquire("p1", "L", 5, 1'000, 100, "c1");
  h.E("nemesis", EventType::kOk, "grant", M({{"lock", S("L")}, {"token", I(5)}, {"client", S("p1")}}),
      90, "service");
  // p2's grant of token 4 ends at 96 on c2: with 10 ms of skew, before p1's grant or not.
  h.Acquire("p2", "L", 4, 1'000, 95, "c2");
  FencingOptions o;
  o.clock_skew_ms = 10;
  FencingResult r = Check(h.Build(), o);
  for (const Violation& v : r.violations) {
    if (v.id == "overlapping-leases") {
      // Whichever came first, both grants came long before either 1 s lease certainly ended.
      EXPECT_EQ(v.certainty, Certainty::kCertain) << v.message;
    } else {
      EXPECT_NE(v.certainty, Certainty::kCertain) << v.message;
    }
  }
  EXPECT_NE(Find(r, "non-monotonic-grant"), nullptr);
}

// Cause 2: a token known only from a renewal was issued by one of the client's acquires of
// unknown outcome, possibly the earliest.
TEST(FencingTimeModelTest, RenewalImpliesAGrantAsEarlyAsTheFirstUnknownAcquire) {
  H h;
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0);
  h.E("p1", EventType::kInfo, "acquire", M({{"lock", S("L")}}), 100);
  h.Write("p1", "L", 1, EventType::kOk, 200);
  h.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 500);
  h.E("p1", EventType::kInfo, "acquire", M({{"lock", S("L")}}), 550);
  h.E("p1", EventType::kInvoke, "renew", M({{"lock", S("L")}, {"token", I(1)}}), 600);
  h.E("p1", EventType::kOk, "renew", M({{"lock", S("L")}, {"token", I(1)}, {"lease_ms", I(1'000)}}),
      601);
  FencingResult r = Check(h.Build());
  EXPECT_TRUE(r.violations.empty()) << r.violations[0].message;
}

// Cause 3: a lagging grant record merged with the acquire's ok bounds the lease's end by the
// earlier of the two, so the pause is found on one clock with no skew.
TEST(FencingTimeModelTest, LaggingGrantRecordDoesNotExtendTheLease) {
  H h = Pause(EventType::kOk, false);
  h.Record("grant", "L", 34, "p3", 5'000);
  h.Record("grant", "L", 35, "p5", 11'700);
  FencingResult r = Check(h.Build());
  EXPECT_THAT(Ids(r), ElementsAre("expired-lease-write"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
  EXPECT_EQ(r.verdict, FencingVerdict::kViolation);
}

// Cause 4: the other client's blocking acquire was invoked first (it waited in the lock's
// queue); its grant is still certainly before the write.
TEST(FencingTimeModelTest, RivalWhoseAcquireWasInvokedFirstMakesExpiredLeaseWrite) {
  H h;
  h.E("p5", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 500);
  h.Acquire("p3", "L", 34, 10'000, 1'000);
  h.E("p5", EventType::kOk, "acquire",
      M({{"lock", S("L")}, {"token", I(35)}, {"lease_ms", I(10'000)}}), 11'620);
  h.Write("p3", "file", 34, EventType::kOk, 12'031);
  FencingResult r = Check(h.Build());
  ASSERT_THAT(Ids(r), ElementsAre("expired-lease-write"));
  EXPECT_EQ(r.violations[0].certainty, Certainty::kCertain);
  EXPECT_THAT(r.violations[0].tokens, ElementsAre(34, 35));
}

// Cause 5: a stolen token used within the skew window of its owner's acquire is certainly
// foreign, whether or not a forgery is also possible.
TEST(FencingTimeModelTest, StolenTokenIsForeignEvenWhenForgeryIsPossible) {
  H h;
  h.Acquire("p2", "L", 7, 10'000, 1'000, "n2");
  h.Write("p3", "L", 7, EventType::kOk, 995, "n3");
  FencingOptions o;
  o.clock_skew_ms = 20;
  FencingResult r = Check(h.Build(), o);
  const Violation* foreign = Find(r, "foreign-token");
  ASSERT_NE(foreign, nullptr);
  EXPECT_EQ(foreign->certainty, Certainty::kCertain);
  const Violation* forged = Find(r, "forged-token");
  ASSERT_NE(forged, nullptr);
  EXPECT_EQ(forged->certainty, Certainty::kPossible);
  EXPECT_EQ(r.verdict, FencingVerdict::kViolation);
}

// A foreign token is only possible while the writer's own acquire of unknown outcome could have
// been granted it too.
TEST(FencingTimeModelTest, ForeignTokenIsPossibleWhileTheWritersUnknownAcquireCouldHaveIt) {
  H h;
  h.E("p3", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 10);
  h.E("p3", EventType::kInfo, "acquire", M({{"lock", S("L")}}), 20);
  h.Acquire("p2", "L", 7, 10'000, 100);
  h.Write("p3", "L", 7, EventType::kOk, 200);
  FencingResult r = Check(h.Build());
  const Violation* foreign = Find(r, "foreign-token");
  ASSERT_NE(foreign, nullptr);
  EXPECT_EQ(foreign->certainty, Certainty::kPossible);
}

// Cause 6: INT64_MAX and INT64_MIN are tokens, not range sentinels: an acquire of unknown
// outcome could have issued either.
TEST(FencingTimeModelTest, ExtremeTokensAreNotSentinels) {
  for (int64_t token : {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    H h;
    h.E("p2", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 100);
    h.E("p2", EventType::kInfo, "acquire", M({{"lock", S("L")}}), 150);
    h.Write("p2", "L", token, EventType::kOk, 200);
    FencingResult r = Check(h.Build());
    ASSERT_THAT(Ids(r), ElementsAre("forged-token")) << token;
    EXPECT_EQ(r.violations[0].certainty, Certainty::kPossible) << token;
    // With no acquire of unknown outcome, the same write is certainly forged.
    H none;
    none.Acquire("p1", "L", 5, 100, 0);
    none.Write("p2", "L", token, EventType::kOk, 200);
    FencingResult c = Check(none.Build());
    const Violation* forged = Find(c, "forged-token");
    ASSERT_NE(forged, nullptr) << token;
    EXPECT_EQ(forged->certainty, Certainty::kCertain) << token;
  }
}

// An expire or revoke record is an upper bound on the end it reports, like a grant record: a
// revoke may have ended the lease before the next grant, however late its record.
TEST(FencingTimeModelTest, RevokeRecordIsAnUpperBoundOnTheEnd) {
  H h;
  h.Acquire("p1", "L", 1, 10'000, 0);
  h.Acquire("p2", "L", 2, 10'000, 1'000);
  h.Record("revoke", "L", 1, "p1", 3'000);  // the watch reports the revoke late
  FencingResult r = Check(h.Build());
  EXPECT_TRUE(r.violations.empty()) << r.violations[0].message;
  // And an expire record bounds the end from above: a write after it is after the lease.
  H e;
  e.E("p1", EventType::kInvoke, "acquire", M({{"lock", S("L")}}), 0);
  e.E("p1", EventType::kOk, "acquire", M({{"lock", S("L")}, {"token", I(1)}}), 1);  // no lease_ms
  e.Record("expire", "L", 1, "p1", 500);
  e.Acquire("p2", "L", 2, 10'000, 600);
  e.Write("p1", "L", 1, EventType::kOk, 700);
  FencingResult x = Check(e.Build());
  const Violation* v = Find(x, "expired-lease-write");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->certainty, Certainty::kCertain);
  EXPECT_THAT(v->message, HasSubstr("after the lock service expired its lease on L"));
}

// With every event on one clock, named or not, the skew bound changes nothing.
TEST(FencingTimeModelTest, SkewChangesNothingOnOneNamedClock) {
  auto build = [] {
    H h;
    h.Acquire("p1", "r", 1, 100'000, 0, "n1");
    h.Acquire("p2", "r", 2, 100'000, 10, "n1");
    h.Write("p2", "r", 2, EventType::kOk, 20, "n1", 2);
    h.Write("p1", "r", 1, EventType::kOk, 30, "n1", 1);  // accepted 9 ms after token 2: stale
    return h.Build();
  };
  History h = build();
  FencingResult plain = Check(h);
  FencingOptions o;
  o.clock_skew_ms = 50;
  FencingResult skewed = Check(h, o);
  EXPECT_EQ(plain.verdict, FencingVerdict::kViolation);
  EXPECT_EQ(Ids(plain), Ids(skewed));
  EXPECT_EQ(plain.verdict, skewed.verdict);
  for (size_t i = 0; i < plain.violations.size() && i < skewed.violations.size(); ++i) {
    EXPECT_EQ(plain.violations[i].certainty, skewed.violations[i].certainty)
        << plain.violations[i].id;
  }
}

// A renewal with a shorter lease_ms never shortens a lease (docs/fencing.md): the lease is over
// only after the latest end any acquire or renewal set.
TEST(FencingTimeModelTest, ShorterRenewalDoesNotShortenTheLease) {
  H h;
  h.Acquire("p1", "L", 1, 10'000, 0);
  h.E("p1", EventType::kInvoke, "renew", M({{"lock", S("L")}, {"token", I(1)}}), 100);
  h.E("p1", EventType::kOk, "renew", M({{"lock", S("L")}, {"token", I(1)}, {"lease_ms", I(100)}}),
      101);
  h.Acquire("p2", "L", 2, 10'000, 20'000);
  h.Write("p1", "L", 1, EventType::kOk, 5'000);  // inside the first lease: clean
  h.Write("p1", "L", 1, EventType::kOk, 20'100);  // after both ends and p2's grant
  FencingResult r = Check(h.Build());
  std::vector<std::string> ids = Ids(r);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "expired-lease-write"), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "write-after-expiry"), 0);
}

// A stale-token search cut short is an unknown, never a clean result, and the report says why.
TEST(FencingTimeModelTest, InconclusiveSearchIsUnknownAndSaysWhy) {
  H h;
  h.Acquire("p3", "A", 1, 1'000, 0, "n1");
  h.Acquire("p4", "B", 1, 1'000, 0, "n2");
  // Resource r maps to no lock, so only stale-token looks at it; two clocks, so the search runs
  // widened, then as written.
  for (int i = 0; i < 40; ++i) {
    h.Write("p1", "r", i, EventType::kInfo, i * 10, "n1", i);
    h.Write("p2", "r", i, EventType::kOk, i * 10 + 5, "n2", 100 + i);
  }
  FencingOptions o;
  o.clock_skew_ms = 1;
  const History built = h.Build();
  // Room for the lease timeline (charged to the same account) and a few bytes more: every
  // search stops at its first memo entry.
  o.memory_budget = internal::TimelineBytesBound(built) + 1;
  FencingResult r = Check(built, o);
  EXPECT_EQ(r.verdict, FencingVerdict::kInconclusive);
  // Both passes (as written, then under the skew bound) say so.
  bool as_written = false, widened = false;
  for (const std::string& n : r.notes) {
    as_written = as_written || n.find("r as written was inconclusive: memory") != std::string::npos;
    widened = widened || n.find("r under the skew bound (to tell certain from possible) was "
                                "inconclusive: memory") != std::string::npos;
  }
  EXPECT_TRUE(as_written && widened) << ::testing::PrintToString(r.notes);
}

// The lease and token checks' own arrays are charged to the same account as the timeline, on
// top of it, before they are built: a history of many writes under one lease fits the timeline's
// reservation (an upper bound, then held at the timeline's size) but not both, and is inconclusive with the cause, nothing checked; with room, the
// late write is reported.
TEST(FencingMemoryBudgetTest, LockChecksOverTheLimitAreInconclusiveWithTheCause) {
  H h;
  h.Acquire("p1", "L", 1, 1'000, 0);
  for (int i = 0; i < 2'000; ++i) h.Write("p1", "file", 1, EventType::kOk, 2 + 2 * i);
  const History built = h.Build();
  FencingOptions o;
  o.memory_budget = internal::TimelineBytesBound(built) + 1;
  FencingResult tight = Check(built, o);
  EXPECT_EQ(tight.verdict, FencingVerdict::kInconclusive);
  EXPECT_TRUE(tight.violations.empty());
  EXPECT_THAT(tight.notes, ElementsAre(HasSubstr("reached before the fencing analysis' lease and "
                                                 "token checks: with the lease timeline, their "
                                                 "arrays for 1 grants and 2000 writes need up to")));
  o.memory_budget = size_t{64} << 20;
  FencingResult roomy = Check(built, o);
  EXPECT_NE(Find(roomy, "write-after-expiry"), nullptr);
}

TEST(FencingReportTest, JsonHasSchemaAndEvidence) {
  History hist = Pause(EventType::kOk, true).Build();
  FencingResult r = Check(hist);
  const std::string json = internal::RenderFencingJson({{"pause.jsonl", {}, &hist, &r}}, {});
  EXPECT_THAT(json, HasSubstr("{\"schema_version\":2,\"tool\":\"fenceline\""));
  EXPECT_THAT(json, HasSubstr("\"id\":\"expired-lease-write\",\"severity\":\"error\","
                              "\"certainty\":\"certain\",\"margin_ms\":null,\"lock\":\"L\""));
  EXPECT_THAT(json, HasSubstr("{\"line\":7,\"time\":12031000000,\"node\":\"\",\"process\":\"p3\""));
  const std::string text = internal::RenderFencingText({{"pause.jsonl", {}, &hist, &r}}, {});
  EXPECT_THAT(text, HasSubstr("pause.jsonl: fencing violation (2 errors, 0 warnings"));
  EXPECT_THAT(text, HasSubstr("[1] expired-lease-write: error, certain; lock L; resource file"));
}

}  // namespace
}  // namespace fenceline
