// Hostile input through the public entry points (ParseHistoryText, ParseValueText): every
// class of bad input is a specific error at its file:line:col, never a history, a crash or a
// silently shortened parse. The CLI side is tests/cli/hostile_input_cli_test.cc.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/parse.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::fenceline::testing::IsOk;
using ::fenceline::testing::StatusIs;
using ::testing::HasSubstr;

constexpr const char* kInvoke = "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}";

StatusOr<History> Parse(std::string_view text, InputFormat format = InputFormat::kAuto,
                        bool allow_empty = false) {
  ParseOptions options;
  options.format = format;
  options.allow_empty = allow_empty;
  return ParseHistoryText(text, "h", options);
}

std::string Nested(char open, char close, int depth, const std::string& inner) {
  return std::string(static_cast<size_t>(depth), open) + inner +
         std::string(static_cast<size_t>(depth), close);
}

TEST(HostileInputTest, ByteOrderMarkIsSkippedAndColumnsStayTrue) {
  ASSERT_OK_AND_ASSIGN(History h, Parse(std::string("\xEF\xBB\xBF") + kInvoke + "\n"));
  EXPECT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].invoke_pos.column, 4u);  // after the mark's three bytes
  EXPECT_THAT(Parse("\xEF\xBB\xBF{\"process\":0,\"type\":\"nope\",\"f\":\"read\"}\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("h:1:17: expected \"invoke\"")));
}

TEST(HostileInputTest, SlashCommentLineIsRefusedWithItsPosition) {
  EXPECT_THAT(Parse(std::string("\n// recorded by tool x\n") + kInvoke + "\n"),
              StatusIs(StatusCode::kParseError,
                       HasSubstr("h:2:1: not a known history format: a '//' comment")));
}

TEST(HostileInputTest, BinaryAndNulBytesAreErrorsEvenWhenForced) {
  for (InputFormat f : {InputFormat::kAuto, InputFormat::kJsonLines, InputFormat::kEdn,
                        InputFormat::kJepsenLog}) {
    SCOPED_TRACE(std::string(InputFormatName(f)));
    EXPECT_THAT(Parse(std::string(kInvoke) + "\n\x7f" "ELF\x02\x01\x01\xff\xfe\n", f),
                StatusIs(StatusCode::kParseError, HasSubstr("h:2:8: invalid UTF-8 (byte 0xff)")));
    // Once, anything after a NUL in a JSON line was ignored.
    EXPECT_THAT(Parse(std::string(kInvoke, 20) + '\0' + (kInvoke + 20) + "\n", f),
                StatusIs(StatusCode::kParseError, HasSubstr("h:1:21: NUL byte")));
  }
}

TEST(HostileInputTest, ControlCharacterStartIsRefused) {
  EXPECT_THAT(Parse("\x01\x02\x03 stuff\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("h:1:1: not a known history format: "
                                                          "a control character (byte 0x01)")));
}

TEST(HostileInputTest, DeepJsonNestingIsAnErrorNotAStackOverflow) {
  const std::string deep = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":" +
                           Nested('[', ']', 100000, "1") + "}\n";
  EXPECT_THAT(Parse(deep), StatusIs(StatusCode::kParseError,
                                    HasSubstr("h:1:561: expected nesting at most 512 levels deep")));
  // Objects count as levels too, and 512 levels are fine.
  std::string objects;
  for (int i = 0; i < 40000; ++i) objects += "{\"a\":";
  EXPECT_THAT(Parse("{\"process\":0,\"type\":\"invoke\",\"f\":\"w\",\"value\":" + objects),
              StatusIs(StatusCode::kParseError, HasSubstr("expected nesting at most 512")));
  EXPECT_THAT(Parse("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":" +
                    Nested('[', ']', 510, "1") + "}\n"),
              IsOk());
}

TEST(HostileInputTest, DeepEdnNestingIsAnErrorNotAStackOverflow) {
  EXPECT_THAT(Parse("{:process 0 :type :invoke :f :write :value " + Nested('[', ']', 100000, "1") + "}\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("expected nesting at most 512")));
  std::string tags;
  for (int i = 0; i < 100000; ++i) tags += "#t ";
  EXPECT_THAT(Parse("{:process 0 :type :invoke :f :write :value " + tags + "1}\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("expected nesting at most 512")));
  std::string discards;
  for (int i = 0; i < 100000; ++i) discards += "#_ ";
  EXPECT_THAT(Parse("{:process 0 :type :invoke :f :write :value " + discards + "1}\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("expected nesting at most 512")));
  EXPECT_THAT(Parse("0\t:invoke\t:write\t" + Nested('[', ']', 100000, "1") + "\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("expected nesting at most 512")));
}

TEST(HostileInputTest, DeepInitialValueIsAnErrorNotAStackOverflow) {
  EXPECT_THAT(ParseValueText(Nested('[', ']', 100000, "1"), "--initial"),
              StatusIs(StatusCode::kParseError,
                       HasSubstr("--initial:1:513: expected nesting at most 512 levels deep")));
  ASSERT_OK_AND_ASSIGN(Value v, ParseValueText("[[1],{\"a\":2}]", "--initial"));
  EXPECT_EQ(v.ToEdn(), "[[1] {\"a\" 2}]");
  // EDN, as the flag's help says, when the text is not JSON; with the same depth limit.
  ASSERT_OK_AND_ASSIGN(Value edn, ParseValueText("[1 :a #{2}]", "--initial"));
  EXPECT_EQ(edn.ToEdn(), "[1 :a #{2}]");
  EXPECT_THAT(ParseValueText("[1 2] 3", "--initial"),
              StatusIs(StatusCode::kParseError, HasSubstr("--initial:1:7: expected one value")));
  EXPECT_THAT(ParseValueText(std::string(100000, '{'), "--initial"),
              StatusIs(StatusCode::kParseError, HasSubstr("as EDN: --initial:1:513: expected nesting at most 512")));
  EXPECT_THAT(ParseValueText("{\"a\":1,\"a\":2}", "--initial"),
              StatusIs(StatusCode::kParseError, HasSubstr("--initial:1:8: key \"a\" given twice")));
  EXPECT_THAT(ParseValueText(std::string("1\0", 2), "--initial"),
              StatusIs(StatusCode::kParseError, HasSubstr("--initial:1:2: NUL byte")));
}

TEST(HostileInputTest, DuplicateJsonKeysAreErrorsAtTheSecondKey) {
  EXPECT_THAT(Parse("{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"process\":1}\n"),
              StatusIs(StatusCode::kParseError,
                       HasSubstr("h:1:41: key \"process\" given twice in one object")));
  EXPECT_THAT(Parse(std::string(kInvoke) + "\n" +
                    "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":{\"k\":1,\"k\":2}}\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("h:2:52: key \"k\" given twice")));
  // Past the linear scan's size, hashing finds them too.
  std::string wide = "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"";
  for (int i = 0; i < 100; ++i) wide += ",\"x" + std::to_string(i) + "\":" + std::to_string(i);
  EXPECT_THAT(Parse(wide + "}\n"), IsOk());
  EXPECT_THAT(Parse(wide + ",\"x7\":0}\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("key \"x7\" given twice")));
}

TEST(HostileInputTest, UnpairedSurrogateEscapesAreErrorsInEveryFormat) {
  // Half a UTF-16 pair has no UTF-8 form; kept, it would reach the reports as bytes that are
  // not UTF-8 (and two different halves would be shown alike). RapidJSON refuses a lone high
  // half itself and decodes a lone low one: both are refused, in values and in keys.
  const std::string head = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",";
  for (const char* bad : {"\\ud800", "\\udc00", "\\udfff", "x\\udc00y", "\\ud800\\u0041"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(Parse(head + "\"value\":\"" + bad + "\"}\n"),
                StatusIs(StatusCode::kParseError,
                         HasSubstr("invalid JSON: the surrogate pair in string is invalid")));
    EXPECT_THAT(Parse(head + "\"" + bad + "\":1}\n"),
                StatusIs(StatusCode::kParseError, HasSubstr("the surrogate pair in string")));
    EXPECT_THAT(Parse("{:process 0 :type :invoke :f :write :value \"" + std::string(bad) + "\"}\n"),
                StatusIs(StatusCode::kParseError, HasSubstr("unpaired UTF-16 surrogate")));
  }
  EXPECT_THAT(Parse(head + "\"value\":\"\\udc00\"}\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("h:1:50: invalid JSON")));
  EXPECT_THAT(ParseValueText("\"\\udc00\"", "--initial"),
              StatusIs(StatusCode::kParseError, HasSubstr("--initial:1:1: invalid JSON")));
  // A whole pair is one character beyond the BMP.
  ASSERT_OK_AND_ASSIGN(History h, Parse(head + "\"value\":\"\\ud83d\\ude00\\u00e9\"}\n"));
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].input, Value::String("\xF0\x9F\x98\x80\xC3\xA9"));
}

TEST(HostileInputTest, EmptyInputIsAnErrorUnlessAllowed) {
  for (const char* text : {"", "\n\n", "; nothing recorded\n", "\xEF\xBB\xBF"}) {
    EXPECT_THAT(Parse(text), StatusIs(StatusCode::kInvalidHistory,
                                      HasSubstr("h:1:1: no events: the input is empty")))
        << text;
    ASSERT_OK_AND_ASSIGN(History h, Parse(text, InputFormat::kAuto, /*allow_empty=*/true));
    EXPECT_TRUE(h.ops.empty());
  }
  for (InputFormat f : {InputFormat::kJsonLines, InputFormat::kEdn, InputFormat::kJepsenLog}) {
    EXPECT_THAT(Parse("\n", f), StatusIs(StatusCode::kInvalidHistory, HasSubstr("no events")));
  }
}

TEST(HostileInputTest, TextWithNoEventShapeIsNoKnownFormat) {
  EXPECT_THAT(Parse("\nhello world\nthis is not a history\n"),
              StatusIs(StatusCode::kParseError,
                       HasSubstr("h:2:1: no events: none of its 2 lines is a Jepsen event line")));
}

TEST(HostileInputTest, JepsenLogStrayLinesAreSkippedAndCounted) {
  ASSERT_OK_AND_ASSIGN(History h, Parse("INFO  jepsen.core - starting the test\n"
                                        "INFO  jepsen.util - 2\t:invoke\t:read\tnil\n"
                                        "WARN  some.ns - a stray line\n"
                                        "\n"
                                        "INFO  jepsen.util - 2\t:ok\t:read\t3\n"));
  EXPECT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.skipped_lines, 2u);
  EXPECT_EQ(h.first_skipped_line, 1u);
  // A line with an event's shape but no known type is a damaged event, not log output.
  EXPECT_THAT(Parse("INFO  jepsen.util - 2\t:invoke\t:read\tnil\n"
                    "INFO  jepsen.util - 2\t:okk\t:read\t3\n"),
              StatusIs(StatusCode::kParseError,
                       HasSubstr("h:2:23: expected an event type (:invoke, :ok, :fail or :info) "
                                 "after the process, got ':okk'")));
  EXPECT_THAT(Parse("3\t:invok\t:write\t1\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("h:1:3: expected an event type")));
  // Log lines with keywords but not that shape are still log output.
  ASSERT_OK_AND_ASSIGN(History logs, Parse("INFO\tjepsen.os\t:setup :done\n"
                                           "DEBUG x\t:a b\t:c\n"
                                           "0\t:invoke\t:read\tnil\n"));
  EXPECT_EQ(logs.skipped_lines, 2u);
  // A line with an event shape that cannot be read is an error, not a skipped line.
  EXPECT_THAT(Parse("INFO  jepsen.util - 2\t:invoke\t:read\tnil\n"
                    "INFO  jepsen.util - 2\t:ok\t:read\t[3\n"),
              StatusIs(StatusCode::kParseError, HasSubstr("h:2:")));
}

TEST(HostileInputTest, IntegerAndStringProcessesAreDifferentClients) {
  // Merged, these would be one process invoking twice.
  ASSERT_OK_AND_ASSIGN(History h,
                       Parse("{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                             "{\"process\":\"1\",\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                             "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":null}\n"
                             "{\"process\":\"1\",\"type\":\"ok\",\"f\":\"read\",\"value\":null}\n"));
  ASSERT_EQ(h.process_names.size(), 2u);
  EXPECT_EQ(h.process_names[0], "1");
  EXPECT_EQ(h.process_names[1], "\"1\"");
  EXPECT_NE(h.ops[0].process, h.ops[1].process);
}

TEST(HostileInputTest, TimesAtTheIntegerLimitsAreErrors) {
  for (const char* t : {"9223372036854775807", "-9223372036854775808", "4611686018427387905"}) {
    SCOPED_TRACE(t);
    const std::string text =
        std::string("{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null,\"time\":0}\n") +
        "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":5,\"time\":" + t + "}\n";
    EXPECT_THAT(Parse(text), StatusIs(StatusCode::kInvalidHistory,
                                      HasSubstr(std::string("h:2:1: time ") + t +
                                                " is outside the supported range")));
  }
  EXPECT_THAT(Parse("{:process 0 :type :invoke :f :read :time 9223372036854775807}\n"),
              StatusIs(StatusCode::kInvalidHistory, HasSubstr("h:1:1: time 9223372036854775807")));
  // The edges of the range are ordinary times.
  EXPECT_THAT(Parse("{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"time\":-4611686018427387904}\n"
                    "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"time\":4611686018427387904}\n"),
              IsOk());
}

}  // namespace
}  // namespace fenceline
