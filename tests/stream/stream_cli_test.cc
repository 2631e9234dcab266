// `fenceline check --stream`, as users run it: the same exit code and verdict as the whole-file
// check on random histories piped in, refusals with exit 2, and memory that does not grow with
// the history's length (peak RSS at 10k and 100k operations; the long runs are in bench/stream).
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/parse.h"
#include "testing/compress.h"
#include "testing/random_history.h"
#include "testing/run_cli.h"

namespace fenceline {
namespace {

using ::fenceline::testing::CliResult;
using ::fenceline::testing::kRssIsMeaningful;
using ::fenceline::testing::RunCli;
using ::testing::HasSubstr;
using ::testing::Not;

std::string LastLine(const std::string& s) {
  const size_t end = s.empty() || s.back() != '\n' ? s.size() : s.size() - 1;
  const size_t begin = s.rfind('\n', end == 0 ? 0 : end - 1);
  return s.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin == std::string::npos ? 0 : begin + 1));
}

TEST(StreamCliTest, PipedRandomHistoriesGetTheWholeFileExitCode) {
  int violations = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    testing::RandomHistoryOptions g;
    g.model = seed % 2 ? "kv" : "cas-register";
    g.seed = seed;
    g.ops = 60;
    g.keys = 3;
    g.processes = 3;
    g.max_overlap = 1;
    g.info_rate = 0.1;
    g.consistent = seed % 3 != 0;
    const std::string jsonl = testing::ToJsonLines(testing::RandomHistory(g));
    SCOPED_TRACE("seed " + std::to_string(seed) + "\n" + jsonl);
    CliResult whole = RunCli({"check", "--model", g.model, "-"}, jsonl);
    CliResult streamed = RunCli({"check", "--stream", "--model", g.model, "-"}, jsonl);
    ASSERT_THAT(whole.exit_code, ::testing::AnyOf(0, 1));
    EXPECT_EQ(streamed.exit_code, whole.exit_code) << streamed.err;
    EXPECT_THAT(LastLine(streamed.out),
                ::testing::StartsWith(whole.exit_code == 0 ? "<stdin>: linearizable"
                                                           : "<stdin>: not-linearizable"));
    violations += whole.exit_code == 1;
  }
  EXPECT_GT(violations, 5);
}

// The corpus through the CLI: each file as JSON Lines (its events in time order, as
// testing::ToJsonLines writes them), piped into `check --stream -` and `check -`.
TEST(StreamCliTest, CorpusPipedGetsTheWholeFileExitCode) {
  const std::string root = testing::CorpusDir();
  if (root.empty()) GTEST_SKIP() << "corpus absent (set FENCELINE_CORPUS)";
  int files = 0;
  for (const auto& [dir, model] : {std::pair<std::string, std::string>{"jepsen-etcd", "cas-register"},
                                   {"porcupine-kv", "kv"}}) {
    std::ifstream tsv(root + "/" + dir + "/expected.tsv");
    std::string line;
    std::getline(tsv, line);
    while (std::getline(tsv, line)) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      const std::string file = line.substr(0, tab);
      SCOPED_TRACE(dir + "/" + file);
      StatusOr<History> h = ParseHistoryFile(root + "/" + dir + "/" + file);
      ASSERT_TRUE(h.ok());
      const std::string jsonl = testing::ToJsonLines(*h);
      CliResult whole = RunCli({"check", "--no-proof", "--model", model, "-"}, jsonl);
      CliResult streamed = RunCli({"check", "--stream", "--model", model, "-"}, jsonl);
      ASSERT_THAT(whole.exit_code, ::testing::AnyOf(0, 1));
      EXPECT_EQ(streamed.exit_code, whole.exit_code) << streamed.err;
      ++files;
    }
  }
  EXPECT_EQ(files, 108);
}

// The corpus files as they are (Jepsen logs, EDN), and gzip- or zstd-compressed, named on the
// command line or piped: the whole-file check's exit code and partition count.
TEST(StreamCliTest, CorpusFilesAsTheyAreAndCompressedGetTheWholeFileExitCode) {
  const std::string root = testing::CorpusDir();
  if (root.empty()) GTEST_SKIP() << "corpus absent (set FENCELINE_CORPUS)";
  char dir[] = "/tmp/fenceline-stream-cli-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  int files = 0;
  for (const auto& [corpus, model] : {std::pair<std::string, std::string>{"jepsen-etcd", "cas-register"},
                                      {"porcupine-kv", "kv"}}) {
    std::ifstream tsv(root + "/" + corpus + "/expected.tsv");
    std::string line;
    std::getline(tsv, line);
    while (std::getline(tsv, line)) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      const std::string path = root + "/" + corpus + "/" + line.substr(0, tab);
      SCOPED_TRACE(path);
      std::ifstream in(path, std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), {});
      const bool gz = files % 2 == 0;
      const std::string packed = std::string(dir) + (gz ? "/h.gz" : "/h.zst");
      const std::string bytes = gz ? testing::Gzip(text) : testing::Zstd(text);
      std::ofstream(packed, std::ios::binary) << bytes;
      CliResult whole = RunCli({"check", "--no-proof", "--model", model, path});
      ASSERT_THAT(whole.exit_code, ::testing::AnyOf(0, 1));
      CliResult plain = RunCli({"check", "--stream", "--model", model, path});
      // Compressed: named for the even files, piped for the odd ones.
      CliResult compressed = files % 4 < 2
                                 ? RunCli({"check", "--stream", "--model", model, packed})
                                 : RunCli({"check", "--stream", "--model", model, "-"}, bytes);
      EXPECT_EQ(plain.exit_code, whole.exit_code) << plain.err;
      EXPECT_EQ(compressed.exit_code, whole.exit_code) << compressed.err;
      EXPECT_EQ(plain.err, whole.err);  // the same notes (skipped log lines)
      ++files;
    }
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(files, 108);
}

TEST(StreamCliTest, TruncatedCompressedInputIsUnusableNeverAVerdict) {
  std::string jsonl;
  for (int i = 0; i < 20000; ++i) {
    jsonl += "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":" +
             std::to_string(i) + "}\n{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":" +
             std::to_string(i) + "}\n";
  }
  for (const std::string& packed : {testing::Gzip(jsonl), testing::Zstd(jsonl)}) {
    CliResult r = RunCli({"check", "--stream", "--model", "register", "-"},
                         packed.substr(0, packed.size() - 5));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.err, ::testing::ContainsRegex("<stdin>:[0-9]+:[0-9]+: truncated (gzip|zstd) data"));
    EXPECT_THAT(r.out, Not(HasSubstr(": linearizable (")));
  }
}

// A violation decided before bad input is printed, but the input is unusable (exit 2), as the
// whole-file check of the same input says.
TEST(StreamCliTest, BadInputAfterADecidedViolationIsStillUnusable) {
  std::string jsonl = R"({"process":0,"type":"invoke","f":"write","value":1}
{"process":0,"type":"ok","f":"write","value":1}
{"process":1,"type":"invoke","f":"read","value":null}
{"process":1,"type":"ok","f":"read","value":2}
)";
  for (int i = 0; i < 300; ++i) {
    jsonl += R"({"process":0,"type":"invoke","f":"write","value":3}
{"process":0,"type":"ok","f":"write","value":3}
)";
  }
  jsonl += "{\"process\":0,\"type\":\"ok\"}\n";
  CliResult whole = RunCli({"check", "--model", "register", "-"}, jsonl);
  CliResult streamed = RunCli({"check", "--stream", "--model", "register", "-"}, jsonl);
  EXPECT_EQ(whole.exit_code, 2);
  EXPECT_EQ(streamed.exit_code, 2);
  EXPECT_THAT(streamed.out, HasSubstr("partition nil: not-linearizable"));
  EXPECT_THAT(streamed.err, HasSubstr("<stdin>:605:1: "));
  EXPECT_THAT(streamed.err, HasSubstr("the input as a whole is unusable"));
}

TEST(StreamCliTest, ViolationNamesTheOperationAsTheWholeFileCheckDoes) {
  CliResult r = RunCli({"check", "--stream", "--model", "kv",
                        testing::SourcePath("histories/kv/invalid/lost-append.jsonl")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("partition \"a\": not-linearizable: no place for append \"x\""));
  EXPECT_THAT(r.out, HasSubstr("(ok, line 1-2)"));
}

TEST(StreamCliTest, IndependentTuplesAreSplitAsInTheWholeFile) {
  // Key 1 reads a value never written there (2 went to key 2): a violation on key 1 only.
  const std::string jsonl = R"({"process":0,"type":"invoke","f":"write","value":[1,1]}
{"process":0,"type":"ok","f":"write","value":[1,1]}
{"process":1,"type":"invoke","f":"write","value":[2,2]}
{"process":1,"type":"ok","f":"write","value":[2,2]}
{"process":0,"type":"invoke","f":"read","value":[1,null]}
{"process":0,"type":"ok","f":"read","value":[1,2]}
)";
  CliResult whole = RunCli({"check", "--independent", "--model", "cas-register", "-"}, jsonl);
  CliResult streamed =
      RunCli({"check", "--stream", "--independent", "--model", "cas-register", "-"}, jsonl);
  EXPECT_EQ(whole.exit_code, 1);
  EXPECT_EQ(streamed.exit_code, 1) << streamed.err;
  EXPECT_THAT(streamed.out, HasSubstr("partition 1: not-linearizable"));
  EXPECT_THAT(streamed.out, HasSubstr("partition 2: linearizable"));
}

TEST(StreamCliTest, RefusesWhatItCannotStream) {
  const std::string jsonl = R"({"process":0,"type":"invoke","f":"add","value":1}
{"process":0,"type":"ok","f":"add","value":1}
)";
  CliResult r = RunCli({"check", "--stream", "--model", "set", "-"}, jsonl);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--stream checks the register, cas-register, kv, mutex and multi-register models"));
  r = RunCli({"check", "--stream", "--model", "kv", "--format", "json", "-"}, jsonl);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--stream does not support --format json"));
  r = RunCli({"check", "--stream", "--model", "cas-register", "-"},
             "[{:process 0, :type :invoke, :f :read, :value nil}]\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("<stdin>:1:1: --stream reads EDN histories of one event an element"));
  r = RunCli({"check", "--stream", "--model", "cas-register", "-"}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no events"));
  r = RunCli({"check", "--stream", "--model", "cas-register", "-"},
             "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n{\"process\":0,\"type\":\"ok\"\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("<stdin>:2:"));
}

// A linearizable kv history of `ops` operations over 16 keys and 6 processes, each operation
// taking effect at its completion.
std::string WellBehaved(int ops) {
  std::mt19937_64 rng(7);
  struct Client {
    bool busy = false, put = false;
    int key = 0;
    long value = 0;
  };
  std::vector<Client> clients(6);
  std::vector<long> state(16, 0);
  std::string out;
  int invoked = 0, done = 0;
  long next_value = 1;
  while (done < ops) {
    const size_t p = rng() % clients.size();
    Client& c = clients[p];
    const std::string head = "{\"process\":" + std::to_string(p) + ",\"type\":\"";
    if (!c.busy) {
      if (invoked == ops) continue;
      ++invoked;
      c.busy = true;
      c.put = rng() % 2 == 0;
      c.key = static_cast<int>(rng() % state.size());
      c.value = next_value++;
      out += head + "invoke\",\"f\":\"" + (c.put ? "put" : "get") + "\",\"key\":\"k" +
             std::to_string(c.key) + "\",\"value\":" +
             (c.put ? "\"" + std::to_string(c.value) + "\"" : "null") + "}\n";
      continue;
    }
    c.busy = false;
    ++done;
    long& s = state[static_cast<size_t>(c.key)];
    if (c.put) s = c.value;
    const std::string value = c.put ? std::to_string(c.value) : s == 0 ? "" : std::to_string(s);
    out += head + "ok\",\"f\":\"" + (c.put ? "put" : "get") + "\",\"key\":\"k" +
           std::to_string(c.key) + "\",\"value\":\"" + value + "\"}\n";
  }
  return out;
}

TEST(StreamCliTest, MemoryDoesNotGrowWithTheHistory) {
  const std::string small = WellBehaved(10'000), large = WellBehaved(100'000);
  CliResult s = RunCli({"check", "--stream", "--model", "kv", "-"}, small);
  CliResult l = RunCli({"check", "--stream", "--model", "kv", "-"}, large);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  ASSERT_EQ(l.exit_code, 0) << l.err;
  // The whole-file check of the large one, for scale: it holds every operation.
  CliResult w = RunCli({"check", "--model", "kv", "-"}, large);
  ASSERT_EQ(w.exit_code, 0);
  if (!kRssIsMeaningful) return;  // ASan's quarantine grows with what is freed
  EXPECT_LT(l.peak_rss_kib, s.peak_rss_kib + 8 * 1024)
      << "10k: " << s.peak_rss_kib << " KiB, 100k: " << l.peak_rss_kib << " KiB";
  // (About 14 MiB more since the compact operation store; 30 before it.)
  EXPECT_GT(w.peak_rss_kib, l.peak_rss_kib + 8 * 1024)
      << "whole: " << w.peak_rss_kib << " KiB, streamed: " << l.peak_rss_kib << " KiB";
}

}  // namespace
}  // namespace fenceline
