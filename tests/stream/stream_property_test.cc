// Streamed and whole-file checks agree on thousands of seeded random histories (register,
// cas-register, kv, mutex, multi-register; info operations, crashed processes, failures, nil reads; every failure and
// nil-read convention), cut as often as the history allows; and on the small ones both agree
// with the brute-force oracle.
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"
#include "fenceline/stream.h"
#include "stream/stream_testing.h"
#include "testing/oracle.h"
#include "testing/random_history.h"

namespace fenceline {
namespace {

using ::fenceline::testing::Disagreement;
using ::fenceline::testing::RandomHistory;
using ::fenceline::testing::RandomHistoryOptions;
using ::fenceline::testing::StreamJsonLines;
using ::fenceline::testing::ToJsonLines;

struct Tally {
  int runs = 0, violations = 0, with_cuts = 0, with_info = 0;
  uint64_t cuts = 0;
};

struct Shape {
  int max_ops = 10;
  bool well_behaved = false;  // consistent, little overlap, few info: long runs of cuts
  bool lock_models = false;   // mutex and multi-register instead of the register models
};

Value KeywordsAsStrings(const Value& v) {
  if (v.is_keyword()) return Value::String(v.text());
  if (!v.is_sequential()) return v;
  std::vector<Value> items;
  for (const Value& x : v.items()) items.push_back(KeywordsAsStrings(x));
  return Value::Vector(std::move(items));
}

void CheckOne(uint64_t seed, const Shape& shape, Tally& tally) {
  const int max_ops = shape.max_ops;
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  RandomHistoryOptions g;
  const char* models[] = {"register", "cas-register", "kv"};
  const char* lock_models[] = {"mutex", "multi-register"};
  g.model = shape.lock_models ? lock_models[pick(2)] : models[pick(3)];
  g.seed = seed;
  g.processes = 2 + pick(4);
  g.ops = 2 + pick(max_ops - 1);
  g.values = 2 + pick(3);
  g.keys = g.model == "kv" ? 1 + pick(3) : 1;
  const double info_rates[] = {0.0, 0.1, 0.3};
  g.info_rate = info_rates[pick(3)];
  g.fail_rate = pick(3) == 0 ? 0.15 : 0.0;
  g.consistent = pick(3) != 0;
  g.max_overlap = 1 + pick(4);
  if (shape.well_behaved) {
    g.consistent = true;
    g.max_overlap = 1;
    g.ops = max_ops / 2 + pick(max_ops / 2);
    g.info_rate = info_rates[1 + pick(2)] / 2;
  }
  g.delimited = g.model == "kv" && pick(2) == 0;
  g.nil_read_rate = pick(4) == 0 ? 0.2 : 0.0;
  g.nil_write_rate = g.model != "kv" && pick(4) == 0 ? 0.2 : 0.0;
  ModelOptions mo;
  mo.fail_observes = pick(2) == 0;
  const NilReads nil_modes[] = {NilReads::kAuto, NilReads::kUnknown, NilReads::kValue};
  mo.nil_reads = nil_modes[pick(3)];
  const size_t min_segments[] = {1, 1, 2, 5};

  SCOPED_TRACE("seed " + std::to_string(seed) + " model " + g.model + " ops " +
               std::to_string(g.ops) + " fail_observes " + std::to_string(mo.fail_observes) +
               " nil_reads " + std::to_string(static_cast<int>(mo.nil_reads)));
  History generated = RandomHistory(g);
  for (Operation& op : generated.ops) {
    // JSON has no keywords: multi-register's micro-ops and keys are written as strings, which
    // the model reads as the same registers.
    op.input = KeywordsAsStrings(op.input);
    op.output = KeywordsAsStrings(op.output);
  }
  const std::string jsonl = ToJsonLines(generated);
  SCOPED_TRACE(jsonl);
  StatusOr<History> h = ParseHistoryText(jsonl, "<jsonl>");
  ASSERT_TRUE(h.ok()) << h.status().message();
  StatusOr<std::unique_ptr<Model>> model = MakeModel(g.model, mo);
  ASSERT_TRUE(model.ok());
  CheckOptions co;
  co.threads = 1;
  co.explain = false;
  StatusOr<CheckResult> whole = CheckLinearizability(*h, **model, co);
  ASSERT_TRUE(whole.ok()) << whole.status().message();

  StreamOptions so;
  so.model = mo;
  so.min_segment_ops = min_segments[pick(4)];
  StreamStats stats;
  StatusOr<CheckResult> streamed = StreamJsonLines(jsonl, g.model, so, &stats);
  ASSERT_TRUE(streamed.ok()) << streamed.status().message();
  EXPECT_EQ(Disagreement(*whole, *streamed), "");

  ++tally.runs;
  tally.cuts += stats.cuts;
  tally.with_cuts += stats.cuts > static_cast<uint64_t>(whole->partitions.size()) ? 1 : 0;
  tally.violations += whole->verdict == Verdict::kNotLinearizable ? 1 : 0;
  for (const Operation& op : h->ops) {
    if (op.outcome == Outcome::kInfo && op.f != "read" && op.f != "get") {
      ++tally.with_info;
      break;
    }
  }
  // Small single-partition histories: the oracle, which knows nothing of either search.
  if (h->ops.size() <= 8 && g.keys == 1) {
    testing::OracleOptions oo;
    oo.fail_observes = mo.fail_observes;
    oo.nil_reads = mo.nil_reads;
    const bool oracle = testing::OracleLinearizable(*h, g.model, oo);
    EXPECT_EQ(oracle, streamed->verdict == Verdict::kLinearizable);
  }
}

TEST(StreamPropertyTest, SmallHistoriesAgreeWithWholeFileAndOracle) {
  Tally tally;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    CheckOne(seed, Shape{10, false}, tally);
    if (::testing::Test::HasFailure()) break;
  }
  RecordProperty("runs", tally.runs);
  std::printf("runs %d violations %d with_cuts %d with_info %d cuts %lu\n", tally.runs,
              tally.violations, tally.with_cuts, tally.with_info,
              static_cast<unsigned long>(tally.cuts));
  // The generator must produce the shapes that matter, or the agreement proves little.
  EXPECT_GT(tally.violations, tally.runs / 10);
  EXPECT_GT(tally.with_cuts, tally.runs / 4);
  EXPECT_GT(tally.with_info, tally.runs / 4);
}

TEST(StreamPropertyTest, LongerHistoriesAgreeWithWholeFile) {
  Tally tally;
  for (uint64_t seed = 100001; seed <= 101000; ++seed) {
    CheckOne(seed, Shape{80, false}, tally);
    if (::testing::Test::HasFailure()) break;
  }
  std::printf("runs %d violations %d with_cuts %d with_info %d cuts %lu\n", tally.runs,
              tally.violations, tally.with_cuts, tally.with_info,
              static_cast<unsigned long>(tally.cuts));
  EXPECT_GT(tally.violations, tally.runs / 10);
  EXPECT_GT(tally.with_cuts, tally.runs / 3);
  EXPECT_GT(tally.with_info, tally.runs / 4);
}

TEST(StreamPropertyTest, LongWellBehavedHistoriesCarryInfoAcrossManyCuts) {
  Tally tally;
  for (uint64_t seed = 200001; seed <= 200300; ++seed) {
    CheckOne(seed, Shape{300, true}, tally);
    if (::testing::Test::HasFailure()) break;
  }
  std::printf("runs %d violations %d with_cuts %d with_info %d cuts %lu\n", tally.runs,
              tally.violations, tally.with_cuts, tally.with_info,
              static_cast<unsigned long>(tally.cuts));
  EXPECT_GT(tally.with_info, tally.runs / 2);
  EXPECT_GT(tally.cuts, static_cast<uint64_t>(5 * tally.runs));
}

TEST(StreamPropertyTest, MutexAndMultiRegisterAgreeWithWholeFileAndOracle) {
  for (const Shape& shape : {Shape{10, false, true}, Shape{60, false, true}, Shape{200, true, true}}) {
    Tally tally;
    const uint64_t first = 300001 + 100000 * static_cast<uint64_t>(shape.max_ops);
    const uint64_t runs = shape.max_ops == 10 ? 2000 : 300;
    for (uint64_t seed = first; seed < first + runs; ++seed) {
      CheckOne(seed, shape, tally);
      if (::testing::Test::HasFailure()) return;
    }
    std::printf("max_ops %d: runs %d violations %d with_cuts %d with_info %d cuts %lu\n",
                shape.max_ops, tally.runs, tally.violations, tally.with_cuts, tally.with_info,
                static_cast<unsigned long>(tally.cuts));
    if (!shape.well_behaved) {
      EXPECT_GT(tally.violations, tally.runs / 10);
    }
    EXPECT_GT(tally.with_cuts, tally.runs / 4);
    EXPECT_GT(tally.with_info, tally.runs / 4);
  }
}

std::string Json(const Value& v) {
  if (v.is_nil()) return "null";
  if (v.is_string()) return "\"" + v.text() + "\"";
  if (v.is_sequential()) {
    std::string out = "[";
    for (size_t i = 0; i < v.items().size(); ++i) out += (i ? "," : "") + Json(v.items()[i]);
    return out + "]";
  }
  return v.ToEdn();
}

// Jepsen's independent shape: three cas-register histories on keys 0, 1, 2, their events
// interleaved by time, each value wrapped in a [key value] tuple, processes kept apart.
std::string IndependentJsonLines(uint64_t seed, int& ops) {
  struct Line {
    Nanos t;
    int order;
    std::string text;
  };
  std::vector<Line> lines;
  ops = 0;
  for (int k = 0; k < 3; ++k) {
    RandomHistoryOptions g;
    g.model = "cas-register";
    g.seed = seed * 3 + static_cast<uint64_t>(k);
    g.ops = 4 + static_cast<int>(seed % 17);
    g.processes = 2 + static_cast<int>(seed % 3);
    g.info_rate = seed % 2 ? 0.15 : 0.0;
    g.fail_rate = seed % 5 == 0 ? 0.2 : 0.0;
    g.consistent = seed % 4 != 0;
    g.max_overlap = 1 + static_cast<int>(seed % 2);
    const History h = RandomHistory(g);
    ops += static_cast<int>(h.ops.size());
    for (const Operation& op : h.ops) {
      const std::string process = std::to_string(
          100 * k + std::stoi(h.process_names[static_cast<size_t>(op.process)]));
      const std::string head = "{\"process\":" + process + ",\"f\":\"" + op.f + "\",";
      const std::string key = std::to_string(k);
      lines.push_back({op.call, 0,
                       head + "\"type\":\"invoke\",\"value\":[" + key + "," + Json(op.input) +
                           "],\"time\":" + std::to_string(op.call) + "}"});
      if (op.complete_pos.line == 0) continue;
      const Nanos t = op.complete_time.value_or(op.call);
      const Value& out = op.output.is_nil() ? op.input : op.output;
      lines.push_back({t, 1,
                       head + "\"type\":\"" + std::string(OutcomeName(op.outcome)) +
                           "\",\"value\":[" + key + "," + Json(out) + "],\"time\":" +
                           std::to_string(t) + "}"});
    }
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    return a.t != b.t ? a.t < b.t : a.order < b.order;
  });
  std::string text;
  for (const Line& l : lines) text += l.text + "\n";
  return text;
}

TEST(StreamPropertyTest, IndependentTuplesAgreeWithWholeFile) {
  int runs = 0, violations = 0;
  uint64_t cuts = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    int ops = 0;
    const std::string jsonl = IndependentJsonLines(seed, ops);
    SCOPED_TRACE("seed " + std::to_string(seed) + "\n" + jsonl);
    StatusOr<History> h = ParseHistoryText(jsonl, "<jsonl>");
    ASSERT_TRUE(h.ok()) << h.status().message();
    ASSERT_TRUE(SplitIndependentKeys(*h).ok());
    StatusOr<std::unique_ptr<Model>> model = MakeModel("cas-register");
    ASSERT_TRUE(model.ok());
    CheckOptions co;
    co.threads = 1;
    co.explain = false;
    StatusOr<CheckResult> whole = CheckLinearizability(*h, **model, co);
    ASSERT_TRUE(whole.ok());
    ASSERT_EQ(whole->partitions.size(), 3u);
    StreamOptions so;
    so.independent = true;
    so.min_segment_ops = 1;
    StreamStats stats;
    StatusOr<CheckResult> streamed = StreamJsonLines(jsonl, "cas-register", so, &stats);
    ASSERT_TRUE(streamed.ok()) << streamed.status().message();
    EXPECT_EQ(Disagreement(*whole, *streamed), "");
    ++runs;
    cuts += stats.cuts;
    violations += whole->verdict == Verdict::kNotLinearizable;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(violations, runs / 10);
  EXPECT_GT(cuts, static_cast<uint64_t>(3 * runs));
}

}  // namespace
}  // namespace fenceline
