// recorder/storage.h
//
// The storage the lock protects, as a separate process, so that its decisions are made in one
// place in one order, whatever the clients' pauses. Clients send it writes over a Unix
// SOCK_SEQPACKET socket (one message a request, one a reply). Fenced, it rejects a write whose
// token is below the highest it has accepted (equal tokens pass: one holder writes several
// times); unfenced, it accepts everything, like the storage of DDIA's figure 8-4. The third
// mode is the storage of etcd's contrib/lock example: the first write sets the resource's
// version to its token, and later writes are accepted only with exactly that version (equal,
// not "at least"), so after one holder has written every later holder is rejected while a
// stale holder with the first version is still accepted. It logs
// every decision to its own file (not part of the history: the clients' write operations are),
// for people checking a recording by hand.
#ifndef FENCELINE_RECORDER_STORAGE_H_
#define FENCELINE_RECORDER_STORAGE_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "fenceline/status.h"
#include "recorder/etcd/gateway.h"

namespace fenceline::record {

// Binds the listening socket at `path` ("@name": Linux's abstract namespace) (in the parent, so clients can connect as soon as it
// exists). Returns the listening fd.
StatusOr<int> ListenStorage(const std::string& path);

// The storage process's body: serves `listen_fd` until SIGTERM. Returns an exit code.
enum class StorageMode { kUnfenced, kFenced, kEqualVersion };

int RunStorage(int listen_fd, StorageMode mode, const std::string& log_path);

// A client's connection to the storage.
class StorageClient {
 public:
  StorageClient() = default;
  ~StorageClient();
  StorageClient(const StorageClient&) = delete;
  StorageClient& operator=(const StorageClient&) = delete;

  Status Connect(const std::string& path);
  // Asks the storage to write `value` to `resource` with `token`, on behalf of `client`.
  // kOk accepted; kFail rejected (error: the storage's reason); kInfo no reply in `timeout`
  // (the connection is then replaced, so a late reply is never taken for the next one's).
  Reply Write(const std::string& client, const std::string& resource, int64_t token,
              int64_t value, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_STORAGE_H_
