// Parsing in chunks on several threads gives exactly the serial parse: the same History, the same
// first error (message, line and column), the same skipped-line count, for every chunk size
// (down to one line a chunk) and thread count. The serial reference is the same reader with one
// chunk on one thread, which is how every line was read before chunking.
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/formats.h"
#include "checker/parse/line_chunks.h"
#include "fenceline/history.h"
#include "fenceline/parse.h"
#include "testing/history_dump.h"
#include "testing/random_history.h"

namespace fenceline::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

enum class Reader { kJson, kLog };

StatusOr<History> ParseChunked(Reader reader, std::string_view text, int threads, size_t chunk_bytes) {
  HistoryBuilder builder{"c.txt"};
  ChunkOptions chunks;
  chunks.threads = threads;
  chunks.chunk_bytes = chunk_bytes;
  SkippedLines skipped;
  Status s = reader == Reader::kJson ? ParseJsonLines(text, "c.txt", builder, chunks)
                                     : ParseJepsenLog(text, "c.txt", builder, skipped, chunks);
  if (!s.ok()) return s;
  StatusOr<History> h = builder.Finish();
  if (h.ok()) {
    h->skipped_lines = skipped.count;
    h->first_skipped_line = skipped.first_line;
  }
  return h;
}

// Every chunking of `text` parses as the serial reader does.
void ExpectChunkingInvisible(Reader reader, std::string_view text) {
  const std::string serial = Dump(ParseChunked(reader, text, 1, text.size() + 1));
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{64}, size_t{333}, size_t{4096}}) {
    for (int threads : {1, 2, 4}) {
      SCOPED_TRACE("chunk_bytes " + std::to_string(chunk) + ", threads " + std::to_string(threads));
      EXPECT_EQ(Dump(ParseChunked(reader, text, threads, chunk)), serial);
    }
  }
}

std::string RandomJsonLines(uint64_t seed) {
  testing::RandomHistoryOptions o;
  o.model = "kv";
  o.seed = seed;
  o.processes = 5;
  o.ops = 300;
  o.keys = 4;
  o.info_rate = 0.1;
  o.fail_rate = 0.1;
  return testing::ToJsonLines(testing::RandomHistory(o));
}

TEST(LineChunksTest, JsonLinesHistoryIsTheSameForEveryChunking) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::string text = RandomJsonLines(seed);
    // Shapes the generator does not write: blank and CRLF lines, extra fields, a nemesis,
    // nested values, escapes, no final newline.
    text = "\n  \r\n{\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"start\",\"value\":{\"a\":[1,{\"b\":null}]}}\r\n" +
           text + "\n\t\n{\"process\":7,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"k\\\"1\",\"value\":\"\\u00e9\",\"x\":[true,false]}";
    ExpectChunkingInvisible(Reader::kJson, text);
  }
}

// A history whose lines are numbered, to place errors on chosen lines.
std::vector<std::string> JsonLines(uint64_t seed) {
  std::vector<std::string> lines;
  const std::string text = RandomJsonLines(seed);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

TEST(LineChunksTest, FirstErrorInInputOrderIsReportedForEveryChunking) {
  const std::vector<std::string> base = JsonLines(7);
  ASSERT_GT(base.size(), 400u);
  // Each kind of error the reader or the builder can find, on a chosen line.
  const std::vector<std::string> bad = {
      R"({"process":1,"type":"ok","f":"put","value":1,})",              // invalid JSON
      R"({"process":1,"type":"ok","process":2,"f":"put"})",             // a key twice
      R"({"process":1.5,"type":"ok","f":"put"})",                       // a field's type
      R"({"process":999,"type":"ok","f":"put","value":1})",             // completion, no invoke
      R"([1,2])",                                                       // not an object
      R"({"process":1,"type":"invoke","f":"put","time":4611686018427387905})",  // time range
  };
  std::mt19937_64 rng(11);
  for (const std::string& b : bad) {
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<std::string> lines = base;
      const size_t at = rng() % lines.size();
      lines[at] = b;
      // A second, later error must never be the one reported.
      lines[std::min(lines.size() - 1, at + 1 + rng() % 50)] = "{oops";
      SCOPED_TRACE(b + " at line " + std::to_string(at + 1));
      const std::string text = Join(lines);
      const std::string serial = Dump(ParseChunked(Reader::kJson, text, 1, text.size() + 1));
      EXPECT_THAT(serial, StartsWith("error "));
      ExpectChunkingInvisible(Reader::kJson, text);
    }
  }
}

TEST(LineChunksTest, JsonErrorNamesItsLineAndColumnInTheWholeText) {
  std::vector<std::string> lines = JsonLines(3);
  lines[250] = R"(  {"process":1,"type":"ok","f":"put","value":[1,})";
  const std::string text = Join(lines);
  StatusOr<History> h = ParseChunked(Reader::kJson, text, 2, 100);
  ASSERT_FALSE(h.ok());
  EXPECT_THAT(h.status().message(), StartsWith("c.txt:251:"));
}

TEST(LineChunksTest, JepsenLogIsTheSameForEveryChunking) {
  // Log output between events, the positional error rule (which looks at the process's last
  // invoke, possibly chunks earlier), independent tuples, a nemesis, CRLF.
  std::string text;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 150; ++i) {
    const int p = static_cast<int>(rng() % 4);
    if (rng() % 5 == 0) text += "INFO  jepsen.core - some log output " + std::to_string(i) + "\n";
    if (rng() % 7 == 0) text += "\n";
    switch (rng() % 4) {
      case 0:
        text += std::to_string(p) + "\t:invoke\t:write\t:x\n" + std::to_string(p) + "\t:info\t:write\t:x\n";
        break;
      case 1:
        text += std::to_string(p) + "\t:invoke\t:write\t3\n" + std::to_string(p) + "\t:fail\t:write\t:not-found\r\n";
        break;
      case 2:
        text += "INFO  jepsen.util - " + std::to_string(p) + "\t:invoke\t:read\t#jepsen.independent/tuple [" +
                std::to_string(i % 3) + " nil]\n" + std::to_string(p) + "\t:ok\t:read\t#jepsen.independent/tuple [" +
                std::to_string(i % 3) + " 2]\n";
        break;
      default:
        text += ":nemesis\t:info\t:start\tnil\n";
        break;
    }
  }
  ExpectChunkingInvisible(Reader::kLog, text);
  // And its first error, wherever it falls.
  text += "0\t:invok\t:read\tnil\n";
  ExpectChunkingInvisible(Reader::kLog, text);
}

TEST(LineChunksTest, DeadlinePassedStopsBeforeTheFirstChunk) {
  const std::string text = RandomJsonLines(2);
  HistoryBuilder builder{"c.txt"};
  ChunkOptions chunks;
  chunks.chunk_bytes = 100;
  chunks.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  Status s = ParseJsonLines(text, "c.txt", builder, chunks);
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.message(), "c.txt:1:1: the deadline reached while parsing, after 0 lines");
}

// A source that is still being read (a file read a chunk at a time): stopped there, the parse
// says so as ReadInput does when it stops a file read whole, not "while parsing".
class UnreadSource final : public LineSource {
 public:
  explicit UnreadSource(std::string_view text) : text_(text) {}
  StatusOr<bool> Next(size_t chunk_bytes, SourceChunk& chunk) override {
    return text_.Next(chunk_bytes, chunk);
  }
  uint32_t next_line() const override { return text_.next_line(); }
  Status Drain() override { return OkStatus(); }
  bool all_read() const override { return false; }

 private:
  TextLineSource text_;
};

TEST(LineChunksTest, DeadlineBeforeTheInputIsReadSaysReadingTheInput) {
  const std::string text = RandomJsonLines(2);
  for (int threads : {1, 2}) {
    UnreadSource source(text);
    HistoryBuilder builder{"c.txt"};
    ChunkOptions chunks;
    chunks.threads = threads;
    chunks.chunk_bytes = 100;
    chunks.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    Status s = ParseJsonLines(source, "c.txt", builder, chunks);
    EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
    EXPECT_EQ(s.message(), "c.txt:1:1: the deadline reached while reading the input, after 0 lines")
        << threads;
  }
}

TEST(LineChunksTest, DeadlineStopsWithinOneLongLine) {
  // One line of 20M array elements (40 MB): its parse takes far longer than the deadline, and
  // the chunk reader looks at the clock only between chunks, so it used to end after line 1.
  std::string text = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":[0";
  text.reserve(size_t{41} << 20);
  for (int i = 0; i < 20000000; ++i) text += ",0";
  text += "]}\n";
  HistoryBuilder builder{"c.txt"};
  ChunkOptions chunks;
  chunks.threads = 1;
  const auto start = std::chrono::steady_clock::now();
  chunks.deadline = start + std::chrono::milliseconds(20);
  Status s = ParseJsonLines(text, "c.txt", builder, chunks);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.message(), "c.txt:1:1: the deadline reached while parsing, after 0 lines");
  // Generous under load; the whole line takes seconds.
  EXPECT_LT(took, std::chrono::milliseconds(20 + 1000));
}

TEST(LineChunksTest, DeadlineStopsWithinOneLongJepsenLogLine) {
  // As for JSON Lines: one event line whose value holds 20M elements. The fields after the type
  // are read by EdnReader, which looks at the clock every few thousand elements once told the
  // deadline; the log reader did not tell it, so the line was read whole (seconds) first.
  std::string text = "0\t:invoke\t:write\t[0";
  text.reserve(size_t{41} << 20);
  for (int i = 0; i < 20000000; ++i) text += " 0";
  text += "]\n";
  HistoryBuilder builder{"c.log"};
  ChunkOptions chunks;
  chunks.threads = 1;
  const auto start = std::chrono::steady_clock::now();
  chunks.deadline = start + std::chrono::milliseconds(20);
  SkippedLines skipped;
  Status s = ParseJepsenLog(text, "c.log", builder, skipped, chunks);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.message(), "c.log:1:1: the deadline reached while parsing, after 0 lines");
  // Generous under load; the whole line takes seconds.
  EXPECT_LT(took, std::chrono::milliseconds(20 + 1000));
}

TEST(LineChunksTest, CountLinesCountsOnEveryThreadCount) {
  std::string text(size_t{9} << 20, 'x');
  for (size_t i = 0; i < text.size(); i += 1 + i % 977) text[i] = '\n';
  const auto expected = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  EXPECT_EQ(CountLines(text, 1), expected);
  EXPECT_EQ(CountLines(text, 2), expected);
  EXPECT_EQ(CountLines(text, 0), expected);
}

}  // namespace
}  // namespace fenceline::internal
