// Writes a linearizable key-value history as JSON Lines: every operation takes effect at a
// random instant inside its [invoke, complete] interval, and results come from applying them
// in that order, so the history is linearizable by construction (and has real concurrency).
//   fenceline_gen [--ops N] [--keys K] [--processes P] [--seed S] [--lost-append]
//                 [--hot-keys H --hot-share F] [--info-rate R]
// --processes sets the concurrency: about P * 5/6 operations are in flight at any time.
// --hot-keys/--hot-share: a share F of the operations goes to the first H keys (production
// traces have hot keys); the rest spread over all K.
// --info-rate: a share R of operations end "info" (unknown outcome; a put or append then took
// effect or not, at random, and a get returns nothing); the process continues as a new one.
// --lost-append drops one append's effect from every later read of its key: a violation.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

struct Op {
  int process;
  int key;
  int kind;  // 0 get, 1 put, 2 append
  bool info;     // completes with "info"
  bool applied;  // took effect (always, unless info)
  long long call, ret, point;
  std::string arg, result;
};

}  // namespace

int main(int argc, char** argv) {
  long ops = 1'000'000, keys = 1'000, processes = 50, seed = 1, hot_keys = 0;
  double hot_share = 0, info_rate = 0;
  bool lost_append = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--lost-append") { lost_append = true; continue; }
    if (flag == "--help" || flag == "-h") {
      std::printf("usage: fenceline_gen [--ops N] [--keys N] [--processes N] [--seed N] [--hot-keys N]\n"
                  "                     [--hot-share F] [--info-rate F] [--lost-append]\n"
                  "writes a kv history in JSON Lines to standard output\n");
      return 0;
    }
    if (i + 1 >= argc) { std::fprintf(stderr, "fenceline_gen: %s needs a value\n", argv[i]); return 2; }
    const char* text = argv[++i];
    long v = std::atol(text);
    if (flag == "--hot-share") hot_share = std::atof(text);
    else if (flag == "--info-rate") info_rate = std::atof(text);
    else if (flag == "--hot-keys") hot_keys = v;
    else if (flag == "--ops") ops = v;
    else if (flag == "--keys") keys = v;
    else if (flag == "--processes") processes = v;
    else if (flag == "--seed") seed = v;
    else { std::fprintf(stderr, "fenceline_gen: unknown flag %s\n", flag.c_str()); return 2; }
  }
  std::mt19937_64 rng(static_cast<uint64_t>(seed));
  std::vector<Op> plan(static_cast<size_t>(ops));
  std::vector<long long> free_at(static_cast<size_t>(processes), 0);
  for (long i = 0; i < ops; ++i) {
    Op& op = plan[static_cast<size_t>(i)];
    op.process = static_cast<int>(rng() % static_cast<uint64_t>(processes));
    const bool hot = hot_keys > 0 && static_cast<double>(rng() % 1000000) < hot_share * 1e6;
    op.key = static_cast<int>(rng() % static_cast<uint64_t>(hot ? std::min(hot_keys, keys) : keys));
    op.info = info_rate > 0 && static_cast<double>(rng() % 1000000) < info_rate * 1e6;
    op.applied = !op.info || rng() % 2 == 0;
    op.kind = static_cast<int>(rng() % 3);
    long long& t = free_at[static_cast<size_t>(op.process)];
    op.call = t + 1 + static_cast<long long>(rng() % 1000);
    op.ret = op.call + 1 + static_cast<long long>(rng() % 5000);
    op.point = op.call + static_cast<long long>(rng() % static_cast<uint64_t>(op.ret - op.call + 1));
    t = op.ret;
    if (op.kind == 1) op.arg = "p" + std::to_string(i);
    if (op.kind == 2) op.arg = "a" + std::to_string(i) + ";";
  }
  std::vector<size_t> order(plan.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return plan[a].point < plan[b].point; });
  std::vector<std::string> value(static_cast<size_t>(keys));
  std::vector<std::string> lost(static_cast<size_t>(keys));  // a dropped append, per key
  bool dropped = false;
  for (size_t i : order) {
    Op& op = plan[i];
    std::string& v = value[static_cast<size_t>(op.key)];
    if (op.kind == 0) {
      op.result = v;
    } else if (!op.applied) {
      // unknown outcome that never took effect
    } else if (op.kind == 1) {
      v = op.arg;
    } else if (lost_append && !dropped && v.size() > 20) {
      dropped = true;  // acknowledged, never applied
    } else {
      v += op.arg;
    }
  }
  struct Ev {
    long long t;
    int completion;
    size_t op;
  };
  std::vector<Ev> events;
  events.reserve(plan.size() * 2);
  for (size_t i = 0; i < plan.size(); ++i) {
    events.push_back({plan[i].call, 0, i});
    events.push_back({plan[i].ret, 1, i});
  }
  std::sort(events.begin(), events.end(), [](const Ev& a, const Ev& b) {
    return a.t != b.t ? a.t < b.t : a.completion < b.completion;
  });
  // After an info completion Jepsen gives the thread a fresh process id: renumber so each
  // process's operations stay sequential.
  std::vector<long> name_of(static_cast<size_t>(processes));
  for (long p = 0; p < processes; ++p) name_of[static_cast<size_t>(p)] = p;
  long next_name = processes;
  std::vector<long> op_name(plan.size());
  for (const Ev& e : events) {
    const Op& op = plan[e.op];
    long& name = name_of[static_cast<size_t>(op.process)];
    if (!e.completion) op_name[e.op] = name;
    else if (op.info) name = next_name++;
  }
  static const char* kF[] = {"get", "put", "append"};
  std::string line;
  for (const Ev& e : events) {
    const Op& op = plan[e.op];
    const char* type = !e.completion ? "invoke" : op.info ? "info" : "ok";
    line = "{\"process\":" + std::to_string(op_name[e.op]) + ",\"type\":\"" + type + "\",\"f\":\"" + kF[op.kind] + "\",\"key\":\"k" +
           std::to_string(op.key) + "\",\"value\":";
    if (op.kind == 0) line += e.completion && !op.info ? "\"" + op.result + "\"" : "null";
    else line += "\"" + op.arg + "\"";
    line += ",\"time\":" + std::to_string(e.t) + "}\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return 0;
}
