// Hostile input through the CLI, as CI runs it: every class of bad input exits 2 with a message
// naming file:line:col (or the right verdict when the input is good), and never passes green,
// crashes or hangs. Each run has a timeout guard (an alarm inherited across exec), so a
// regression to unbounded reading fails the test instead of hanging the suite.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/compress.h"
#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Far above any of these runs (each takes milliseconds), far below ctest's own timeout.
constexpr unsigned kTimeoutSeconds = 20;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A scratch directory with files written into it, removed at the end.
class Scratch {
 public:
  Scratch() {
    char tmpl[] = "/tmp/fenceline-hostile-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~Scratch() {
    for (const std::string& f : files_) std::remove(f.c_str());
    rmdir(dir_.c_str());
  }
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    files_.push_back(path);
    return path;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::vector<std::string> files_;
};

// Runs the CLI with standard input from `stdin_path`, killed by SIGALRM after the timeout.
CliResult RunGuarded(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null") {
  Scratch out_dir;
  const std::string out_path = out_dir.Write("out", ""), err_path = out_dir.Write("err", "");
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open(stdin_path.c_str(), O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_TRUNC);
    const int err = open(err_path.c_str(), O_WRONLY | O_TRUNC);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<std::string> copy = args;
    std::string cli = FENCELINE_CLI;
    std::vector<char*> argv{cli.data()};
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    alarm(kTimeoutSeconds);  // survives exec: the guard against a hang
    execv(cli.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  return r;
}

// A register history with an impossible read (2 was never written): a violation.
const std::string kImpossibleRead =
    "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
    "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
    "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
    "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":2}\n";

const std::string kGood =
    "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
    "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n";

void ExpectUnusable(const CliResult& r, const std::string& message) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(message));
  EXPECT_THAT(r.out, Not(HasSubstr(": linearizable")));
}

TEST(HostileInputCliTest, ByteOrderMarkStillFindsTheViolation) {
  Scratch s;
  const std::string path = s.Write("bom.jsonl", "\xEF\xBB\xBF" + kImpossibleRead);
  CliResult r = RunGuarded({"check", "--model", "register", path});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("NOT LINEARIZABLE"));
}

TEST(HostileInputCliTest, CommentLineIsRefusedNotReadAsAnEmptyLog) {
  Scratch s;
  const std::string path = s.Write("c.jsonl", "// recorded by x\n" + kImpossibleRead);
  ExpectUnusable(RunGuarded({"check", "--model", "register", path}),
                 path + ":1:1: not a known history format: a '//' comment");
  ExpectUnusable(RunGuarded({"validate", path}), path + ":1:1: not a known history format");
}

TEST(HostileInputCliTest, BinaryAndNulBytesAreRefused) {
  Scratch s;
  const std::string binary = s.Write("b.bin", std::string("\x7f" "ELF\x02\x01\x01\x00\x00\x00", 10));
  ExpectUnusable(RunGuarded({"check", "--model", "register", binary}), binary + ":1:8: NUL byte");
  const std::string high = s.Write("h.bin", "\xff\xd8\xff\xe0 JFIF");
  ExpectUnusable(RunGuarded({"validate", high}), high + ":1:1: invalid UTF-8 (byte 0xff)");
  // The violation sits after a NUL; reading must not stop there and call the rest fine.
  const std::string nul = s.Write("n.jsonl", kGood + "\n" + std::string(1, '\0') + kImpossibleRead);
  ExpectUnusable(RunGuarded({"check", "--model", "register", nul}), nul + ":4:1: NUL byte");
}

TEST(HostileInputCliTest, DeepNestingIsAnErrorNotACrash) {
  Scratch s;
  const std::string deep = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":" +
                           std::string(40000, '[') + std::string(40000, ']') + "}\n";
  const std::string path = s.Write("deep.jsonl", deep);
  ExpectUnusable(RunGuarded({"check", "--model", "register", path}),
                 path + ":1:561: expected nesting at most 512 levels deep");
  const std::string edn = s.Write("deep.edn", "{:process 0 :type :invoke :f :write :value " +
                                                  std::string(40000, '[') + "}\n");
  ExpectUnusable(RunGuarded({"check", "--model", "register", edn}), "expected nesting at most 512");
  ExpectUnusable(RunGuarded({"check", "--model", "register", "--initial",
                             std::string(40000, '[') + std::string(40000, ']'), path}),
                 "--initial:1:513: expected nesting at most 512");
}

TEST(HostileInputCliTest, DirectoryIsNamedAndTheRestOfTheBatchIsReported) {
  Scratch s;
  const std::string good = s.Write("good.jsonl", kImpossibleRead);
  CliResult r = RunGuarded({"check", "--model", "register", "--format", "json", s.dir(), good});
  // The violation is the news (exit 1, docs/report.md); the directory is still named.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(s.dir() + ": is a directory"));
  EXPECT_THAT(r.out, HasSubstr("\"verdict\":\"invalid\""));
  EXPECT_THAT(r.out, HasSubstr("\"unusable\":[\"" + s.dir() + "\"]"));
}

TEST(HostileInputCliTest, DevZeroIsRefusedQuicklyAsFileAndAsStdin) {
  ExpectUnusable(RunGuarded({"check", "--model", "register", "/dev/zero"}), "/dev/zero:1:1: NUL byte");
  ExpectUnusable(RunGuarded({"check", "--model", "register", "-"}, "/dev/zero"), "<stdin>:1:1: NUL byte");
  ExpectUnusable(RunGuarded({"validate", "-"}, "/dev/zero"), "<stdin>:1:1: NUL byte");
}

TEST(HostileInputCliTest, HugeSparseFileIsRefusedWithoutReadingIt) {
  Scratch s;
  const std::string path = s.Write("huge.jsonl", "");
  ASSERT_EQ(truncate(path.c_str(), off_t{1} << 40), 0);  // 1 TiB of size, nothing on disk
  CliResult r = RunGuarded({"check", "--model", "register", path});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(path + ": input is larger than the limit of "));
}

TEST(HostileInputCliTest, TimeAtInt64MaxIsNeverTakenForNeverReturned) {
  // Once, the ok read at INT64_MAX looked like an operation that never returned, its
  // impossible value was ignored and the check passed.
  Scratch s;
  const std::string path = s.Write(
      "t.jsonl",
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1,\"time\":0}\n"
      "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1,\"time\":10}\n"
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null,\"time\":20}\n"
      "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":2,\"time\":9223372036854775807}\n");
  CliResult r = RunGuarded({"check", "--model", "register", path});
  ExpectUnusable(r, path + ":4:1: time 9223372036854775807 is outside the supported range");
}

TEST(HostileInputCliTest, IntegerAndStringProcessIdsAreDifferentProcesses) {
  Scratch s;
  const std::string path = s.Write(
      "p.jsonl",
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
      "{\"process\":\"1\",\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
      "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
      "{\"process\":\"1\",\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n");
  // Merged, the second invoke would be "invokes again while its operation is still open".
  CliResult r = RunGuarded({"validate", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 operations"));
  EXPECT_THAT(r.out, HasSubstr("2 processes"));
  EXPECT_EQ(RunGuarded({"check", "--model", "register", path}).exit_code, 0);
}

TEST(HostileInputCliTest, DuplicateKeysAreRefused) {
  Scratch s;
  const std::string path = s.Write(
      "d.jsonl", kGood + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"type\":\"ok\"}\n");
  ExpectUnusable(RunGuarded({"check", "--model", "register", path}),
                 path + ":3:41: key \"type\" given twice in one object");
}

TEST(HostileInputCliTest, EmptyFileIsAnErrorUnlessAllowed) {
  Scratch s;
  const std::string path = s.Write("empty.jsonl", "");
  ExpectUnusable(RunGuarded({"check", "--model", "register", path}), path + ":1:1: no events");
  ExpectUnusable(RunGuarded({"validate", path}), "--allow-empty");
  CliResult r = RunGuarded({"check", "--model", "register", "--allow-empty", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RunGuarded({"validate", "--allow-empty", path}).exit_code, 0);
  EXPECT_EQ(RunGuarded({"check", "--model", "fencing", "--allow-empty", path}).exit_code, 0);
  ExpectUnusable(RunGuarded({"check", "--model", "fencing", path}), "no events");
}

TEST(HostileInputCliTest, CorpusEmptyRunIsRefusedUnlessAllowed) {
  // The corpus's etcd_095.log: a run whose cluster never started (see its README).
  const std::string corpus = CorpusDir();
  if (corpus.empty()) GTEST_SKIP() << "no corpus";
  const std::string path = corpus + "/jepsen-etcd/etcd_095.log";
  ExpectUnusable(RunGuarded({"check", "--model", "cas-register", path}), path + ":1:1: no events");
  EXPECT_EQ(RunGuarded({"check", "--model", "cas-register", "--allow-empty", path}).exit_code, 0);
}

TEST(HostileInputCliTest, JepsenLogStrayLinesAreCountedOnStderr) {
  Scratch s;
  const std::string path = s.Write("jepsen.log",
                                   "INFO  jepsen.core - Running test\n"
                                   "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
                                   "INFO  jepsen.util - 0\t:ok\t:write\t1\n"
                                   "WARN  jepsen.db - something unrelated\n"
                                   "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
                                   "INFO  jepsen.util - 1\t:ok\t:read\t2\n");
  CliResult r = RunGuarded({"check", "--model", "register", path});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(path + ": note: skipped 2 line(s) without a Jepsen event (the first "
                                      "is line 1)"));
  // Only log lines: no events, refused rather than "linearizable".
  const std::string logs = s.Write("only.log", "INFO  jepsen.core - Running test\nINFO done\n");
  ExpectUnusable(RunGuarded({"check", "--model", "register", logs}),
                 logs + ":1:1: no events: none of its 2 lines is a Jepsen event line");
}

TEST(HostileInputCliTest, CompressedInputsGiveTheSameVerdict) {
  Scratch s;
  const std::string sample = Slurp(SourcePath("histories/cas-register/invalid/lost-cas.jsonl"));
  ASSERT_FALSE(sample.empty());
  for (const auto& [name, bytes] : {std::pair<std::string, std::string>{"h.jsonl.gz", Gzip(sample)},
                                    {"h.jsonl.zst", Zstd(sample)},
                                    {"named-plain.log", Gzip(sample)}}) {
    SCOPED_TRACE(name);
    const std::string path = s.Write(name, bytes);
    CliResult r = RunGuarded({"check", "-m", "cas-register", path});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.out, HasSubstr("cannot linearize: p2 cas [1 3] ok"));
  }
  const std::string gz = Gzip(sample);
  const std::string cut = s.Write("cut.gz", gz.substr(0, gz.size() - 10));
  {
    // Named at the line and column where the decoded text stops.
    CliResult r = RunGuarded({"check", "-m", "cas-register", cut});
    ExpectUnusable(r, ": truncated gzip data");
    EXPECT_THAT(r.err, ::testing::ContainsRegex(cut + ":[0-9]+:[0-9]+: truncated gzip data"));
  }
  // Standard input is sniffed for compression too.
  const std::string piped = s.Write("stdin.zst", Zstd(sample));
  EXPECT_EQ(RunGuarded({"check", "-m", "cas-register", "-"}, piped).exit_code, 1);
}

}  // namespace
}  // namespace fenceline::testing
