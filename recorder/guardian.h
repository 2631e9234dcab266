// recorder/guardian.h
//
// The recorder's temporary directory and, unless --endpoint names a running server, a local
// lock-service server in it (etcd, ZooKeeper or Redis). Both belong to a guardian process
// forked before anything else: the recorder holds the write end of a pipe to it, and when that
// pipe closes (a normal Stop(), a crash, SIGKILL), the guardian stops the server (SIGTERM, then
// SIGKILL after 3 s), removes the directory and exits. So no server and no data directory
// survive a recording, however it ends. The server runs in its own process group and the
// guardian ignores terminal signals, so Ctrl-C cannot kill them before the clean-up.
#ifndef FENCELINE_RECORDER_GUARDIAN_H_
#define FENCELINE_RECORDER_GUARDIAN_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "fenceline/status.h"

namespace fenceline::record {

// Looks `binary` up (on PATH unless it contains '/'). kNotFound, naming `service` and ending
// with `install_hint`, if absent.
StatusOr<std::string> FindBinary(const std::string& service, const std::string& binary,
                                 const std::string& install_hint);

// A port on 127.0.0.1 the kernel considers free now (by binding port 0), or -1. Another process
// could take it before the server binds it; the server then fails to start, which
// Guardian::Start() reports with the server's own message.
int FreePort();

// How to start a local server.
struct ServerCommand {
  std::string service;   // "etcd", for messages
  std::string binary;    // absolute path
  std::vector<std::string> args;
  std::vector<std::string> unset_env_prefixes;  // e.g. "ETCD_": variables that clash with flags
  std::string log_name = "server.log";          // in the work directory
};

class Guardian {
 public:
  Guardian() = default;
  ~Guardian();  // Stop()
  Guardian(const Guardian&) = delete;
  Guardian& operator=(const Guardian&) = delete;

  // Creates the temporary directory (under $TMPDIR, else /tmp) and forks the guardian, which
  // owns it from then on.
  Status Start();
  // Has the guardian start `command` and waits until `ready()` is true (polled every 100 ms,
  // up to `timeout`). kIoError, quoting the end of the server's log, if it exits first or never
  // becomes ready. Call at most once, after Start().
  Status StartServer(const ServerCommand& command, const std::function<bool()>& ready,
                     std::chrono::milliseconds timeout);

  const std::string& work_dir() const { return work_dir_; }

  // Stops the server and removes the directory; waits for the guardian (up to 15 s).
  // Idempotent.
  void Stop();

 private:
  std::string LogTail() const;

  std::string work_dir_;
  std::string log_name_;
  pid_t guardian_ = -1;
  int control_fd_ = -1;  // write end; closing it tells the guardian to clean up
  int status_fd_ = -1;   // read end; the guardian writes a line when the server exits
};

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_GUARDIAN_H_
