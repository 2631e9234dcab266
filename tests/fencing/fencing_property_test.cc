// Property tests of CheckFencing on simulated histories (fencing_sim.h): a correct lock service
// and fenced storage, with random pauses, skew within the bound and unknown outcomes, is never
// flagged with a certain violation; the same history with one injected fault is flagged with the
// fault's id; and the result does not depend on the thread count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "checker/report/fencing_report.h"
#include "fenceline/fencing.h"
#include "fencing/fencing_sim.h"

namespace fenceline::testing {
namespace {

constexpr int kSeeds = 30;

struct Variant {
  const char* name;
  double skew_ms;
  double info_rate;
  bool records;
};

constexpr Variant kVariants[] = {
    {"one clock, no unknowns", 0, 0, false},
    {"skewed clocks", 50, 0, false},
    {"unknown outcomes", 0, 0.15, false},
    {"skew and unknowns", 40, 0.1, false},
    {"grant records, skew and unknowns", 40, 0.1, true},
};

SimOptions Options(const Variant& v, uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  o.clients = 2 + static_cast<int>(seed % 4);
  o.locks = 1 + static_cast<int>(seed % 3);
  o.ops_per_client = 40;
  o.skew_ms = v.skew_ms;
  o.info_rate = v.info_rate;
  o.pause_rate = 0.15;
  o.lease_ms = 300;
  o.records = v.records;
  return o;
}

FencingOptions CheckerOptions(const Variant& v) {
  FencingOptions o;
  o.clock_skew_ms = v.skew_ms;
  return o;
}

std::string Describe(const FencingResult& r) {
  std::string s;
  for (const Violation& v : r.violations) {
    s += v.id + " (" + std::string(CertaintyName(v.certainty)) + "): " + v.message + "\n";
  }
  return s;
}

TEST(FencingPropertyTest, CorrectSystemsAreNeverCertainlyFlagged) {
  for (const Variant& v : kVariants) {
    for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
      SCOPED_TRACE(std::string(v.name) + ", seed " + std::to_string(seed));
      StatusOr<History> h = BuildHistory(Simulate(Options(v, seed)));
      ASSERT_TRUE(h.ok()) << h.status().message();
      StatusOr<FencingResult> r = CheckFencing(*h, CheckerOptions(v));
      ASSERT_TRUE(r.ok()) << r.status().message();
      for (const Violation& x : r->violations) {
        EXPECT_NE(x.certainty, Certainty::kCertain) << Describe(*r);
      }
      if (v.info_rate == 0 && v.skew_ms == 0) {
        // Nothing is uncertain, so nothing may even be possible.
        EXPECT_TRUE(r->violations.empty()) << Describe(*r);
      }
      EXPECT_NE(r->verdict, FencingVerdict::kViolation);
    }
  }
}

TEST(FencingPropertyTest, InjectedFaultIsFlaggedWithItsId) {
  const SimFault kFaults[] = {
      SimFault::kStaleToken,     SimFault::kExpiredLeaseWrite, SimFault::kForgedToken,
      SimFault::kForeignToken,   SimFault::kOverlappingLeases, SimFault::kNonMonotonicGrant,
      SimFault::kFalseRejection,
  };
  for (const Variant& v : kVariants) {
    for (SimFault fault : kFaults) {
      for (uint64_t seed = 1; seed <= 8; ++seed) {
        const std::string id = FaultId(fault);
        SCOPED_TRACE(std::string(v.name) + ", " + id + ", seed " + std::to_string(seed));
        SimOptions o = Options(v, seed);
        o.fault = fault;
        StatusOr<History> h = BuildHistory(Simulate(o));
        ASSERT_TRUE(h.ok()) << h.status().message();
        StatusOr<FencingResult> r = CheckFencing(*h, CheckerOptions(v));
        ASSERT_TRUE(r.ok()) << r.status().message();
        bool found = false;
        for (const Violation& x : r->violations) {
          // A forged token is only possible while an acquire of unknown outcome could have
          // issued it, unless the service's grant records are there.
          const bool may_be_possible =
              fault == SimFault::kForgedToken && v.info_rate > 0 && !v.records;
          if (x.id == id && (x.certainty == Certainty::kCertain || may_be_possible)) found = true;
        }
        EXPECT_TRUE(found) << Describe(*r);
        if (fault != SimFault::kFalseRejection &&
            !(fault == SimFault::kForgedToken && v.info_rate > 0 && !v.records)) {
          EXPECT_EQ(r->verdict, FencingVerdict::kViolation);
        }
      }
    }
  }
}

TEST(FencingPropertyTest, ReportDoesNotDependOnThreads) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    SimOptions o = Options(kVariants[3], seed);
    o.locks = 5;
    o.fault = static_cast<SimFault>(1 + seed % 7);
    StatusOr<History> h = BuildHistory(Simulate(o));
    ASSERT_TRUE(h.ok());
    FencingOptions one = CheckerOptions(kVariants[3]);
    one.threads = 1;
    FencingOptions two = one;
    two.threads = 2;
    StatusOr<FencingResult> a = CheckFencing(*h, one);
    StatusOr<FencingResult> b = CheckFencing(*h, two);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(internal::RenderFencingJson({{"h", {}, &*h, &*a}}, one),
              internal::RenderFencingJson({{"h", {}, &*h, &*b}}, one));
  }
}

}  // namespace
}  // namespace fenceline::testing
