// Whole-history benchmark of the fencing analysis: a simulated history (tests/fencing/
// fencing_sim.h: correct lock service and fenced storage, pauses, unknown outcomes) of lock and
// storage operations over many locks, analysed by CheckFencing. Prints one JSON line, e.g.
//   {"bench":"fencing/1000000_ops_1000_locks","ops":1000000,"seconds":1.9,"cpu_seconds":2.1,...}
// and exits 1 if the analysis took longer than --max-seconds (default 5, the bound).
//   fencing_bench [--ops N] [--locks N] [--threads N] [--max-seconds S] [--seed N] [--skew-ms MS]
//                 [--records 0|1] [--info-rate P] [--memory-limit MIB]
// With --skew-ms every client has its own skewed clock and the analysis uses that bound;
// --records 1 adds the lock service's grant records; --info-rate (default 0.01) is the chance an
// outcome is unknown; --memory-limit is the analysis' one account (default: half the memory).
// "report_digest" hashes the whole report, to compare two builds' reports.
#include <chrono>
#include <ctime>
#include <fstream>
#include <malloc.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "fenceline/fencing.h"
#include "fencing/fencing_sim.h"

namespace {

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"), 0 where there is none.
long StatusKib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using fenceline::testing::SimOptions;
  long ops = 1'000'000, locks = 1'000, threads = 0, seed = 1, memory_mib = 0;
  double max_seconds = 5, skew_ms = 0, info_rate = 0.01;
  bool records = false;
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
    else if (flag == "--records")
      records = std::atol(v) != 0;
    else if (flag == "--info-rate")
      info_rate = std::atof(v);
    else if (flag == "--memory-limit")
      memory_mib = std::atol(v);
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
  o.info_rate = info_rate;
  o.records = records;
  o.pause_rate = 0.05;
  o.lease_ms = 1'000;
  o.skew_ms = skew_ms;
  fenceline::StatusOr<fenceline::History> h =
      fenceline::testing::SimulateHistory(o, "<bench>");
  if (!h.ok()) {
    std::fprintf(stderr, "fencing_bench: %s\n", h.status().message().c_str());
    return 2;
  }
  // The analysis' own memory: the peak above the history's, the high-water mark reset first
  // (Linux: writing 5 to clear_refs), so the simulator's peak does not count; what the
  // simulator freed is handed back first, so the analysis cannot hide in it.
  malloc_trim(0);
  const long history_kib = StatusKib("VmRSS");
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  fenceline::FencingOptions fo;
  fo.threads = static_cast<int>(threads);
  fo.clock_skew_ms = skew_ms;
  if (memory_mib > 0) fo.memory_budget = static_cast<size_t>(memory_mib) << 20;
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
  // A refusal under --memory-limit says which part of the analysis did not fit.
  for (const std::string& note : r->notes) {
    if (note.find("memory limit") != std::string::npos) {
      std::fprintf(stderr, "fencing_bench: %s\n", note.c_str());
    }
  }
  const long peak_kib = StatusKib("VmHWM");
  const double analysis_mib = static_cast<double>(peak_kib - history_kib) / 1024;
  // Violations by id and certainty, e.g. "forged-token possible": 3.
  std::map<std::string, size_t> by_id;
  for (const fenceline::Violation& v : r->violations) {
    ++by_id[v.id + " " + std::string(fenceline::CertaintyName(v.certainty))];
  }
  std::string kinds;
  for (const auto& [k, count] : by_id) {
    kinds += (kinds.empty() ? "\"" : ",\"") + k + "\":" + std::to_string(count);
  }
  const size_t n = h->ops.size();
  // A digest of the whole report (every field of every violation, and the notes), so that two
  // builds can be shown to report the same on the same history.
  uint64_t digest = 1469598103934665603ULL;
  auto mix = [&](const std::string& s) {
    for (char c : s) digest = (digest ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    digest = (digest ^ 0xff) * 1099511628211ULL;
  };
  for (const fenceline::Violation& v : r->violations) {
    mix(v.id);
    mix(std::string(fenceline::CertaintyName(v.certainty)));
    mix(std::string(fenceline::SeverityName(v.severity)));
    mix(v.margin_ms ? std::to_string(*v.margin_ms) : "-");
    mix(v.lock);
    mix(v.resource);
    for (const std::string& c : v.clients) mix(c);
    for (int64_t t : v.tokens) mix(std::to_string(t));
    for (const fenceline::TimelineEvent& e : v.timeline) mix(std::to_string(e.line) + e.note);
    mix(v.message);
  }
  for (const std::string& note : r->notes) mix(note);
  mix(std::string(fenceline::FencingVerdictName(r->verdict)));
  std::printf(
      "{\"bench\":\"fencing/%zu_ops_%ld_locks%s\",\"ops\":%zu,\"seconds\":%.3f,"
      "\"cpu_seconds\":%.3f,\"ns_per_op\":%.0f,\"history_mib\":%.0f,\"analysis_peak_mib\":%.0f,"
      "\"analysis_bytes_per_op\":%.0f,"
      "\"violations\":%zu,\"by_id\":{%s},\"verdict\":\"%s\",\"report_digest\":\"%016llx\"}\n",
      n, locks, skew_ms > 0 ? "_skewed" : "", n, seconds, cpu_seconds,
      seconds * 1e9 / static_cast<double>(n ? n : 1), static_cast<double>(history_kib) / 1024,
      analysis_mib, analysis_mib * 1048576 / static_cast<double>(n ? n : 1), r->violations.size(), kinds.c_str(),
      std::string(fenceline::FencingVerdictName(r->verdict)).c_str(),
      static_cast<unsigned long long>(digest));
  return seconds <= max_seconds ? 0 : 1;
}
