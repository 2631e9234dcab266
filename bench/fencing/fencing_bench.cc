// Whole-history benchmark of the fencing analysis: a simulated history (tests/fencing/
// fencing_sim.h: correct lock service and fenced storage, pauses, unknown outcomes) of lock and
// storage operations over many locks, analysed by CheckFencing. Prints one JSON line, e.g.
//   {"bench":"fencing/1000000_ops_1000_locks","ops":1000000,"seconds":1.9,"cpu_seconds":2.1,...}
// and exits 1 if the analysis took longer than --max-seconds (default 5, the bound).
//   fencing_bench [--ops N] [--locks N] [--threads N] [--max-seconds S] [--seed N] [--skew-ms MS]
// With --skew-ms every client has its own skewed clock and the analysis uses that bound.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fenceline/fencing.h"
#include "fencing/fencing_sim.h"

int main(int argc, char** argv) {
  using fenceline::testing::SimOptions;
  long ops = 1'000'000, locks = 1'000, threads = 0, seed = 1;
  double max_seconds = 5, skew_ms = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--ops")
      ops = std::atol(v);
    else if (flag == "--locks")
      locks = std::atol(v);
    else if (flag == "--threads")
      threads = std::atol(v);
    else if (flag == "--max-seconds")
      max_seconds = std::atof(v);
    else if (flag == "--seed")
      seed = std::atol(v);
    else if (flag == "--skew-ms")
      skew_ms = std::atof(v);
    else {
      std::fprintf(stderr, "fencing_bench: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  SimOptions o;
  o.seed = static_cast<uint64_t>(seed);
  o.locks = static_cast<int>(locks);
  // Two clients a lock contend for it; each runs ops / clients operations.
  o.clients = static_cast<int>(2 * locks);
  o.ops_per_client = static_cast<int>(ops / o.clients);
  o.info_rate = 0.01;
  o.pause_rate = 0.05;
  o.lease_ms = 1'000;
  o.skew_ms = skew_ms;
  fenceline::StatusOr<fenceline::History> h =
      fenceline::testing::BuildHistory(fenceline::testing::Simulate(o), "<bench>");
  if (!h.ok()) {
    std::fprintf(stderr, "fencing_bench: %s\n", h.status().message().c_str());
    return 2;
  }
  fenceline::FencingOptions fo;
  fo.threads = static_cast<int>(threads);
  fo.clock_skew_ms = skew_ms;
  const auto start = std::chrono::steady_clock::now();
  // CPU time too: on a shared machine the wall time says more about the neighbours.
  const std::clock_t cpu_start = std::clock();
  fenceline::StatusOr<fenceline::FencingResult> r = fenceline::CheckFencing(*h, fo);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds =
      static_cast<double>(std::clock() - cpu_start) / static_cast<double>(CLOCKS_PER_SEC);
  if (!r.ok()) {
    std::fprintf(stderr, "fencing_bench: %s\n", r.status().message().c_str());
    return 2;
  }
  const size_t n = h->ops.size();
  std::printf(
      "{\"bench\":\"fencing/%zu_ops_%ld_locks%s\",\"ops\":%zu,\"seconds\":%.3f,"
      "\"cpu_seconds\":%.3f,\"ns_per_op\":%.0f,"
      "\"violations\":%zu,\"verdict\":\"%s\"}\n",
      n, locks, skew_ms > 0 ? "_skewed" : "", n, seconds, cpu_seconds,
      seconds * 1e9 / static_cast<double>(n ? n : 1), r->violations.size(),
      std::string(fenceline::FencingVerdictName(r->verdict)).c_str());
  return seconds <= max_seconds ? 0 : 1;
}
