// The whole reference corpus (../shared/corpus: 103 Jepsen etcd histories and 6 key-value
// histories) as one batch: every file parsed and checked, etcd files as cas-register and
// key-value files as kv, all in one parallel CheckHistories call per model. Repeats the batch
// and prints one JSON line per run and a summary line with the median, e.g.
//   {"bench":"search/corpus_batch","files":109,"runs":7,"median_s":0.09,"peak_rss_mib":41,...}
// Exits 1 if any file's verdict differs from expected.tsv or a file is left undecided.
//   corpus_bench [--corpus DIR] [--runs N] [--threads N] [--first-violation] [--time-limit S]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"

namespace fs = std::filesystem;
using namespace fenceline;

namespace {

struct File {
  std::string path, model, expected;
};

std::vector<File> LoadCorpus(const std::string& root) {
  std::vector<File> files;
  for (const auto& [dir, model] : {std::pair<std::string, std::string>{"jepsen-etcd", "cas-register"},
                                   {"porcupine-kv", "kv"}}) {
    std::map<std::string, std::string> expected;
    std::ifstream tsv(root + "/" + dir + "/expected.tsv");
    std::string name, verdict;
    while (tsv >> name >> verdict) expected[name] = verdict;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root + "/" + dir)) {
      std::string n = e.path().filename();
      if (n != "expected.tsv" && n != "README.md") names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      // An empty history (etcd_095: the cluster never started) is linearizable.
      std::string want = expected.count(n) ? expected[n] : "linearizable";
      files.push_back({root + "/" + dir + "/" + n, model, want});
    }
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root = FENCELINE_CORPUS_DIR;
  int runs = 7, threads = 0;
  double time_limit = 0;
  bool first_violation = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--first-violation") { first_violation = true; continue; }
    if (i + 1 >= argc) { std::fprintf(stderr, "corpus_bench: %s needs a value\n", argv[i]); return 2; }
    std::string v = argv[++i];
    if (flag == "--corpus") root = v;
    else if (flag == "--runs") runs = std::atoi(v.c_str());
    else if (flag == "--threads") threads = std::atoi(v.c_str());
    else if (flag == "--time-limit") time_limit = std::atof(v.c_str());
    else { std::fprintf(stderr, "corpus_bench: unknown flag %s\n", flag.c_str()); return 2; }
  }
  if (!fs::is_directory(root)) {
    std::printf("{\"bench\":\"search/corpus_batch\",\"skipped\":\"no corpus at %s\"}\n", root.c_str());
    return 0;
  }
  std::vector<File> files = LoadCorpus(root);
  CheckOptions options;
  options.threads = threads;
  options.first_violation_only = first_violation;
  options.time_limit = std::chrono::milliseconds(static_cast<long>(time_limit * 1000));
  std::vector<double> seconds;
  int wrong = 0, undecided_keys = 0;
  // The corpus holds an empty etcd history (a run that recorded nothing): linearizable.
  ParseOptions parse_options;
  parse_options.allow_empty = true;
  for (int run = 0; run < runs; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    std::map<std::string, std::vector<size_t>> by_model;
    std::vector<std::unique_ptr<History>> histories(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      StatusOr<History> h = ParseHistoryFile(files[i].path, parse_options);
      if (!h.ok()) {
        std::fprintf(stderr, "%s\n", h.status().message().c_str());
        return 1;
      }
      histories[i] = std::make_unique<History>(std::move(h).value());
      by_model[files[i].model].push_back(i);
    }
    std::vector<std::string> verdicts(files.size());
    undecided_keys = 0;
    for (const auto& [model_id, idx] : by_model) {
      std::unique_ptr<Model> model = std::move(MakeModel(model_id).value());
      std::vector<const History*> batch;
      for (size_t i : idx) batch.push_back(histories[i].get());
      std::vector<StatusOr<CheckResult>> results = CheckHistories(batch, *model, options);
      for (size_t k = 0; k < idx.size(); ++k) {
        verdicts[idx[k]] = results[k].ok() ? std::string(VerdictName(results[k]->verdict)) : "error";
        if (results[k].ok()) {
          for (const PartitionResult& p : results[k]->partitions) undecided_keys += p.verdict == Verdict::kUnknown;
        }
      }
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    wrong = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      if (verdicts[i] != files[i].expected) {
        ++wrong;
        std::fprintf(stderr, "%s: expected %s, got %s\n", files[i].path.c_str(),
                     files[i].expected.c_str(), verdicts[i].c_str());
      }
    }
    std::printf("{\"bench\":\"search/corpus_batch\",\"run\":%d,\"seconds\":%.4f}\n", run, seconds.back());
  }
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("{\"bench\":\"search/corpus_batch\",\"files\":%zu,\"runs\":%d,\"median_s\":%.4f,"
              "\"min_s\":%.4f,\"peak_rss_mib\":%ld,\"wrong_verdicts\":%d,\"undecided_keys\":%d,"
              "\"first_violation\":%s}\n",
              files.size(), runs, sorted[sorted.size() / 2], sorted.front(), usage.ru_maxrss / 1024,
              wrong, undecided_keys, first_violation ? "true" : "false");
  return wrong == 0 ? 0 : 1;
}
