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
  // --stream too: it waited for a line end before looking at the bytes, so it read until the
  // 1 GiB line limit (or the guard's alarm) instead.
  ExpectUnusable(RunGuarded({"check", "--stream", "-m", "register", "/dev/zero"}),
                 "/dev/zero:1:1: NUL byte");
  ExpectUnusable(RunGuarded({"check", "--stream", "-m", "register", "-"}, "/dev/zero"),
                 "<stdin>:1:1: NUL byte");
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

TEST(HostileInputCliTest, OutOfRangeNumericFlagsAreRefusedOnEveryPath) {
  Scratch s;
  const std::string good = s.Write("good.jsonl", kGood);
  const std::string duration = "expected a duration such as 30s, 500ms or 2m";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--threads", "65537"}, "--threads must be between 0 (every core) and 1024, got 65537"},
      {{"--threads", "-1"}, "--threads must be between 0 (every core) and 1024, got -1"},
      {{"--time-limit", "nan"}, "--time-limit: " + duration},
      {{"--time-limit", "inf"}, "--time-limit: " + duration},
      {{"--time-limit", "1e30"}, "--time-limit: " + duration},
      {{"--time-limit", "4000000000"}, "--time-limit: '4000000000' is too long (at most 100 years)"},
      {{"--deadline", "nan"}, "--deadline: " + duration},
      // 2^44 MiB is 2^64 bytes: it once wrapped to 0, "no limit".
      {{"--memory-limit", "17592186044416"},
       "--memory-limit: '17592186044416' MiB is more than 17592186044415 MiB"},
  };
  for (const auto& [flag, message] : cases) {
    for (const std::vector<std::string>& mode :
         {std::vector<std::string>{"-m", "register"}, {"-m", "fencing"},
          {"-m", "register", "--stream"}}) {
      std::vector<std::string> args = {"check"};
      args.insert(args.end(), mode.begin(), mode.end());
      args.insert(args.end(), flag.begin(), flag.end());
      args.push_back(good);
      SCOPED_TRACE(::testing::PrintToString(args));
      ExpectUnusable(RunGuarded(args), message);
    }
  }
  // The largest budget is a budget, not 0 (none) nor a wrapped small number.
  CliResult r = RunGuarded(
      {"check", "-m", "register", "--memory-limit", "17592186044415", "--format", "json", good});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"memory_limit_mib\":17592186044415"));
  // --stream takes no --time-limit (its partitions have no history clock); said, not ignored.
  ExpectUnusable(RunGuarded({"check", "-m", "register", "--stream", "--time-limit", "1s", good}),
                 "--stream does not support --time-limit (use --deadline)");
}

// A lock service's tokens and a storage's checks at the ends of the int64 range: the verdict
// and the findings are those of the same history with tokens 1 and 2.
TEST(HostileInputCliTest, FencingTokensAtTheInt64LimitsAreOrdinaryTokens) {
  auto history = [](const std::string& low, const std::string& high, bool stale_write) {
    auto e = [](const std::string& p, const char* type, const char* f, const std::string& value,
                long ms) {
      return "{\"process\":\"" + p + "\",\"type\":\"" + type + "\",\"f\":\"" + f +
             "\",\"value\":" + value + ",\"time\":" + std::to_string(ms * 1000000) + "}\n";
    };
    auto acquired = [](const std::string& t) {
      return "{\"lock\":\"L\",\"token\":" + t + ",\"lease_ms\":1000}";
    };
    auto write = [](const std::string& t, const char* v) {
      return "{\"resource\":\"L\",\"token\":" + t + ",\"value\":\"" + v + "\"}";
    };
    std::string h = e("p1", "invoke", "acquire", "{\"lock\":\"L\"}", 0) +
                    e("p1", "ok", "acquire", acquired(low), 1) +
                    e("p1", "invoke", "write", write(low, "a"), 2) +
                    e("p1", "ok", "write", write(low, "a"), 3) +
                    e("p2", "invoke", "acquire", "{\"lock\":\"L\"}", 2000) +
                    e("p2", "ok", "acquire", acquired(high), 2001) +
                    e("p2", "invoke", "write", write(high, "b"), 2002) +
                    e("p2", "ok", "write", write(high, "b"), 2003);
    if (stale_write) {
      h += e("p1", "invoke", "write", write(low, "c"), 2004) +
           e("p1", "ok", "write", write(low, "c"), 2005);
    }
    return h;
  };
  Scratch s;
  const std::string kMin = "-9223372036854775808", kMax = "9223372036854775807";
  for (bool stale : {false, true}) {
    SCOPED_TRACE(stale ? "stale write" : "fenced writes");
    CliResult plain = RunGuarded({"check", "-m", "fencing", "--format", "json",
                                  s.Write(stale ? "p1.jsonl" : "p0.jsonl", history("1", "2", stale))});
    CliResult extreme =
        RunGuarded({"check", "-m", "fencing", "--format", "json",
                    s.Write(stale ? "x1.jsonl" : "x0.jsonl", history(kMin, kMax, stale))});
    EXPECT_EQ(plain.exit_code, stale ? 1 : 0) << plain.out << plain.err;
    EXPECT_EQ(extreme.exit_code, plain.exit_code) << extreme.out << extreme.err;
    for (const char* id : {"\"expired-lease-write\"", "\"stale-token\""}) {
      EXPECT_EQ(extreme.out.find(id) != std::string::npos, plain.out.find(id) != std::string::npos)
          << id << "\n" << extreme.out;
    }
    if (stale) {
      EXPECT_THAT(extreme.out, HasSubstr("\"tokens\":[" + kMin + "," + kMax + "]"));
    }
  }
  // One past the range is no token at all, said so, not wrapped.
  ExpectUnusable(RunGuarded({"check", "-m", "fencing",
                             s.Write("over.jsonl", history("1", "9223372036854775808", false))}),
                 "expected an integer \"token\" in acquire");
}

// An escape may spell what the bytes may not: half a UTF-16 surrogate pair has no UTF-8 form,
// so JSON and EDN values holding one are refused at their position, and a report never carries
// it (its JSON would not be UTF-8).
TEST(HostileInputCliTest, UnpairedSurrogateEscapesInValuesAreRefused) {
  Scratch s;
  const std::string json = s.Write(
      "s.jsonl", "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":\"a\\ud800\"}\n");
  ExpectUnusable(RunGuarded({"check", "-m", "register", json}),
                 json + ":1:52: invalid JSON: the surrogate pair in string is invalid");
  // The low half alone, which RapidJSON would decode into bytes that are not UTF-8.
  const std::string low = s.Write(
      "l.jsonl", "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":\"\\udc00\"}\n");
  ExpectUnusable(RunGuarded({"check", "-m", "register", low}),
                 low + ":1:50: invalid JSON: the surrogate pair in string is invalid");
  const std::string edn =
      s.Write("s.edn", "{:process 0 :type :invoke :f :write :value \"a\\udc00\"}\n");
  ExpectUnusable(RunGuarded({"check", "-m", "register", edn}),
                 edn + ":1:46: expected a character, got the unpaired UTF-16 surrogate '\\udc00'");
  const std::string chr = s.Write("c.edn", "{:process 0 :type :invoke :f :write :value \\uD800}\n");
  ExpectUnusable(RunGuarded({"check", "-m", "register", chr}),
                 chr + ":1:44: expected a character, got the UTF-16 surrogate '\\uD800'");
  // A whole pair is one character beyond the BMP, as Java writes it.
  const std::string pair = s.Write(
      "p.edn", "{:process 0 :type :invoke :f :write :value \"\\ud83d\\ude00\"}\n"
               "{:process 0 :type :ok :f :write :value \"\\ud83d\\ude00\"}\n");
  CliResult r = RunGuarded({"check", "-m", "register", "--format", "json", pair});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"verdict\":\"valid\""));
}

TEST(HostileInputCliTest, ReportOverAnInputIsRefusedForFencingToo) {
  // (--model register: tests/report/report_output_test.cc, RefusesToWriteOverAnInput.)
  Scratch s;
  const std::string sample = Slurp(SourcePath("histories/fencing/invalid/forged-token.jsonl"));
  ASSERT_FALSE(sample.empty());
  const std::string input = s.Write("f.jsonl", sample);
  for (const char* flag : {"-o", "--junit"}) {
    ExpectUnusable(RunGuarded({"check", "-m", "fencing", flag, input, input}),
                   "is the input " + input + ": refusing to write the report over it");
    EXPECT_EQ(Slurp(input), sample) << flag;
  }
}

}  // namespace
}  // namespace fenceline::testing
