#include "recorder/etcd/etcd_service.h"

#include <unistd.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "recorder/etcd/gateway.h"
#include "recorder/etcd/watcher.h"

namespace fenceline::record {
namespace {

constexpr char kInstallHint[] =
    "install it with scripts/setup.sh (or: apt-get install etcd-server etcd-client), or pass "
    "--endpoint URL of a running etcd";

std::string LeaseHex(int64_t lease) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIx64, static_cast<uint64_t>(lease));
  return buf;
}

int64_t LeaseSeconds(int64_t lease_ms) { return (lease_ms + 999) / 1000; }

class EtcdLockSession : public LockSession {
 public:
  explicit EtcdLockSession(const SessionConfig& c)
      : config_(c), gw_(c.endpoint), keepalive_gw_(c.endpoint) {}

  Status Connect() override { return OkStatus(); }

  AcquireReply Acquire(milliseconds timeout) override {
    AcquireReply out;
    LeaseGrantReply grant = gw_.LeaseGrant(LeaseSeconds(config_.lease_ms), milliseconds(2000));
    if (!grant.ok()) {
      static_cast<Reply&>(out) = grant;
      return out;
    }
    lease_ = grant.id;
    out.link = LeaseHex(grant.id);
    LockReply lock = gw_.Lock(config_.prefix + "lock", grant.id, timeout);
    if (!lock.ok()) {
      // A request still queued could be granted later: end the lease, and its queued key.
      gw_.LeaseRevoke(grant.id, milliseconds(2000));
      static_cast<Reply&>(out) = lock;
      return out;
    }
    RangeReply key = gw_.Get(lock.key, milliseconds(2000));
    if (!key.ok() || !key.found) {
      out.kind = Kind::kInfo;
      out.error = key.ok() ? "lock lost before its token could be read" : key.error;
      return out;
    }
    key_ = lock.key;
    out.kind = Kind::kOk;
    out.token = key.create_revision;
    out.lease_ms = grant.ttl_s * 1000;
    return out;
  }

  void KeepWaiting(milliseconds timeout) override { keepalive_gw_.KeepAlive(lease_, timeout); }

  RenewReply Renew(milliseconds timeout) override {
    KeepAliveReply r = keepalive_gw_.KeepAlive(lease_, timeout);
    RenewReply out;
    static_cast<Reply&>(out) = r;
    out.lease_ms = r.ttl_s * 1000;
    return out;
  }

  Reply Release(milliseconds timeout) override { return gw_.Unlock(key_, timeout); }

  Reply GuardedWrite(const std::string& key, int64_t token, const std::string& value,
                     milliseconds timeout) override {
    // The write happens only if our lock key still exists with our token as its
    // create_revision (a deleted key compares as 0).
    TxnReply t = gw_.TxnPut({Compare{key_, "CREATE", token, ""}}, config_.prefix + key, value,
                            timeout);
    if (t.ok() && !t.succeeded) {
      return Reply{Kind::kFail, "lock key no longer has create_revision " + std::to_string(token)};
    }
    return t;
  }

 private:
  SessionConfig config_;
  Gateway gw_;
  Gateway keepalive_gw_;  // the keep-alive thread's: a Gateway is not thread-safe
  std::atomic<int64_t> lease_{0};
  std::string key_;
};

class EtcdRegisterSession : public RegisterSession {
 public:
  explicit EtcdRegisterSession(const SessionConfig& c) : key_(c.prefix + "register"), gw_(c.endpoint) {}
  Status Connect() override { return OkStatus(); }
  ReadReply Read(milliseconds timeout) override {
    RangeReply r = gw_.Get(key_, timeout);
    ReadReply out;
    static_cast<Reply&>(out) = r;
    if (r.ok() && r.found) out.value = std::strtoll(r.value.c_str(), nullptr, 10);
    return out;
  }
  Reply Write(int64_t value, milliseconds timeout) override {
    return gw_.Put(key_, std::to_string(value), timeout);
  }
  Reply Cas(int64_t from, int64_t to, milliseconds timeout) override {
    TxnReply r = gw_.TxnPut({Compare{key_, "VALUE", 0, std::to_string(from)}}, key_,
                            std::to_string(to), timeout);
    if (r.ok() && !r.succeeded) return Reply{Kind::kFail, "compare failed"};
    return r;
  }

 private:
  std::string key_;
  Gateway gw_;
};

class EtcdService : public Service {
 public:
  std::string_view name() const override { return "etcd"; }
  int64_t GrantedLeaseMs(int64_t lease_ms) const override { return LeaseSeconds(lease_ms) * 1000; }

  StatusOr<ServerCommand> LocalServer(const std::string& binary, const std::string& work_dir,
                                      int64_t /*lease_ms*/) override {
    ServerCommand c;
    c.service = "etcd";
    FENCELINE_ASSIGN_OR_RETURN(c.binary,
                               FindBinary("etcd", binary.empty() ? "etcd" : binary, kInstallHint));
    int client_port = FreePort();
    int peer_port = FreePort();
    while (peer_port == client_port && peer_port > 0) peer_port = FreePort();
    if (client_port <= 0 || peer_port <= 0) {
      return IoError("cannot find a free port on 127.0.0.1 for etcd");
    }
    endpoint_ = "http://127.0.0.1:" + std::to_string(client_port);
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_port);
    c.args = {"--name", "fenceline",
              "--data-dir", work_dir + "/etcd-data",
              "--listen-client-urls", endpoint_,
              "--advertise-client-urls", endpoint_,
              "--listen-peer-urls", peer,
              "--initial-advertise-peer-urls", peer,
              "--initial-cluster", "fenceline=" + peer,
              "--initial-cluster-state", "new",
              "--initial-cluster-token", "fenceline-" + std::to_string(getpid()),
              "--election-timeout=500",
              "--heartbeat-interval=50"};
    c.unset_env_prefixes = {"ETCD_"};  // they would clash with the flags (etcd refuses both)
    c.log_name = "etcd.log";
    return c;
  }

  Status UseEndpoint(const std::string& endpoint) override {
    if (endpoint.rfind("http://", 0) != 0) {
      return InvalidArgument("flag --endpoint: expected http://HOST:PORT for etcd, got '" +
                             endpoint + "'");
    }
    endpoint_ = endpoint;
    return OkStatus();
  }
  const std::string& endpoint() const override { return endpoint_; }

  bool Ready(milliseconds timeout) override { return Gateway(endpoint_).Healthy(timeout); }

  std::unique_ptr<LockSession> NewLockSession(const SessionConfig& c) override {
    return std::make_unique<EtcdLockSession>(c);
  }
  std::unique_ptr<RegisterSession> NewRegisterSession(const SessionConfig& c) override {
    return std::make_unique<EtcdRegisterSession>(c);
  }
  bool SupportsGuarded() const override { return true; }

  int RunWatcher(const WatchConfig& config) override {
    WatcherConfig wc;
    wc.endpoint = endpoint_;
    wc.lock_name = config.prefix + "lock";
    wc.lock_label = config.lock_label;
    wc.end_key = config.prefix + "end";
    wc.watch_from = config.prefix;
    wc.log_path = config.log_path;
    wc.ready_fd = config.ready_fd;
    wc.lag = config.lag;
    return fenceline::record::RunWatcher(wc);
  }

  Status EndWatch(const std::string& prefix) override {
    // The watch sees this put after every earlier change.
    Reply put = Gateway(endpoint_).Put(prefix + "end", "end", milliseconds(5000));
    if (!put.ok()) return IoError("cannot end the lock watch: " + put.error);
    return OkStatus();
  }

 private:
  std::string endpoint_;
};

}  // namespace

std::unique_ptr<Service> MakeEtcdService() { return std::make_unique<EtcdService>(); }

}  // namespace fenceline::record
