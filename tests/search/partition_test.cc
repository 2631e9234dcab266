#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checker/search/partition.h"
#include "testing/matchers.h"

namespace fenceline::internal {
namespace {

TEST(PartitionTest, GroupsByKeyInKeyOrder) {
  HistoryBuilder b;
  for (const char* k : {"z", "a", "m", "a"}) {
    b.Invoke(0, "get", Value::Vector({Value::String(k), Value()})).Ok(0);
  }
  ASSERT_OK_AND_ASSIGN(History h, b.Build());
  auto model = MakeModel("kv");
  ASSERT_TRUE(model.ok());
  ASSERT_OK_AND_ASSIGN(std::vector<Partition> parts, PartitionHistory(h, **model));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].key, Value::String("a"));
  EXPECT_EQ(parts[0].ops.size(), 2u);
  EXPECT_EQ(parts[2].key, Value::String("z"));
}

TEST(PartitionTest, KvWithoutKeyIsAnErrorNamingTheLine) {
  ASSERT_OK_AND_ASSIGN(History h, HistoryBuilder("f.jsonl").Invoke(0, "get").Ok(0).Build());
  auto model = MakeModel("kv");
  ASSERT_TRUE(model.ok());
  EXPECT_THAT(PartitionHistory(h, **model),
              testing::StatusIs(StatusCode::kUnsupported,
                                ::testing::HasSubstr("f.jsonl:2:1: kv: expected a key")));
}

// String keys are sorted by an 8-byte prefix first: keys that share it, that end inside it, that
// hold NUL or bytes past 0x7f (which compare unsigned), given as explicit keys and as tuples,
// with an int key among them or not, must still come out in Value order, each with exactly
// its own operations.
TEST(PartitionTest, StringKeysComeOutInValueOrder) {
  std::mt19937_64 rng(11);
  const std::vector<std::string> pieces = {"k", "key00000", "key0000", std::string("a\0b", 3),
                                           "\xff", "\x80z", "", "ke", "z"};
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::vector<Operation> ops(1 + rng() % 60);
    std::vector<Value> key_of;
    for (size_t i = 0; i < ops.size(); ++i) {
      std::string k;
      for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) k += pieces[rng() % pieces.size()];
      Value key = round % 10 == 0 && rng() % 8 == 0 ? Value::Int(static_cast<int64_t>(rng() % 3))
                                                    : Value::String(k);
      ops[i].index = static_cast<OpIndex>(i);
      ops[i].f = "get";
      if (rng() % 2 == 0) {
        ops[i].key = key;
      } else {
        ops[i].input = Value::Vector({key, Value()});
      }
      key_of.push_back(key);
    }
    History h;
    h.ops = ops;
    auto model = MakeModel("kv");
    ASSERT_TRUE(model.ok());
    ASSERT_OK_AND_ASSIGN(std::vector<Partition> parts, PartitionHistory(h, **model));
    size_t total = 0;
    for (size_t p = 0; p < parts.size(); ++p) {
      if (p > 0) {
        ASSERT_TRUE(parts[p - 1].key < parts[p].key) << "partition " << p;
      }
      for (const Operation* op : parts[p].ops) {
        ASSERT_EQ(key_of[static_cast<size_t>(op->index)], parts[p].key);
      }
      total += parts[p].ops.size();
    }
    ASSERT_EQ(total, ops.size());
  }
}

}  // namespace
}  // namespace fenceline::internal
