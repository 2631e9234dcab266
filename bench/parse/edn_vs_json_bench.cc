// Parse throughput of one generated history (100,000 operations, 200,000 events, as Jepsen's
// store writes them: index, time, type, process, f, value) written as JSON Lines, as EDN map
// lines and as history.txt, all read through ParseHistoryText with the format forced. Issue 3
// asks that EDN read at least half as fast as JSON Lines: compare BM_ParseEdnMapLines with
// BM_ParseJsonLines (items_per_second is events per second). Issue 11 asks for JSON Lines at
// 500 MB/s a core and every core used: the argument is ParseOptions::threads (1: serial; 2:
// this machine's cores), and times are wall-clock (UseRealTime), so bytes_per_second is the
// throughput seen by a user, not one thread's CPU time.
#include <cstdint>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "fenceline/parse.h"

namespace fenceline {
namespace {

constexpr int kProcesses = 8;
constexpr int kOperations = 100000;

enum class Syntax { kJson, kEdn, kLog };

struct Op {
  int process;
  const char* f;
  int a, b;  // write a; cas [a b]; read -> a
  const char* completion;
};

std::string ValueText(Syntax s, const Op& op, bool invoke) {
  if (op.f[0] == 'r') return invoke ? (s == Syntax::kJson ? "null" : "nil") : std::to_string(op.a);
  if (op.f[0] == 'w') return std::to_string(op.a);
  const char* sep = s == Syntax::kJson ? "," : " ";
  return "[" + std::to_string(op.a) + sep + std::to_string(op.b) + "]";
}

void AppendEvent(std::string& out, Syntax s, const Op& op, bool invoke, int64_t index,
                 int64_t time) {
  const char* type = invoke ? "invoke" : op.completion;
  const std::string value = ValueText(s, op, invoke);
  switch (s) {
    case Syntax::kJson:
      out += "{\"index\":" + std::to_string(index) + ",\"time\":" + std::to_string(time) +
             ",\"type\":\"" + type + "\",\"process\":" + std::to_string(op.process) +
             ",\"f\":\"" + op.f + "\",\"value\":" + value + "}\n";
      break;
    case Syntax::kEdn:
      out += "{:index " + std::to_string(index) + ", :time " + std::to_string(time) +
             ", :type :" + type + ", :process " + std::to_string(op.process) + ", :f :" + op.f +
             ", :value " + value + "}\n";
      break;
    case Syntax::kLog:
      out += std::to_string(op.process) + "\t:" + type + "\t:" + op.f + "\t" + value + "\n";
      break;
  }
}

// The same seeded history in each syntax: rounds in which every process invokes, then every
// process completes (ok, or fail for some cas).
std::string Generate(Syntax s) {
  std::mt19937_64 rng(42);
  std::string out;
  out.reserve(size_t{kOperations} * 160);
  int64_t index = 0, time = 0;
  Op round[kProcesses];
  for (int done = 0; done < kOperations; done += kProcesses) {
    for (int p = 0; p < kProcesses; ++p) {
      static const char* const kFs[] = {"read", "write", "cas"};
      const char* f = kFs[rng() % 3];
      const int a = static_cast<int>(rng() % 5), b = static_cast<int>(rng() % 5);
      round[p] = {p, f, a, b, f[0] == 'c' && rng() % 2 ? "fail" : "ok"};
      AppendEvent(out, s, round[p], true, index++, time += 1000 + static_cast<int64_t>(rng() % 500));
    }
    for (int p = 0; p < kProcesses; ++p) {
      AppendEvent(out, s, round[p], false, index++, time += 1000 + static_cast<int64_t>(rng() % 500));
    }
  }
  return out;
}

void RunParse(benchmark::State& state, Syntax syntax, InputFormat format) {
  const std::string text = Generate(syntax);
  ParseOptions options;
  options.format = format;
  options.threads = static_cast<int>(state.range(0));
  size_t events = 0;
  for (auto _ : state) {
    StatusOr<History> h = ParseHistoryText(text, "bench", options);
    if (!h.ok()) {
      state.SkipWithError(h.status().message().c_str());
      return;
    }
    events = 2 * h->ops.size();
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}

void BM_ParseJsonLines(benchmark::State& state) {
  RunParse(state, Syntax::kJson, InputFormat::kJsonLines);
}
void BM_ParseEdnMapLines(benchmark::State& state) {
  RunParse(state, Syntax::kEdn, InputFormat::kEdn);
}
void BM_ParseHistoryTxt(benchmark::State& state) {
  RunParse(state, Syntax::kLog, InputFormat::kJepsenLog);
}

BENCHMARK(BM_ParseJsonLines)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseEdnMapLines)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseHistoryTxt)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fenceline

BENCHMARK_MAIN();
