#include "recorder/flags.h"

#include <algorithm>
#include <cstdlib>

namespace fenceline::record {
namespace {

bool ParseInt(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0') return false;
  out = v;
  return true;
}

}  // namespace

std::string RecordUsage() {
  return "usage: fenceline-record [--service etcd|zookeeper|redis] SCENARIO -o FILE [--fenced]\n"
         "                        [--clients N] [--duration S] [--lease-ms D] [--endpoint ADDR]\n"
         "                        [--seed N] [--logs DIR] [--server-binary PATH]\n"
         "                        [--watch-lag-ms D]\n"
         "       fenceline-record --version\n"
         "\n"
         "Records a history from a real lock service, in fenceline's JSON Lines format.\n"
         "Scenarios (expected verdict of `fenceline check`):\n"
         "  pause       A holds the lock, is paused past its lease, B acquires and writes, A\n"
         "              resumes and writes (fencing: expired-lease-write; --fenced: clean)\n"
         "  forge       a client writes with a token it was never granted (forged-token)\n"
         "  steal       a client writes with the holder's token (foreign-token)\n"
         "  contention  --clients clients take turns on the lock for --duration (default 60 s)\n"
         "              with no faults (clean)\n"
         "  guarded     etcd only: the pause, with the data in etcd behind a txn comparing the\n"
         "              lock key's revision (clean)\n"
         "  register    --clients clients read/write/cas one key for --duration (default\n"
         "              10 s), some requests timing out (cas-register: linearizable)\n"
         "  watch-lag   the pause, with the service's records held back by the recorder\n"
         "              (--watch-lag-ms, default half a lease): the same verdict as pause\n"
         "  contrib-lock  the pause, with the storage of etcd's contrib/lock example (a write\n"
         "              is accepted only with the version the first write set): B is rejected\n"
         "              (false-rejection), A's stale write accepted (expired-lease-write)\n"
         "\n"
         "  --service NAME      etcd (default), zookeeper or redis\n"
         "  -o, --output FILE   the history (written only if the recording completed)\n"
         "  --fenced            the storage rejects tokens below the highest it has seen\n"
         "  --clients N         clients for contention and register (default 3)\n"
         "  --duration S        seconds, for contention and register\n"
         "  --lease-ms D        lease length (default 1000; etcd rounds up to whole seconds;\n"
         "                      ZooKeeper's session timeout)\n"
         "  --endpoint ADDR     use a running server instead of starting one: etcd\n"
         "                      http://HOST:PORT, zookeeper and redis HOST:PORT\n"
         "  --seed N            seed for the clients' random choices (default: from the clock)\n"
         "  --logs DIR          keep every process's own log, the storage's and the server's\n"
         "  --server-binary P   the server to start (default: etcd, java with ZooKeeper's jar,\n"
         "                      redis-server, on PATH); --etcd-binary is the same flag\n"
         "  --watch-lag-ms D    hold back every delivery of the service's records D ms\n"
         "  --version           print the version and exit\n";
}

StatusOr<RecordOptions> ParseRecordFlags(const std::vector<std::string>& args) {
  RecordOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool has_inline = false;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      value = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
      has_inline = true;
    }
    auto need = [&](std::string& out) -> Status {
      if (has_inline) {
        out = value;
        return OkStatus();
      }
      if (i + 1 >= args.size()) return InvalidArgument("flag " + a + " needs a value");
      out = args[++i];
      return OkStatus();
    };
    auto need_int = [&](int64_t lo, int64_t hi, int64_t& out) -> Status {
      std::string v;
      FENCELINE_RETURN_IF_ERROR(need(v));
      if (!ParseInt(v, out) || out < lo || out > hi) {
        return InvalidArgument("flag " + a + ": expected an integer in [" + std::to_string(lo) +
                               ", " + std::to_string(hi) + "], got '" + v + "'");
      }
      return OkStatus();
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "--version") {
      o.version = true;
    } else if (a == "--service") {
      FENCELINE_RETURN_IF_ERROR(need(o.service));
      if (std::find(kServices.begin(), kServices.end(), o.service) == kServices.end()) {
        return InvalidArgument("flag --service: unknown service '" + o.service +
                               "' (one of: etcd, zookeeper, redis)");
      }
    } else if (a == "--watch-lag-ms") {
      FENCELINE_RETURN_IF_ERROR(need_int(0, 60000, o.watch_lag_ms));
    } else if (a == "--fenced") {
      o.fenced = true;
    } else if (a == "-o" || a == "--output") {
      FENCELINE_RETURN_IF_ERROR(need(o.output));
    } else if (a == "--clients") {
      int64_t n = 0;
      FENCELINE_RETURN_IF_ERROR(need_int(1, 16, n));
      o.clients = static_cast<int>(n);
    } else if (a == "--duration") {
      std::string v;
      FENCELINE_RETURN_IF_ERROR(need(v));
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(d > 0) || d > 3600) {
        return InvalidArgument("flag --duration: expected seconds in (0, 3600], got '" + v + "'");
      }
      o.duration_s = d;
    } else if (a == "--lease-ms") {
      FENCELINE_RETURN_IF_ERROR(need_int(1, 60000, o.lease_ms));
    } else if (a == "--endpoint") {
      // Its form is the service's business (Service::UseEndpoint).
      FENCELINE_RETURN_IF_ERROR(need(o.endpoint));
      while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
    } else if (a == "--seed") {
      int64_t s = 0;
      FENCELINE_RETURN_IF_ERROR(need_int(1, INT64_MAX, s));
      o.seed = static_cast<uint64_t>(s);
    } else if (a == "--logs") {
      FENCELINE_RETURN_IF_ERROR(need(o.logs_dir));
    } else if (a == "--server-binary" || a == "--etcd-binary") {
      FENCELINE_RETURN_IF_ERROR(need(o.server_binary));
    } else if (!a.empty() && a[0] == '-') {
      return InvalidArgument("unknown flag " + a);
    } else if (o.scenario.empty()) {
      o.scenario = a;
    } else {
      return InvalidArgument("unexpected argument '" + a + "' (one scenario per run)");
    }
  }
  if (o.help || o.version) return o;
  if (o.scenario.empty()) return InvalidArgument("missing SCENARIO");
  if (std::find(kScenarios.begin(), kScenarios.end(), o.scenario) == kScenarios.end()) {
    std::string all;
    for (const auto& s : kScenarios) all += (all.empty() ? "" : ", ") + s;
    return InvalidArgument("unknown scenario '" + o.scenario + "' (one of: " + all + ")");
  }
  if (o.output.empty()) return InvalidArgument("missing -o FILE");
  if (o.scenario == "contrib-lock" && o.fenced) {
    return InvalidArgument("scenario contrib-lock brings its own storage (equal versions); "
                           "--fenced does not apply to it");
  }
  if (o.scenario == "guarded" && o.service != "etcd") {
    return InvalidArgument("scenario guarded writes its data through an etcd txn; it needs "
                           "--service etcd");
  }
  return o;
}

}  // namespace fenceline::record
