// Tests of checker/parse/input_reader.cc: byte checks with their positions, directories,
// compressed inputs (gzip and zstd made here with the same libraries, so the test knows the
// text), truncated and corrupt streams, and the size limits.
#include "checker/parse/input_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/compress.h"
#include "testing/matchers.h"

namespace fenceline::internal {
namespace {

using ::fenceline::testing::Gzip;
using ::fenceline::testing::Zstd;

using ::fenceline::testing::IsOk;
using ::fenceline::testing::StatusIs;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// A scratch file, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& bytes) {
    char name[] = "/tmp/fenceline-input-XXXXXX";
    const int fd = mkstemp(name);
    path_ = name;
    if (fd >= 0) close(fd);
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Many distinct lines, so the compressed form spans several of the reader's chunks.
std::string BigText() {
  std::string text;
  for (int i = 0; i < 200000; ++i) {
    text += "{\"process\":" + std::to_string(i % 7) + ",\"type\":\"invoke\",\"f\":\"write\",\"value\":" +
            std::to_string(i) + "}\n";
  }
  return text;
}

TEST(CheckTextBytesTest, AcceptsUtf8AndReturnsTheEnd) {
  const std::string text = "plain ascii, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80\n";
  ASSERT_OK_AND_ASSIGN(size_t end, CheckTextBytes(text, 0, true, "t"));
  EXPECT_EQ(end, text.size());
}

TEST(CheckTextBytesTest, NulByteIsAnErrorAtItsLineAndColumn) {
  const std::string text = std::string("{\"a\":1}\n{\"b\":2}") + '\0' + "{\"c\":3}\n";
  EXPECT_THAT(CheckTextBytes(text, 0, true, "h.jsonl"),
              StatusIs(StatusCode::kParseError, HasSubstr("h.jsonl:2:8: NUL byte")));
}

TEST(CheckTextBytesTest, InvalidUtf8IsAnErrorAtItsLineAndColumn) {
  const std::pair<std::string, std::string> cases[] = {
      {"ab\xFF", "t:1:3: invalid UTF-8 (byte 0xff)"},
      {"x\n\xC0\xAF", "t:2:1: invalid UTF-8 (byte 0xc0)"},              // overlong '/'
      {"\xE0\x80\xAF", "t:1:1: invalid UTF-8 (byte 0xe0 followed by 0x80)"},  // overlong
      {"\xED\xA0\x80", "t:1:1: invalid UTF-8 (byte 0xed followed by 0xa0)"},  // a surrogate
      {"\xF4\x90\x80\x80", "t:1:1: invalid UTF-8 (byte 0xf4 followed by 0x90)"},  // > U+10FFFF
      {"abcdefgh\x80", "t:1:9: invalid UTF-8 (byte 0x80)"},  // a stray continuation byte
      {"\xC3(", "t:1:1: invalid UTF-8 (byte 0xc3 followed by 0x28)"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_THAT(CheckTextBytes(text, 0, true, "t"),
                StatusIs(StatusCode::kParseError, HasSubstr(message)));
  }
}

TEST(CheckTextBytesTest, AnIncompleteSequenceWaitsForMoreBytesUnlessFinal) {
  const std::string text = "abc\xE2\x82";
  ASSERT_OK_AND_ASSIGN(size_t end, CheckTextBytes(text, 0, false, "t"));
  EXPECT_EQ(end, 3u);
  EXPECT_THAT(CheckTextBytes(text, 0, true, "t"),
              StatusIs(StatusCode::kParseError, HasSubstr("t:1:4: invalid UTF-8 (sequence cut short")));
}

TEST(WhereInTextTest, CountsLinesAndByteColumnsFromOne) {
  EXPECT_EQ(WhereInText("ab\ncd", 0, "f"), "f:1:1: ");
  EXPECT_EQ(WhereInText("ab\ncd", 4, "f"), "f:2:2: ");
}

TEST(ReadInputTest, ReadsAPlainFile) {
  TempFile f("{\"a\":1}\n");
  ASSERT_OK_AND_ASSIGN(std::string text, ReadInput(f.path(), "f", {}));
  EXPECT_EQ(text, "{\"a\":1}\n");
}

TEST(ReadInputTest, ReplacesAByteOrderMarkBySpaces) {
  TempFile f("\xEF\xBB\xBF{\"a\":1}\n");
  ASSERT_OK_AND_ASSIGN(std::string text, ReadInput(f.path(), "f", {}));
  EXPECT_EQ(text, "   {\"a\":1}\n");
}

TEST(ReadInputTest, DirectoryIsAnErrorNamingIt) {
  EXPECT_THAT(ReadInput("/tmp", "/tmp", {}),
              StatusIs(StatusCode::kIoError, HasSubstr("/tmp: is a directory")));
}

TEST(ReadInputTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadInput("/nonexistent/h.jsonl", "/nonexistent/h.jsonl", {}),
              StatusIs(StatusCode::kNotFound, HasSubstr("/nonexistent/h.jsonl: no such file")));
}

TEST(ReadInputTest, DevZeroStopsAtTheFirstByte) {
  // Unbounded, but its first chunk already holds a NUL.
  EXPECT_THAT(ReadInput("/dev/zero", "/dev/zero", {}),
              StatusIs(StatusCode::kParseError, HasSubstr("/dev/zero:1:1: NUL byte")));
}

TEST(ReadInputTest, GzipAndZstdAreReadTransparentlyWhateverTheName) {
  const std::string text = BigText();
  for (const std::string& packed : {Gzip(text), Zstd(text)}) {
    ASSERT_LT(packed.size(), text.size() / 4);
    TempFile f(packed);  // no .gz / .zst name: the magic bytes decide
    ASSERT_OK_AND_ASSIGN(std::string got, ReadInput(f.path(), "f", {}));
    EXPECT_EQ(got.size(), text.size());
    EXPECT_TRUE(got == text);
  }
}

TEST(ReadInputTest, ConcatenatedGzipMembersAreOneText) {
  TempFile f(Gzip("a\n") + Gzip("b\n"));
  ASSERT_OK_AND_ASSIGN(std::string text, ReadInput(f.path(), "f", {}));
  EXPECT_EQ(text, "a\nb\n");
}

TEST(ReadInputTest, TruncatedOrCorruptCompressedDataIsAnError) {
  const std::string text = BigText();
  const std::string gz = Gzip(text), zst = Zstd(text);
  {
    TempFile f(gz.substr(0, gz.size() / 2));
    EXPECT_THAT(ReadInput(f.path(), "f", {}),
                StatusIs(StatusCode::kIoError, ContainsRegex("^f:[0-9]+:[0-9]+: truncated gzip data")));
  }
  {
    TempFile f(zst.substr(0, zst.size() / 2));
    EXPECT_THAT(ReadInput(f.path(), "f", {}),
                StatusIs(StatusCode::kIoError, ContainsRegex("^f:[0-9]+:[0-9]+: truncated zstd data")));
  }
  {
    std::string bad = gz;
    for (size_t i = 20; i < 60; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    TempFile f(bad);
    EXPECT_THAT(ReadInput(f.path(), "f", {}),
                StatusIs(StatusCode::kIoError, ContainsRegex("^f:[0-9]+:[0-9]+: corrupt gzip data")));
  }
  {
    std::string bad = zst;
    for (size_t i = 8; i < 40; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    TempFile f(bad);
    EXPECT_THAT(ReadInput(f.path(), "f", {}),
                StatusIs(StatusCode::kIoError, ContainsRegex("^f:[0-9]+:[0-9]+: corrupt zstd data")));
  }
}

// The decoder hands out the text a bounded chunk at a time, never needing the whole input:
// read in small pieces, it gives back exactly the text, whatever the encoding.
TEST(DecodedInputTest, GivesTheTextInPiecesOfTheAskedSize) {
  const std::string text = BigText();
  for (const auto& [packed, encoding] : {std::pair<std::string, std::string>{text, ""},
                                         {Gzip(text), "gzip"},
                                         {Zstd(text), "zstd"},
                                         {Gzip(text.substr(0, 1000)) + Gzip(text.substr(1000)), "gzip"}}) {
    SCOPED_TRACE(encoding);
    TempFile f(packed);
    DecodedInput in;
    ASSERT_THAT(in.Open(f.path(), "f"), IsOk());
    EXPECT_EQ(in.encoding(), encoding);
    std::string got;
    char piece[4093];
    size_t most = 0;
    while (true) {
      ASSERT_OK_AND_ASSIGN(size_t n, in.Read(piece, sizeof piece));
      if (n == 0) break;
      most = std::max(most, n);
      got.append(piece, n);
    }
    EXPECT_LE(most, sizeof piece);
    EXPECT_TRUE(got == text);
  }
}

// A truncated stream is an error at the line and column where its decoded text stops, after
// handing out everything before it; never a shorter text that ends cleanly.
TEST(DecodedInputTest, TruncatedStreamIsAnErrorWhereTheTextStops) {
  const std::string text = BigText();
  for (const std::string& packed : {Gzip(text), Zstd(text)}) {
    TempFile f(packed.substr(0, packed.size() * 2 / 3));
    DecodedInput in;
    ASSERT_THAT(in.Open(f.path(), "f"), IsOk());
    std::string got;
    char piece[65536];
    Status error;
    while (true) {
      StatusOr<size_t> n = in.Read(piece, sizeof piece);
      if (!n.ok()) {
        error = n.status();
        break;
      }
      ASSERT_GT(*n, 0u) << "a truncated stream ended without an error";
      got.append(piece, *n);
    }
    ASSERT_LT(got.size(), text.size());
    EXPECT_TRUE(text.compare(0, got.size(), got) == 0);
    const size_t line = static_cast<size_t>(std::count(got.begin(), got.end(), '\n')) + 1;
    const size_t column = got.size() - (got.rfind('\n') == std::string::npos ? 0 : got.rfind('\n') + 1) + 1;
    EXPECT_THAT(error, StatusIs(StatusCode::kIoError,
                                HasSubstr("f:" + std::to_string(line) + ":" +
                                          std::to_string(column) + ": truncated")));
  }
}

TEST(ReadInputTest, BinaryInsideACompressedFileIsCheckedToo) {
  TempFile f(Gzip(std::string("ok\n\xFF\n")));
  EXPECT_THAT(ReadInput(f.path(), "f.gz", {}),
              StatusIs(StatusCode::kParseError, HasSubstr("f.gz:2:1: invalid UTF-8")));
}

TEST(ReadInputTest, SizeLimitHoldsAfterDecompression) {
  // A small file that inflates far past the limit (a "zip bomb").
  const std::string zeros(8 << 20, 'a');
  TempFile f(Gzip(zeros));
  InputLimits limits;
  limits.max_bytes = 1 << 20;
  EXPECT_THAT(ReadInput(f.path(), "f", limits),
              StatusIs(StatusCode::kIoError, HasSubstr("f: input is larger than the limit of 1048576 bytes")));
}

TEST(ReadInputTest, RegularFileLargerThanTheLimitFailsBeforeReading) {
  TempFile f("");
  // Sparse: 64 GiB of size, no data on disk, nothing read.
  ASSERT_EQ(truncate(f.path().c_str(), off_t{1} << 36), 0);
  InputLimits limits;
  limits.max_bytes = 1 << 30;
  EXPECT_THAT(ReadInput(f.path(), "f", limits),
              StatusIs(StatusCode::kIoError, HasSubstr("f: input is larger than the limit of 1073741824 bytes")));
}

TEST(ReadInputTest, LineLengthLimitNamesTheLine) {
  TempFile f("short\n" + std::string(5000, 'x') + "\n");
  InputLimits limits;
  limits.max_line_bytes = 4096;
  EXPECT_THAT(ReadInput(f.path(), "f", limits),
              StatusIs(StatusCode::kIoError, HasSubstr("f:2:1: line longer than the limit of 4096 bytes")));
  limits.max_line_bytes = 5000;
  EXPECT_THAT(ReadInput(f.path(), "f", limits), IsOk());
}

TEST(DeadlineReachedTest, NamesTheLineTheCauseAndTheLinesDone) {
  EXPECT_THAT(DeadlineReached("f", 1, "", "parsing"),
              StatusIs(StatusCode::kDeadlineExceeded,
                       "f:1:1: the deadline reached while parsing, after 0 lines"));
  EXPECT_THAT(DeadlineReached("f", 2, "time limit of 5 ms", "reading the input"),
              StatusIs(StatusCode::kDeadlineExceeded,
                       "f:2:1: time limit of 5 ms reached while reading the input, after 1 line"));
}

TEST(ReadInputTest, PastTheDeadlineNothingIsRead) {
  const std::string text = BigText();
  for (const std::string& bytes : {text, Gzip(text), Zstd(text)}) {
    TempFile f(bytes);
    InputLimits limits;
    limits.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    limits.deadline_cause = "time limit of 5 ms";
    EXPECT_THAT(ReadInput(f.path(), "f", limits),
                StatusIs(StatusCode::kDeadlineExceeded,
                         "f:1:1: time limit of 5 ms reached while reading the input, after 0 "
                         "lines"));
    limits.deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
    EXPECT_THAT(ReadInput(f.path(), "f", limits), IsOk());
  }
}

TEST(ReadInputTest, SilentPipeEndsAtTheDeadline) {
  char dir_template[] = "/tmp/fenceline-fifo-XXXXXX";
  const std::string dir = mkdtemp(dir_template), fifo = dir + "/in";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // Held open for writing and never written: read(2) alone would wait for ever.
  const int writer = open(fifo.c_str(), O_RDWR | O_NONBLOCK);
  ASSERT_GE(writer, 0);
  ASSERT_EQ(write(writer, "{\"process\":0,", 13), 13);
  InputLimits limits;
  const auto start = std::chrono::steady_clock::now();
  limits.deadline = start + std::chrono::milliseconds(200);
  StatusOr<std::string> text = ReadInput(fifo, "p", limits);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  close(writer);
  std::remove(fifo.c_str());
  rmdir(dir.c_str());
  EXPECT_THAT(text, StatusIs(StatusCode::kDeadlineExceeded,
                             "p:1:1: the deadline reached while reading the input, after 0 lines"));
  EXPECT_GE(seconds, 0.2);
  EXPECT_LT(seconds, 5.0);
}

}  // namespace
}  // namespace fenceline::internal
