// recorder/etcd/etcd_server.h
//
// The recorder's temporary directory and, unless --endpoint names a running etcd, a local
// etcd in it. Both belong to a guardian process forked before anything else: the recorder
// holds the write end of a pipe to it, and when that pipe closes (a normal Stop(), a crash,
// SIGKILL), the guardian stops etcd (SIGTERM, then SIGKILL), removes the directory and exits.
// So no etcd and no data directory survive a recording, however it ends.
//
// The local etcd listens on 127.0.0.1 only, on ports found free by binding port 0, with
// --election-timeout=500 --heartbeat-interval=50: etcd's minimum lease TTL is 1.5 election
// timeouts, so these settings permit the 1 s leases the scenarios use.
#ifndef FENCELINE_RECORDER_ETCD_ETCD_SERVER_H_
#define FENCELINE_RECORDER_ETCD_ETCD_SERVER_H_

#include <sys/types.h>

#include <chrono>
#include <string>

#include "fenceline/status.h"

namespace fenceline::record {

// What to tell a user whose machine has no etcd.
inline constexpr char kInstallHint[] =
    "install it with scripts/setup.sh (or: apt-get install etcd-server etcd-client), or pass "
    "--endpoint URL of a running etcd";

// Looks `binary` up (on PATH unless it contains '/'). kNotFound, with kInstallHint, if absent.
StatusOr<std::string> FindEtcdBinary(const std::string& binary);

class Guardian {
 public:
  Guardian() = default;
  ~Guardian();  // Stop()
  Guardian(const Guardian&) = delete;
  Guardian& operator=(const Guardian&) = delete;

  // Creates the temporary directory and forks the guardian. With a non-empty `etcd_binary`
  // the guardian starts etcd there and this waits until it answers /health (up to
  // `start_timeout`); kUnavailable-like kIoError with etcd's own last log lines if it exits
  // or never becomes healthy.
  Status Start(const std::string& etcd_binary, std::chrono::milliseconds start_timeout);

  const std::string& work_dir() const { return work_dir_; }
  // "http://127.0.0.1:PORT" of the local etcd; empty without one.
  const std::string& endpoint() const { return endpoint_; }

  // Stops etcd and removes the directory; waits for the guardian (up to 15 s). Idempotent.
  void Stop();

 private:
  Status WaitHealthy(std::chrono::milliseconds timeout);
  std::string EtcdLogTail() const;

  std::string work_dir_;
  std::string endpoint_;
  pid_t guardian_ = -1;
  int control_fd_ = -1;  // write end; closing it tells the guardian to clean up
  int status_fd_ = -1;   // read end; the guardian writes a line when etcd exits
};

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_ETCD_ETCD_SERVER_H_
