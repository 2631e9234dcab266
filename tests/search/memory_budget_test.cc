// The shared memory account (checker/search/memory_budget.h).
#include "checker/search/memory_budget.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checker/search/explain.h"
#include "checker/search/partition.h"
#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"

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

// `keys` copies of histories/kv/invalid/lost-append.jsonl's violation, one per key: append x
// and append y acknowledged in turn, then a get that returns only "y". Each key's proof is
// that get.
std::string LostAppends(int keys) {
  std::string h;
  for (int k = 0; k < keys; ++k) {
    const std::string key = ",\"key\":\"k" + std::to_string(k) + "\"";
    for (const char* e : {"{\"process\":0,\"type\":\"invoke\",\"f\":\"append\"",
                          "{\"process\":0,\"type\":\"ok\",\"f\":\"append\""}) {
      h += e + key + ",\"value\":\"x\"}\n";
    }
    for (const char* e : {"{\"process\":1,\"type\":\"invoke\",\"f\":\"append\"",
                          "{\"process\":1,\"type\":\"ok\",\"f\":\"append\""}) {
      h += e + key + ",\"value\":\"y\"}\n";
    }
    h += "{\"process\":2,\"type\":\"invoke\",\"f\":\"get\"" + key + ",\"value\":null}\n";
    h += "{\"process\":2,\"type\":\"ok\",\"f\":\"get\"" + key + ",\"value\":\"y\"}\n";
  }
  return h;
}

// Every partition's proof length, in key order; -1 for a partition that is not a violation.
std::vector<int> ProofSizes(const History& h, size_t budget, int threads) {
  auto model = MakeModel("kv");
  EXPECT_TRUE(model.ok());
  CheckOptions options;
  options.memory_budget = budget;
  options.threads = threads;
  StatusOr<CheckResult> r = CheckLinearizability(h, **model, options);
  EXPECT_TRUE(r.ok());
  std::vector<int> sizes;
  for (const PartitionResult& p : r->partitions) {
    sizes.push_back(p.counterexample ? static_cast<int>(p.counterexample->proof.size()) : -1);
  }
  return sizes;
}

TEST(MemoryBudgetTest, ProofSearchesArePaidFromTheRunsBudget) {
  StatusOr<History> h = ParseHistoryText(LostAppends(1), "lost.jsonl");
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(ProofSizes(*h, kNoMemoryLimit, 1), std::vector<int>{1});
  // 1 MiB holds the search (its memo starts at 0.5 MiB) but not the proof's 2 MiB pool: the
  // violation stands, without a proof.
  EXPECT_EQ(ProofSizes(*h, size_t{1} << 20, 1), std::vector<int>{0});
  EXPECT_EQ(ProofSizes(*h, size_t{3} << 20, 1), std::vector<int>{1});
}

// LostAppends(1)'s one partition, compiled for kv, for the tests that call the explainer
// directly. Not movable: the partition points into the history.
struct OneLostAppend {
  StatusOr<History> h = ParseHistoryText(LostAppends(1), "lost.jsonl");
  StatusOr<std::unique_ptr<Model>> model = MakeModel("kv");
  std::vector<const Operation*> ops;
  std::unique_ptr<PartitionSpec> spec;
};
void Load(OneLostAppend& c) {
  ASSERT_TRUE(c.h.ok()) << c.h.status().message();
  ASSERT_TRUE(c.model.ok());
  StatusOr<std::vector<Partition>> parts = PartitionHistory(*c.h, **c.model);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  c.ops = parts->front().ops;
  StatusOr<std::unique_ptr<PartitionSpec>> spec = (*c.model)->Compile(c.ops, c.h->source);
  ASSERT_TRUE(spec.ok());
  c.spec = std::move(*spec);
}

TEST(MemoryBudgetTest, AProofRefusedBecauseOfAnotherAccountSaysSo) {
  OneLostAppend c;
  ASSERT_NO_FATAL_FAILURE(Load(c));
  const Model& model = **c.model;
  const std::vector<const Operation*>& ops = c.ops;
  PartitionSpec& spec = *c.spec;
  const std::string& source = c.h->source;

  MemoryBudget budget(size_t{3} << 20);
  MemoryAccount other(budget), account(budget);
  ASSERT_TRUE(other.Reserve(size_t{2} << 20));  // another partition's proof pool
  SearchLimits limits;
  limits.memory = &account;
  PartitionResult r = SearchPartition(spec, ops, limits);
  ASSERT_EQ(r.verdict, Verdict::kNotLinearizable) << r.reason;
  const OpIndex u = r.counterexample->unlinearizable.front();
  const size_t held = account.held();
  EXPECT_TRUE(ExplainViolation(model, ops, source, spec, u, limits).empty());
  EXPECT_TRUE(account.contended());  // the caller searches the partition again alone
  other.Release(size_t{2} << 20);
  EXPECT_EQ(ExplainViolation(model, ops, source, spec, u, limits).size(), 1u);
  EXPECT_EQ(account.held(), held);  // the pool was given back
  EXPECT_EQ(budget.used(), held);
}

TEST(MemoryBudgetTest, ProofsRefusedBecauseOfOtherPartitionsAreFoundAlone) {
  // 3 MiB holds one proof's pool at a time: on several threads, proofs refused because another
  // partition's pool was held are searched again alone, so every key keeps its proof. (Whether
  // two proofs overlap depends on scheduling: with 200 keys they usually do.)
  StatusOr<History> h = ParseHistoryText(LostAppends(200), "lost.jsonl");
  ASSERT_TRUE(h.ok()) << h.status().message();
  const std::vector<int> all(200, 1);
  for (int threads : {1, 2}) {
    EXPECT_EQ(ProofSizes(*h, size_t{3} << 20, threads), all) << threads << " threads";
  }
}

// Past the deadline the proof is empty whatever the deadline is called (the explainer once
// recognised a timed-out search by the word "time" in its reason, so under --deadline alone
// it reported a proof half-minimised, as far as the machine's speed let it get).
TEST(ExplainDeadlineTest, PastAnyDeadlineTheProofIsEmpty) {
  OneLostAppend c;
  ASSERT_NO_FATAL_FAILURE(Load(c));
  const Model& model = **c.model;
  const std::vector<const Operation*>& ops = c.ops;
  PartitionSpec& spec = *c.spec;
  const std::string& source = c.h->source;
  SearchLimits limits;
  PartitionResult r = SearchPartition(spec, ops, limits);
  ASSERT_EQ(r.verdict, Verdict::kNotLinearizable) << r.reason;
  const OpIndex u = r.counterexample->unlinearizable.front();
  ASSERT_EQ(ExplainViolation(model, ops, source, spec, u, limits).size(), 1u);
  for (std::string_view cause : {"time limit of 1 s", "deadline of the whole run"}) {
    limits.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
    limits.deadline_cause = cause;
    EXPECT_TRUE(ExplainViolation(model, ops, source, spec, u, limits).empty()) << cause;
  }
}

}  // namespace
}  // namespace fenceline::internal
