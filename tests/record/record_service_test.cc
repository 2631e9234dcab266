// Records every scenario from a real lock service with fenceline-record and checks each
// history's verdict and violation ids with the built `fenceline check`, as CI does. Built
// once per service (FENCELINE_RECORD_SERVICE: etcd, zookeeper, redis; ctest labels of the same
// names). Needs the service's Debian package (scripts/setup.sh installs them all); skipped
// only when its server is absent. Every recording must leave no process and no temporary
// directory behind.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "record/run_program.h"

namespace fenceline::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kService[] = FENCELINE_RECORD_SERVICE;

// What must exist for the recorder to start the service's server, and how to get it.
struct ServerNeeds {
  std::vector<const char*> files;
  const char* install;
};

ServerNeeds Needs() {
  std::string s = kService;
  if (s == "etcd") return {{"/usr/bin/etcd"}, "apt-get install etcd-server etcd-client"};
  if (s == "zookeeper") {
    return {{"/usr/bin/java", "/usr/share/java/zookeeper.jar"}, "apt-get install zookeeper"};
  }
  return {{"/usr/bin/redis-server"}, "apt-get install redis-server"};
}

struct Verdict {
  int exit_code = -1;
  std::string verdict;
  std::vector<std::string> violations;  // "id" of each error-level violation, "id (warning)"
  int64_t operations = 0;               // cas-register: operations checked
  int64_t grants = 0;                   // fencing: grants seen
  std::string report;
};

class RecordServiceTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerNeeds needs = Needs();
    for (const char* f : needs.files) {
      if (access(f, R_OK) != 0) {
        GTEST_SKIP() << f << " is absent, so no " << kService << " to record from; install it "
                     << "with scripts/setup.sh (" << needs.install << ")";
      }
    }
    dir_ = fs::temp_directory_path() /
           ("fenceline-record-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tmp");
  }

  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Records `args` into a history and returns its path; fails the test if the recorder fails
  // or leaves anything behind.
  std::string Record(std::vector<std::string> args) {
    std::string out = (dir_ / "history.jsonl").string();
    std::vector<std::string> argv{FENCELINE_RECORDER, "--service", kService};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const char* a : {"--seed", "7", "-o"}) argv.emplace_back(a);
    argv.push_back(out);
    std::string tmp = (dir_ / "tmp").string();
    ProgramResult r = RunProgram(argv, tmp);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, ::testing::HasSubstr("wrote "));
    // The guardian has stopped the server and removed its directory before the recorder exits.
    EXPECT_THAT(ProcessesMentioning(tmp), IsEmpty());
    EXPECT_TRUE(fs::is_empty(tmp)) << "the recorder left files in " << tmp;
    EXPECT_TRUE(fs::exists(out));
    return out;
  }

  Verdict Check(const std::string& model, const std::string& path) {
    ProgramResult r = RunProgram({FENCELINE_CLI, "check", "--model", model, "--format", "json", path});
    Verdict v;
    v.exit_code = r.exit_code;
    v.report = r.out + r.err;
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("files") ||
        !doc["files"].IsArray() || doc["files"].Empty()) {
      ADD_FAILURE() << "not a JSON report:\n" << v.report;
      return v;
    }
    const auto& f = doc["files"][0];
    if (f.HasMember("verdict") && f["verdict"].IsString()) v.verdict = f["verdict"].GetString();
    if (f.HasMember("operations") && f["operations"].IsInt64()) v.operations = f["operations"].GetInt64();
    if (f.HasMember("grants") && f["grants"].IsInt64()) v.grants = f["grants"].GetInt64();
    if (f.HasMember("violations") && f["violations"].IsArray()) {
      for (const auto& x : f["violations"].GetArray()) {
        std::string id = x["id"].GetString();
        if (std::string(x["severity"].GetString()) != "error") id += " (warning)";
        if (std::string(x["certainty"].GetString()) != "certain") id += " (possible)";
        v.violations.push_back(id);
      }
    }
    return v;
  }

  fs::path dir_;
};

// One suite name per service (RecordEtcdTest, RecordZookeeperTest, RecordRedisTest), so ctest
// names stay distinct across the three binaries.
using FENCELINE_RECORD_SUITE = RecordServiceTestBase;

// The service's own records of the lock, by f ("grant", "expire", "revoke").
std::multiset<std::string> ServiceRecords(const std::string& path) {
  std::multiset<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    if (d.IsObject() && d.HasMember("source") && d.HasMember("f") && d["f"].IsString()) {
      out.insert(d["f"].GetString());
    }
  }
  return out;
}

TEST_F(FENCELINE_RECORD_SUITE, PauseWithUnfencedStorageIsExpiredLeaseWrite) {
  std::string h = Record({"pause"});
  Verdict v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 1) << v.report;
  EXPECT_EQ(v.verdict, "invalid");
  EXPECT_THAT(v.violations, UnorderedElementsAre("expired-lease-write", "stale-token")) << v.report;
  // The service itself ended A's lease: its expiry is in the history, from its own watch.
  std::multiset<std::string> records = ServiceRecords(h);
  EXPECT_EQ(records.count("expire"), 1u);
  EXPECT_EQ(records.count("grant"), 2u);
}

TEST_F(FENCELINE_RECORD_SUITE, PauseWithFencedStorageIsClean) {
  std::string h = Record({"pause", "--fenced"});
  Verdict v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 0) << v.report;
  EXPECT_EQ(v.verdict, "valid");
  EXPECT_THAT(v.violations, IsEmpty()) << v.report;
}

TEST_F(FENCELINE_RECORD_SUITE, WatchLagDoesNotChangeThePauseVerdict) {
  std::string h = Record({"watch-lag"});
  Verdict v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 1) << v.report;
  EXPECT_THAT(v.violations, UnorderedElementsAre("expired-lease-write", "stale-token")) << v.report;
  EXPECT_EQ(ServiceRecords(h).count("expire"), 1u);
}

// etcd's contrib/lock storage accepts only the version the first write set: B, the current
// holder, is rejected, and A, paused past its lease, is accepted with the old version.
TEST_F(FENCELINE_RECORD_SUITE, ContribLockStorageRejectsTheHolderAndAcceptsTheStaleOne) {
  std::string h = Record({"contrib-lock"});
  Verdict v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 1) << v.report;
  EXPECT_THAT(v.violations,
              UnorderedElementsAre("expired-lease-write", "false-rejection (warning)"))
      << v.report;
}

TEST_F(FENCELINE_RECORD_SUITE, ForgedTokenIsForgedToken) {
  std::string h = Record({"forge", "--fenced"});
  Verdict v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 1) << v.report;
  EXPECT_THAT(v.violations, UnorderedElementsAre("forged-token")) << v.report;
  // Unfenced, the storage also takes B's honest token after the forged one.
  h = Record({"forge"});
  v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 1) << v.report;
  EXPECT_THAT(v.violations, UnorderedElementsAre("forged-token", "stale-token")) << v.report;
}

TEST_F(FENCELINE_RECORD_SUITE, StolenTokenIsForeignToken) {
  std::string h = Record({"steal"});
  Verdict v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 1) << v.report;
  EXPECT_THAT(v.violations, UnorderedElementsAre("foreign-token")) << v.report;
}

TEST_F(FENCELINE_RECORD_SUITE, ContentionWithoutFaultsIsClean) {
  std::string h = Record({"contention", "--duration", "4", "--clients", "3"});
  Verdict v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 0) << v.report;
  EXPECT_THAT(v.violations, IsEmpty()) << v.report;
  EXPECT_GE(v.grants, 6) << "the clients barely took turns:\n" << v.report;
  std::multiset<std::string> records = ServiceRecords(h);
  EXPECT_GE(records.count("grant"), 6u);
  EXPECT_GE(records.count("revoke"), 5u);
}

#ifdef FENCELINE_RECORD_GUARDED  // etcd only: the data is written by an etcd txn
TEST_F(FENCELINE_RECORD_SUITE, GuardedWritesAreCleanEvenWithAPause) {
  std::string h = Record({"guarded"});
  Verdict v = Check("fencing", h);
  EXPECT_EQ(v.exit_code, 0) << v.report;
  EXPECT_THAT(v.violations, IsEmpty()) << v.report;
}
#endif

TEST_F(FENCELINE_RECORD_SUITE, RegisterThroughTheClientIsLinearizable) {
  std::string h = Record({"register", "--duration", "3", "--clients", "3"});
  Verdict v = Check("cas-register", h);
  EXPECT_EQ(v.exit_code, 0) << v.report;
  EXPECT_EQ(v.verdict, "valid") << v.report;
  EXPECT_GE(v.operations, 50);
}

}  // namespace
}  // namespace fenceline::testing
