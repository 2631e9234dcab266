#include "recorder/scenarios.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "recorder/client.h"
#include "recorder/event_log.h"
#include "recorder/guardian.h"
#include "recorder/process.h"
#include "recorder/service.h"
#include "recorder/storage.h"

namespace fenceline::record {
namespace {

struct Child {
  std::string name;
  pid_t pid = -1;
  int fd = -1;  // command socket
};

bool Starts(const std::string& reply, const char* prefix) { return reply.rfind(prefix, 0) == 0; }

class Recording {
 public:
  Recording(const RecordOptions& options, std::ostream& err) : opt_(options), err_(err) {}

  ~Recording() {
    // Children before the guardian: they hold connections to its etcd.
    for (Child& c : clients_) {
      if (c.fd >= 0) close(c.fd);
    }
    KillAllChildren();
    guardian_.Stop();
  }

  Status Run() {
    service_ = MakeService(opt_.service);
    if (service_ == nullptr) return InvalidArgument("unknown service '" + opt_.service + "'");
    lease_ms_ = service_->GrantedLeaseMs(opt_.lease_ms);
    seed_ = opt_.seed != 0 ? opt_.seed
                           : static_cast<uint64_t>(MonotonicNow()) ^ static_cast<uint64_t>(getpid());
    clients_n_ = opt_.clients > 0 ? opt_.clients : 3;
    const std::string& s = opt_.scenario;
    double default_duration = s == "contention" ? 60 : 10;
    duration_ = milliseconds(static_cast<int64_t>(
        std::llround(1000 * (opt_.duration_s > 0 ? opt_.duration_s : default_duration))));
    watch_lag_ = milliseconds(opt_.watch_lag_ms >= 0 ? opt_.watch_lag_ms
                              : s == "watch-lag"     ? lease_ms_ / 2
                                                     : 0);

    FENCELINE_RETURN_IF_ERROR(guardian_.Start());
    work_ = guardian_.work_dir();
    if (opt_.endpoint.empty()) {
      FENCELINE_ASSIGN_OR_RETURN(ServerCommand command,
                                 service_->LocalServer(opt_.server_binary, work_, opt_.lease_ms));
      FENCELINE_RETURN_IF_ERROR(guardian_.StartServer(
          command, [&] { return service_->Ready(milliseconds(500)); }, milliseconds(30000)));
    } else {
      FENCELINE_RETURN_IF_ERROR(service_->UseEndpoint(opt_.endpoint));
      if (!service_->Ready(milliseconds(3000))) {
        return IoError(std::string(service_->name()) + " at " + opt_.endpoint +
                       " does not answer as ready; is it running? (without --endpoint the "
                       "recorder starts its own)");
      }
    }
    err_ << "fenceline-record: " << s << (opt_.fenced ? " (fenced)" : "") << " on "
         << service_->name() << " at " << service_->endpoint() << ", lease " << lease_ms_
         << " ms, seed " << seed_;
    if (watch_lag_.count() > 0) err_ << ", records held back " << watch_lag_.count() << " ms";
    err_ << "\n";

    // A fresh key space per recording, so a shared server's old keys never leak in.
    prefix_ = "fenceline-record/" + std::to_string(getpid()) + "-" +
              std::to_string(MonotonicNow()) + "/";
    bool locks = s != "register";
    if (locks) FENCELINE_RETURN_IF_ERROR(StartWatcher());
    if (locks && s != "guarded") FENCELINE_RETURN_IF_ERROR(StartStorage());

    if (s == "pause" || s == "guarded" || s == "watch-lag") {
      FENCELINE_RETURN_IF_ERROR(Pause(/*write_first=*/false));
    } else if (s == "contrib-lock") {
      FENCELINE_RETURN_IF_ERROR(Pause(/*write_first=*/true));
    } else if (s == "forge") {
      FENCELINE_RETURN_IF_ERROR(Forge());
    } else if (s == "steal") {
      FENCELINE_RETURN_IF_ERROR(Steal());
    } else if (s == "contention") {
      FENCELINE_RETURN_IF_ERROR(Contention());
    } else {
      FENCELINE_RETURN_IF_ERROR(Register());
    }
    return Finish();
  }

 private:
  Status StartWatcher() {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) return IoError(std::string("pipe: ") + strerror(errno));
    WatchConfig wc;
    wc.endpoint = service_->endpoint();
    wc.prefix = prefix_;
    wc.lock_label = "lock";
    wc.log_path = work_ + "/lock-watch.jsonl";
    wc.ready_fd = ready[1];
    wc.lag = watch_lag_;
    logs_.push_back(wc.log_path);
    watcher_ = ForkChild([&] {
      close(ready[0]);
      return service_->RunWatcher(wc);
    });
    close(ready[1]);
    if (watcher_ < 0) {
      close(ready[0]);
      return IoError(std::string("fork: ") + strerror(errno));
    }
    pollfd p{ready[0], POLLIN, 0};
    int n = poll(&p, 1, 40000);
    char buf[8] = {};
    ssize_t got = n > 0 ? read(ready[0], buf, sizeof buf) : 0;
    close(ready[0]);
    if (got <= 0) {
      return IoError("the lock watch on " + service_->endpoint() + " did not start within 40 s");
    }
    return OkStatus();
  }

  Status StartStorage() {
    storage_path_ = "@fenceline-record-" + std::to_string(getpid()) + "-" +
                    std::to_string(MonotonicNow());
    FENCELINE_ASSIGN_OR_RETURN(int fd, ListenStorage(storage_path_));
    std::string log = work_ + "/storage.jsonl";
    StorageMode mode = opt_.scenario == "contrib-lock" ? StorageMode::kEqualVersion
                       : opt_.fenced                   ? StorageMode::kFenced
                                                       : StorageMode::kUnfenced;
    storage_ = ForkChild([&] { return RunStorage(fd, mode, log); });
    close(fd);
    if (storage_ < 0) return IoError(std::string("fork: ") + strerror(errno));
    return OkStatus();
  }

  StatusOr<Child> SpawnClient(const std::string& name, int index) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
      return IoError(std::string("socketpair: ") + strerror(errno));
    }
    ClientConfig cc;
    cc.name = name;
    cc.index = index;
    cc.session.endpoint = service_->endpoint();
    cc.session.prefix = prefix_;
    cc.session.client = name;
    cc.session.lease_ms = lease_ms_;
    cc.lock_label = "lock";
    cc.resource = "data";
    cc.storage_path = storage_path_;
    cc.log_path = work_ + "/client-" + name + ".jsonl";
    cc.command_fd = sv[1];
    logs_.push_back(cc.log_path);
    // Each client closes the recorder's ends of the earlier clients' sockets, so that a
    // client's socket reads EOF when the recorder goes, whoever else is alive.
    std::vector<int> others;
    for (const Child& c : clients_) others.push_back(c.fd);
    others.push_back(sv[0]);
    pid_t pid = ForkChild([&] {
      for (int fd : others) close(fd);
      return RunClient(*service_, cc);
    });
    close(sv[1]);
    if (pid < 0) {
      close(sv[0]);
      return IoError(std::string("fork: ") + strerror(errno));
    }
    Child c{name, pid, sv[0]};
    clients_.push_back(c);
    return c;
  }

  // Sends a command and waits for the reply. An error if the client died or did not answer.
  StatusOr<std::string> Ask(const Child& c, const std::string& command, milliseconds timeout) {
    if (send(c.fd, command.data(), command.size(), MSG_NOSIGNAL) < 0) {
      return IoError("client " + c.name + " is gone (sending '" + command + "': " +
                     strerror(errno) + ")");
    }
    return Await(c, command, timeout);
  }

  StatusOr<std::string> Await(const Child& c, const std::string& command, milliseconds timeout) {
    pollfd p{c.fd, POLLIN, 0};
    int n;
    do {
      n = poll(&p, 1, static_cast<int>(timeout.count()));
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
      return IoError("client " + c.name + " did not answer '" + command + "' within " +
                     std::to_string(timeout.count()) + " ms");
    }
    char buf[512];
    ssize_t got = recv(c.fd, buf, sizeof buf, 0);
    if (got <= 0) return IoError("client " + c.name + " died during '" + command + "'");
    return std::string(buf, static_cast<size_t>(got));
  }

  milliseconds OpTimeout() const { return milliseconds(lease_ms_ * 4 + 10000); }

  // DDIA's figure 8-4: A holds the lock, pauses past its lease, B takes over and writes, A
  // resumes and writes with its old token.
  // `write_first` (contrib-lock): A writes once before its pause, which sets the
  // equal-version storage's version to A's token.
  Status Pause(bool write_first) {
    FENCELINE_ASSIGN_OR_RETURN(Child a, SpawnClient("A", 0));
    FENCELINE_ASSIGN_OR_RETURN(Child b, SpawnClient("B", 1));
    FENCELINE_ASSIGN_OR_RETURN(std::string r, Ask(a, "acquire", OpTimeout()));
    if (!Starts(r, "ok")) return IoError("A could not acquire the lock: " + r);
    if (write_first) {
      FENCELINE_ASSIGN_OR_RETURN(std::string w, Ask(a, "write", OpTimeout()));
      err_ << "fenceline-record: A's write before the pause: " << w << "\n";
    }
    // No renewal may be in flight when A stops (see client.h).
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(a, "hold", OpTimeout()));
    if (kill(a.pid, SIGSTOP) != 0) return IoError("cannot pause A: " + std::string(strerror(errno)));
    Nanos paused = MonotonicNow();
    // B's lock request waits until etcd expires A's lease.
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(b, "acquire", OpTimeout()));
    if (!Starts(r, "ok")) {
      kill(a.pid, SIGCONT);
      return IoError("B could not acquire the lock while A was paused: " + r);
    }
    if (write_first) {
      // B's lease began before it waited for the lock (etcd's lease grant, ZooKeeper's session,
      // the first SET attempt), and its renewals while it waited are not operations of the
      // history; so B writes after its first renewal as holder, when its lease is certainly
      // live, and a rejection of its write is certainly a false one.
      SleepFor(milliseconds(std::max<int64_t>(100, lease_ms_ / 3) + 300));
    }
    FENCELINE_ASSIGN_OR_RETURN(std::string wb, Ask(b, "write", OpTimeout()));
    kill(a.pid, SIGCONT);
    Nanos resumed = MonotonicNow();
    FENCELINE_ASSIGN_OR_RETURN(std::string wa, Ask(a, "write", OpTimeout()));
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(a, "unhold", OpTimeout()));
    // Let A's keep-alive find its lease gone, as a real client would.
    SleepFor(milliseconds(lease_ms_ / 3 + 200));
    // contrib-lock: B still holds the lock when the recording ends. Its release would be
    // reported by the service as a revoke record, which fenceline takes as an upper bound with
    // no lower one (it may have come before B's write), and that hides the false rejection.
    if (!write_first) {
      FENCELINE_ASSIGN_OR_RETURN(r, Ask(b, "release", OpTimeout()));
    }
    err_ << "fenceline-record: A paused " << (resumed - paused) / 1'000'000
         << " ms; B's write: " << wb << "; A's write after the pause: " << wa << "\n";
    return OkStatus();
  }

  // A takes the lock and writes; F, which never held it, writes with a token the service never
  // issued (far above every token); then B takes the lock and writes.
  Status Forge() {
    FENCELINE_ASSIGN_OR_RETURN(Child a, SpawnClient("A", 0));
    FENCELINE_ASSIGN_OR_RETURN(Child f, SpawnClient("F", 1));
    FENCELINE_ASSIGN_OR_RETURN(Child b, SpawnClient("B", 2));
    FENCELINE_ASSIGN_OR_RETURN(std::string r, Ask(a, "acquire", OpTimeout()));
    if (!Starts(r, "ok")) return IoError("A could not acquire the lock: " + r);
    int64_t token = std::strtoll(r.c_str() + 3, nullptr, 10);
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(a, "write", OpTimeout()));
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(a, "release", OpTimeout()));
    int64_t forged = token + 1'000'000;
    FENCELINE_ASSIGN_OR_RETURN(std::string wf, Ask(f, "forge " + std::to_string(forged), OpTimeout()));
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(b, "acquire", OpTimeout()));
    if (!Starts(r, "ok")) return IoError("B could not acquire the lock: " + r);
    FENCELINE_ASSIGN_OR_RETURN(std::string wb, Ask(b, "write", OpTimeout()));
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(b, "release", OpTimeout()));
    err_ << "fenceline-record: F's write with forged token " << forged << ": " << wf
         << "; B's honest write after it: " << wb << "\n";
    return OkStatus();
  }

  // A takes the lock and writes; S, which never held it, writes with A's token while A still
  // holds it; A writes again and releases.
  Status Steal() {
    FENCELINE_ASSIGN_OR_RETURN(Child a, SpawnClient("A", 0));
    FENCELINE_ASSIGN_OR_RETURN(Child thief, SpawnClient("S", 1));
    FENCELINE_ASSIGN_OR_RETURN(std::string r, Ask(a, "acquire", OpTimeout()));
    if (!Starts(r, "ok")) return IoError("A could not acquire the lock: " + r);
    int64_t token = std::strtoll(r.c_str() + 3, nullptr, 10);
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(a, "write", OpTimeout()));
    FENCELINE_ASSIGN_OR_RETURN(std::string ws,
                               Ask(thief, "forge " + std::to_string(token), OpTimeout()));
    FENCELINE_ASSIGN_OR_RETURN(std::string wa, Ask(a, "write", OpTimeout()));
    FENCELINE_ASSIGN_OR_RETURN(r, Ask(a, "release", OpTimeout()));
    err_ << "fenceline-record: S's write with A's token " << token << ": " << ws
         << "; A's write after it: " << wa << "\n";
    return OkStatus();
  }

  Status RunAll(const std::string& verb) {
    std::vector<Child> cs;
    for (int i = 0; i < clients_n_; ++i) {
      std::string name = opt_.scenario == "register" ? std::to_string(i)
                                                     : std::string(1, static_cast<char>('A' + i));
      FENCELINE_ASSIGN_OR_RETURN(Child c, SpawnClient(name, i));
      cs.push_back(c);
    }
    for (size_t i = 0; i < cs.size(); ++i) {
      std::string cmd = verb + " " + std::to_string(duration_.count()) + " " +
                        std::to_string(seed_ + i) + " " + std::to_string(clients_n_);
      if (send(cs[i].fd, cmd.data(), cmd.size(), MSG_NOSIGNAL) < 0) {
        return IoError("client " + cs[i].name + " is gone");
      }
    }
    for (const Child& c : cs) {
      FENCELINE_ASSIGN_OR_RETURN(std::string r, Await(c, verb, duration_ + OpTimeout() * 2));
      if (!Starts(r, "ok")) return IoError("client " + c.name + " failed: " + r);
      err_ << "fenceline-record: client " << c.name << ": " << r << "\n";
    }
    return OkStatus();
  }

  Status Contention() { return RunAll("contend"); }
  Status Register() { return RunAll("register"); }

  Status Finish() {
    if (watcher_ > 0) {
      // Before the clients quit: closing a ZooKeeper session deletes its znodes, which is no
      // part of the scenario. The mark comes after every earlier change, so once the watcher
      // exits its log is complete.
      FENCELINE_RETURN_IF_ERROR(service_->EndWatch(prefix_));
      int status = StopChild(watcher_, milliseconds(10000) + watch_lag_ * 4);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return IoError("the lock watch did not see the end of the recording; its records "
                       "would be incomplete");
      }
    }
    for (Child& c : clients_) {
      send(c.fd, "quit", 4, MSG_NOSIGNAL);
    }
    for (Child& c : clients_) {
      int status = StopChild(c.pid, milliseconds(5000));
      close(c.fd);
      c.fd = -1;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return IoError("client " + c.name + " ended abnormally (wait status " +
                       std::to_string(status) + ")");
      }
    }
    if (storage_ > 0) {
      kill(storage_, SIGTERM);
      StopChild(storage_, milliseconds(2000));
    }
    FENCELINE_ASSIGN_OR_RETURN(MergeStats stats, MergeLogs(logs_, opt_.output));
    KeepLogs();
    err_ << "fenceline-record: wrote " << stats.events << " events from " << stats.files
         << " processes to " << opt_.output << "\n";
    return OkStatus();
  }

  // --logs: copies every log of the work directory (the processes', the storage's, the
  // server's) there, also after a failed recording, where they say what went wrong.
  void KeepLogs() {
    if (opt_.logs_dir.empty() || work_.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(opt_.logs_dir, ec);
    for (const auto& entry : std::filesystem::directory_iterator(work_, ec)) {
      if (entry.is_regular_file()) {
        std::filesystem::copy_file(entry.path(), opt_.logs_dir / entry.path().filename(),
                                   std::filesystem::copy_options::overwrite_existing, ec);
      }
    }
  }

 public:
  Status RunAndKeepLogs() {
    Status s = Run();
    if (!s.ok()) KeepLogs();
    return s;
  }

 private:
  const RecordOptions& opt_;
  std::ostream& err_;
  Guardian guardian_;
  std::unique_ptr<Service> service_;
  std::string work_, prefix_, storage_path_;
  int64_t lease_ms_ = 1000;
  milliseconds watch_lag_{0};
  uint64_t seed_ = 0;
  int clients_n_ = 3;
  milliseconds duration_{0};
  pid_t watcher_ = -1, storage_ = -1;
  std::vector<Child> clients_;
  std::vector<std::string> logs_;
};

}  // namespace

Status RunRecording(const RecordOptions& options, std::ostream& err) {
  Recording r(options, err);
  return r.RunAndKeepLogs();
}

}  // namespace fenceline::record
