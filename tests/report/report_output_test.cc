// Where reports go and what decides the exit code: -o written atomically and never over an
// input, the summary line on stderr, --junit contents, --fail-on and --allow, help and flags
// the CLI refuses, and report writers that stay linear on deeply nested values.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <memory>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/edn_reader.h"
#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"
#include "report/report_testing.h"
#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

void Spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/fenceline-out-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    DIR* d = opendir(path.c_str());
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    return names;
  }
};

const std::string kStale = SourcePath("histories/register/invalid/stale-read.jsonl");

TEST(ReportOutputTest, OutputFileGetsTheReportAndStderrTheSummary) {
  TempDir dir;
  const std::string out = dir.path + "/r.json";
  CliResult r = RunCli({"check", "--model", "register", "--format", "json", "-o", out, kStale});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(SchemaErrors(Slurp(out)), "");
  EXPECT_EQ(r.err, "fenceline: 1 file: 0 linearizable, 1 not linearizable, 0 unknown, 0 unusable; "
                   "report in " + out + "\n");
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"r.json"});  // no temporary file left
}

TEST(ReportOutputTest, RefusesToWriteOverAnInput) {
  TempDir dir;
  const std::string input = dir.path + "/h.jsonl";
  Spit(input, Slurp(kStale));
  CliResult r = RunCli({"check", "--model", "register", "-o", input, input});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is the input " + input + ": refusing to write the report over it"));
  EXPECT_EQ(Slurp(input), Slurp(kStale));
  // The same file under another name is still the input.
  CliResult dotted = RunCli({"check", "--model", "register", "-o", dir.path + "/./h.jsonl", input});
  EXPECT_EQ(dotted.exit_code, 2);
  EXPECT_EQ(Slurp(input), Slurp(kStale));
}

TEST(ReportOutputTest, UnwritableOutputIsAnIoError) {
  CliResult r = RunCli({"check", "--model", "register", "-o", "/nonexistent-dir/r.txt", kStale});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent-dir/r.txt: cannot write the report"));
}

// Kills the CLI while the report is half written (the test hook pauses it there) and checks
// that the old report survives whole.
TEST(ReportOutputTest, KilledMidWriteLeavesTheOldReportIntact) {
  TempDir dir;
  const std::string out = dir.path + "/r.json";
  const std::string old_report = "{\"the old report\": true}\n";
  Spit(out, old_report);
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("FENCELINE_TEST_WRITE_PAUSE_MS", "20000", 1);
    const int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::string cli = FENCELINE_CLI;
    std::vector<std::string> args = {cli, "check", "--model", "register", "--format", "json",
                                     "-o", out, kStale};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(cli.c_str(), argv.data());
    _exit(127);
  }
  // Wait for the half-written temporary file beside the report.
  std::string tmp;
  for (int i = 0; i < 1000 && tmp.empty(); ++i) {
    for (const std::string& n : dir.Names()) {
      struct stat st {};
      if (n.rfind(".r.json.tmp-", 0) == 0 && stat((dir.path + "/" + n).c_str(), &st) == 0 &&
          st.st_size > 0) {
        tmp = dir.path + "/" + n;
      }
    }
    if (tmp.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(tmp.empty()) << "the report was never being written";
  const std::string partial = Slurp(tmp);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(Slurp(out), old_report);
  // It was killed mid-write: what had been written is not a whole report.
  EXPECT_THAT(SchemaErrors(partial), HasSubstr("not valid UTF-8 JSON"));
}

TEST(ReportOutputTest, JunitFailureCarriesTheSentenceAndLines) {
  TempDir dir;
  const std::string junit = dir.path + "/j.xml";
  CliResult r = RunCli({"check", "--model", "cas-register", "--junit", junit,
                        SourcePath("histories/cas-register/invalid/lost-cas.jsonl")});
  EXPECT_EQ(r.exit_code, 1);
  const std::string xml = Slurp(junit);
  EXPECT_EQ(JunitErrors(xml), "");
  EXPECT_THAT(xml, HasSubstr("<testcase name=\"linearizability\" "
                             "classname=\"fenceline.linearizability.cas-register\" time=\"0\">"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"p2 cas [1 3] ok (lines 4-6) cannot be "
                             "linearized after 2 operations, in state 2\" "
                             "type=\"not-linearizable\">"));
  EXPECT_THAT(xml, HasSubstr("lines 4, 6"));

  CliResult f = RunCli({"check", "--model", "fencing", "--junit", junit,
                        SourcePath("histories/fencing/invalid/pause-without-fencing.jsonl")});
  const std::string fx = Slurp(junit);
  EXPECT_EQ(JunitErrors(fx), "");
  EXPECT_THAT(fx, HasSubstr("<testcase name=\"expired-lease-write\" classname=\"fenceline.fencing\" "
                            "time=\"0\">\n      <failure message=\"p3 wrote with token 34"));
  EXPECT_THAT(fx, HasSubstr("<testcase name=\"forged-token\" classname=\"fenceline.fencing\" "
                            "time=\"0\"/>"));
  EXPECT_THAT(fx, HasSubstr("[lines 1, 2, 5, 6, 9, 10]"));

  CliResult missing = RunCli({"check", "--model", "register", "--junit", junit, "/nonexistent.jsonl"});
  EXPECT_EQ(JunitErrors(Slurp(junit)), "");
  EXPECT_THAT(Slurp(junit), HasSubstr("<error message=\"/nonexistent.jsonl: no such file"));
}

TEST(ReportPolicyTest, FailOnAndAllowChooseWhatExitsOne) {
  const std::string warning = SourcePath("histories/fencing/valid/write-after-expiry-warning.jsonl");
  const std::string pause = SourcePath("histories/fencing/invalid/pause-without-fencing.jsonl");
  auto fencing = [](std::vector<std::string> extra, const std::string& file) {
    std::vector<std::string> args = {"check", "--model", "fencing"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    return RunCli(args).exit_code;
  };
  EXPECT_EQ(fencing({}, warning), 0);
  EXPECT_EQ(fencing({"--fail-on", "warning"}, warning), 1);
  EXPECT_EQ(fencing({"--fail-on", "write-after-expiry"}, warning), 1);
  EXPECT_EQ(fencing({}, pause), 1);
  // pause-without-fencing has expired-lease-write and stale-token.
  EXPECT_EQ(fencing({"--fail-on", "forged-token"}, pause), 0);
  EXPECT_EQ(fencing({"--fail-on", "stale-token,forged-token"}, pause), 1);
  EXPECT_EQ(fencing({"--allow", "stale-token"}, pause), 1);
  EXPECT_EQ(fencing({"--allow", "stale-token", "--allow", "expired-lease-write"}, pause), 0);
  EXPECT_EQ(RunCli({"check", "--model", "register", "--allow", "not-linearizable", kStale}).exit_code, 0);
  CliResult typo = RunCli({"check", "--model", "fencing", "--fail-on", "stale-tokn", pause});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("unknown finding 'stale-tokn' for --fail-on, did you mean 'stale-token'?"));
  // The reports still tell the truth: --allow changes the exit code, not the verdict.
  CliResult json = RunCli({"check", "--model", "fencing", "--format", "json", "--allow",
                           "stale-token", "--allow", "expired-lease-write", pause});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_THAT(json.out, HasSubstr("\"verdict\":\"invalid\""));
  EXPECT_THAT(json.out, HasSubstr("\"allow\":[\"stale-token\",\"expired-lease-write\"]"));
}

TEST(ReportCliTest, HelpHidesTheInternalFileOptionAndListsEveryModel) {
  CliResult help = RunCli({"check", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, Not(HasSubstr("--file")));
  EXPECT_THAT(help.out, HasSubstr("fenced-register"));
  EXPECT_THAT(help.out, HasSubstr("--junit"));
  EXPECT_EQ(RunCli({"help", "check"}).out, help.out);
  EXPECT_EQ(RunCli({"help", "nope"}).exit_code, 2);
}

TEST(ReportCliTest, ParseErrorIsPrintedOnce) {
  const std::string h = "{\"process\":0,\"type\":\"invoke\"\n";
  for (const char* format : {"text", "json"}) {
    CliResult r = RunCli({"check", "--model", "register", "--format", format, "-"}, h);
    EXPECT_EQ(r.exit_code, 2);
    // The JSON report carries the message as data; people read text and stderr.
    const std::string all = std::string(format) == "text" ? r.out + r.err : r.err;
    const std::string message = "<stdin>:1:29: invalid JSON";
    const size_t first = all.find(message);
    ASSERT_NE(first, std::string::npos) << all;
    EXPECT_EQ(all.find(message, first + 1), std::string::npos) << format << ": " << all;
  }
}

TEST(ReportCliTest, ClockSkewIsRefusedForLinearizabilityModels) {
  CliResult r = RunCli({"check", "--model", "register", "--clock-skew", "5", kStale});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--clock-skew applies to --model fencing only, not to register"));
}

TEST(ReportCliTest, FencingTextEndsWithASummaryLine) {
  CliResult r = RunCli({"check", "--model", "fencing",
                        SourcePath("histories/fencing/invalid/forged-token.jsonl"),
                        SourcePath("histories/fencing/valid/pause-with-fencing.jsonl")});
  EXPECT_THAT(r.out, ::testing::EndsWith(
                         "2 files: 1 safe, 1 with a violation, 0 inconclusive, 0 unusable\n"));
}

// A kv history over `keys` keys, two processes per key: one put, then a read that sees it
// (linearizable) or, for key `bad`, a value never written.
std::string KvHistory(int keys, int bad) {
  std::string h;
  for (int k = 0; k < keys; ++k) {
    const std::string key = "\"k" + std::to_string(k) + "\"";
    const std::string seen = k == bad ? "\"nope\"" : "\"v\"";
    h += "{\"process\":0,\"type\":\"invoke\",\"f\":\"put\",\"key\":" + key + ",\"value\":\"v\"}\n"
         "{\"process\":0,\"type\":\"ok\",\"f\":\"put\",\"key\":" + key + ",\"value\":\"v\"}\n"
         "{\"process\":1,\"type\":\"invoke\",\"f\":\"get\",\"key\":" + key + ",\"value\":null}\n"
         "{\"process\":1,\"type\":\"ok\",\"f\":\"get\",\"key\":" + key + ",\"value\":" + seen +
         "}\n";
  }
  return h;
}

// --progress into a log (not a terminal): the files parsed, the operations, and the partitions
// done as the search goes, the last line once every partition is done; the report itself is
// the same as without it.
TEST(ReportProgressTest, ProgressCountsFilesOperationsAndPartitions) {
  TempDir dir;
  const std::string a = dir.path + "/a.jsonl", b = dir.path + "/b.jsonl";
  Spit(a, KvHistory(5, -1));
  Spit(b, KvHistory(3, 1));
  CliResult r = RunCli({"check", "--model", "kv", "--progress", "--threads", "3", a, b});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("fenceline: parsing file 1/2 (0 operations so far, "));
  EXPECT_THAT(r.err, HasSubstr("fenceline: parsing file 2/2 (10 operations so far, "));
  EXPECT_THAT(r.err, HasSubstr("fenceline: checking 2 files, 16 operations parsed: 0/8 "
                               "partitions done (0/2 files), "));
  EXPECT_THAT(r.err, HasSubstr("fenceline: checking 2 files, 16 operations parsed: 8/8 "
                               "partitions done (2/2 files), "));
  CliResult quiet = RunCli({"check", "--model", "kv", "--threads", "3", a, b});
  EXPECT_EQ(r.out, quiet.out);
  EXPECT_THAT(quiet.err, Not(HasSubstr("partitions done")));  // stderr is not a terminal here

  // With -o, the summary line comes after the progress.
  CliResult to_file = RunCli({"check", "--model", "kv", "--progress", "-o", dir.path + "/r", a, b});
  EXPECT_THAT(to_file.err, HasSubstr("8/8 partitions done (2/2 files), "));
  EXPECT_THAT(to_file.err, ::testing::EndsWith(
                               "fenceline: 2 files: 1 linearizable, 1 not linearizable, 0 "
                               "unknown, 0 unusable; report in " + dir.path + "/r\n"));
}

// The fencing analysis shows its partitions too (one a resource), file by file; the report is the same as without --progress.
TEST(ReportProgressTest, FencingProgressCountsPartitionsPerFile) {
  const std::string one = SourcePath("histories/fencing/invalid/pause-without-fencing.jsonl");
  const std::string two = SourcePath("histories/fencing/invalid/non-monotonic-grant.jsonl");
  CliResult r = RunCli({"check", "--model", "fencing", "--progress", one, two});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string what = " partitions searched (one a resource), ";
  EXPECT_THAT(r.err, HasSubstr("fenceline: checking file 1/2 (5 operations): 0/1" + what));
  EXPECT_THAT(r.err, HasSubstr("fenceline: checking file 1/2 (5 operations): 1/1" + what));
  EXPECT_THAT(r.err, HasSubstr("fenceline: checking file 2/2 (3 operations): 0/0" + what));
  CliResult quiet = RunCli({"check", "--model", "fencing", one, two});
  EXPECT_EQ(r.out, quiet.out);
  EXPECT_THAT(quiet.err, Not(HasSubstr("partitions searched")));
}

// CheckOptions::on_progress: one call before anything is done, then one per partition, in
// order, never overlapping; the results are those of a run without it, at any thread count.
TEST(ReportProgressTest, OnProgressCountsEachPartitionOnceAndChangesNoResult) {
  ParseOptions po;
  po.format = InputFormat::kJsonLines;
  StatusOr<History> a = ParseHistoryText(KvHistory(6, 2), "a.jsonl", po);
  StatusOr<History> b = ParseHistoryText(KvHistory(4, -1), "b.jsonl", po);
  ASSERT_TRUE(a.ok() && b.ok());
  StatusOr<std::unique_ptr<Model>> model = MakeModel("kv");
  ASSERT_TRUE(model.ok());
  const std::vector<const History*> batch = {&*a, &*b};
  for (int threads : {1, 3}) {
    CheckOptions plain;
    plain.threads = threads;
    const std::vector<StatusOr<CheckResult>> expected = CheckHistories(batch, **model, plain);
    std::vector<CheckProgress> seen;
    std::atomic<int> inside{0};
    bool overlapped = false;
    CheckOptions watched = plain;
    watched.on_progress = [&](const CheckProgress& p) {
      overlapped |= inside.fetch_add(1) != 0;
      seen.push_back(p);
      inside.fetch_sub(1);
    };
    const std::vector<StatusOr<CheckResult>> got = CheckHistories(batch, **model, watched);
    EXPECT_FALSE(overlapped);
    ASSERT_EQ(seen.size(), 11u) << threads;
    for (size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(seen[i].partitions_done, i);
      EXPECT_EQ(seen[i].partitions_total, 10u);
      EXPECT_EQ(seen[i].histories_total, 2u);
    }
    EXPECT_EQ(seen.front().histories_done, 0u);
    EXPECT_EQ(seen.back().histories_done, 2u);
    EXPECT_EQ(seen.back().operations_done, 20u);
    ASSERT_EQ(got.size(), 2u);
    for (size_t h = 0; h < 2; ++h) {
      ASSERT_TRUE(got[h].ok() && expected[h].ok());
      EXPECT_EQ(got[h]->verdict, expected[h]->verdict);
      ASSERT_EQ(got[h]->partitions.size(), expected[h]->partitions.size());
      for (size_t p = 0; p < got[h]->partitions.size(); ++p) {
        EXPECT_EQ(got[h]->partitions[p].verdict, expected[h]->partitions[p].verdict);
        EXPECT_EQ(got[h]->partitions[p].states_explored, expected[h]->partitions[p].states_explored);
      }
    }
    EXPECT_EQ(got[0]->verdict, Verdict::kNotLinearizable);
  }
}

// A value nested 500 deep (the readers stop at 512): every report stays linear in size (the old EDN layout indented
// each level further: quadratic), and the EDN reads back.
TEST(ReportWriterTest, DeeplyNestedValuesStayLinear) {
  const int depth = 500;
  const std::string nested = std::string(depth, '[') + "1" + std::string(depth, ']');
  const std::string h = "{:type :invoke, :process 0, :f :write, :value " + nested + "}\n"
                        "{:type :ok, :process 0, :f :write, :value " + nested + "}\n"
                        "{:type :invoke, :process 1, :f :read, :value nil}\n"
                        "{:type :ok, :process 1, :f :read, :value 7}\n";
  for (const char* format : {"edn", "json", "text", "html"}) {
    CliResult r = RunCli({"check", "--model", "register", "--format", format, "-"}, h);
    EXPECT_EQ(r.exit_code, 1) << format << r.err.substr(0, 300);
    EXPECT_LT(r.out.size(), 40 * h.size()) << format;
    if (std::string(format) == "edn") {
      StatusOr<Value> v = internal::ReadEdn(r.out, "report.edn");
      EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.status().message());
    }
  }
}

// The case of the quadratic EDN report (95 s on 80 KB): two writes of a value nested 500 deep
// with 13 numbers a level, then a read no write explains. The report cites the values about
// ten times (op, previous ok, last ops, final paths); laid out linearly, each copy takes about
// its flat size plus the indentation of its first levels, where the old layout indented every
// one of the 500 levels further (13 lines of ~L columns at level L: ~1.6 MB a copy). Not
// timed: bench/run.sh (report/edn_nested_80kb) times it.
TEST(ReportWriterTest, EightyKilobytesNestedFiveHundredDeepStayLinearInEdn) {
  auto value = [](int i) {
    std::string v;
    for (int d = 0; d < 500; ++d) {
      v += "[";
      for (int k = 0; k < 13; ++k) v += std::to_string((i + d + k) % 97) + " ";
    }
    return v + std::to_string(i) + std::string(500, ']');
  };
  std::string h;
  for (int i = 0; i < 2; ++i) {
    const std::string p = std::to_string(i), v = value(i);
    h += "{:type :invoke, :process " + p + ", :f :write, :value " + v + "}\n"
         "{:type :ok, :process " + p + ", :f :write, :value " + v + "}\n";
  }
  h += "{:type :invoke, :process 9, :f :read, :value nil}\n"
       "{:type :ok, :process 9, :f :read, :value 7}\n";
  ASSERT_GE(h.size(), 79000u);
  CliResult r = RunCli({"check", "--model", "register", "--format", "edn", "-"}, h);
  EXPECT_EQ(r.exit_code, 1) << r.err.substr(0, 300);
  size_t copies = 0;
  for (int i = 0; i < 2; ++i) {
    const std::string leaf = " " + std::to_string(i) + std::string(500, ']');
    for (size_t at = r.out.find(leaf); at != std::string::npos; at = r.out.find(leaf, at + 1)) {
      ++copies;
    }
  }
  ASSERT_GE(copies, 2u) << r.out.substr(0, 2000);
  EXPECT_LT(r.out.size(), 3 * copies * value(1).size() + 16384) << copies << " copies";
  EXPECT_LT(r.out.size(), 8 * h.size());
  StatusOr<Value> v = internal::ReadEdn(r.out, "report.edn");
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.status().message());
}

}  // namespace
}  // namespace fenceline::testing
