// The recorder's parts that need no server: base64, the merge of the per-process logs, its
// flags, its refusal to write a history when a server is missing or cannot start, and the
// verdicts of the histories recorded from etcd, ZooKeeper and Redis and committed in
// histories/<service>/.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "recorder/etcd/base64.h"
#include "recorder/event_log.h"
#include "record/run_program.h"

namespace fenceline::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using record::Base64Decode;
using record::Base64Encode;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("fenceline-record-unit-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Base64Test, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
    bytes += static_cast<char>(0xf0 + i);
  }
  EXPECT_EQ(Base64Encode("lock/390da20e609bc10c"), "bG9jay8zOTBkYTIwZTYwOWJjMTBj");
  EXPECT_EQ(Base64Encode("x"), "eA==");
}

TEST(Base64Test, RejectsMalformedText) {
  EXPECT_EQ(Base64Decode("eA="), std::nullopt);    // not a multiple of 4
  EXPECT_EQ(Base64Decode("e=A="), std::nullopt);   // padding inside
  EXPECT_EQ(Base64Decode("eA!="), std::nullopt);   // not in the alphabet
}

TEST(MergeLogsTest, OrdersByTimeAndNamesLockHolders) {
  TempDir dir;
  WriteFile(dir / "watch.jsonl",
            R"({"process":"nemesis","type":"ok","f":"grant","value":{"lock":"lock","token":2,"client":"lease:ab"},"time":50,"source":"etcd-watch","revision":2})"
            "\n");
  WriteFile(dir / "a.jsonl",
            R"({"process":"A","type":"invoke","f":"acquire","value":{"lock":"lock"},"time":10})"
            "\n"
            R"({"process":"A","type":"ok","f":"acquire","value":{"lock":"lock","token":2,"lease_ms":1000},"time":30,"lease":"ab"})"
            "\n"
            R"({"process":"A","type":"invoke","f":"write","value":{"resource":"data","token":2,"value":1},"time":40})"
            "\n");
  auto stats = record::MergeLogs({dir / "watch.jsonl", dir / "a.jsonl"}, dir / "out.jsonl");
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->events, 4u);
  // The watch delivered the grant at 50, after A's write; but A's acquire returned at 30, so
  // the grant happened by then: it is stamped 30, before the write, and names A.
  EXPECT_EQ(ReadFile(dir / "out.jsonl"),
            R"({"process":"A","type":"invoke","f":"acquire","value":{"lock":"lock"},"time":10})"
            "\n"
            R"({"process":"nemesis","type":"ok","f":"grant","value":{"lock":"lock","token":2,"client":"A"},"time":30,"source":"etcd-watch","revision":2})"
            "\n"
            R"({"process":"A","type":"ok","f":"acquire","value":{"lock":"lock","token":2,"lease_ms":1000},"time":30,"lease":"ab"})"
            "\n"
            R"({"process":"A","type":"invoke","f":"write","value":{"resource":"data","token":2,"value":1},"time":40})"
            "\n");
}

TEST(MergeLogsTest, AnEndAndTheGrantItEnablesShareOneTime) {
  TempDir dir;
  WriteFile(dir / "watch.jsonl",
            R"({"process":"nemesis","type":"ok","f":"revoke","value":{"lock":"lock","token":2,"client":"lease:a"},"time":90,"source":"etcd-watch","revision":5})"
            "\n"
            R"({"process":"nemesis","type":"ok","f":"grant","value":{"lock":"lock","token":3,"client":"lease:b"},"time":90,"source":"etcd-watch","revision":5})"
            "\n");
  WriteFile(dir / "a.jsonl",
            R"({"process":"A","type":"invoke","f":"acquire","value":{"lock":"lock"},"time":5})"
            "\n"
            R"({"process":"A","type":"ok","f":"acquire","value":{"lock":"lock","token":2,"lease_ms":1000},"time":10,"lease":"a"})"
            "\n"
            R"({"process":"A","type":"invoke","f":"release","value":{"lock":"lock","token":2},"time":65})"
            "\n"
            R"({"process":"A","type":"ok","f":"release","value":{"lock":"lock","token":2},"time":80})"
            "\n");
  WriteFile(dir / "b.jsonl",
            R"({"process":"B","type":"invoke","f":"acquire","value":{"lock":"lock"},"time":20})"
            "\n"
            R"({"process":"B","type":"ok","f":"acquire","value":{"lock":"lock","token":3,"lease_ms":1000},"time":70,"lease":"b"})"
            "\n");
  auto stats =
      record::MergeLogs({dir / "watch.jsonl", dir / "a.jsonl", dir / "b.jsonl"}, dir / "out.jsonl");
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  std::string out = ReadFile(dir / "out.jsonl");
  // B's acquire returned at 70, so A's unlock and B's grant (one etcd change) happened by 70.
  EXPECT_THAT(out, HasSubstr(R"("f":"revoke","value":{"lock":"lock","token":2,"client":"A"},"time":70)"));
  EXPECT_THAT(out, HasSubstr(R"("f":"grant","value":{"lock":"lock","token":3,"client":"B"},"time":70)"));
  EXPECT_LT(out.find("\"revoke\""), out.find("\"grant\""));
}

TEST(MergeLogsTest, AServiceRecordHappenedByTheTimeOfTheRecordsAfterIt) {
  TempDir dir;
  // Redis reports A's expiry and then B's grant, with no shared revision; the watcher was slow
  // (a held-back delivery, as in watch-lag), and B's acquire returned at 70.
  WriteFile(dir / "watch.jsonl",
            R"({"process":"nemesis","type":"ok","f":"expire","value":{"lock":"lock","token":1,"client":"lease:a"},"time":90,"source":"redis-notify","change":2})"
            "\n"
            R"({"process":"nemesis","type":"ok","f":"grant","value":{"lock":"lock","token":2,"client":"lease:b"},"time":95,"source":"redis-notify","change":3})"
            "\n");
  WriteFile(dir / "b.jsonl",
            R"({"process":"B","type":"invoke","f":"acquire","value":{"lock":"lock"},"time":20})"
            "\n"
            R"({"process":"B","type":"ok","f":"acquire","value":{"lock":"lock","token":2,"lease_ms":1000},"time":70,"lease":"b"})"
            "\n"
            R"({"process":"B","type":"invoke","f":"write","value":{"resource":"data","token":2,"value":1},"time":80})"
            "\n");
  auto stats = record::MergeLogs({dir / "watch.jsonl", dir / "b.jsonl"}, dir / "out.jsonl");
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  std::string out = ReadFile(dir / "out.jsonl");
  // The grant happened by B's acquire's return (70), so the expiry before it did too; both come
  // before B's write at 80, the expiry first.
  EXPECT_THAT(out, HasSubstr(R"("f":"expire","value":{"lock":"lock","token":1,"client":"lease:a"},"time":70)"));
  EXPECT_THAT(out, HasSubstr(R"("f":"grant","value":{"lock":"lock","token":2,"client":"B"},"time":70)"));
  EXPECT_LT(out.find("\"expire\""), out.find("\"grant\""));
  EXPECT_LT(out.find("\"grant\""), out.find("\"write\""));
}

TEST(MergeLogsTest, ATornLineIsAnInternalErrorAndNoHistory) {
  TempDir dir;
  WriteFile(dir / "a.jsonl", "{\"process\":\"A\",\"type\":\"invoke\",\"f\":\"write\",\"ti");
  auto stats = record::MergeLogs({dir / "a.jsonl"}, dir / "out.jsonl");
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kInternal);
  EXPECT_THAT(stats.status().message(), HasSubstr("a.jsonl:1: recorder wrote a line that is not a JSON object"));
  EXPECT_FALSE(fs::exists(dir / "out.jsonl"));
}

TEST(MergeLogsTest, AHistoryFencelineWouldRefuseIsAnInternalErrorAndNoHistory) {
  TempDir dir;
  // A client's completion with no invoke: the merge reads its output back with fenceline's
  // parser, which refuses it.
  WriteFile(dir / "a.jsonl",
            R"({"process":"A","type":"ok","f":"write","value":{"resource":"data","token":2,"value":1},"time":40})"
            "\n");
  auto stats = record::MergeLogs({dir / "a.jsonl"}, dir / "out.jsonl");
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kInternal);
  EXPECT_THAT(stats.status().message(), HasSubstr("not one fenceline accepts"));
  EXPECT_THAT(stats.status().message(), HasSubstr("out.jsonl.tmp:1:"));
  EXPECT_FALSE(fs::exists(dir / "out.jsonl"));
  EXPECT_FALSE(fs::exists(dir / "out.jsonl.tmp"));
}

TEST(RecorderTest, MissingEtcdSaysHowToInstallItAndWritesNoHistory) {
  TempDir dir;
  ProgramResult r = RunProgram({FENCELINE_RECORDER, "pause", "--etcd-binary",
                                "/nonexistent/etcd", "-o", dir / "h.jsonl"},
                               dir.path().string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("etcd not found ('/nonexistent/etcd' is not an executable)"));
  EXPECT_THAT(r.err, HasSubstr("scripts/setup.sh"));
  EXPECT_THAT(r.err, HasSubstr("apt-get install etcd-server etcd-client"));
  EXPECT_THAT(r.err, HasSubstr("no history written"));
  EXPECT_FALSE(fs::exists(dir / "h.jsonl"));
}

TEST(RecorderTest, EtcdThatCannotStartIsReportedAndCleanedUp) {
  TempDir dir;
  fs::create_directories(dir / "tmp");
  // /bin/false exits at once, as an etcd would that cannot bind its port or read its data.
  ProgramResult r = RunProgram({FENCELINE_RECORDER, "pause", "--etcd-binary", "/bin/false", "-o",
                                dir / "h.jsonl"},
                               dir / "tmp");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("etcd could not start (it exited 1)"));
  EXPECT_THAT(r.err, HasSubstr("no history written"));
  EXPECT_FALSE(fs::exists(dir / "h.jsonl"));
  EXPECT_TRUE(fs::is_empty(dir / "tmp")) << "the temporary directory was left behind";
}

TEST(RecorderTest, MissingRedisOrZooKeeperSaysHowToInstallIt) {
  TempDir dir;
  ProgramResult r = RunProgram({FENCELINE_RECORDER, "--service", "redis", "pause",
                                "--server-binary", "/nonexistent/redis-server", "-o",
                                dir / "h.jsonl"},
                               dir.path().string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("redis not found ('/nonexistent/redis-server' is not an executable)"));
  EXPECT_THAT(r.err, HasSubstr("apt-get install redis-server"));
  EXPECT_THAT(r.err, HasSubstr("no history written"));
  r = RunProgram({FENCELINE_RECORDER, "--service", "zookeeper", "steal", "--server-binary",
                  "/nonexistent/java", "-o", dir / "h.jsonl"},
                 dir.path().string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("zookeeper's Java runtime not found"));
  EXPECT_THAT(r.err, HasSubstr("apt-get install zookeeper"));
  EXPECT_FALSE(fs::exists(dir / "h.jsonl"));
  // Only the temporary directory's owner, the guardian, was started, and it is gone.
  EXPECT_THAT(ProcessesMentioning(dir.path().string()), IsEmpty());
}

TEST(RecorderTest, ServerThatCannotStartIsReportedAndCleanedUp) {
  TempDir dir;
  fs::create_directories(dir / "tmp");
  ProgramResult r = RunProgram({FENCELINE_RECORDER, "--service", "redis", "pause",
                                "--server-binary", "/bin/false", "-o", dir / "h.jsonl"},
                               dir / "tmp");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("redis could not start (it exited 1)"));
  EXPECT_FALSE(fs::exists(dir / "h.jsonl"));
  EXPECT_TRUE(fs::is_empty(dir / "tmp")) << "the temporary directory was left behind";
}

TEST(RecorderTest, UnwritableOutputIsRefusedBeforeRecording) {
  TempDir dir;
  fs::create_directories(dir / "tmp");
  // /bin/false as etcd would fail the recording, but the output is checked first.
  ProgramResult r = RunProgram({FENCELINE_RECORDER, "pause", "--etcd-binary", "/bin/false",
                                "-o", dir / "no-such-dir/h.jsonl"},
                               dir / "tmp");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no-such-dir/h.jsonl: cannot write the history: No such file"));
  EXPECT_THAT(r.err, Not(HasSubstr("etcd could not start")));
  EXPECT_TRUE(fs::is_empty(dir / "tmp"));
}

TEST(RecorderTest, UnknownServiceAndGuardedElsewhereAreUsageErrors) {
  ProgramResult r = RunProgram({FENCELINE_RECORDER, "--service", "consul", "pause", "-o", "/dev/null"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown service 'consul' (one of: etcd, zookeeper, redis)"));
  r = RunProgram({FENCELINE_RECORDER, "contrib-lock", "--fenced", "-o", "/dev/null"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--fenced does not apply to it"));
  r = RunProgram({FENCELINE_RECORDER, "--service", "redis", "guarded", "-o", "/dev/null"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("it needs --service etcd"));
  r = RunProgram({FENCELINE_RECORDER, "--service", "redis", "--endpoint", "redis", "pause",
                  "-o", "/tmp/fenceline-record-unit-endpoint.jsonl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("expected HOST:PORT for redis, got 'redis'"));
}

TEST(RecorderTest, VersionIsTheProjectVersion) {
  ProgramResult r = RunProgram({FENCELINE_RECORDER, "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, ::testing::MatchesRegex("fenceline-record [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

TEST(RecorderTest, UnknownScenarioIsAUsageError) {
  ProgramResult r = RunProgram({FENCELINE_RECORDER, "paws", "-o", "/dev/null"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown scenario 'paws' (one of: pause, forge, steal, "
                               "contention, guarded, register, watch-lag, contrib-lock)"));
}

// The histories in histories/{etcd,zookeeper,redis}/ were recorded from the real services;
// their verdicts are the ones each folder's README.md promises, and they need no server to
// check.
struct Committed {
  const char* file;
  const char* model;
  int exit_code;
  std::vector<std::string> ids;  // violation ids in the report
};

TEST(CommittedHistoriesTest, EachHasItsDocumentedVerdict) {
  const std::vector<Committed> common = {
      {"pause-unfenced.jsonl", "fencing", 1, {"expired-lease-write", "stale-token"}},
      {"pause-fenced.jsonl", "fencing", 0, {}},
      {"forge-fenced.jsonl", "fencing", 1, {"forged-token"}},
      {"steal.jsonl", "fencing", 1, {"foreign-token"}},
      {"watch-lag.jsonl", "fencing", 1, {"expired-lease-write", "stale-token"}},
      {"contrib-lock.jsonl", "fencing", 1, {"expired-lease-write", "false-rejection"}},
      {"contention.jsonl", "fencing", 0, {}},
      {"register.jsonl", "cas-register", 0, {}},
  };
  for (std::string service : {"etcd", "zookeeper", "redis"}) {
    std::vector<Committed> cases = common;
    if (service == "etcd") cases.push_back({"guarded.jsonl", "fencing", 0, {}});
    for (const Committed& c : cases) {
      std::string path =
          std::string(FENCELINE_SOURCE_DIR) + "/histories/" + service + "/" + c.file;
      SCOPED_TRACE(path);
      ProgramResult r =
          RunProgram({FENCELINE_CLI, "check", "--model", c.model, "--format", "json", path});
      EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
      for (const std::string& id : c.ids) {
        EXPECT_THAT(r.out, HasSubstr("\"id\":\"" + id + "\""));
      }
      if (c.ids.empty() && std::string(c.model) == "fencing") {
        EXPECT_THAT(r.out, HasSubstr("\"violations\":[]"));
      }
    }
  }
}

}  // namespace
}  // namespace fenceline::testing
