// recorder/service.h
//
// What the recorder's core needs from a lock service, so that one core (guardian, clients,
// storage, scenarios, merge) records from etcd, ZooKeeper or Redis. A backend (one folder per
// service) says how to start its server, how a client takes, renews and releases the lock and
// where its fencing token and lease come from, how a client reads and writes one register
// key, and how the service's own account of the lock (grant, expire, revoke records) is
// watched.
//
// Every call is bounded by a timeout and classifies its outcome the way a history must:
//   kOk    the service answered and did it;
//   kFail  the service answered and refused (lock not held, compare false): it did not happen;
//   kInfo  no answer (time-out, connection lost): it may or may not have happened.
#ifndef FENCELINE_RECORDER_SERVICE_H_
#define FENCELINE_RECORDER_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fenceline/status.h"
#include "recorder/guardian.h"

namespace fenceline::record {

using std::chrono::milliseconds;

enum class Kind { kOk, kFail, kInfo };

struct Reply {
  Kind kind = Kind::kInfo;
  std::string error;  // why it is not kOk: "timeout", "etcdserver: requested lease not found"
  bool ok() const { return kind == Kind::kOk; }
};

struct AcquireReply : Reply {
  int64_t token = 0;     // the fencing token of this grant
  int64_t lease_ms = 0;  // the lease the service granted
  // Names the grant in the service's own records ("client":"lease:<link>"): an etcd lease id,
  // a ZooKeeper session id, a Redis lock value. Written as the acquire's "lease" field.
  std::string link;
};

struct RenewReply : Reply {
  int64_t lease_ms = 0;
};

struct ReadReply : Reply {
  std::optional<int64_t> value;  // nullopt: the key does not exist
};

// Names shared by every process of one recording.
struct SessionConfig {
  std::string endpoint;
  std::string prefix;  // the recording's own key space (etcd/Redis key prefix, ZooKeeper path)
  std::string client;  // the client's name ("A")
  int64_t lease_ms = 1000;
};

// One client's hold on the lock. Acquire, Release and GuardedWrite run on the client's main
// thread; KeepWaiting and Renew on its keep-alive thread (never two at once on one thread;
// implementations give each thread its own connection where their client library is not
// thread-safe). Connect() runs once, in the client process, before any other call.
class LockSession {
 public:
  virtual ~LockSession() = default;
  virtual Status Connect() = 0;
  // Waits up to `timeout` for the lock. A request that failed or timed out is withdrawn, so
  // it can never be granted later behind the client's back.
  virtual AcquireReply Acquire(milliseconds timeout) = 0;
  // Called every renewal interval while Acquire waits: keeps the waiting request alive (etcd's
  // lease), not an operation of the history.
  virtual void KeepWaiting(milliseconds /*timeout*/) {}
  // Extends the lease of the held lock.
  virtual RenewReply Renew(milliseconds timeout) = 0;
  virtual Reply Release(milliseconds timeout) = 0;
  // The guarded scenario: writes `value` to `key` in the service only if the lock is still
  // held with `token`. kFail "unsupported" where the service has no such write.
  virtual Reply GuardedWrite(const std::string& /*key*/, int64_t /*token*/,
                             const std::string& /*value*/, milliseconds /*timeout*/) {
    return Reply{Kind::kFail, "unsupported"};
  }
};

// One register client: one key of the service, read, written and compare-and-set through its
// client, each call a single linearizable operation of the service.
class RegisterSession {
 public:
  virtual ~RegisterSession() = default;
  virtual Status Connect() = 0;
  virtual ReadReply Read(milliseconds timeout) = 0;
  virtual Reply Write(int64_t value, milliseconds timeout) = 0;
  // kFail when the register did not hold `from`.
  virtual Reply Cas(int64_t from, int64_t to, milliseconds timeout) = 0;
};

// The watcher process: the service's own records of the lock.
struct WatchConfig {
  std::string endpoint;
  std::string prefix;
  std::string lock_label;  // the lock's name in the history ("lock")
  std::string log_path;
  int ready_fd = -1;       // "ready\n" is written here once the watch exists
  milliseconds lag{0};     // watch-lag: each delivery is held back this long before it is logged
};

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;  // "etcd"
  // Lease as the service grants it for a requested `lease_ms` (etcd: whole seconds).
  virtual int64_t GrantedLeaseMs(int64_t lease_ms) const { return lease_ms; }
  // The local server: finds `binary` (empty: the service's default), writes any config into
  // `work_dir` and picks free ports. kNotFound, saying how to install it, if it is missing.
  virtual StatusOr<ServerCommand> LocalServer(const std::string& binary,
                                              const std::string& work_dir,
                                              int64_t lease_ms) = 0;
  // kInvalidArgument if `endpoint` (of --endpoint) is not of this service's form.
  virtual Status UseEndpoint(const std::string& endpoint) = 0;
  virtual const std::string& endpoint() const = 0;
  // The server answers and is ready for the recording.
  virtual bool Ready(milliseconds timeout) = 0;

  virtual std::unique_ptr<LockSession> NewLockSession(const SessionConfig& config) = 0;
  virtual std::unique_ptr<RegisterSession> NewRegisterSession(const SessionConfig& config) = 0;
  virtual bool SupportsGuarded() const { return false; }

  // The watcher process's body; its exit code (0: it saw EndWatch's mark, so its log is
  // complete).
  virtual int RunWatcher(const WatchConfig& config) = 0;
  // Leaves the mark that ends the watch, ordered after every earlier change of `prefix`.
  virtual Status EndWatch(const std::string& prefix) = 0;
};

// "etcd", "zookeeper" or "redis"; nullptr for another name.
std::unique_ptr<Service> MakeService(std::string_view name);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_SERVICE_H_
