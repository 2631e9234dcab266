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

}  // namespace
}  // namespace fenceline::internal
