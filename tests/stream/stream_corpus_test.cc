// Every file of the shared corpus gets the same verdict streamed as checked whole (and as its
// expected.tsv says), per partition, under both failure conventions, cut at every point the
// history allows and at the default segment size. Skips cleanly when the corpus is absent.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"
#include "fenceline/stream.h"
#include "checker/stream/stream_reader.h"
#include "testing/compress.h"
#include "stream/stream_testing.h"
#include "testing/run_cli.h"

namespace fenceline {
namespace {

using ::fenceline::testing::CorpusDir;
using ::fenceline::testing::Disagreement;
using ::fenceline::testing::EventsOf;
using ::fenceline::testing::StreamEvents;

TEST(StreamCorpusTest, EveryFileAgreesWithWholeFileCheck) {
  const std::string root = CorpusDir();
  if (root.empty()) GTEST_SKIP() << "corpus absent (set FENCELINE_CORPUS)";
  const std::pair<const char*, const char*> corpora[] = {{"jepsen-etcd", "cas-register"},
                                                         {"porcupine-kv", "kv"}};
  int files = 0, cut_files = 0, violations = 0, same_operation = 0;
  for (const auto& [dir, model_id] : corpora) {
    std::ifstream tsv(root + "/" + dir + "/expected.tsv");
    std::string line;
    std::getline(tsv, line);  // header
    while (std::getline(tsv, line)) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      const std::string file = line.substr(0, tab);
      std::string expected = line.substr(tab + 1);
      while (!expected.empty() && (expected.back() == '\r' || expected.back() == ' ')) {
        expected.pop_back();
      }
      SCOPED_TRACE(std::string(dir) + "/" + file);
      StatusOr<History> h = ParseHistoryFile(root + "/" + dir + "/" + file);
      ASSERT_TRUE(h.ok()) << h.status().message();
      const std::vector<Event> events = EventsOf(*h);
      for (bool fail_observes : {false, true}) {
        ModelOptions mo;
        mo.fail_observes = fail_observes;
        StatusOr<std::unique_ptr<Model>> model = MakeModel(model_id, mo);
        ASSERT_TRUE(model.ok());
        CheckOptions co;
        co.explain = false;
        StatusOr<CheckResult> whole = CheckLinearizability(*h, **model, co);
        ASSERT_TRUE(whole.ok());
        EXPECT_EQ(VerdictName(whole->verdict), expected);
        for (size_t min_segment : {size_t{1}, size_t{256}}) {
          SCOPED_TRACE("fail_observes " + std::to_string(fail_observes) + " min_segment_ops " +
                       std::to_string(min_segment));
          StreamOptions so;
          so.model = mo;
          so.min_segment_ops = min_segment;
          StreamStats stats;
          StatusOr<CheckResult> streamed = StreamEvents(events, model_id, so, &stats);
          ASSERT_TRUE(streamed.ok()) << streamed.status().message();
          EXPECT_EQ(Disagreement(*whole, *streamed), "");
          if (min_segment == 1 && !fail_observes) cut_files += stats.cuts > 1 ? 1 : 0;
          // How often both name the same operation (reported, not required: docs/checking.md).
          for (size_t p = 0; p < whole->partitions.size() && p < streamed->partitions.size(); ++p) {
            const auto& a = whole->partitions[p].counterexample;
            const auto& b = streamed->partitions[p].counterexample;
            if (!a || !b) continue;
            ++violations;
            same_operation += a->unlinearizable == b->unlinearizable ? 1 : 0;
          }
        }
      }
      ++files;
    }
  }
  std::printf("corpus: %d files, %d violating partitions checked, %d name the same operation\n",
              files, violations, same_operation);
  EXPECT_EQ(files, 108);
  // Most files must actually be cut, or this compares two whole-file searches.
  EXPECT_GT(cut_files, files / 2);
}

// The files themselves (Jepsen logs, EDN), read by the streaming reader as they are and
// compressed, into the streaming check: per partition, the whole-file verdicts.
TEST(StreamCorpusTest, EveryFileReadAsItIsAgreesWithWholeFileCheck) {
  const std::string root = CorpusDir();
  if (root.empty()) GTEST_SKIP() << "corpus absent (set FENCELINE_CORPUS)";
  char dir[] = "/tmp/fenceline-stream-corpus-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string packed = std::string(dir) + "/packed";
  int files = 0;
  for (const auto& [corpus, model_id] : {std::pair<std::string, std::string>{"jepsen-etcd", "cas-register"},
                                         {"porcupine-kv", "kv"}}) {
    std::ifstream tsv(root + "/" + corpus + "/expected.tsv");
    std::string line;
    std::getline(tsv, line);  // header
    while (std::getline(tsv, line)) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      const std::string path = root + "/" + corpus + "/" + line.substr(0, tab);
      SCOPED_TRACE(path);
      StatusOr<History> h = ParseHistoryFile(path);
      ASSERT_TRUE(h.ok()) << h.status().message();
      StatusOr<std::unique_ptr<Model>> model = MakeModel(model_id, {});
      ASSERT_TRUE(model.ok());
      CheckOptions co;
      co.explain = false;
      StatusOr<CheckResult> whole = CheckLinearizability(*h, **model, co);
      ASSERT_TRUE(whole.ok());
      std::ifstream in(path, std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), {});
      // Plain, then gzip or zstd in turn.
      std::ofstream(packed, std::ios::binary)
          << (files % 2 ? testing::Gzip(text) : testing::Zstd(text));
      for (const std::string& file : {path, packed}) {
        StatusOr<std::unique_ptr<StreamChecker>> checker =
            StreamChecker::Create(model_id, StreamOptions{}, path);
        ASSERT_TRUE(checker.ok());
        internal::StreamReadStats stats;
        Status read = internal::ReadHistoryStream(
            file, path, {}, [&](Event e) { return (*checker)->Add(std::move(e)); }, stats);
        ASSERT_TRUE(read.ok()) << read.message();
        StatusOr<CheckResult> streamed = (*checker)->Finish();
        ASSERT_TRUE(streamed.ok()) << streamed.status().message();
        EXPECT_EQ(Disagreement(*whole, *streamed), "");
      }
      ++files;
    }
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(files, 108);
}

}  // namespace
}  // namespace fenceline
