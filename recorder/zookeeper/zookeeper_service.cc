#include "recorder/zookeeper/zookeeper_service.h"

#define THREADED
#include <zookeeper/zookeeper.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "recorder/event_log.h"
#include "recorder/process.h"

namespace fenceline::record {
namespace {

constexpr char kJar[] = "/usr/share/java/zookeeper.jar";
constexpr char kInstallHint[] =
    "install it with scripts/setup.sh (or: apt-get install zookeeper, which brings a Java "
    "runtime), or pass --endpoint HOST:PORT of a running ZooKeeper";

std::string Hex(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIx64, static_cast<uint64_t>(v));
  return buf;
}

bool ParseHostPort(const std::string& endpoint, std::string& host, int& port) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = endpoint.substr(0, colon);
  char* end = nullptr;
  long p = std::strtol(endpoint.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p <= 0 || p > 65535) return false;
  port = static_cast<int>(p);
  return true;
}

// "/fenceline-record/<id>" from the recording's prefix "fenceline-record/<id>/".
std::string BasePath(const std::string& prefix) {
  std::string p = "/" + prefix;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// The outcome of one asynchronous call. Shared by the caller and the completion, since a
// caller that timed out leaves before the completion runs.
struct Call {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = ZOK;
  std::string text;  // created path, or data
  bool has_data = false;
  Stat stat{};
  std::vector<std::string> children;
};

using CallPtr = std::shared_ptr<Call>;

// The completion's `data` is a heap copy of the shared pointer; the completion frees it.
const void* Pass(const CallPtr& c) { return new CallPtr(c); }

void Finish(const void* data, const std::function<void(Call&)>& fill) {
  auto* holder = static_cast<CallPtr*>(const_cast<void*>(data));
  CallPtr c = *holder;
  delete holder;
  std::lock_guard<std::mutex> lock(c->mu);
  fill(*c);
  c->done = true;
  c->cv.notify_all();
}

void OnStat(int rc, const Stat* stat, const void* data) {
  Finish(data, [&](Call& c) {
    c.rc = rc;
    if (stat != nullptr) c.stat = *stat;
  });
}
void OnStringStat(int rc, const char* s, const Stat* stat, const void* data) {
  Finish(data, [&](Call& c) {
    c.rc = rc;
    if (s != nullptr) c.text = s;
    if (stat != nullptr) c.stat = *stat;
  });
}
void OnVoid(int rc, const void* data) {
  Finish(data, [&](Call& c) { c.rc = rc; });
}
void OnData(int rc, const char* value, int len, const Stat* stat, const void* data) {
  Finish(data, [&](Call& c) {
    c.rc = rc;
    if (value != nullptr && len >= 0) {
      c.text.assign(value, static_cast<size_t>(len));
      c.has_data = true;
    }
    if (stat != nullptr) c.stat = *stat;
  });
}
void OnStrings(int rc, const String_vector* strings, const void* data) {
  Finish(data, [&](Call& c) {
    c.rc = rc;
    if (strings != nullptr) {
      for (int32_t i = 0; i < strings->count; ++i) c.children.emplace_back(strings->data[i]);
    }
  });
}

// Waits for `c`; false on time-out (the call may still take effect later).
bool Wait(const CallPtr& c, milliseconds timeout) {
  std::unique_lock<std::mutex> lock(c->mu);
  return c->cv.wait_for(lock, timeout, [&] { return c->done; });
}

// A request's rc as a history outcome: the server answered (ok, or refused: the request did
// not happen), or not (connection loss, time-out: unknown).
Kind KindOf(int rc) {
  if (rc == ZOK) return Kind::kOk;
  if (rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZSYSTEMERROR) return Kind::kInfo;
  return Kind::kFail;
}

// One ZooKeeper session, with its connection state. zookeeper_init connects in the
// background; Open() waits for it.
class Session {
 public:
  ~Session() { Close(); }

  Status Open(const std::string& endpoint, int64_t timeout_ms, const std::string& what) {
    // The C client's own log (session expiry, reconnects) goes nowhere: every outcome that
    // matters is in the history.
    zoo_set_debug_level(static_cast<ZooLogLevel>(0));
    zh_ = zookeeper_init(endpoint.c_str(), &Session::OnEvent, static_cast<int>(timeout_ms),
                         nullptr, this, 0);
    if (zh_ == nullptr) return IoError(what + ": zookeeper_init failed: " + strerror(errno));
    std::unique_lock<std::mutex> lock(mu_);
    // A JVM that has just started serves its first sessions slowly on a loaded machine.
    if (!cv_.wait_for(lock, std::chrono::seconds(30), [&] { return state_ == ZOO_CONNECTED_STATE; })) {
      return IoError(what + ": no ZooKeeper session with " + endpoint + " within 30 s");
    }
    return OkStatus();
  }

  void Close() {
    if (zh_ != nullptr) zookeeper_close(zh_);
    zh_ = nullptr;
  }

  zhandle_t* zh() const { return zh_; }
  int64_t id() const { return zoo_client_id(zh_)->client_id; }
  int64_t negotiated_ms() const { return zoo_recv_timeout(zh_); }

  // Creates `path` (persistent) if it does not exist.
  Status Ensure(const std::string& path) {
    CallPtr c = std::make_shared<Call>();
    int rc = zoo_acreate2(zh_, path.c_str(), "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, OnStringStat, Pass(c));
    if (rc != ZOK) return IoError(path + ": " + zerror(rc));
    if (!Wait(c, milliseconds(5000))) return IoError(path + ": create timed out");
    if (c->rc != ZOK && c->rc != ZNODEEXISTS) return IoError(path + ": " + zerror(c->rc));
    return OkStatus();
  }

  Status EnsureAll(const std::string& base) {
    std::string path;
    size_t i = 1;
    while (i <= base.size()) {
      size_t slash = base.find('/', i);
      if (slash == std::string::npos) slash = base.size();
      path = base.substr(0, slash);
      FENCELINE_RETURN_IF_ERROR(Ensure(path));
      i = slash + 1;
    }
    return OkStatus();
  }

 private:
  static void OnEvent(zhandle_t*, int type, int state, const char*, void* ctx) {
    if (type != ZOO_SESSION_EVENT) return;
    auto* self = static_cast<Session*>(ctx);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->state_ = state;
    self->cv_.notify_all();
  }

  zhandle_t* zh_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  int state_ = 0;
};

int64_t SequenceOf(const std::string& name) {
  size_t dash = name.rfind('-');
  return std::strtoll(name.c_str() + (dash == std::string::npos ? 0 : dash + 1), nullptr, 10);
}

std::vector<std::string> SortedBySequence(std::vector<std::string> names) {
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return SequenceOf(a) < SequenceOf(b);
  });
  return names;
}

// A one-shot flag a watch sets.
struct Signal {
  std::mutex mu;
  std::condition_variable cv;
  bool fired = false;
  static void Fire(zhandle_t*, int, int, const char*, void* ctx) {
    auto* s = static_cast<Signal*>(ctx);
    std::lock_guard<std::mutex> lock(s->mu);
    s->fired = true;
    s->cv.notify_all();
  }
};

class ZooKeeperLockSession : public LockSession {
 public:
  explicit ZooKeeperLockSession(const SessionConfig& c) : config_(c), base_(BasePath(c.prefix)) {}

  Status Connect() override {
    FENCELINE_RETURN_IF_ERROR(session_.Open(config_.endpoint, config_.lease_ms, config_.client));
    FENCELINE_RETURN_IF_ERROR(session_.EnsureAll(base_ + "/lock"));
    FENCELINE_RETURN_IF_ERROR(session_.Ensure(base_ + "/sessions"));
    // The marker that tells the watcher an expiry (it goes with the session) from a release.
    CallPtr c = std::make_shared<Call>();
    std::string marker = base_ + "/sessions/" + Hex(session_.id());
    int rc = zoo_acreate2(session_.zh(), marker.c_str(), "", 0, &ZOO_OPEN_ACL_UNSAFE,
                          ZOO_EPHEMERAL, OnStringStat, Pass(c));
    if (rc != ZOK || !Wait(c, milliseconds(5000)) || c->rc != ZOK) {
      return IoError(marker + ": cannot create the session marker");
    }
    return OkStatus();
  }

  AcquireReply Acquire(milliseconds timeout) override {
    AcquireReply out;
    out.link = Hex(session_.id());
    auto deadline = std::chrono::steady_clock::now() + timeout;
    CallPtr c = std::make_shared<Call>();
    std::string prefix = base_ + "/lock/n-";
    int rc = zoo_acreate2(session_.zh(), prefix.c_str(), "", 0, &ZOO_OPEN_ACL_UNSAFE,
                          ZOO_EPHEMERAL_SEQUENTIAL, OnStringStat, Pass(c));
    if (rc != ZOK) return Fail(out, KindOf(rc), zerror(rc));
    if (!Wait(c, milliseconds(5000))) return Fail(out, Kind::kInfo, "create timed out");
    if (c->rc != ZOK) return Fail(out, KindOf(c->rc), zerror(c->rc));
    node_ = c->text;
    int64_t czxid = c->stat.czxid;
    std::string mine = node_.substr(node_.rfind('/') + 1);
    for (;;) {
      CallPtr list = std::make_shared<Call>();
      rc = zoo_aget_children(session_.zh(), (base_ + "/lock").c_str(), 0, OnStrings, Pass(list));
      if (rc != ZOK || !Wait(list, milliseconds(5000)) || list->rc != ZOK) {
        return Withdraw(out, Kind::kInfo, "cannot list the lock's znodes");
      }
      std::vector<std::string> names = SortedBySequence(list->children);
      auto at = std::find(names.begin(), names.end(), mine);
      if (at == names.end()) return Withdraw(out, Kind::kFail, "our znode is gone (session expired?)");
      if (at == names.begin()) break;
      // Watch only the predecessor, so a release wakes one waiter, not the herd.
      auto signal = std::make_shared<Signal>();
      CallPtr ex = std::make_shared<Call>();
      std::string pred = base_ + "/lock/" + *(at - 1);
      signals_.push_back(signal);  // a watch may fire after we return; it must find its Signal
      rc = zoo_awexists(session_.zh(), pred.c_str(), &Signal::Fire, signal.get(), OnStat, Pass(ex));
      if (rc != ZOK || !Wait(ex, milliseconds(5000))) {
        return Withdraw(out, Kind::kInfo, "cannot watch the predecessor");
      }
      if (ex->rc == ZNONODE) continue;
      if (ex->rc != ZOK) return Withdraw(out, KindOf(ex->rc), zerror(ex->rc));
      std::unique_lock<std::mutex> lock(signal->mu);
      if (!signal->cv.wait_until(lock, deadline, [&] { return signal->fired; })) {
        lock.unlock();
        return Withdraw(out, Kind::kFail,
                        "lock still held after " + std::to_string(timeout.count()) + " ms");
      }
    }
    out.kind = Kind::kOk;
    out.token = czxid;
    out.lease_ms = session_.negotiated_ms();
    return out;
  }

  RenewReply Renew(milliseconds timeout) override {
    RenewReply out;
    CallPtr c = std::make_shared<Call>();
    int rc = zoo_aexists(session_.zh(), node_.c_str(), 0, OnStat, Pass(c));
    if (rc != ZOK) {
      out.kind = KindOf(rc);
      out.error = zerror(rc);
      return out;
    }
    if (!Wait(c, timeout)) {
      out.kind = Kind::kInfo;
      out.error = "timeout";
      return out;
    }
    out.kind = KindOf(c->rc);
    out.error = c->rc == ZOK ? "" : zerror(c->rc);
    if (c->rc == ZNONODE) out.error = "our lock znode is gone";
    out.lease_ms = session_.negotiated_ms();
    return out;
  }

  Reply Release(milliseconds timeout) override {
    CallPtr c = std::make_shared<Call>();
    int rc = zoo_adelete(session_.zh(), node_.c_str(), -1, OnVoid, Pass(c));
    if (rc != ZOK) return Reply{KindOf(rc), zerror(rc)};
    if (!Wait(c, timeout)) return Reply{Kind::kInfo, "timeout"};
    if (c->rc == ZNONODE) return Reply{Kind::kFail, "our lock znode is gone"};
    return Reply{KindOf(c->rc), c->rc == ZOK ? "" : zerror(c->rc)};
  }

 private:
  AcquireReply Fail(AcquireReply& out, Kind kind, const std::string& why) {
    out.kind = kind;
    out.error = why;
    return out;
  }
  // Deletes our waiting znode, so it can never be granted later behind our back.
  AcquireReply Withdraw(AcquireReply& out, Kind kind, const std::string& why) {
    CallPtr c = std::make_shared<Call>();
    if (zoo_adelete(session_.zh(), node_.c_str(), -1, OnVoid, Pass(c)) == ZOK) {
      Wait(c, milliseconds(2000));
    }
    return Fail(out, kind, why);
  }

  SessionConfig config_;
  std::string base_;
  Session session_;
  std::string node_;
  std::vector<std::shared_ptr<Signal>> signals_;
};

class ZooKeeperRegisterSession : public RegisterSession {
 public:
  explicit ZooKeeperRegisterSession(const SessionConfig& c)
      : config_(c), path_(BasePath(c.prefix) + "/register") {}

  Status Connect() override {
    FENCELINE_RETURN_IF_ERROR(session_.Open(config_.endpoint, 10000, config_.client));
    FENCELINE_RETURN_IF_ERROR(session_.EnsureAll(BasePath(config_.prefix)));
    return session_.Ensure(path_);  // empty data: the register's initial null
  }

  ReadReply Read(milliseconds timeout) override {
    ReadReply out;
    CallPtr c = Get(timeout, out);
    if (c != nullptr && c->rc == ZOK && !c->text.empty()) {
      out.value = std::strtoll(c->text.c_str(), nullptr, 10);
    }
    return out;
  }

  Reply Write(int64_t value, milliseconds timeout) override {
    return Set(value, -1, timeout);
  }

  Reply Cas(int64_t from, int64_t to, milliseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Reply{Kind::kInfo, "timeout"};
      ReadReply r;
      CallPtr c = Get(left, r);
      if (!r.ok()) {
        // Nothing written yet: a failed read makes the cas a plain failure.
        return Reply{r.kind, r.error};
      }
      if (c->text.empty() || std::strtoll(c->text.c_str(), nullptr, 10) != from) {
        return Reply{Kind::kFail, "compare failed"};
      }
      left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) left = milliseconds(1);
      Reply s = Set(to, c->stat.version, left);
      if (s.error != "bad version") return s;
      // Another write came between our read and our set: read again.
    }
  }

 private:
  CallPtr Get(milliseconds timeout, ReadReply& out) {
    CallPtr c = std::make_shared<Call>();
    int rc = zoo_aget(session_.zh(), path_.c_str(), 0, OnData, Pass(c));
    if (rc != ZOK) {
      out.kind = KindOf(rc);
      out.error = zerror(rc);
      return nullptr;
    }
    if (!Wait(c, timeout)) {
      out.kind = Kind::kInfo;
      out.error = "timeout";
      return nullptr;
    }
    out.kind = KindOf(c->rc);
    out.error = c->rc == ZOK ? "" : zerror(c->rc);
    return c;
  }

  Reply Set(int64_t value, int version, milliseconds timeout) {
    std::string v = std::to_string(value);
    CallPtr c = std::make_shared<Call>();
    int rc = zoo_aset(session_.zh(), path_.c_str(), v.data(), static_cast<int>(v.size()), version,
                      OnStat, Pass(c));
    if (rc != ZOK) return Reply{KindOf(rc), zerror(rc)};
    if (!Wait(c, timeout)) return Reply{Kind::kInfo, "timeout"};
    if (c->rc == ZBADVERSION) return Reply{Kind::kFail, "bad version"};
    return Reply{KindOf(c->rc), c->rc == ZOK ? "" : zerror(c->rc)};
  }

  SessionConfig config_;
  std::string path_;
  Session session_;
};

// "srvr" on the client port: a server that serves requests answers with its version and
// statistics, one that is still starting with "This ZooKeeper instance is not currently
// serving requests" ("ruok" answers "imok" in both cases).
bool Serving(const std::string& endpoint, milliseconds timeout) {
  std::string host;
  int port = 0;
  if (!ParseHostPort(endpoint, host, port)) return false;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &addr.sin_addr) == 1 &&
            connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            send(fd, "srvr", 4, MSG_NOSIGNAL) == 4;
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ok && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) break;
    char buf[16];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return ok && got.rfind("Zookeeper version:", 0) == 0;
}

class ZooKeeperService : public Service {
 public:
  std::string_view name() const override { return "zookeeper"; }

  StatusOr<ServerCommand> LocalServer(const std::string& binary, const std::string& work_dir,
                                      int64_t lease_ms) override {
    ServerCommand c;
    c.service = "zookeeper";
    FENCELINE_ASSIGN_OR_RETURN(
        c.binary, FindBinary("zookeeper's Java runtime", binary.empty() ? "java" : binary,
                             kInstallHint));
    if (access(kJar, R_OK) != 0) {
      return NotFound(std::string("zookeeper not found (no ") + kJar + "); " + kInstallHint);
    }
    int port = FreePort();
    if (port <= 0) return IoError("cannot find a free port on 127.0.0.1 for zookeeper");
    endpoint_ = "127.0.0.1:" + std::to_string(port);
    std::string cfg = work_dir + "/zoo.cfg";
    std::ofstream out(cfg);
    out << "tickTime=50\n"
        << "minSessionTimeout=100\n"
        << "maxSessionTimeout=" << std::max<int64_t>(lease_ms, 60000) << "\n"
        << "dataDir=" << work_dir << "/zookeeper-data\n"
        << "clientPort=" << port << "\n"
        << "clientPortAddress=127.0.0.1\n"
        << "admin.enableServer=false\n"
        << "4lw.commands.whitelist=srvr\n"
        // No fsync of the transaction log: every session and znode is a transaction, and on a
        // busy disk an fsync takes seconds. The data directory dies with the recording anyway.
        << "forceSync=no\n";
    out.close();
    if (!out) return IoError(cfg + ": cannot write ZooKeeper's configuration");
    // A small heap and the client compiler: the server starts in about a second.
    c.args = {"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
              "-Dzookeeper.jmx.log4j.disable=true", "-cp", kJar,
              "org.apache.zookeeper.server.ZooKeeperServerMain", cfg};
    c.log_name = "zookeeper.log";
    return c;
  }

  Status UseEndpoint(const std::string& endpoint) override {
    std::string host;
    int port = 0;
    if (!ParseHostPort(endpoint, host, port)) {
      return InvalidArgument("flag --endpoint: expected HOST:PORT for zookeeper, got '" +
                             endpoint + "'");
    }
    endpoint_ = endpoint;
    return OkStatus();
  }
  const std::string& endpoint() const override { return endpoint_; }
  bool Ready(milliseconds timeout) override { return Serving(endpoint_, timeout); }

  std::unique_ptr<LockSession> NewLockSession(const SessionConfig& c) override {
    return std::make_unique<ZooKeeperLockSession>(c);
  }
  std::unique_ptr<RegisterSession> NewRegisterSession(const SessionConfig& c) override {
    return std::make_unique<ZooKeeperRegisterSession>(c);
  }

  int RunWatcher(const WatchConfig& config) override;

  Status EndWatch(const std::string& prefix) override {
    Session s;
    FENCELINE_RETURN_IF_ERROR(s.Open(endpoint_, 10000, "end of the lock watch"));
    return s.Ensure(BasePath(prefix) + "/end");
  }

 private:
  std::string endpoint_;
};

// The watcher: its events only wake the loop, which then re-reads the lock's children, so
// the records come from one thread in the order the loop saw the changes.
struct WakeUp {
  std::mutex mu;
  std::condition_variable cv;
  int pending = 0;
  static void Fire(zhandle_t*, int, int, const char*, void* ctx) {
    auto* w = static_cast<WakeUp*>(ctx);
    std::lock_guard<std::mutex> lock(w->mu);
    ++w->pending;
    w->cv.notify_all();
  }
};

int ZooKeeperService::RunWatcher(const WatchConfig& config) {
  EventLog log;
  if (!log.Open(config.log_path).ok()) return 3;
  const std::string base = BasePath(config.prefix);
  const std::string lock_dir = base + "/lock";
  Session s;
  Status st = s.Open(endpoint_, 30000, "lock watch");
  if (st.ok()) st = s.EnsureAll(lock_dir);
  if (st.ok()) st = s.Ensure(base + "/sessions");
  if (!st.ok()) {
    std::fprintf(stderr, "fenceline-record: %s\n", st.message().c_str());
    return 1;
  }
  WakeUp wake;
  struct Node {
    int64_t czxid = 0;
    int64_t owner = 0;
  };
  std::map<int64_t, std::pair<std::string, Node>> live;  // sequence -> (name, node)
  int64_t holder = -1;                                   // sequence of the holder; -1: none
  int64_t change = 0;
  auto record = [&](const char* f, const Node& n, Nanos at, const char* cause) {
    Record r;
    r.process = JsonString("nemesis");
    r.type = "ok";
    r.f = f;
    r.value = JsonObject({{"lock", JsonString(config.lock_label)},
                          {"token", JsonInt(n.czxid)},
                          {"client", JsonString("lease:" + Hex(n.owner))}});
    r.extra.emplace_back("source", JsonString("zookeeper-watch"));
    r.extra.emplace_back("change", JsonInt(++change));
    if (cause != nullptr) r.extra.emplace_back("cause", JsonString(cause));
    log.AppendAt(r, at);
  };
  auto exists = [&](const std::string& path, bool watch, Stat& stat) -> int {
    CallPtr c = std::make_shared<Call>();
    int rc = watch ? zoo_awexists(s.zh(), path.c_str(), &WakeUp::Fire, &wake, OnStat, Pass(c))
                   : zoo_aexists(s.zh(), path.c_str(), 0, OnStat, Pass(c));
    if (rc != ZOK) return rc;
    if (!Wait(c, milliseconds(5000))) return ZOPERATIONTIMEOUT;
    stat = c->stat;
    return c->rc;
  };
  Stat end_stat{};
  bool ended = exists(base + "/end", true, end_stat) == ZOK;
  bool ready_sent = false;
  for (;;) {
    CallPtr list = std::make_shared<Call>();
    int rc = zoo_awget_children(s.zh(), lock_dir.c_str(), &WakeUp::Fire, &wake, OnStrings,
                                Pass(list));
    if (rc != ZOK || !Wait(list, milliseconds(5000)) || list->rc != ZOK) {
      std::fprintf(stderr, "fenceline-record: lock watch cannot list %s\n", lock_dir.c_str());
      return 1;
    }
    if (!ready_sent) {
      ssize_t ignored = write(config.ready_fd, "ready\n", 6);
      (void)ignored;
      ready_sent = true;
    } else if (config.lag.count() > 0) {
      SleepFor(config.lag);
    }
    Nanos now = MonotonicNow();
    std::map<int64_t, std::string> present;
    for (const auto& name : list->children) present[SequenceOf(name)] = name;
    // Gone, in sequence order (the holder's end before any grant it lets through).
    for (auto it = live.begin(); it != live.end();) {
      if (present.count(it->first) != 0) {
        ++it;
        continue;
      }
      Node gone = it->second.second;
      bool was_holder = it->first == holder;
      it = live.erase(it);
      if (!was_holder) continue;
      // A session expiry deletes the session's marker with its lock znode; a release does not.
      Stat ms{};
      int mrc = exists(base + "/sessions/" + Hex(gone.owner), false, ms);
      if (mrc == ZOK) {
        record("revoke", gone, now, "unlock");
      } else {
        record("expire", gone, now, mrc == ZNONODE ? "session expired" : "session state unknown");
      }
      holder = -1;
    }
    for (const auto& [seq, name] : present) {
      if (live.count(seq) != 0) continue;
      Stat ns{};
      if (exists(lock_dir + "/" + name, true, ns) != ZOK) continue;  // already gone again
      live[seq] = {name, Node{ns.czxid, ns.ephemeralOwner}};
    }
    if (!live.empty() && live.begin()->first != holder) {
      holder = live.begin()->first;
      record("grant", live.begin()->second.second, now, nullptr);
    }
    if (ended) return 0;
    std::unique_lock<std::mutex> lock(wake.mu);
    wake.cv.wait(lock, [&] { return wake.pending > 0; });
    wake.pending = 0;
    lock.unlock();
    if (!ended) ended = exists(base + "/end", true, end_stat) == ZOK;
  }
}

}  // namespace

std::unique_ptr<Service> MakeZooKeeperService() { return std::make_unique<ZooKeeperService>(); }

}  // namespace fenceline::record
