// Tests of the EDN reader, following the EDN specification (github.com/edn-format/edn) element
// by element, then every error path with its exact message and line:column.
#include "checker/parse/edn_reader.h"

#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline::internal {
namespace {

using ::testing::HasSubstr;

Value Read(std::string_view text) {
  StatusOr<Value> v = ReadEdn(text, "t.edn");
  EXPECT_TRUE(v.ok()) << text << " -> " << v.status().message();
  return v.ok() ? *v : Value::Symbol("<error>");
}

// The exact message of the error reading `text` ("" if it read fine).
std::string Error(std::string_view text) {
  StatusOr<Value> v = ReadEdn(text, "t.edn");
  if (v.ok()) return "";
  EXPECT_EQ(v.status().code(), StatusCode::kParseError) << v.status().message();
  return v.status().message();
}

Value Vec(std::vector<Value> items) { return Value::Vector(std::move(items)); }
Value Kw(std::string s) { return Value::Keyword(std::move(s)); }
Value Str(std::string s) { return Value::String(std::move(s)); }
Value I(int64_t i) { return Value::Int(i); }

// --- nil, booleans --------------------------------------------------------------------------

TEST(EdnReaderTest, ReadsNilAndBooleans) {
  EXPECT_EQ(Read("nil"), Value::Nil());
  EXPECT_EQ(Read("true"), Value::Bool(true));
  EXPECT_EQ(Read("false"), Value::Bool(false));
  // Only exact tokens are special: these are symbols.
  EXPECT_EQ(Read("nilly"), Value::Symbol("nilly"));
  EXPECT_EQ(Read("true?"), Value::Symbol("true?"));
}

// --- strings ------------------------------------------------------------------------------

TEST(EdnReaderTest, ReadsStrings) {
  EXPECT_EQ(Read(R"("")"), Str(""));
  EXPECT_EQ(Read(R"("x 0 0 y")"), Str("x 0 0 y"));
  EXPECT_EQ(Read("\"two\nlines\""), Str("two\nlines"));
}

TEST(EdnReaderTest, ReadsStringEscapes) {
  EXPECT_EQ(Read(R"("a\tb\nc\rd\"e\\f")"), Str("a\tb\nc\rd\"e\\f"));
  EXPECT_EQ(Read(R"("\b\f")"), Str("\b\f"));
  EXPECT_EQ(Read(R"("caf\u00e9")"), Str("caf\xC3\xA9"));
  EXPECT_EQ(Read(R"("\u20AC")"), Str("\xE2\x82\xAC"));
  // Java writes code points beyond the BMP as surrogate pairs.
  EXPECT_EQ(Read(R"("\uD83D\uDE00")"), Str("\xF0\x9F\x98\x80"));
  // Clojure's octal escapes.
  EXPECT_EQ(Read(R"("\101\0")"), Str(std::string("A\0", 2)));
}

TEST(EdnReaderTest, UnpairedSurrogateEscapesAreErrors) {
  // Half a pair has no UTF-8 form: kept, it would reach the reports as bytes that are not UTF-8.
  EXPECT_EQ(Error(R"("a\uD800")"),
            R"(t.edn:1:3: expected a character, got the unpaired UTF-16 surrogate '\uD800')");
  EXPECT_EQ(Error(R"("\uDC00x")"),
            R"(t.edn:1:2: expected a character, got the unpaired UTF-16 surrogate '\uDC00')");
  // A high half followed by something that is not a low half.
  EXPECT_EQ(Error(R"("\uD83D\u0041")"),
            R"(t.edn:1:2: expected a character, got the unpaired UTF-16 surrogate '\uD83D')");
  EXPECT_EQ(Error(R"(\uDFFF)"),
            R"(t.edn:1:1: expected a character, got the UTF-16 surrogate '\uDFFF')");
  EXPECT_EQ(Read(R"(\uD7FF)"), Value::Char(U'\uD7FF'));
  EXPECT_EQ(Read(R"("\uE000")"), Str("\xEE\x80\x80"));
}

// --- characters ---------------------------------------------------------------------------

TEST(EdnReaderTest, ReadsCharacters) {
  EXPECT_EQ(Read("\\a"), Value::Char(U'a'));
  EXPECT_EQ(Read("\\newline"), Value::Char(U'\n'));
  EXPECT_EQ(Read("\\space"), Value::Char(U' '));
  EXPECT_EQ(Read("\\tab"), Value::Char(U'\t'));
  EXPECT_EQ(Read("\\return"), Value::Char(U'\r'));
  EXPECT_EQ(Read("\\backspace"), Value::Char(U'\b'));
  EXPECT_EQ(Read("\\formfeed"), Value::Char(U'\f'));
  EXPECT_EQ(Read("\\u00e9"), Value::Char(U'\u00e9'));
  EXPECT_EQ(Read("\\o101"), Value::Char(U'A'));
  EXPECT_EQ(Read("\\\xC3\xA9"), Value::Char(U'\u00e9'));
  // A delimiter right after the backslash is the character itself.
  EXPECT_EQ(Read("[\\( \\] \\\\]"),
            Vec({Value::Char(U'('), Value::Char(U']'), Value::Char(U'\\')}));
  EXPECT_EQ(Read("[\\a\\b]"), Vec({Value::Char(U'a'), Value::Char(U'b')}));
}

// --- symbols and keywords -----------------------------------------------------------------

TEST(EdnReaderTest, ReadsSymbols) {
  for (const char* s : {"foo", "foo/bar", "/", "+", "-", ".foo", "a.b/c-d", "foo#", "<=>",
                        "*x*", "a'", "clojure.core//", "-abc", "+x"}) {
    EXPECT_EQ(Read(s), Value::Symbol(s)) << s;
  }
}

TEST(EdnReaderTest, ReadsKeywordsNamespacedToo) {
  EXPECT_EQ(Read(":invoke"), Kw("invoke"));
  EXPECT_EQ(Read(":jepsen/nemesis"), Kw("jepsen/nemesis"));
  EXPECT_EQ(Read(":a.b/c-d?"), Kw("a.b/c-d?"));
  EXPECT_EQ(Read(":timed-out"), Kw("timed-out"));
  EXPECT_EQ(Read(":valid?"), Kw("valid?"));
  EXPECT_EQ(Read(":0"), Kw("0"));
}

// --- numbers ------------------------------------------------------------------------------

TEST(EdnReaderTest, ReadsIntegers) {
  EXPECT_EQ(Read("0"), I(0));
  EXPECT_EQ(Read("42"), I(42));
  EXPECT_EQ(Read("-5"), I(-5));
  EXPECT_EQ(Read("+7"), I(7));
  EXPECT_EQ(Read("-0"), I(0));
  EXPECT_EQ(Read("42N"), I(42));
  EXPECT_EQ(Read("9223372036854775807"), I(INT64_MAX));
  EXPECT_EQ(Read("-9223372036854775808"), I(INT64_MIN));
  // Clojure's hexadecimal, as in #object[java.lang.Object 0x1d56ce6a ...].
  EXPECT_EQ(Read("0x1F"), I(31));
  EXPECT_EQ(Read("-0Xff"), I(-255));
  EXPECT_EQ(Read("0x10000000000000000"), Value::BigInt("0x10000000000000000"));
}

TEST(EdnReaderTest, KeepsIntegersTooBigForInt64AsText) {
  EXPECT_EQ(Read("9223372036854775808"), Value::BigInt("9223372036854775808"));
  EXPECT_EQ(Read("-9223372036854775809"), Value::BigInt("-9223372036854775809"));
  EXPECT_EQ(Read("123456789012345678901234567890N"),
            Value::BigInt("123456789012345678901234567890"));
  EXPECT_EQ(Read("+99999999999999999999"), Value::BigInt("99999999999999999999"));
}

TEST(EdnReaderTest, ReadsFloats) {
  EXPECT_EQ(Read("1.5"), Value::Float(1.5));
  EXPECT_EQ(Read("-2.0e10"), Value::Float(-2.0e10));
  EXPECT_EQ(Read("1e3"), Value::Float(1000.0));
  EXPECT_EQ(Read("3E-2"), Value::Float(0.03));
  EXPECT_EQ(Read("+0.25"), Value::Float(0.25));
  EXPECT_EQ(Read("1."), Value::Float(1.0));
  // BigDecimal: read as a double.
  EXPECT_EQ(Read("1.5M"), Value::Float(1.5));
  EXPECT_EQ(Read("7M"), Value::Float(7.0));
  EXPECT_EQ(Read("1e999"), Value::Float(INFINITY));
  EXPECT_EQ(Read("##Inf"), Value::Float(INFINITY));
  EXPECT_EQ(Read("##-Inf"), Value::Float(-INFINITY));
  Value nan = Read("##NaN");
  EXPECT_EQ(nan.kind(), ValueKind::kFloat);
  EXPECT_TRUE(std::isnan(nan.float_value()));
}

TEST(EdnReaderTest, KeepsRatiosAsText) {
  EXPECT_EQ(Read("22/7"), Value::Ratio("22/7"));
  EXPECT_EQ(Read("-1/2"), Value::Ratio("-1/2"));
  EXPECT_EQ(Read("+3/4"), Value::Ratio("3/4"));
}

// --- collections --------------------------------------------------------------------------

TEST(EdnReaderTest, ReadsCollections) {
  EXPECT_EQ(Read("()"), Value::List({}));
  EXPECT_EQ(Read("[]"), Vec({}));
  EXPECT_EQ(Read("{}"), Value::Map({}));
  EXPECT_EQ(Read("#{}"), Value::Set({}));
  EXPECT_EQ(Read("(1 :a \"s\")"), Value::List({I(1), Kw("a"), Str("s")}));
  EXPECT_EQ(Read("[3 0]"), Vec({I(3), I(0)}));
  EXPECT_EQ(Read("#{1 2}"), Value::Set({I(1), I(2)}));
  EXPECT_EQ(Read("[[1 [2 (3)]] {:a #{4}}]"),
            Vec({Vec({I(1), Vec({I(2), Value::List({I(3)})})}),
                 Value::Map({Kw("a"), Value::Set({I(4)})})}));
}

TEST(EdnReaderTest, KeepsMapEntriesInReadOrder) {
  Value m = Read("{:index 0, :time 1200, :type :invoke, :process 0, :f :cas, :value [1 2]}");
  ASSERT_TRUE(m.is_map());
  EXPECT_EQ(m.items().size(), 12u);
  EXPECT_EQ(m.items()[0], Kw("index"));
  EXPECT_EQ(m.items()[10], Kw("value"));
  ASSERT_NE(m.Find("value"), nullptr);
  EXPECT_EQ(*m.Find("value"), Vec({I(1), I(2)}));
  EXPECT_EQ(*m.Find("time"), I(1200));
}

TEST(EdnReaderTest, ComplexKeysAreAllowed) {
  Value m = Read("{[1 2] :a, {:x 1} :b, nil :c}");
  ASSERT_EQ(m.items().size(), 6u);
  EXPECT_EQ(m.items()[0], Vec({I(1), I(2)}));
  EXPECT_EQ(m.items()[4], Value::Nil());
}

TEST(EdnReaderTest, DetectsDuplicatesAmongManyKeys) {
  std::string text = "{";
  for (int i = 0; i < 40; ++i) text += ":k" + std::to_string(i) + " " + std::to_string(i) + " ";
  EXPECT_EQ(Read(text + "}").items().size(), 80u);
  EXPECT_EQ(Error(text + ":k7 0}"), "t.edn:1:1: expected distinct map keys, got :k7 twice");
}

// --- whitespace, comments, discard --------------------------------------------------------

TEST(EdnReaderTest, CommasAreWhitespace) {
  EXPECT_EQ(Read(",,[1,2,,3],,"), Vec({I(1), I(2), I(3)}));
  EXPECT_EQ(Read("\t\r\n\f[1\v2]"), Vec({I(1), I(2)}));
}

TEST(EdnReaderTest, SkipsComments) {
  EXPECT_EQ(Read("; a comment\n[1 ; two\n 3] ; end"), Vec({I(1), I(3)}));
  EXPECT_EQ(Read("[1;no space\n2]"), Vec({I(1), I(2)}));
}

TEST(EdnReaderTest, DiscardsElements) {
  EXPECT_EQ(Read("[1 #_ 2 3]"), Vec({I(1), I(3)}));
  EXPECT_EQ(Read("[1 #_[2 [3]] 4]"), Vec({I(1), I(4)}));
  EXPECT_EQ(Read("#_ :skipped 5"), I(5));
  EXPECT_EQ(Read("[#_ #_ 1 2 3]"), Vec({I(3)}));
  EXPECT_EQ(Read("{:a #_ :b 1}"), Value::Map({Kw("a"), I(1)}));
  EXPECT_EQ(Read("[1 #_ 2]"), Vec({I(1)}));
  EXPECT_EQ(Read("#foo #_ 1 2"), Value::Tagged("foo", I(2)));
}

// --- tagged elements ----------------------------------------------------------------------

TEST(EdnReaderTest, KeepsTaggedElementsAsData) {
  EXPECT_EQ(Read("#inst \"1985-04-12T23:20:50.52Z\""),
            Value::Tagged("inst", Str("1985-04-12T23:20:50.52Z")));
  EXPECT_EQ(Read("#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\""),
            Value::Tagged("uuid", Str("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")));
  EXPECT_EQ(Read("#myapp/Person {:first \"Fred\"}"),
            Value::Tagged("myapp/Person", Value::Map({Kw("first"), Str("Fred")})));
  EXPECT_EQ(Read("#a #b 1"), Value::Tagged("a", Value::Tagged("b", I(1))));
}

TEST(EdnReaderTest, ReadsClojureRecordsAsTagged) {
  EXPECT_EQ(Read("#jepsen.independent.Tuple{:key 1, :value 2}"),
            Value::Tagged("jepsen.independent.Tuple",
                          Value::Map({Kw("key"), I(1), Kw("value"), I(2)})));
  EXPECT_EQ(Read("#object[java.lang.Object 0x1 \"x\"]").text(), "object");
}

TEST(EdnReaderTest, ReadsNamespacedMaps) {
  EXPECT_EQ(Read("#:jepsen{:a 1, :_/b 2, :x/c 3}"),
            Value::Map({Kw("jepsen/a"), I(1), Kw("b"), I(2), Kw("x/c"), I(3)}));
}

// --- reading a sequence of elements -------------------------------------------------------

TEST(EdnReaderTest, ReadsElementsOneAfterAnother) {
  EdnReader r("{:a 1}\n[2]  ; c\n:k\n", "t.edn");
  std::vector<Value> got;
  while (true) {
    StatusOr<bool> more = r.SkipToElement();
    ASSERT_TRUE(more.ok()) << more.status().message();
    if (!*more) break;
    SourcePos pos = r.PosAt(r.offset());
    Value v;
    ASSERT_TRUE(r.Read(v).ok());
    got.push_back(Value::Vector({I(pos.line), I(pos.column), v}));
  }
  EXPECT_EQ(got, (std::vector<Value>{Vec({I(1), I(1), Value::Map({Kw("a"), I(1)})}),
                                     Vec({I(2), I(1), Vec({I(2)})}),
                                     Vec({I(3), I(1), Kw("k")})}));
}

TEST(EdnReaderTest, ReadKeywordViewDoesNotCopy) {
  const std::string text = "  :cas rest";
  EdnReader r(text, "t.edn");
  std::string_view kw;
  ASSERT_TRUE(r.ReadKeywordView(kw, "for f").ok());
  EXPECT_EQ(kw, "cas");
  EXPECT_EQ(kw.data(), text.data() + 3);
  Status s = r.ReadKeywordView(kw, "for f");
  EXPECT_EQ(s.message(), "t.edn:1:8: expected a keyword for f, got 'rest'");
}

TEST(EdnReaderTest, LimitedTextEndsAtEndOfLine) {
  const std::string text = "[1 2\n3]";
  EdnReader r(text, "t.edn");
  r.LimitTo(4);
  Value v;
  Status s = r.Read(v);
  EXPECT_EQ(s.message(),
            "t.edn:1:5: expected ']' to close the vector opened at 1:1, got end of line");
  r.Unlimit();
  r.set_offset(0);
  ASSERT_TRUE(r.Read(v).ok());
  EXPECT_EQ(v, Vec({I(1), I(2), I(3)}));
}

TEST(EdnReaderTest, PositionsCountLinesAndByteColumns) {
  EdnReader r("ab\ncd\n\nef", "t.edn");
  EXPECT_EQ(r.PosAt(0).line, 1u);
  EXPECT_EQ(r.PosAt(4).line, 2u);
  EXPECT_EQ(r.PosAt(4).column, 2u);
  EXPECT_EQ(r.PosAt(8).line, 4u);
  EXPECT_EQ(r.PosAt(1).column, 2u);  // going back works too
  EXPECT_EQ(r.PosAt(7).column, 1u);
  EXPECT_EQ(r.PosAt(9).column, 3u);  // the end of the text
}

TEST(EdnReaderTest, PrintedValuesReadBackEqual) {
  for (const char* text : {"{:a [1 2.5 \"x\\ny\" \\space nil true], :b #{:c}}",
                           "(1 -2 22/7 12345678901234567890N sym ns/sym)",
                           "#inst \"2020-01-01\"", "[\\newline \\u00e9 :k/w]"}) {
    Value v = Read(text);
    EXPECT_EQ(Read(v.ToEdn()), v) << text << " printed as " << v.ToEdn();
  }
}

// --- errors: every path, with line:column -------------------------------------------------

TEST(EdnReaderErrorTest, EmptyInput) {
  EXPECT_EQ(Error(""), "t.edn:1:1: expected an element, got end of input");
  EXPECT_EQ(Error("  ; only a comment\n"), "t.edn:2:1: expected an element, got end of input");
}

TEST(EdnReaderErrorTest, TrailingElement) {
  EXPECT_EQ(Error("1 2"), "t.edn:1:3: expected end of input, got '2'");
}

TEST(EdnReaderErrorTest, UnclosedCollections) {
  EXPECT_EQ(Error("[1 2"),
            "t.edn:1:5: expected ']' to close the vector opened at 1:1, got end of input");
  EXPECT_EQ(Error("\n  (1"),
            "t.edn:2:5: expected ')' to close the list opened at 2:3, got end of input");
  EXPECT_EQ(Error("{:a 1"),
            "t.edn:1:6: expected '}' to close the map opened at 1:1, got end of input");
  EXPECT_EQ(Error("#{1"),
            "t.edn:1:4: expected '}' to close the set opened at 1:1, got end of input");
}

TEST(EdnReaderErrorTest, MismatchedOrStrayClosers) {
  EXPECT_EQ(Error("[1 2)"), "t.edn:1:5: expected ']' or an element, got ')'");
  EXPECT_EQ(Error("{:a 1]"), "t.edn:1:6: expected '}' or an element, got ']'");
  EXPECT_EQ(Error(")"), "t.edn:1:1: expected an element, got ')'");
  EXPECT_EQ(Error("}"), "t.edn:1:1: expected an element, got '}'");
}

TEST(EdnReaderErrorTest, MapWithoutValueOrWithDuplicates) {
  EXPECT_EQ(Error("{:a}"), "t.edn:1:4: expected a value for map key :a, got '}'");
  EXPECT_EQ(Error("{:a 1 :a 2}"), "t.edn:1:1: expected distinct map keys, got :a twice");
  EXPECT_EQ(Error("[#{1 1}]"), "t.edn:1:2: expected distinct set elements, got 1 twice");
}

TEST(EdnReaderErrorTest, BadStrings) {
  EXPECT_EQ(Error("\"abc"),
            "t.edn:1:5: expected '\"' to close the string opened at 1:1, got end of input");
  EXPECT_EQ(Error("\"ab\\"),
            "t.edn:1:5: expected '\"' to close the string opened at 1:1, got end of input");
  EXPECT_EQ(Error(R"("a\qb")"),
            R"(t.edn:1:3: expected an escape (\t \n \r \b \f \" \\ \uXXXX), got '\q')");
  EXPECT_EQ(Error(R"("\u12G4")"), R"(t.edn:1:2: expected 4 hex digits after \u, got '\u12G4')");
  EXPECT_EQ(Error(R"("\u12")"), R"(t.edn:1:2: expected 4 hex digits after \u, got '\u12"')");
}

TEST(EdnReaderErrorTest, BadCharacters) {
  EXPECT_EQ(Error("\\"), "t.edn:1:2: expected a character after '\\', got end of input");
  EXPECT_EQ(Error("\\foo"),
            "t.edn:1:1: expected a character (\\c, \\newline, \\space, \\tab, \\return, "
            "\\backspace, \\formfeed, \\uXXXX, \\oNNN), got '\\foo'");
  EXPECT_THAT(Error("\\u12"), HasSubstr("t.edn:1:1: expected a character ("));
  EXPECT_THAT(Error("\\o400"), HasSubstr("got '\\o400'"));
  EXPECT_EQ(Error("\\\xFF"), "t.edn:1:2: expected a UTF-8 character after '\\', got '\xFF'");
}

TEST(EdnReaderErrorTest, BadNumbers) {
  EXPECT_EQ(Error("1.2.3"), "t.edn:1:1: expected a number, got '1.2.3'");
  EXPECT_EQ(Error("[0 12abc]"), "t.edn:1:4: expected a number, got '12abc'");
  EXPECT_EQ(Error("1e"), "t.edn:1:1: expected a number, got '1e'");
  EXPECT_EQ(Error("1/"), "t.edn:1:1: expected a number, got '1/'");
  EXPECT_EQ(Error("1/2/3"), "t.edn:1:1: expected a number, got '1/2/3'");
  EXPECT_EQ(Error("012"), "t.edn:1:1: expected a number without leading zeros, got '012'");
  EXPECT_EQ(Error("-1/0"), "t.edn:1:1: expected a nonzero denominator, got '-1/0'");
  EXPECT_EQ(Error("1NM"), "t.edn:1:1: expected a number, got '1NM'");
  EXPECT_EQ(Error("0x"), "t.edn:1:1: expected a number, got '0x'");
  EXPECT_EQ(Error("0x1G"), "t.edn:1:1: expected a number, got '0x1G'");
}

TEST(EdnReaderErrorTest, BadKeywords) {
  EXPECT_EQ(Error(":"), "t.edn:1:1: expected a keyword name after ':', got end of input");
  EXPECT_EQ(Error("[: 1]"), "t.edn:1:2: expected a keyword name after ':', got ' '");
  EXPECT_EQ(Error("::foo"),
            "t.edn:1:1: expected a keyword, got '::foo' (auto-resolved keywords are not EDN)");
  EXPECT_EQ(Error(":a/"), "t.edn:1:1: expected a keyword (:name or :prefix/name), got ':a/'");
  EXPECT_EQ(Error(":a@b"), "t.edn:1:3: expected a keyword character, got '@b'");
}

TEST(EdnReaderErrorTest, BadSymbols) {
  EXPECT_EQ(Error("a@b"), "t.edn:1:2: expected a symbol character, got '@b'");
  EXPECT_EQ(Error("foo/"), "t.edn:1:1: expected a symbol (name or prefix/name), got 'foo/'");
  EXPECT_EQ(Error("/foo"), "t.edn:1:1: expected a symbol (name or prefix/name), got '/foo'");
  EXPECT_EQ(Error("a/b/c"), "t.edn:1:1: expected a symbol (name or prefix/name), got 'a/b/c'");
  EXPECT_EQ(Error("'quoted"), "t.edn:1:1: expected a symbol, got ''quoted'");
}

TEST(EdnReaderErrorTest, CharactersThatStartNothing) {
  for (const char* c : {"@", "^", "`", "~", "|"}) {
    EXPECT_EQ(Error(c), std::string("t.edn:1:1: expected an element, got '") + c + "'");
  }
  EXPECT_EQ(Error("\x01"), "t.edn:1:1: expected an element, got '?'");
}

TEST(EdnReaderErrorTest, BadDispatch) {
  EXPECT_EQ(Error("#"),
            "t.edn:1:2: expected '{', '_', '#', ':' or a tag after '#', got end of input");
  EXPECT_EQ(Error("#1"), "t.edn:1:2: expected '{', '_', '#', ':' or a tag after '#', got '1'");
  EXPECT_EQ(Error("##Foo"), "t.edn:1:1: expected ##Inf, ##-Inf or ##NaN, got '##Foo'");
  EXPECT_EQ(Error("#:a 1"), "t.edn:1:1: expected a namespaced map #:ns{...}, got '#:a'");
  EXPECT_EQ(Error("#foo"), "t.edn:1:5: expected an element after tag #foo, got end of input");
  EXPECT_EQ(Error("[#foo]"), "t.edn:1:6: expected an element after tag #foo, got ']'");
  EXPECT_EQ(Error("#f@o 1"), "t.edn:1:3: expected a tag character, got '@o'");
}

TEST(EdnReaderErrorTest, DiscardWithoutElement) {
  EXPECT_EQ(Error("#_"),
            "t.edn:1:3: expected an element to discard after #_, got end of input");
  EXPECT_EQ(Error("[1 #_]"), "t.edn:1:6: expected an element to discard after #_, got ']'");
  EXPECT_EQ(Error("#_ 1"), "t.edn:1:5: expected an element, got end of input");
}

TEST(EdnReaderErrorTest, NestingIsBounded) {
  const std::string deep(100000, '[');
  EXPECT_EQ(Error(deep), "t.edn:1:513: expected nesting at most 512 deep, got deeper");
  std::string tags;
  for (int i = 0; i < 1000; ++i) tags += "#a ";
  EXPECT_EQ(Error(tags + "1"), "t.edn:1:1537: expected nesting at most 512 deep, got deeper");
  std::string discards;
  for (int i = 0; i < 1000; ++i) discards += "#_";
  EXPECT_THAT(Error(discards + "1 2"), HasSubstr("expected nesting at most 512 deep"));
  // 512 levels are fine.
  std::string ok(512, '[');
  ok += std::string(512, ']');
  EXPECT_EQ(Error(ok), "");
}

TEST(EdnReaderErrorTest, ErrorsLaterInTheTextNameTheirLine) {
  EXPECT_EQ(Error("[1\n 2\n  @]"), "t.edn:3:3: expected an element, got '@'");
  EXPECT_EQ(Error("{:a 1\n :b \"x\\q\"}"),
            R"(t.edn:2:7: expected an escape (\t \n \r \b \f \" \\ \uXXXX), got '\q')");
}

TEST(EdnReaderTest, DeadlineIsLookedAtEveryStrideOfElements) {
  std::string text;
  for (uint32_t i = 0; i < 2 * EdnReader::kDeadlineStride; ++i) text += "[1]\n";
  EdnReader r(text, "t.edn");
  r.set_deadline(std::chrono::steady_clock::now() + std::chrono::milliseconds(30),
                 "time limit of 30 ms");
  Value v;
  ASSERT_TRUE(r.Read(v).ok());  // the clock is read at once, before the deadline
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  // The rest of the stride is read without a look at the clock: elements, nested ones too,
  // count one each, so the next look falls on the element of line kDeadlineStride / 2 + 1.
  const uint32_t next = EdnReader::kDeadlineStride / 2 + 1;
  for (uint32_t line = 2; line < next; ++line) ASSERT_TRUE(r.Read(v).ok()) << line;
  Status late = r.Read(v);
  EXPECT_EQ(late.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(late.message(), "t.edn:" + std::to_string(next) +
                                ":1: time limit of 30 ms reached while parsing, after " +
                                std::to_string(next - 1) + " lines");
}

TEST(EdnReaderTest, WithoutADeadlineEveryElementIsRead) {
  std::string text;
  for (uint32_t i = 0; i < 3 * EdnReader::kDeadlineStride; ++i) text += "1 ";
  EdnReader r(text, "t.edn");
  Value v;
  for (uint32_t i = 0; i < 3 * EdnReader::kDeadlineStride; ++i) ASSERT_TRUE(r.Read(v).ok()) << i;
}

}  // namespace
}  // namespace fenceline::internal
