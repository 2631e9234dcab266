// Value's contract: its order and hash are part of every report (partitions come out in key
// order, memo tables hash states), so they must not change when the representation does. The
// hashes below were printed by the 80-byte Value that kept a std::string and a std::vector
// inline; the compact, shared representation must reproduce them bit for bit.
#include "fenceline/value.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fenceline {
namespace {

std::vector<Value> Samples() {
  return {Value(), Value::Bool(false), Value::Bool(true), Value::Int(0), Value::Int(-7),
          Value::Int(INT64_MAX), Value::BigInt("123456789012345678901"), Value::Float(0.5),
          Value::Float(-0.0), Value::Ratio("22/7"), Value::String(""), Value::String("a37;"),
          Value::String("a string longer than fifteen characters"), Value::Keyword("ok"),
          Value::Symbol("x"), Value::Char(U'\u03bb'),
          Value::List({Value::Int(1), Value::String("b")}), Value::Vector({}),
          Value::Vector({Value::Int(1), Value::Vector({Value::Keyword("k")})}),
          Value::Set({Value::Int(3)}), Value::Map({Value::Keyword("a"), Value::Int(1)}),
          Value::Tagged("inst", Value::String("2026-01-01"))};
}

TEST(ValueTest, HashesAreTheOnesReportsWereBuiltWith) {
  const std::vector<uint64_t> expected = {
      0x0000000000000000ULL,  // nil
      0x9e37b8f97f4ae8f2ULL,  // false
      0x9d8968d16ca077bdULL,  // true
      0x9e37f8397f4b5508ULL,  // 0
      0xa2fc295201f47fb5ULL,  // -7
      0x1ee6486191f5cac7ULL,  // 9223372036854775807
      0x5274ff651a615330ULL,  // 123456789012345678901N
      0xde187eb97f4c3604ULL,  // 0.5
      0x1e387eb97f4c3604ULL,  // -0.0
      0x1d978f1a65bd2d22ULL,  // 22/7
      0xb29e0ce9f2ea0496ULL,  // ""
      0xc53be8f2eaee3f58ULL,  // "a37;"
      0x807406ffc3cc77adULL,  // "a string longer than fifteen characters"
      0x3a07887a45c6190eULL,  // :ok
      0xe2f7178df31ba564ULL,  // x
      0x13f4bf7bdd729c2dULL,  // \u03bb
      0xf5c4822d138b839dULL,  // (1 "b")
      0xb29f4729f2ec2235ULL,  // []
      0xf532145fcc56e30dULL,  // [1 [:k]]
      0xbc7300780c989aa8ULL,  // #{3}
      0xacb5dcf5bbcac0acULL,  // {:a 1}
      0x9789cc25f9ee952aULL,  // #inst "2026-01-01"
  };
  const std::vector<Value> samples = Samples();
  ASSERT_EQ(samples.size(), expected.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(samples[i].Hash(), expected[i]) << samples[i].ToEdn();
  }
}

TEST(ValueTest, OrderIsKindFirstThenContent) {
  std::vector<Value> v = Samples();
  std::reverse(v.begin(), v.end());
  std::sort(v.begin(), v.end());
  std::vector<std::string> edn;
  for (const Value& x : v) edn.push_back(x.ToEdn());
  EXPECT_EQ(edn, (std::vector<std::string>{
                     "nil", "false", "true", "-7", "0", "9223372036854775807",
                     "123456789012345678901N", "-0.0", "0.5", "22/7", "\"\"",
                     "\"a string longer than fifteen characters\"", "\"a37;\"", ":ok", "x",
                     "\\u03bb", "(1 \"b\")", "[]", "[1 [:k]]", "#{3}", "{:a 1}",
                     "#inst \"2026-01-01\""}));
  // Content: text before items, items lexicographically, a prefix first.
  EXPECT_LT(Value::Vector({Value::Int(1)}), Value::Vector({Value::Int(1), Value::Int(0)}));
  EXPECT_LT(Value::Vector({Value::Int(1), Value::Int(9)}), Value::Vector({Value::Int(2)}));
  EXPECT_LT(Value::String("ab"), Value::String("b"));
  EXPECT_LT(Value::Tagged("a", Value::Int(9)), Value::Tagged("b", Value::Int(0)));
  EXPECT_LT(Value::Tagged("a", Value::Int(0)), Value::Tagged("a", Value::Int(1)));
  EXPECT_FALSE(Value::Int(1) < Value::Int(1));
}

TEST(ValueTest, EqualityFollowsContentNotSharing) {
  const std::vector<Value> a = Samples(), b = Samples();
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) {
      EXPECT_EQ(a[i] == b[j], i == j) << a[i].ToEdn() << " vs " << b[j].ToEdn();
      EXPECT_EQ(a[i] < b[j], i != j && !(b[j] < a[i])) << a[i].ToEdn() << " vs " << b[j].ToEdn();
    }
    const Value copy = a[i];
    EXPECT_EQ(copy, a[i]);
    EXPECT_EQ(copy.Hash(), a[i].Hash());
  }
  EXPECT_NE(Value::String("ok"), Value::Keyword("ok"));
  EXPECT_NE(Value::Vector({}), Value::List({}));
  EXPECT_NE(Value::Int(1), Value::Float(1.0));
}

TEST(ValueTest, AccessorsOfOtherKindsAreZeroOrEmpty) {
  for (const Value& v : Samples()) {
    const ValueKind k = v.kind();
    const bool int_like = k == ValueKind::kBool || k == ValueKind::kInt || k == ValueKind::kChar;
    if (!int_like) {
      EXPECT_EQ(v.int_value(), 0) << v.ToEdn();
    }
    if (!int_like) {
      EXPECT_FALSE(v.bool_value()) << v.ToEdn();
    }
    if (k != ValueKind::kFloat) {
      EXPECT_EQ(v.float_value(), 0.0) << v.ToEdn();
    }
    const bool has_text = k == ValueKind::kBigInt || k == ValueKind::kRatio ||
                          k == ValueKind::kString || k == ValueKind::kKeyword ||
                          k == ValueKind::kSymbol || k == ValueKind::kTagged;
    if (!has_text) {
      EXPECT_EQ(v.text(), "") << v.ToEdn();
    }
    const bool has_items = k == ValueKind::kList || k == ValueKind::kVector ||
                           k == ValueKind::kSet || k == ValueKind::kMap ||
                           k == ValueKind::kTagged;
    if (!has_items) {
      EXPECT_TRUE(v.items().empty()) << v.ToEdn();
    }
  }
  EXPECT_EQ(Value::Int(-7).int_value(), -7);
  EXPECT_EQ(Value::Float(0.5).float_value(), 0.5);
  EXPECT_EQ(Value::Char(U'x').int_value(), 'x');
  EXPECT_EQ(Value::Keyword("jepsen/nemesis").text(), "jepsen/nemesis");
  EXPECT_EQ(Value::Tagged("inst", Value::Int(3)).items().at(0), Value::Int(3));
}

TEST(ValueTest, CopiesAreIndependentUnderMutation) {
  Value a = Value::Vector({Value::Int(1), Value::String("x")});
  Value b = a;
  b.mutable_items()[0] = Value::Int(2);
  b.mutable_items().push_back(Value::Nil());
  EXPECT_EQ(a.ToEdn(), "[1 \"x\"]");
  EXPECT_EQ(b.ToEdn(), "[2 \"x\" nil]");
  // Building up an empty collection in place.
  Value m = Value::Map({});
  Value m2 = m;
  m.mutable_items().push_back(Value::Keyword("a"));
  m.mutable_items().push_back(Value::Int(1));
  EXPECT_EQ(m.ToEdn(), "{:a 1}");
  EXPECT_EQ(m2.ToEdn(), "{}");
  ASSERT_NE(m.Find("a"), nullptr);
  EXPECT_EQ(*m.Find("a"), Value::Int(1));
}

TEST(ValueTest, SelfAssignmentKeepsTheValue) {
  Value a = Value::String("a longer string than the small-string buffer holds");
  Value b = std::move(a);
  EXPECT_EQ(b.text(), "a longer string than the small-string buffer holds");
  const Value& alias = b;
  b = alias;
  EXPECT_EQ(b.text(), "a longer string than the small-string buffer holds");
  Value c = Value::Vector({b, b});
  c = c.items()[0];  // assigning a part of itself
  EXPECT_EQ(c, alias);
}

}  // namespace
}  // namespace fenceline
