// The shared memory account (checker/search/memory_budget.h).
#include "checker/search/memory_budget.h"

#include <gtest/gtest.h>

#include "fenceline/check.h"

namespace fenceline::internal {
namespace {

TEST(MemoryBudgetTest, RefusesWhatWouldPassTheLimitAndTakesNothing) {
  MemoryBudget budget(100);
  EXPECT_TRUE(budget.TryReserve(60));
  EXPECT_FALSE(budget.TryReserve(41));
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_TRUE(budget.TryReserve(40));
  budget.Release(100);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudgetTest, NoLimitNeverOverflows) {
  MemoryBudget budget(kNoMemoryLimit);
  EXPECT_TRUE(budget.TryReserve(kNoMemoryLimit - 1));
  EXPECT_FALSE(budget.TryReserve(2));
}

TEST(MemoryAccountTest, GivesEverythingBackWhenDestroyed) {
  MemoryBudget budget(100);
  {
    MemoryAccount a(budget);
    EXPECT_TRUE(a.Reserve(30));
    EXPECT_TRUE(a.Reserve(20));
    a.Release(10);
    EXPECT_EQ(a.held(), 40u);
    EXPECT_EQ(budget.used(), 40u);
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryAccountTest, RefusalIsContendedOnlyIfAloneItWouldHaveFit) {
  MemoryBudget budget(100);
  MemoryAccount a(budget), b(budget);
  ASSERT_TRUE(a.Reserve(70));
  EXPECT_FALSE(b.Reserve(40));  // 40 alone fits in 100: the other account is in the way
  EXPECT_TRUE(b.contended());
  EXPECT_FALSE(a.Reserve(40));  // 70 + 40 passes 100 whoever else holds what
  EXPECT_FALSE(a.contended());
}

TEST(MemoryAccountTest, TrackChargesAndReleasesTheDifference) {
  MemoryBudget budget(100);
  MemoryAccount a(budget);
  size_t slot = 0;
  EXPECT_TRUE(a.Track(slot, 30));
  EXPECT_TRUE(a.Track(slot, 50));
  EXPECT_EQ(budget.used(), 50u);
  EXPECT_FALSE(a.Track(slot, 101));
  EXPECT_EQ(slot, 50u);
  EXPECT_TRUE(a.Track(slot, 10));
  EXPECT_EQ(budget.used(), 10u);
}

TEST(MemoryBudgetTest, DefaultIsAFractionOfPhysicalMemory) {
  const size_t d = DefaultMemoryBudget();
  EXPECT_GT(d, size_t{64} << 20);
  EXPECT_LT(d, kNoMemoryLimit);
  EXPECT_EQ(CheckOptions().memory_budget, d);
}

}  // namespace
}  // namespace fenceline::internal
