// The streaming reader (checker/stream/stream_reader.h) gives exactly the history the whole-file
// parser gives (its events, their positions, the skipped log lines), for every sample in
// histories/ and every corpus file, plain, gzip and zstd; for generated inputs of every format
// that span many of its chunks (EDN elements across lines, tags, strings holding brackets and
// newlines); and the same error, at the same line and column, for bad input.
#include "checker/stream/stream_reader.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/parse.h"
#include "testing/compress.h"
#include "testing/matchers.h"
#include "testing/parse_helpers.h"
#include "testing/random_history.h"
#include "testing/run_cli.h"

namespace fenceline {
namespace {

using internal::EdnCutter;
using internal::ReadHistoryStream;
using internal::StreamReadOptions;
using internal::StreamReadStats;
using ::fenceline::testing::DumpHistory;
using ::fenceline::testing::StatusIs;
using ::testing::HasSubstr;

class Scratch {
 public:
  Scratch() {
    char dir[] = "/tmp/fenceline-stream-reader-XXXXXX";
    dir_ = mkdtemp(dir) != nullptr ? dir : "/tmp";
  }
  ~Scratch() { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

 private:
  std::string dir_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The history as the streaming reader hands it over, built as the whole-file parser builds it.
StatusOr<History> StreamRead(const std::string& path, const std::string& name,
                             StreamReadStats* stats_out = nullptr) {
  HistoryBuilder builder{name};
  StreamReadStats stats;
  FENCELINE_RETURN_IF_ERROR(ReadHistoryStream(
      path, name, StreamReadOptions{}, [&](Event e) { return builder.Add(std::move(e)); },
      stats));
  FENCELINE_ASSIGN_OR_RETURN(History h, builder.Finish());
  h.skipped_lines = stats.skipped_lines;
  h.first_skipped_line = stats.first_skipped_line;
  if (stats_out) *stats_out = stats;
  return h;
}

// Streams `text` plain, gzipped and zstd-compressed, each under the name `name`, and expects
// the whole-file parse of the plain text.
void ExpectStreamedAsWhole(const std::string& text, const std::string& name) {
  Scratch s;
  const std::string plain = s.Write("plain", text);
  const std::string whole = DumpHistory(ParseHistoryText(text, name));
  for (const auto& [file, encoding] :
       {std::pair<std::string, std::string>{plain, ""},
        {s.Write("gz", testing::Gzip(text)), "gzip"},
        {s.Write("zst", testing::Zstd(text)), "zstd"}}) {
    SCOPED_TRACE(name + " " + encoding);
    StreamReadStats stats;
    StatusOr<History> h = StreamRead(file, name, &stats);
    if (h.ok()) {
      EXPECT_EQ(stats.encoding, encoding);
    }
    EXPECT_EQ(DumpHistory(h), whole);
  }
}

bool IsEdnVectorOfEvents(const std::string& text) {
  const size_t at = text.find_first_not_of(" \t\r\n,");
  if (at == std::string::npos || text[at] != '[') return false;
  const size_t next = text.find_first_not_of(" \t\r\n,", at + 1);
  return next != std::string::npos && (text[next] == '{' || text[next] == '#');
}

TEST(StreamReaderTest, EverySampleStreamsAsTheWholeFileReadsIt) {
  int files = 0, vectors = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(testing::SourcePath("histories"))) {
    const std::string path = entry.path().string();
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".jsonl" && ext != ".edn" && ext != ".txt" &&
                                     ext != ".log")) {
      continue;
    }
    const std::string text = Slurp(path);
    if (IsEdnVectorOfEvents(text)) {
      // Refused, with the reason, rather than read whole.
      EXPECT_THAT(StreamRead(path, path),
                  StatusIs(StatusCode::kUnsupported, HasSubstr("a single vector of events")))
          << path;
      ++vectors;
      continue;
    }
    ExpectStreamedAsWhole(text, path);
    ++files;
  }
  EXPECT_GT(files, 60);
  std::printf("histories/: %d files streamed as read whole, %d EDN vectors refused\n", files,
              vectors);
}

TEST(StreamReaderTest, EveryCorpusFileStreamsAsTheWholeFileReadsIt) {
  const std::string root = testing::CorpusDir();
  if (root.empty()) GTEST_SKIP() << "corpus absent (set FENCELINE_CORPUS)";
  int files = 0;
  for (const char* dir : {"jepsen-etcd", "porcupine-kv"}) {
    for (const auto& entry : std::filesystem::directory_iterator(root + "/" + dir)) {
      const std::string path = entry.path().string();
      if (entry.path().filename() == "expected.tsv") continue;
      ExpectStreamedAsWhole(Slurp(path), path);
      ++files;
    }
  }
  // 108 files with known verdicts, and etcd_095.log, which is empty (refused alike).
  EXPECT_EQ(files, 109);
}

// Large inputs, so that the reader's 1 MiB chunks end at arbitrary places.

TEST(StreamReaderTest, LargeJsonLinesSpanningManyChunks) {
  testing::RandomHistoryOptions g;
  g.model = "kv";
  g.ops = 16000;
  g.keys = 50;
  g.processes = 8;
  g.info_rate = 0.05;
  const std::string text = testing::ToJsonLines(testing::RandomHistory(g));
  ASSERT_GT(text.size(), size_t{5} << 18);  // 1.25 MiB: two chunks at least
  ExpectStreamedAsWhole(text, "big.jsonl");
}

TEST(StreamReaderTest, LargeJepsenLogWithLogOutputAndPositionalErrors) {
  std::mt19937_64 rng(11);
  std::string text;
  for (int i = 0; i < 24000; ++i) {
    const int p = static_cast<int>(rng() % 5);
    if (rng() % 7 == 0) text += "INFO  jepsen.core - a line of log output, no event here\n";
    text += "INFO  jepsen.util - " + std::to_string(p) + "\t:invoke\t:write\t" +
            std::to_string(i) + "\n";
    const int outcome = static_cast<int>(rng() % 6);
    text += "INFO  jepsen.util - " + std::to_string(p) +
            (outcome == 0   ? "\t:info\t:write\t:timed-out\n"
             : outcome == 1 ? "\t:fail\t:write\t" + std::to_string(i) + "\t:no-leader\n"
                            : "\t:ok\t:write\t" + std::to_string(i) + "\n");
  }
  ASSERT_GT(text.size(), size_t{5} << 18);  // 1.25 MiB: two chunks at least
  ExpectStreamedAsWhole(text, "big.log");
}

TEST(StreamReaderTest, LargeEdnWithElementsAcrossLines) {
  std::mt19937_64 rng(5);
  std::string text = ";; a comment first\n";
  for (int i = 0; i < 12000; ++i) {
    const int p = static_cast<int>(rng() % 4);
    const std::string ps = std::to_string(p), v = std::to_string(i);
    switch (rng() % 5) {
      case 0:  // one op map a line, as Jepsen's store writes them
        text += "{:index " + v + ", :type :invoke, :process " + ps + ", :f :write, :value " +
                v + "}\n{:index " + v + ", :type :ok, :process " + ps +
                ", :f :write, :value " + v + "}\n";
        break;
      case 1:  // pretty-printed across lines, a string holding brackets, a newline and ';'
        text += "{:type :invoke,\n :process " + ps + ",\n :f :write,\n :value " + v +
                ",\n :note \"} ] ) ;\nnot a comment \\\" still\"}\n{:type :ok, :process " + ps +
                ", :f :write, :value " + v + "} ; trailing comment [\n";
        break;
      case 2:  // an independent tuple whose tag is on the line before its value
        text += "{:type :invoke, :process " + ps + ", :f :write, :value #jepsen.independent/tuple\n[" +
                std::to_string(i % 3) + " " + v + "]}\n{:type :ok, :process " + ps +
                ", :f :write, :value #jepsen.independent/tuple [" + std::to_string(i % 3) + " " +
                v + "]}\n";
        break;
      case 3:  // tuple lines, positional error convention, a character literal
        text += "[" + ps + " :invoke :write " + v + "]\n[" + ps +
                " :info :write :timed-out]\n{:type :invoke, :process " + ps +
                ", :f :read, :value nil, :c \\]}\n{:type :ok, :process " + ps +
                ", :f :read, :value nil}\n";
        break;
      default:  // a discarded element, and a tag before a map on the next line
        text += "#_ {:type :invoke, :process 99}\n#_\n[" + ps + " :invoke :read nil]\n" +
                "{:type :invoke, :process " + ps + ", :f :read, :value nil}\n{:type :ok, :process " +
                ps + ", :f :read, :value " + v + "}\n";
        break;
    }
  }
  ASSERT_GT(text.size(), size_t{5} << 18);  // 1.25 MiB: two chunks at least
  ExpectStreamedAsWhole(text, "big.edn");
}

// A bad line far past the first chunk: the same error as the whole-file parse, same position.
TEST(StreamReaderTest, BadInputLateInALargeFileGivesTheWholeFileError) {
  std::string jsonl, log, edn;
  for (int i = 0; i < 16000; ++i) {
    const std::string p = std::to_string(i % 3), v = std::to_string(i);
    jsonl += "{\"process\":" + p + ",\"type\":\"invoke\",\"f\":\"write\",\"value\":" + v +
             "}\n{\"process\":" + p + ",\"type\":\"ok\",\"f\":\"write\",\"value\":" + v + "}\n";
    log += "INFO  jepsen.util - " + p + "\t:invoke\t:write\t" + v + "\nINFO  jepsen.util - " + p +
           "\t:ok\t:write\t" + v + "\n";
    edn += "{:process " + p + ", :type :invoke, :f :write, :value " + v + "}\n{:process " + p +
           ", :type :ok, :f :write, :value " + v + "}\n";
  }
  const std::vector<std::string> bad = {
      jsonl + "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n",   // never invoked
      jsonl + "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":}\n",  // bad JSON
      jsonl + "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":\"\xC3\x28\"}\n",
      jsonl + "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1",  // no newline
      log + "0\t:invok\t:write\t3\n",
      log + "0\t:invoke\t:write\t[1 2\n",
      edn + "{:process 0, :type :invoke, :f :write, :value [1 2}\n",
      edn + "{:process 0, :type :invoke, :f :write,\n :value 3",  // ends inside a map
      edn + "{:process 0, :type :unknown, :f :write, :value 3}\n",
  };
  ASSERT_GT(log.size(), size_t{1} << 20);
  for (const std::string& text : bad) {
    Scratch s;
    const std::string path = s.Write("bad", text);
    StatusOr<History> whole = ParseHistoryFile(path);
    ASSERT_FALSE(whole.ok());
    SCOPED_TRACE(whole.status().message());
    for (const std::string& file : {path, s.Write("bad.gz", testing::Gzip(text))}) {
      StatusOr<History> streamed = StreamRead(file, path);
      ASSERT_FALSE(streamed.ok());
      EXPECT_EQ(streamed.status().message(), whole.status().message());
      EXPECT_EQ(streamed.status().code(), whole.status().code());
    }
  }
}

TEST(StreamReaderTest, TruncatedCompressedInputIsAnErrorNotAShorterHistory) {
  std::string jsonl;
  for (int i = 0; i < 50000; ++i) {
    jsonl += "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":" + std::to_string(i) +
             "}\n{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":" + std::to_string(i) +
             "}\n";
  }
  Scratch s;
  const std::string gz = testing::Gzip(jsonl), zst = testing::Zstd(jsonl);
  // Cut inside the data, and (gzip) just before the trailer that says the stream is complete.
  for (const std::string& cut : {gz.substr(0, gz.size() / 2), gz.substr(0, gz.size() - 8),
                                 zst.substr(0, zst.size() / 2), zst.substr(0, zst.size() - 3)}) {
    const std::string path = s.Write("cut", cut);
    EXPECT_THAT(StreamRead(path, "cut"),
                StatusIs(StatusCode::kIoError,
                         ::testing::ContainsRegex("^cut:[0-9]+:[0-9]+: truncated (gzip|zstd) data")));
  }
}

TEST(StreamReaderTest, NoEventsIsRefusedAsByTheWholeFileCheck) {
  for (const std::string& text : {std::string(""), std::string("\n\n  \n"),
                                  std::string("INFO  jepsen.core - Running test\nINFO done\n")}) {
    Scratch s;
    const std::string path = s.Write("empty", text);
    StatusOr<History> whole = ParseHistoryFile(path);
    ASSERT_FALSE(whole.ok());
    StatusOr<History> streamed = StreamRead(path, path);
    ASSERT_FALSE(streamed.ok());
    EXPECT_EQ(streamed.status().message(), whole.status().message());
  }
}

// Cut points: after a newline at the top level only.
std::vector<size_t> Cuts(const std::string& text) {
  EdnCutter c;
  std::vector<size_t> cuts;
  size_t consumed = 0;
  std::string buf;
  // Fed a byte at a time, consuming at every cut: the cutter must carry its state over.
  for (char ch : text) {
    buf += ch;
    const size_t cut = c.Scan(buf);
    if (cut > 0) {
      cuts.push_back(consumed + cut);
      consumed += cut;
      buf.erase(0, cut);
      c.Consumed(cut);
    }
  }
  return cuts;
}

TEST(EdnCutterTest, CutsOnlyBetweenTopLevelElements) {
  EXPECT_EQ(Cuts("{:a 1}\n{:b 2}\n"), (std::vector<size_t>{7, 14}));
  EXPECT_EQ(Cuts("{:a\n 1}\n"), (std::vector<size_t>{8}));
  EXPECT_EQ(Cuts("{:a \"x\n]}\"}\n"), (std::vector<size_t>{12}));
  EXPECT_EQ(Cuts("{:a \"\\\"\n\"}\n"), (std::vector<size_t>{11}));
  EXPECT_EQ(Cuts("{:a 1} ; {\n{:b 2}\n"), (std::vector<size_t>{11, 18}));
  EXPECT_EQ(Cuts("{:a \\{}\n"), (std::vector<size_t>{8}));
  EXPECT_EQ(Cuts("#tag\n{:a 1}\n"), (std::vector<size_t>{12}));
  EXPECT_EQ(Cuts("#_\n{:a 1}\n{:b 2}\n"), (std::vector<size_t>{10, 17}));
  EXPECT_EQ(Cuts("#{1 2}\n"), (std::vector<size_t>{7}));
}

}  // namespace
}  // namespace fenceline
