// The search alone on one history file: parsed once (not timed), then checked --runs times
// (partitioning, compiling each partition, searching it); prints one JSON line per run and a
// summary with the medians of wall and CPU seconds, e.g.
//   {"bench":"search/check_only","file":"h.jsonl","ops":1000000,"partitions":1000,
//    "runs":3,"median_s":0.21,"median_cpu_s":0.40,"verdict":"linearizable",...}
// CPU seconds are the process's, so they count every thread; on a shared machine they are the
// figure to compare. Exits 1 if the runs disagree on the verdict.
//   search_bench FILE [--model kv] [--runs N] [--threads N] [--no-proof]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"

using namespace fenceline;

namespace {

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string file, model_id = "kv";
  int runs = 3, threads = 0;
  bool proof = true;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--no-proof") { proof = false; continue; }
    if (flag.rfind("--", 0) != 0) { file = flag; continue; }
    if (i + 1 >= argc) { std::fprintf(stderr, "search_bench: %s needs a value\n", argv[i]); return 2; }
    std::string v = argv[++i];
    if (flag == "--model") model_id = v;
    else if (flag == "--runs") runs = std::max(1, std::atoi(v.c_str()));
    else if (flag == "--threads") threads = std::atoi(v.c_str());
    else { std::fprintf(stderr, "search_bench: unknown flag %s\n", flag.c_str()); return 2; }
  }
  if (file.empty()) {
    std::fprintf(stderr, "usage: search_bench FILE [--model kv] [--runs N] [--threads N] [--no-proof]\n");
    return 2;
  }
  StatusOr<History> history = ParseHistoryFile(file, ParseOptions());
  if (!history.ok()) {
    std::fprintf(stderr, "%s\n", history.status().message().c_str());
    return 2;
  }
  StatusOr<std::unique_ptr<Model>> model = MakeModel(model_id);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 2;
  }
  CheckOptions options;
  options.threads = threads;
  options.explain = proof;
  std::vector<double> wall, cpu;
  std::string verdict;
  size_t partitions = 0, states = 0;
  bool agree = true;
  for (int run = 0; run < runs; ++run) {
    const double c0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    StatusOr<CheckResult> result = CheckLinearizability(*history, **model, options);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(CpuSeconds() - c0);
    const std::string v = result.ok() ? std::string(VerdictName(result->verdict)) : "error";
    if (run > 0 && v != verdict) agree = false;
    verdict = v;
    if (result.ok()) {
      partitions = result->partitions.size();
      states = 0;
      for (const PartitionResult& p : result->partitions) states += p.states_explored;
    }
    std::printf("{\"bench\":\"search/check_only\",\"run\":%d,\"seconds\":%.4f,\"cpu_s\":%.4f}\n", run,
                wall.back(), cpu.back());
  }
  std::printf("{\"bench\":\"search/check_only\",\"file\":\"%s\",\"ops\":%zu,\"partitions\":%zu,"
              "\"runs\":%d,\"median_s\":%.4f,\"median_cpu_s\":%.4f,\"verdict\":\"%s\","
              "\"states_explored\":%zu}\n",
              file.c_str(), history->ops.size(), partitions, runs, Median(wall), Median(cpu),
              verdict.c_str(), states);
  return agree ? 0 : 1;
}
