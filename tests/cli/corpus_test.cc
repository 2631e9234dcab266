// Every history of the shared reference corpus (../shared/corpus: Jepsen's etcd logs with the
// cas-register model, Porcupine's key-value EDN with the kv model) parses and gets the verdict
// its expected.tsv gives, through the CLI, as users run it. One test case per file; the suite
// skips cleanly when the corpus is absent.
#include <cctype>
#include <fstream>
#include <sstream>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/run_cli.h"

namespace fenceline {
namespace {

using ::fenceline::testing::CliResult;
using ::fenceline::testing::CorpusDir;
using ::fenceline::testing::RunCli;

struct CorpusFile {
  std::string dir;       // "jepsen-etcd"
  std::string file;      // "etcd_000.log"
  std::string model;     // "cas-register"
  std::string expected;  // "linearizable" or "not-linearizable"
};

// Shown by ctest and gtest instead of the struct's bytes.
void PrintTo(const CorpusFile& c, std::ostream* os) { *os << c.dir << "/" << c.file << " (" << c.model << ")"; }

// The corpus directories and the model each is checked with.
const std::pair<const char*, const char*> kCorpora[] = {
    {"jepsen-etcd", "cas-register"},
    {"porcupine-kv", "kv"},
};

std::vector<CorpusFile> LoadCorpus() {
  std::vector<CorpusFile> files;
  const std::string root = CorpusDir();
  if (root.empty()) return {{"", "corpus-absent", "", ""}};
  for (const auto& [dir, model] : kCorpora) {
    std::ifstream tsv(root + "/" + dir + "/expected.tsv");
    std::string line;
    bool header = true;
    while (std::getline(tsv, line)) {
      if (header) {  // "file<TAB>expected"
        header = false;
        continue;
      }
      const size_t tab = line.find('\t');
      if (line.empty() || tab == std::string::npos) continue;
      std::string expected = line.substr(tab + 1);
      while (!expected.empty() && (expected.back() == '\r' || expected.back() == ' ')) {
        expected.pop_back();
      }
      files.push_back({dir, line.substr(0, tab), model, expected});
    }
  }
  return files;
}

// The value of the first "verdict" inside "files" of the JSON report, "" if absent.
std::string FileVerdict(const std::string& json) {
  const size_t files = json.find("\"files\":");
  if (files == std::string::npos) return "";
  const std::string key = "\"verdict\":\"";
  const size_t at = json.find(key, files);
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size();
  const size_t end = json.find('"', begin);
  return end == std::string::npos ? "" : json.substr(begin, end - begin);
}

class CorpusTest : public ::testing::TestWithParam<CorpusFile> {};

TEST_P(CorpusTest, GetsItsExpectedVerdict) {
  const CorpusFile& c = GetParam();
  if (c.dir.empty()) GTEST_SKIP() << "no corpus at " FENCELINE_SOURCE_DIR "/../shared/corpus";
  const std::string path = CorpusDir() + "/" + c.dir + "/" + c.file;
  // Every partition is searched (no --first-violation) and must be decided: the time limit
  // only keeps a regression from hanging the suite (each file takes well under a second).
  // The verdicts hold under Jepsen's meaning of :fail and under Porcupine's alike.
  for (const char* convention : {"--nil-reads=auto", "--fail-observes"}) {
    CliResult r = RunCli({"check", "--model", c.model, path, "--format", "json", "--time-limit",
                          "10", convention});
    SCOPED_TRACE(std::string(convention) + " stderr: " + r.err);
    EXPECT_THAT(r.out, ::testing::StartsWith("{\"schema_version\":"));
    // expected.tsv speaks linearizability; the report, schema 2's one vocabulary.
    const std::string expected_verdict = c.expected == "linearizable"       ? "valid"
                                         : c.expected == "not-linearizable" ? "invalid"
                                                                            : c.expected;
    EXPECT_EQ(FileVerdict(r.out), expected_verdict);
    EXPECT_THAT(r.out, ::testing::Not(::testing::HasSubstr("\"verdict\":\"unknown\"")));
    const int expected_exit = c.expected == "linearizable" ? 0 : c.expected == "unknown" ? 3 : 1;
    EXPECT_EQ(r.exit_code, expected_exit);
  }
}

std::string CaseName(const ::testing::TestParamInfo<CorpusFile>& info) {
  std::string name = info.param.dir + "_" + info.param.file;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(SharedCorpus, CorpusTest, ::testing::ValuesIn(LoadCorpus()), CaseName);

TEST(CorpusEdnReportTest, ViolationReadsAsJepsenWouldWriteIt) {
  const std::string root = CorpusDir();
  if (root.empty()) GTEST_SKIP() << "no corpus";
  CliResult r = RunCli({"check", "--model", "cas-register", root + "/jepsen-etcd/etcd_000.log",
                        "--format", "edn"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("{:valid? false,"));
  for (const char* key : {":op {:process", ":previous-ok {", ":last-op {", ":final-paths [",
                          ":configs [", ":state "}) {
    EXPECT_THAT(r.out, ::testing::HasSubstr(key));
  }
}

}  // namespace
}  // namespace fenceline
