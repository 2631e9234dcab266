// A file in a line-oriented format is read a chunk of lines at a time (FileLineSource), never
// whole. The reference is how every file was read before: ReadInput's whole, checked text, then
// the same parse. Both must give the same History, or the same error (code, message, line and
// column), whichever comes first in the file: a bad byte or a broken limit anywhere in the file
// stands before a parse error, since the whole text was once checked before parsing began.
// Files span several 1 MiB read blocks and chunks, so that every boundary is crossed.
// Every input is read so, not only a plain file: each case is also given gzip- and
// zstd-compressed, and on standard input (a pipe, plain and compressed), and must give the plain
// file's History or error (with the input's name in it).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/file_lines.h"
#include "checker/parse/input_reader.h"
#include "fenceline/parse.h"
#include "testing/compress.h"
#include "testing/history_dump.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::fenceline::testing::Gzip;
using ::fenceline::testing::StatusIs;
using ::fenceline::testing::Zstd;

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
  const std::string name = path == "-" ? "<stdin>" : path;
  internal::InputLimits limits;
  limits.max_bytes = options.max_input_bytes;
  limits.max_line_bytes = options.max_line_bytes;
  StatusOr<std::string> text = internal::ReadInput(path, name, limits);
  if (!text.ok()) return text.status();
  return ParseHistoryText(*text, name, options);
}

// Runs `read` with standard input a pipe that a thread fills with `bytes` and then closes, or
// keeps open for `hold` after writing them (a silent writer). A reader that stops early gets
// the pipe closed under the writer, which then stops too (EPIPE, SIGPIPE ignored).
// `piece` > 0: written that many bytes at a time, a pause after each, so that the reader gets
// them in pieces of about that size rather than of the pipe's capacity.
template <typename T>
T ThroughStdin(const std::string& bytes, const std::function<T()>& read,
               std::chrono::milliseconds hold = std::chrono::milliseconds(0), size_t piece = 0) {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::thread writer([&] {
    for (size_t at = 0; at < bytes.size();) {
      const size_t want = piece > 0 ? std::min(piece, bytes.size() - at) : bytes.size() - at;
      const ssize_t n = write(fds[1], bytes.data() + at, want);
      if (n <= 0) break;
      at += static_cast<size_t>(n);
      if (piece > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    std::this_thread::sleep_for(hold);
    close(fds[1]);
  });
  const int saved = dup(STDIN_FILENO);
  dup2(fds[0], STDIN_FILENO);
  close(fds[0]);
  T result = read();
  dup2(saved, STDIN_FILENO);  // closes the pipe's read end
  close(saved);
  writer.join();
  return result;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The whole-file check of `bytes` given as a gzip file, a zstd file, and on standard input
// plain, as gzip and as zstd; each dump with the input's name replaced by `name`.
std::vector<std::pair<std::string, std::string>> EveryInputDump(const std::string& bytes,
                                                                const std::string& name,
                                                                const ParseOptions& options) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [how, encoded] :
       {std::pair<std::string, std::string>{"gzip", Gzip(bytes)}, {"zstd", Zstd(bytes)}}) {
    TempFile f(encoded);
    out.emplace_back(how + " file",
                     Replace(Dump(ParseHistoryFile(f.path(), options)), f.path(), name));
  }
  for (const auto& [how, encoded] : {std::pair<std::string, std::string>{"plain", bytes},
                                     {"gzip", Gzip(bytes)},
                                     {"zstd", Zstd(bytes)}}) {
    const std::string dump = ThroughStdin<std::string>(
        encoded, [&] { return Dump(ParseHistoryFile("-", options)); });
    out.emplace_back(how + " stdin", Replace(dump, "<stdin>", name));
  }
  return out;
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
  // One thread and the pipeline, which drains the source from its own thread.
  for (int threads : {1, 2}) {
    ParseOptions o = options;
    o.threads = threads;
    for (const auto& [how, dump] : EveryInputDump(bytes, f.path(), o)) {
      SCOPED_TRACE(how + ", threads " + std::to_string(threads));
      EXPECT_EQ(dump, whole);
    }
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

// Compressed data that is corrupt or cut short far into the file: the whole read's error, at the
// decoded text's position, even after an earlier parse error.
TEST(FileLinesTest, CorruptOrTruncatedCompressedDataFarIntoTheInput) {
  const std::string text = JsonLines(30000);
  const std::string early_parse_error = Plant(text, 40, "}");
  for (const std::string& t : {text, early_parse_error}) {
    for (const auto& [how, encoded] :
         {std::pair<std::string, std::string>{"gzip", Gzip(t)}, {"zstd", Zstd(t)}}) {
      std::string corrupt = encoded;
      for (size_t i = corrupt.size() * 3 / 4; i < corrupt.size() * 3 / 4 + 64; ++i) {
        corrupt[i] ^= 0x5a;
      }
      const std::string truncated = encoded.substr(0, encoded.size() * 3 / 4);
      for (const std::string& bad : {truncated, corrupt}) {
        SCOPED_TRACE(how);
        TempFile f(bad);
        const std::string whole = Dump(ParseWhole(f.path(), {}));
        // Corrupt data may decode to bad bytes first (a kParseError); either is far in.
        EXPECT_THAT(whole, ContainsRegex(
                               &bad == &truncated
                                   ? "^error [a-z/ ]+: /tmp/[^:]+:[0-9]{5}:[0-9]+: truncated " + how
                                   : "^error [a-z/ ]+: /tmp/[^:]+:[0-9]{4,5}:[0-9]+: "));
        for (int threads : {1, 2}) {
          ParseOptions o;
          o.threads = threads;
          EXPECT_EQ(Dump(ParseHistoryFile(f.path(), o)), whole);
          // Through a pipe, written at once (read in pieces of the pipe's capacity) and in
          // small pieces: the same error at the same position as from the file. (Where a
          // decoder notices corrupt zstd data depends on the raw pieces it is given, which
          // DecodedInput makes the same from any source.)
          for (size_t piece : {size_t{0}, size_t{1000}, size_t{70000}}) {
            SCOPED_TRACE(piece);
            const std::string piped_whole = ThroughStdin<std::string>(
                bad, [&] { return Dump(ParseWhole("-", {})); }, {}, piece);
            const std::string piped = ThroughStdin<std::string>(
                bad, [&] { return Dump(ParseHistoryFile("-", o)); }, {}, piece);
            EXPECT_EQ(Replace(piped_whole, "<stdin>", f.path()), whole);
            EXPECT_EQ(Replace(piped, "<stdin>", f.path()), whole);
          }
        }
      }
    }
  }
}

// N in "..., after N lines"; -1 if absent.
long LinesAfter(const std::string& text) {
  const size_t at = text.rfind(", after ");
  return at == std::string::npos ? -1 : std::stol(text.substr(at + 8));
}

// A writer that goes silent with the pipe open: the deadline ends the read at the line after
// the text received (decoded, for a compressed input), as the whole read says it, instead of
// waiting for the writer.
TEST(FileLinesTest, ASilentPipeEndsAtTheDeadlineAsTheWholeReadDoes) {
  const std::string text = JsonLines(15000);  // about 3 MiB: several blocks, then silence
  const auto hold = std::chrono::milliseconds(2500);
  for (const std::string& encoded : {text, Zstd(text)}) {
    auto parse = [&](bool whole) {
      ParseOptions o;
      o.threads = 2;
      o.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1200);
      o.deadline_cause = "the time limit";
      if (!whole) return Dump(ParseHistoryFile("-", o));
      internal::InputLimits limits;
      limits.deadline = o.deadline;
      limits.deadline_cause = o.deadline_cause;
      StatusOr<std::string> t = internal::ReadInput("-", "<stdin>", limits);
      return t.ok() ? Dump(ParseHistoryText(*t, "<stdin>", o)) : Dump(t.status());
    };
    const std::string whole =
        ThroughStdin<std::string>(encoded, [&] { return parse(true); }, hold);
    if (&encoded == &text) {
      EXPECT_EQ(whole, "error deadline exceeded: <stdin>:30001:1: the time limit reached while "
                       "reading the input, after 30000 lines");
    } else {
      // A compressed input is decoded in whole raw pieces (DecodedInput): the text of the
      // unfinished last piece, decoded only once the deadline has passed, is not read.
      EXPECT_THAT(whole, ContainsRegex("^error deadline exceeded: <stdin>:[0-9]+:1: the time "
                                       "limit reached while reading the input, after "
                                       "[1-9][0-9]{3,4} lines$"));
      EXPECT_LE(LinesAfter(whole), 30000);
    }
    EXPECT_EQ(ThroughStdin<std::string>(encoded, [&] { return parse(false); }, hold), whole);
  }
}

// The source holds a few blocks of a compressed input's text at a time, never all of it.
TEST(FileLinesTest, ACompressedInputIsHeldABlockOrTwoAtATime) {
  const std::string text = JsonLines(100000);  // about 20 MiB of text
  TempFile f(Zstd(text));
  internal::DecodedInput in;
  ASSERT_TRUE(in.Open(f.path(), "f").ok());
  internal::FileLineSource source(in, "f", {});
  ASSERT_TRUE(source.Open().ok());
  ASSERT_TRUE(source.Start().ok());
  std::string again;
  internal::SourceChunk chunk;
  size_t chunks = 0;
  while (true) {
    StatusOr<bool> more = source.Next(size_t{1} << 20, chunk);
    ASSERT_TRUE(more.ok()) << more.status().message();
    if (!*more) break;
    ++chunks;
    EXPECT_LE(source.buffered().size(), size_t{3} << 20);
    EXPECT_LE(chunk.owned.size(), size_t{3} << 20);
    again += chunk.owned;
  }
  EXPECT_GT(chunks, 10u);
  EXPECT_EQ(again, text);
}

// Every sample in histories/ and the corpus (when present), in every form, parses as the plain
// file does.
TEST(FileLinesTest, SamplesAndCorpusCompressedAndPipedAsThePlainFile) {
  size_t files = 0;
  for (const std::string& root : {std::string(FENCELINE_SOURCE_DIR) + "/histories",
                                  std::string(FENCELINE_SOURCE_DIR) + "/../shared/corpus"}) {
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || ext == ".md" || ext == ".gz" || ext == ".zst") continue;
      const std::string path = entry.path().string();
      std::ifstream in(path, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      ParseOptions o;
      o.threads = 2;
      const std::string plain = Dump(ParseHistoryFile(path, o));
      for (const auto& [how, dump] : EveryInputDump(bytes, path, o)) {
        SCOPED_TRACE(path + " " + how);
        EXPECT_EQ(dump, plain);
      }
      ++files;
    }
  }
  EXPECT_GT(files, 50u);
}

}  // namespace
}  // namespace fenceline
