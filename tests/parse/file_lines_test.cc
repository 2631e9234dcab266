// A file in a line-oriented format is read a chunk of lines at a time (FileLineSource), never
// whole. The reference is how every file was read before: ReadInput's whole, checked text, then
// the same parse. Both must give the same History, or the same error (code, message, line and
// column), whichever comes first in the file: a bad byte or a broken limit anywhere in the file
// stands before a parse error, since the whole text was once checked before parsing began.
// Files span several 1 MiB read blocks and chunks, so that every boundary is crossed.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/input_reader.h"
#include "fenceline/parse.h"
#include "testing/history_dump.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::testing::HasSubstr;
using ::fenceline::testing::StatusIs;

class TempFile {
 public:
  explicit TempFile(const std::string& bytes) {
    char name[] = "/tmp/fenceline-lines-XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The file read whole, then parsed: ParseHistoryFile before chunked reading.
StatusOr<History> ParseWhole(const std::string& path, const ParseOptions& options) {
  internal::InputLimits limits;
  limits.max_bytes = options.max_input_bytes;
  limits.max_line_bytes = options.max_line_bytes;
  StatusOr<std::string> text = internal::ReadInput(path, path, limits);
  if (!text.ok()) return text.status();
  return ParseHistoryText(*text, path, options);
}

// `ops` operations as JSON Lines, about 100 bytes a line (a 4 MiB file at 20,000).
std::string JsonLines(int ops) {
  std::string out;
  for (int i = 0; i < ops; ++i) {
    const std::string p = std::to_string(i % 7);
    out += R"({"process":)" + p + R"(,"type":"invoke","f":"write","key":"k)" +
           std::to_string(i % 13) + R"(","value":)" + std::to_string(i) + R"(,"time":)" +
           std::to_string(2 * i) + R"(,"note":"écrit ✓"})" + "\n";
    out += R"({"process":)" + p + R"(,"type":"ok","f":"write","value":)" + std::to_string(i) +
           R"(,"time":)" + std::to_string(2 * i + 1) + "}\n";
  }
  return out;
}

std::string LogLines(int ops) {
  std::string out = "INFO jepsen.core - starting\n";
  for (int i = 0; i < ops; ++i) {
    const std::string p = std::to_string(i % 7);
    out += "INFO jepsen.util - " + p + "\t:invoke\t:cas\t[" + std::to_string(i % 5) + " 1]\n";
    out += p + "\t:fail\t:cas\t[" + std::to_string(i % 5) + " 1]\t:mismatch\n";
  }
  return out;
}

void ExpectSameAsWhole(const std::string& bytes, const ParseOptions& options = {}) {
  TempFile f(bytes);
  const std::string whole = Dump(ParseWhole(f.path(), options));
  for (int threads : {1, 2, 4}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ParseOptions o = options;
    o.threads = threads;
    EXPECT_EQ(Dump(ParseHistoryFile(f.path(), o)), whole);
  }
}

// Puts `what` at byte `at` of `text`, replacing as many bytes.
std::string Plant(std::string text, size_t at, const std::string& what) {
  text.replace(at, what.size(), what);
  return text;
}

TEST(FileLinesTest, ManyChunksGiveTheWholeFilesHistory) {
  ExpectSameAsWhole(JsonLines(40000));
  ExpectSameAsWhole(LogLines(40000));
}

TEST(FileLinesTest, ALateBadByteStandsBeforeAnEarlierParseError) {
  const std::string text = Plant(JsonLines(30000), 40, "}");  // invalid JSON on line 1
  for (const std::string& bad : {std::string(1, '\0'), std::string("\xff"), std::string("\xc3(")}) {
    const std::string planted = Plant(text, text.size() - 5000, bad);
    ExpectSameAsWhole(planted);
    TempFile f(planted);
    EXPECT_THAT(ParseHistoryFile(f.path()).status(),
                StatusIs(StatusCode::kParseError, HasSubstr("a history is")));
  }
}

TEST(FileLinesTest, ALatePairingErrorLosesToALateBadByteToo) {
  std::string text = JsonLines(30000);
  text = R"({"process":0,"type":"ok","f":"write","value":1})" "\n" + text;  // never invoked
  ExpectSameAsWhole(Plant(text, text.size() - 100, std::string(1, '\0')));
  ExpectSameAsWhole(text);
}

TEST(FileLinesTest, ParseErrorsFarIntoTheFileHaveTheirLineAndColumn) {
  const std::string text = JsonLines(30000);
  const size_t at = text.find('\n', text.size() / 2 + 12345) + 20;
  ExpectSameAsWhole(Plant(text, at, "?"));
  const std::string log = LogLines(30000);
  ExpectSameAsWhole(Plant(log, log.find(":invoke", log.size() / 2) + 1, "!"));
}

TEST(FileLinesTest, LimitsAreTheWholeReadsOnes) {
  const std::string text = Plant(JsonLines(30000), 40, "}");
  ParseOptions small;
  small.max_input_bytes = text.size() - 1;
  ExpectSameAsWhole(text, small);
  ParseOptions short_lines;
  short_lines.max_line_bytes = 200;
  std::string long_line = text;
  long_line.insert(text.size() - 3000, std::string(300, ' '));
  ExpectSameAsWhole(long_line, short_lines);
  TempFile f(long_line);
  EXPECT_THAT(ParseHistoryFile(f.path(), short_lines).status(),
              StatusIs(StatusCode::kIoError, HasSubstr("line longer than the limit of 200 bytes")));
}

TEST(FileLinesTest, MultibyteCharactersAcrossBlockEndsAndAByteOrderMark) {
  // "é" and "✓" fall on every offset modulo 3 somewhere, the 1 MiB block ends included.
  ExpectSameAsWhole("\xEF\xBB\xBF" + JsonLines(25000));
  for (size_t pad : {size_t{1}, size_t{2}}) ExpectSameAsWhole(std::string(pad, ' ') + JsonLines(25000));
  // Cut short at the very end of the file.
  ExpectSameAsWhole(JsonLines(25000) + "\xe2\x9c");
}

TEST(FileLinesTest, FormatToldAfterAMebibyteOfBlankLines) {
  ExpectSameAsWhole(std::string(3 << 20, '\n') + JsonLines(100));
  ExpectSameAsWhole(std::string(3 << 20, ' ') + "\n//" + JsonLines(100));  // refused
  ExpectSameAsWhole(std::string(3 << 20, '\n'));                             // empty
}

TEST(FileLinesTest, OtherFormatsAndForcedFormatsReadAsBefore) {
  std::string edn;
  for (int i = 0; i < 20000; ++i) {
    edn += "{:type :invoke, :f :write, :value " + std::to_string(i) + ", :process 0}\n";
    edn += "{:type :ok, :f :write, :value " + std::to_string(i) + ", :process 0}\n";
  }
  ExpectSameAsWhole(edn);
  ParseOptions as_log;
  as_log.format = InputFormat::kJepsenLog;
  ExpectSameAsWhole(JsonLines(20000), as_log);
  ParseOptions as_json;
  as_json.format = InputFormat::kJsonLines;
  ExpectSameAsWhole(LogLines(20000), as_json);
}

}  // namespace
}  // namespace fenceline
