// recorder/flags.h
//
// fenceline-record's command line. Parsed by hand: the recorder is a separate binary and
// keeps Boost.Program_options confined to the checker's cli/.
#ifndef FENCELINE_RECORDER_FLAGS_H_
#define FENCELINE_RECORDER_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "fenceline/status.h"

namespace fenceline::record {

inline const std::vector<std::string> kServices = {"etcd", "zookeeper", "redis"};
inline const std::vector<std::string> kScenarios = {"pause",    "forge",     "steal",
                                                    "contention", "guarded", "register",
                                                    "watch-lag", "contrib-lock"};

struct RecordOptions {
  std::string service = "etcd";
  std::string scenario;
  bool fenced = false;        // storage rejects tokens below the highest seen
  int clients = 0;            // contention, register; 0: 3
  double duration_s = -1;     // contention (default 60), register (default 10); <0: default
  int64_t lease_ms = 1000;    // etcd rounds up to whole seconds: its TTLs are seconds
  std::string endpoint;       // a running server; empty: start one
  std::string output;         // the history
  std::string logs_dir;       // keep the per-process logs (and etcd's) here
  uint64_t seed = 0;          // 0: from the clock (printed, to re-run)
  std::string server_binary;  // empty: the service's own (etcd, java, redis-server)
  int64_t watch_lag_ms = -1;  // hold the service's records back; <0: 0 (watch-lag: lease/2)
  bool help = false;
  bool version = false;
};

std::string RecordUsage();

// kInvalidArgument with a message naming the flag.
StatusOr<RecordOptions> ParseRecordFlags(const std::vector<std::string>& args);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_FLAGS_H_
