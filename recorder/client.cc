#include "recorder/client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "recorder/event_log.h"
#include "recorder/process.h"
#include "recorder/storage.h"

namespace fenceline::record {
namespace {

constexpr milliseconds kRequestTimeout{2000};

const char* TypeOf(Kind k) {
  switch (k) {
    case Kind::kOk: return "ok";
    case Kind::kFail: return "fail";
    case Kind::kInfo: return "info";
  }
  return "info";
}

enum class LockState { kIdle, kWaiting, kHolding };

class LockClient {
 public:
  LockClient(Service& service, const ClientConfig& config)
      : config_(config),
        session_(service.NewLockSession(config.session)),
        process_(JsonString(config.name)) {}

  Status Start() {
    FENCELINE_RETURN_IF_ERROR(log_.Open(config_.log_path));
    FENCELINE_RETURN_IF_ERROR(session_->Connect());
    if (!config_.storage_path.empty()) {
      FENCELINE_RETURN_IF_ERROR(storage_.Connect(config_.storage_path));
    }
    keepalive_ = std::thread([this] { KeepAliveLoop(); });
    return OkStatus();
  }

  void Stop() {
    stop_ = true;
    if (keepalive_.joinable()) keepalive_.join();
  }

  std::string Acquire(milliseconds lock_timeout) {
    auto guard = Guard();
    std::string invoke_value = JsonObject({{"lock", JsonString(config_.lock_label)}});
    log_.Append(Record{process_, "invoke", "acquire", invoke_value, "", {}});
    state_ = LockState::kWaiting;
    AcquireReply a = session_->Acquire(lock_timeout);
    std::vector<std::pair<std::string, std::string>> extra;
    if (!a.link.empty()) extra.emplace_back("lease", JsonString(a.link));
    if (!a.ok()) {
      state_ = LockState::kIdle;
      return Complete("acquire", invoke_value, a, extra);
    }
    token_ = a.token;
    lease_ms_ = a.lease_ms;
    state_ = LockState::kHolding;
    std::string value = JsonObject({{"lock", JsonString(config_.lock_label)},
                                    {"token", JsonInt(token_)},
                                    {"lease_ms", JsonInt(lease_ms_)}});
    log_.Append(Record{process_, "ok", "acquire", value, "", extra});
    return "ok " + std::to_string(token_);
  }

  std::string Write(int64_t token) {
    auto guard = Guard();
    int64_t v = NextValue();
    std::string value = JsonObject({{"resource", JsonString(config_.resource)},
                                    {"token", JsonInt(token)},
                                    {"value", JsonInt(v)}});
    log_.Append(Record{process_, "invoke", "write", value, "", {}});
    Reply r;
    if (!config_.storage_path.empty()) {
      r = storage_.Write(config_.name, config_.resource, token, v, kRequestTimeout);
    } else {
      r = session_->GuardedWrite(config_.resource, token, std::to_string(v), kRequestTimeout);
    }
    return Complete("write", value, r, {});
  }

  std::string Release() {
    auto guard = Guard();
    std::string value = JsonObject({{"lock", JsonString(config_.lock_label)},
                                    {"token", JsonInt(token_)}});
    log_.Append(Record{process_, "invoke", "release", value, "", {}});
    Reply r = session_->Release(kRequestTimeout);
    // Whatever the answer, stop renewing: an unknown release must not be kept alive by us.
    state_ = LockState::kIdle;
    return Complete("release", value, r, {});
  }

  void Hold() { held_ = std::unique_lock<std::mutex>(mu_); }
  void Unhold() {
    if (held_.owns_lock()) held_.unlock();
  }

  int64_t token() const { return token_; }
  bool holding() const { return state_ == LockState::kHolding; }

 private:
  std::unique_lock<std::mutex> Guard() {
    if (held_.owns_lock()) return {};
    return std::unique_lock<std::mutex>(mu_);
  }

  int64_t NextValue() { return int64_t{config_.index + 1} * 1'000'000 + ++writes_; }

  std::string Complete(const char* f, const std::string& value, const Reply& r,
                       std::vector<std::pair<std::string, std::string>> extra) {
    log_.Append(Record{process_, TypeOf(r.kind), f, value, r.ok() ? "" : r.error,
                       std::move(extra)});
    return std::string(TypeOf(r.kind)) + (r.ok() ? "" : " " + r.error);
  }

  void KeepAliveLoop() {
    auto interval = milliseconds(std::max<int64_t>(100, config_.session.lease_ms / 3));
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
      SleepFor(milliseconds(10));
      if (std::chrono::steady_clock::now() < next) continue;
      next = std::chrono::steady_clock::now() + interval;
      if (state_ == LockState::kWaiting) {
        session_->KeepWaiting(interval);
        continue;
      }
      if (state_ != LockState::kHolding) continue;
      std::lock_guard<std::mutex> lock(mu_);
      if (state_ != LockState::kHolding) continue;
      std::string value = JsonObject({{"lock", JsonString(config_.lock_label)},
                                      {"token", JsonInt(token_)}});
      log_.Append(Record{process_, "invoke", "renew", value, "", {}});
      RenewReply r = session_->Renew(std::min(interval, milliseconds(1000)));
      if (r.ok()) {
        log_.Append(Record{process_, "ok", "renew",
                           JsonObject({{"lock", JsonString(config_.lock_label)},
                                       {"token", JsonInt(token_)},
                                       {"lease_ms", JsonInt(r.lease_ms)}}),
                           "", {}});
      } else {
        log_.Append(Record{process_, TypeOf(r.kind), "renew", value, r.error, {}});
        // The lease is gone: a real client would notice too, and stop renewing.
        if (r.kind == Kind::kFail) state_ = LockState::kIdle;
      }
    }
  }

  const ClientConfig& config_;
  std::unique_ptr<LockSession> session_;
  std::string process_;
  EventLog log_;
  StorageClient storage_;
  std::mutex mu_;  // one operation at a time: the process's history is sequential
  std::unique_lock<std::mutex> held_;
  std::atomic<LockState> state_{LockState::kIdle};
  int64_t token_ = 0;
  int64_t lease_ms_ = 0;
  int64_t writes_ = 0;
  std::atomic<bool> stop_{false};
  std::thread keepalive_;
};

// Takes turns on the lock with the other clients until `duration` has passed.
std::string Contend(LockClient& c, const ClientConfig& config, milliseconds duration,
                    uint64_t seed, int clients) {
  std::mt19937_64 rng(seed);
  auto deadline = std::chrono::steady_clock::now() + duration;
  int acquired = 0;
  // Long enough for every other client to have its turn, and for one lease to run out.
  milliseconds lock_timeout(config.session.lease_ms * (clients + 2) + 2000);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string r = c.Acquire(lock_timeout);
    if (r.rfind("ok", 0) == 0) {
      ++acquired;
      int writes = 1 + static_cast<int>(rng() % 2);
      for (int i = 0; i < writes; ++i) {
        c.Write(c.token());
        SleepFor(milliseconds(static_cast<int64_t>(rng() % 20)));
      }
      c.Release();
    }
    SleepFor(milliseconds(50 + static_cast<int64_t>(rng() % 100)));
  }
  return "ok " + std::to_string(acquired);
}

// Concurrent reads, writes and compare-and-sets of one etcd key, some with time-outs so short
// that their outcome is unknown. After an unknown outcome the process takes a new id (the old
// request may still be in flight; Jepsen's convention), so each id's history is sequential.
int RunRegister(RegisterSession& reg, const ClientConfig& config, EventLog& log,
                milliseconds duration, uint64_t seed, int stride) {
  std::mt19937_64 rng(seed);
  auto deadline = std::chrono::steady_clock::now() + duration;
  int64_t process = config.index;
  while (std::chrono::steady_clock::now() < deadline) {
    int pick = static_cast<int>(rng() % 10);
    milliseconds timeout = rng() % 100 < 5 ? milliseconds(1 + static_cast<int64_t>(rng() % 3))
                                           : kRequestTimeout;
    std::string p = JsonInt(process);
    Kind outcome = Kind::kOk;
    if (pick < 4) {
      log.Append(Record{p, "invoke", "read", JsonNull(), "", {}});
      ReadReply r = reg.Read(timeout);
      std::string v = r.ok() && r.value ? JsonInt(*r.value) : JsonNull();
      log.Append(Record{p, TypeOf(r.kind), "read", v, r.error, {}});
      outcome = r.kind;
    } else if (pick < 7) {
      int64_t v = static_cast<int64_t>(rng() % 5);
      log.Append(Record{p, "invoke", "write", JsonInt(v), "", {}});
      Reply r = reg.Write(v, timeout);
      log.Append(Record{p, TypeOf(r.kind), "write", JsonInt(v), r.error, {}});
      outcome = r.kind;
    } else {
      int64_t from = static_cast<int64_t>(rng() % 5), to = static_cast<int64_t>(rng() % 5);
      std::string v = JsonArray({JsonInt(from), JsonInt(to)});
      log.Append(Record{p, "invoke", "cas", v, "", {}});
      Reply r = reg.Cas(from, to, timeout);
      log.Append(Record{p, TypeOf(r.kind), "cas", v, r.ok() ? "" : r.error, {}});
      outcome = r.kind;
    }
    if (outcome == Kind::kInfo) process += stride;
    SleepFor(milliseconds(static_cast<int64_t>(rng() % 10)));
  }
  return 0;
}

bool ReadCommand(int fd, std::string& out) {
  char buf[512];
  ssize_t n;
  do {
    n = recv(fd, buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  out.assign(buf, static_cast<size_t>(n));
  return true;
}

void Reply_(int fd, const std::string& s) { send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

}  // namespace

int RunClient(Service& service, const ClientConfig& config) {
  LockClient lock(service, config);
  EventLog register_log;
  bool started = false;
  std::string cmd;
  while (ReadCommand(config.command_fd, cmd)) {
    std::istringstream in(cmd);
    std::string verb;
    in >> verb;
    if (verb == "quit") break;
    if (verb == "register") {
      int64_t ms = 0;
      uint64_t seed = 0;
      int stride = 1;
      in >> ms >> seed >> stride;
      if (!register_log.Open(config.log_path).ok()) return 3;
      std::unique_ptr<RegisterSession> reg = service.NewRegisterSession(config.session);
      Status s = reg->Connect();
      if (!s.ok()) {
        Reply_(config.command_fd, "fail " + s.message());
        return 3;
      }
      RunRegister(*reg, config, register_log, milliseconds(ms), seed, stride);
      Reply_(config.command_fd, "ok");
      continue;
    }
    if (!started) {
      Status s = lock.Start();
      if (!s.ok()) {
        Reply_(config.command_fd, "fail " + s.message());
        return 3;
      }
      started = true;
    }
    milliseconds lock_timeout(config.session.lease_ms * 4 + 5000);
    if (verb == "acquire") {
      Reply_(config.command_fd, lock.Acquire(lock_timeout));
    } else if (verb == "write") {
      Reply_(config.command_fd, lock.Write(lock.token()));
    } else if (verb == "forge") {
      int64_t token = 0;
      in >> token;
      Reply_(config.command_fd, lock.Write(token));
    } else if (verb == "release") {
      Reply_(config.command_fd, lock.Release());
    } else if (verb == "hold") {
      lock.Hold();
      Reply_(config.command_fd, "ok");
    } else if (verb == "unhold") {
      lock.Unhold();
      Reply_(config.command_fd, "ok");
    } else if (verb == "contend") {
      int64_t ms = 0;
      uint64_t seed = 0;
      int clients = 1;
      in >> ms >> seed >> clients;
      Reply_(config.command_fd, Contend(lock, config, milliseconds(ms), seed, clients));
    } else {
      Reply_(config.command_fd, "fail unknown command " + verb);
    }
  }
  lock.Unhold();
  lock.Stop();
  return 0;
}

}  // namespace fenceline::record
