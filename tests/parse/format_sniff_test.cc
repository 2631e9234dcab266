// Tests of format detection (checker/parse/format_sniff.cc): what each format starts with, what
// is refused, and that comments are understood only where a format has them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/formats.h"
#include "fenceline/parse.h"

namespace fenceline::internal {
namespace {

using ::testing::HasSubstr;

TEST(FormatSniffTest, TheFirstMeaningfulBytesDecide) {
  EXPECT_EQ(SniffFormat("{\"process\":0}"), InputFormat::kJsonLines);
  EXPECT_EQ(SniffFormat("\n\n  { \"process\":0}"), InputFormat::kJsonLines);
  EXPECT_EQ(SniffFormat("{}"), InputFormat::kJsonLines);
  EXPECT_EQ(SniffFormat("{:process 0}"), InputFormat::kEdn);
  EXPECT_EQ(SniffFormat("[0 :invoke :read nil]"), InputFormat::kEdn);
  EXPECT_EQ(SniffFormat("(0 :invoke :read nil)"), InputFormat::kEdn);
  EXPECT_EQ(SniffFormat("#jepsen.history.Op{:process 0}"), InputFormat::kEdn);
  EXPECT_EQ(SniffFormat("INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]"), InputFormat::kJepsenLog);
  EXPECT_EQ(SniffFormat("0\t:invoke\t:read\tnil"), InputFormat::kJepsenLog);
}

TEST(FormatSniffTest, AByteOrderMarkIsIgnored) {
  EXPECT_EQ(SniffFormat("\xEF\xBB\xBF{\"process\":0}"), InputFormat::kJsonLines);
  EXPECT_EQ(SniffFormat("\xEF\xBB\xBF{:process 0}"), InputFormat::kEdn);
}

TEST(FormatSniffTest, SemicolonCommentsAreEdnOnly) {
  EXPECT_EQ(SniffFormat("; a comment\n{:process 0}"), InputFormat::kEdn);
  SniffResult r = Sniff("; a comment\n{\"process\":0}");
  EXPECT_EQ(r.format, InputFormat::kAuto);
  EXPECT_THAT(r.refusal, HasSubstr("JSON Lines has no comments"));
  EXPECT_EQ(r.at, 12u);
}

TEST(FormatSniffTest, SlashCommentsBelongToNoFormat) {
  for (const char* text : {"// recorded by x\n{\"process\":0}", "/* x */ {\"process\":0}"}) {
    SniffResult r = Sniff(text);
    EXPECT_EQ(r.format, InputFormat::kAuto) << text;
    EXPECT_THAT(r.refusal, HasSubstr("which no input format has")) << text;
    EXPECT_EQ(r.at, 0u);
  }
}

TEST(FormatSniffTest, ControlCharactersAndJsonArraysAreRefused) {
  SniffResult r = Sniff("\n\x01\x02garbage");
  EXPECT_EQ(r.format, InputFormat::kAuto);
  EXPECT_THAT(r.refusal, HasSubstr("control character (byte 0x01)"));
  EXPECT_EQ(r.at, 1u);
  r = Sniff("[{\"process\":0,\"type\":\"invoke\"}]");
  EXPECT_EQ(r.format, InputFormat::kAuto);
  EXPECT_THAT(r.refusal, HasSubstr("a JSON array of objects"));
  // An EDN vector of op maps is not a JSON array.
  EXPECT_EQ(SniffFormat("[{:process 0}]"), InputFormat::kEdn);
}

TEST(FormatSniffTest, BlankAndCommentOnlyTextIsEmpty) {
  for (const char* text : {"", "\n \t\n", "; only\n; comments\n", "\xEF\xBB\xBF\n"}) {
    SniffResult r = Sniff(text);
    EXPECT_TRUE(r.empty) << text;
    EXPECT_EQ(r.format, InputFormat::kAuto) << text;
    EXPECT_EQ(r.refusal, "") << text;
  }
}

}  // namespace
}  // namespace fenceline::internal
