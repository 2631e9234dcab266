// Writes a long, well-behaved kv history as JSON Lines to standard output, in constant memory,
// for the streaming benchmark (bench/stream/stream_rss.sh): processes put and get on a few keys,
// each operation taking effect at its completion (so the history is linearizable by
// construction); a share of puts ends "info" (took effect or not, at random), and the crashed
// process continues under a new number, as Jepsen's clients do.
//   fenceline_stream_gen [--ops N] [--keys K] [--processes P] [--info-rate R] [--seed S]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  long long ops = 1'000'000;
  long keys = 100, processes = 8, seed = 1;
  double info_rate = 0.001;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("usage: fenceline_stream_gen [--ops N] [--keys K] [--processes P] "
                  "[--info-rate R] [--seed S]\nwrites a linearizable kv history in JSON Lines "
                  "to standard output, in constant memory\n");
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "fenceline_stream_gen: %s needs a value\n", argv[i]);
      return 2;
    }
    const char* text = argv[++i];
    if (flag == "--ops") ops = std::atoll(text);
    else if (flag == "--keys") keys = std::atol(text);
    else if (flag == "--processes") processes = std::atol(text);
    else if (flag == "--info-rate") info_rate = std::atof(text);
    else if (flag == "--seed") seed = std::atol(text);
    else {
      std::fprintf(stderr, "fenceline_stream_gen: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (keys < 1 || processes < 1) return 2;
  std::mt19937_64 rng(static_cast<unsigned long long>(seed));
  struct Client {
    long id;
    bool busy = false;
    bool put = false;
    long key = 0;
    long long value = 0;
  };
  std::vector<Client> clients(static_cast<size_t>(processes));
  for (long p = 0; p < processes; ++p) clients[static_cast<size_t>(p)].id = p;
  long next_id = processes;
  std::vector<long long> state(static_cast<size_t>(keys), 0);
  long long invoked = 0, done = 0, next_value = 1;
  std::uniform_real_distribution<double> unit(0, 1);
  // Each step one random client acts: invokes if idle, completes if busy. Effects happen at the
  // completion, so results are those of a sequential run in completion order.
  while (done < ops) {
    Client& c = clients[rng() % clients.size()];
    if (!c.busy) {
      if (invoked >= ops) continue;
      ++invoked;
      c.busy = true;
      c.put = rng() % 2 == 0;
      c.key = static_cast<long>(rng() % static_cast<unsigned long long>(keys));
      if (c.put) {
        c.value = next_value++;
        std::printf("{\"process\":%ld,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"k%ld\",\"value\":\"%lld\"}\n",
                    c.id, c.key, c.value);
      } else {
        std::printf("{\"process\":%ld,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"k%ld\",\"value\":null}\n",
                    c.id, c.key);
      }
      continue;
    }
    c.busy = false;
    ++done;
    const size_t k = static_cast<size_t>(c.key);
    if (c.put) {
      if (unit(rng) < info_rate) {
        if (rng() % 2 == 0) state[k] = c.value;
        std::printf("{\"process\":%ld,\"type\":\"info\",\"f\":\"put\",\"key\":\"k%ld\",\"value\":\"%lld\"}\n",
                    c.id, c.key, c.value);
        c.id = next_id++;
        continue;
      }
      state[k] = c.value;
      std::printf("{\"process\":%ld,\"type\":\"ok\",\"f\":\"put\",\"key\":\"k%ld\",\"value\":\"%lld\"}\n",
                  c.id, c.key, c.value);
    } else if (state[k] == 0) {
      std::printf("{\"process\":%ld,\"type\":\"ok\",\"f\":\"get\",\"key\":\"k%ld\",\"value\":\"\"}\n",
                  c.id, c.key);
    } else {
      std::printf("{\"process\":%ld,\"type\":\"ok\",\"f\":\"get\",\"key\":\"k%ld\",\"value\":\"%lld\"}\n",
                  c.id, c.key, state[k]);
    }
  }
  return 0;
}
