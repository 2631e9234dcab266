// The JSON Lines reader builds events straight from RapidJSON's SAX events (no DOM). What it
// accepts and refuses, and every message with its line and column, must be what the DOM reader
// gave: the table's expected messages were printed by main's binary (bc0021c, DOM reader) for
// each line, with `fenceline validate --input-format json-lines`. "" means accepted.
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/parse.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::fenceline::testing::StatusIs;

StatusOr<History> ParseLine(const std::string& line) {
  ParseOptions options;
  options.format = InputFormat::kJsonLines;
  return ParseHistoryText(line + "\n", "j.jsonl", options);
}

TEST(JsonLinesParserTest, AcceptsAndRefusesAsTheDomReaderDid) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"j({"process":1,"type":"invoke","f":"w","value":1})j",
       ""},
      {R"j({"process":1,"type":"invoke","f":"w","value":1,})j",
       R"j(j.jsonl:1:48: invalid JSON: missing a name for object member)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":1)j",
       R"j(j.jsonl:1:47: invalid JSON: missing a comma or '}' after an object member)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":1}})j",
       R"j(j.jsonl:1:48: invalid JSON: the document root must not be followed by other values)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":1} x)j",
       R"j(j.jsonl:1:49: invalid JSON: the document root must not be followed by other values)j"},
      {R"j({"process":1,"process":2,"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:14: key "process" given twice in one object)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":{"a":1,"a":2}})j",
       R"j(j.jsonl:1:53: key "a" given twice in one object)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":[{"":1,"":2}]})j",
       R"j(j.jsonl:1:53: key "" given twice in one object)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":{"\u0061":1,"a":2}})j",
       R"j(j.jsonl:1:58: key "a" given twice in one object)j"},
      {R"j({"process":[1],"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:2: expected an integer or a string for "process", got an array)j"},
      {R"j({"process":1.5,"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:2: expected an integer or a string for "process", got a number)j"},
      {R"j({"process":18446744073709551615,"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:2: expected an integer or a string for "process", got a number)j"},
      {R"j({"process":9223372036854775807,"type":"invoke","f":"w"})j",
       ""},
      {R"j({"process":-9223372036854775809,"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:2: expected an integer or a string for "process", got a number)j"},
      {R"j({"process":true,"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:2: expected an integer or a string for "process", got a boolean)j"},
      {R"j({"process":null,"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:2: expected an integer or a string for "process", got null)j"},
      {R"j({"process":{},"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:2: expected an integer or a string for "process", got an object)j"},
      {R"j({"process":1,"type":"bogus","f":"w"})j",
       R"j(j.jsonl:1:14: expected "invoke", "ok", "fail" or "info" for "type", got "bogus")j"},
      {R"j({"process":1,"type":5,"f":"w"})j",
       R"j(j.jsonl:1:14: expected "invoke", "ok", "fail" or "info" for "type", got a number)j"},
      {R"j({"process":1,"type":"invoke","f":5})j",
       R"j(j.jsonl:1:30: expected a string for "f", got a number)j"},
      {R"j({"process":1,"type":"invoke","f":["w"]})j",
       R"j(j.jsonl:1:30: expected a string for "f", got an array)j"},
      {R"j({"process":1,"type":"invoke","f":"w","time":1.0})j",
       R"j(j.jsonl:1:38: expected an integer (nanoseconds) for "time", got a number)j"},
      {R"j({"process":1,"type":"invoke","f":"w","time":"1"})j",
       R"j(j.jsonl:1:38: expected an integer (nanoseconds) for "time", got a string)j"},
      {R"j({"process":1,"type":"invoke","f":"w","time":18446744073709551615})j",
       R"j(j.jsonl:1:38: expected an integer (nanoseconds) for "time", got a number)j"},
      {R"j({"process":1,"type":"invoke","f":"w","node":1})j",
       R"j(j.jsonl:1:38: expected a string for "node", got a number)j"},
      {R"j({"type":"invoke","f":"w"})j",
       R"j(j.jsonl:1:1: expected field "process" in event)j"},
      {R"j({"process":1,"f":"w"})j",
       R"j(j.jsonl:1:1: expected field "type" in event)j"},
      {R"j({"process":1,"type":"invoke"})j",
       R"j(j.jsonl:1:1: expected field "f" in event)j"},
      {R"j({"process":[1],"type":"bogus"})j",
       R"j(j.jsonl:1:2: expected an integer or a string for "process", got an array)j"},
      {R"j({"type":"bogus","process":[1]})j",
       R"j(j.jsonl:1:2: expected "invoke", "ok", "fail" or "info" for "type", got "bogus")j"},
      {R"j({"process":[1],"type":"invoke","f":"w","value":1,})j",
       R"j(j.jsonl:1:50: invalid JSON: missing a name for object member)j"},
      {R"j({"process":[1],"type":"invoke","f":"w","a":1,"a":2})j",
       R"j(j.jsonl:1:46: key "a" given twice in one object)j"},
      {R"j([1,2])j",
       R"j(j.jsonl:1:1: expected a JSON object (one event a line), got an array)j"},
      {R"j([1,2)j",
       R"j(j.jsonl:1:5: invalid JSON: missing a comma or ']' after an array element)j"},
      {R"j("str")j",
       R"j(j.jsonl:1:1: expected a JSON object (one event a line), got a string)j"},
      {R"j(5)j",
       R"j(j.jsonl:1:1: expected a JSON object (one event a line), got a number)j"},
      {R"j(null)j",
       R"j(j.jsonl:1:1: expected a JSON object (one event a line), got null)j"},
      {R"j(true)j",
       R"j(j.jsonl:1:1: expected a JSON object (one event a line), got a boolean)j"},
      {R"j({})j",
       R"j(j.jsonl:1:1: expected field "process" in event)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":"\ud800"})j",
       R"j(j.jsonl:1:47: invalid JSON: the surrogate pair in string is invalid)j"},
      // Refused since 1c2df30 (a lone low surrogate escape; RapidJSON decodes it to ED B0 80).
      {R"j({"process":1,"type":"invoke","f":"w","value":"\udc00"})j",
       R"j(j.jsonl:1:46: invalid JSON: the surrogate pair in string is invalid)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":"\x"})j",
       R"j(j.jsonl:1:47: invalid JSON: invalid escape character in string)j"},
      {"{\"process\":1,\"type\":\"invoke\",\"f\":\"w\",\"value\":\"a\tb\"}",
       R"j(j.jsonl:1:48: invalid JSON: invalid escape character in string)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":01})j",
       R"j(j.jsonl:1:47: invalid JSON: missing a comma or '}' after an object member)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":1e400})j",
       R"j(j.jsonl:1:46: invalid JSON: number too big to be stored in double)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":-})j",
       R"j(j.jsonl:1:47: invalid JSON: invalid value)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":.5})j",
       R"j(j.jsonl:1:46: invalid JSON: invalid value)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":tru})j",
       R"j(j.jsonl:1:49: invalid JSON: invalid value)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":[1,]})j",
       R"j(j.jsonl:1:49: invalid JSON: invalid value)j"},
      {R"j({"process":1,"type":"invoke","f":"w","value":[1 2]})j",
       R"j(j.jsonl:1:49: invalid JSON: missing a comma or ']' after an array element)j"},
      {R"j({process:1})j",
       R"j(j.jsonl:1:2: invalid JSON: missing a name for object member)j"},
      {R"j({'process':1})j",
       R"j(j.jsonl:1:2: invalid JSON: missing a name for object member)j"},
      {R"j({"process":1 "type":"invoke"})j",
       R"j(j.jsonl:1:14: invalid JSON: missing a comma or '}' after an object member)j"},
      {R"j(  {"process":1,"type":"invoke","f":"w","value":1,})j",
       R"j(j.jsonl:1:50: invalid JSON: missing a name for object member)j"},
      {"\t{\"process\":1,\"type\":\"bogus\",\"f\":\"w\"}",
       R"j(j.jsonl:1:15: expected "invoke", "ok", "fail" or "info" for "type", got "bogus")j"},
      {R"j({"process":1,"type":"invoke","f":"w","type":"ok"})j",
       R"j(j.jsonl:1:38: key "type" given twice in one object)j"},
      {R"j({"process":"p1","type":"invoke","f":"w","value":1})j",
       ""},
      {"{\"process\":1,\"type\":\"invoke\",\"f\":\"w\",\"value\":1}\r",
       ""},
  };
  for (const auto& [line, message] : cases) {
    SCOPED_TRACE(line);
    StatusOr<History> h = ParseLine(line);
    EXPECT_EQ(h.ok() ? std::string() : h.status().message(), message);
  }
}

TEST(JsonLinesParserTest, NestingAtTheLimitIsReadPastItRefused) {
  auto nested = [](size_t depth) {
    return R"({"process":1,"type":"invoke","f":"w","value":)" + std::string(depth, '[') +
           std::string(depth, ']') + "}";
  };
  // The event's object is one level.
  EXPECT_TRUE(ParseLine(nested(511)).ok());
  EXPECT_THAT(ParseLine(nested(512)).status(),
              StatusIs(StatusCode::kParseError,
                       ::testing::HasSubstr("j.jsonl:1:557: expected nesting at most 512")));
}

TEST(JsonLinesParserTest, ValuesAreTheJsonValues) {
  ASSERT_OK_AND_ASSIGN(
      History h,
      ParseLine(R"({"process":"p1","type":"invoke","f":"w","key":[1,"k"],"value":{"a":[null,true,false],"b":-0.5,"c":"\u00e9\n","d":{}},"error":18446744073709551615,"x":[]})"));
  ASSERT_EQ(h.ops.size(), 1u);
  const Operation& op = h.ops[0];
  EXPECT_EQ(op.input.ToEdn(), R"({"a" [nil true false], "b" -0.5, "c" "é\n", "d" {}})");
  ASSERT_TRUE(op.key.has_value());
  EXPECT_EQ(op.key->ToEdn(), R"([1 "k"])");
  EXPECT_EQ(h.process_names[0], "p1");
  ASSERT_EQ(op.extra.size(), 1u);
  EXPECT_EQ(op.extra[0].first, "x");
  EXPECT_EQ(op.extra[0].second.ToEdn(), "[]");
  EXPECT_EQ(op.invoke_pos.column, 1u);
}

TEST(JsonLinesParserTest, BigIntegersAndFloatsKeepTheirKinds) {
  ASSERT_OK_AND_ASSIGN(
      History h,
      ParseLine(R"({"process":1,"type":"invoke","f":"w","value":[9223372036854775807,9223372036854775808,-9223372036854775808,1.0,1e300]})"));
  const std::vector<Value>& items = h.ops[0].input.items();
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].kind(), ValueKind::kInt);
  EXPECT_EQ(items[1].kind(), ValueKind::kBigInt);
  EXPECT_EQ(items[1].text(), "9223372036854775808");
  EXPECT_EQ(items[2].int_value(), INT64_MIN);
  EXPECT_EQ(items[3].kind(), ValueKind::kFloat);
  EXPECT_EQ(items[4].float_value(), 1e300);
}

}  // namespace
}  // namespace fenceline
