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
#include "recorder/etcd/gateway.h"
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

std::string LeaseHex(int64_t lease) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIx64, static_cast<uint64_t>(lease));
  return buf;
}

enum class LockState { kIdle, kWaiting, kHolding };

class LockClient {
 public:
  explicit LockClient(const ClientConfig& config)
      : config_(config), gw_(config.endpoint), process_(JsonString(config.name)) {}

  Status Start() {
    FENCELINE_RETURN_IF_ERROR(log_.Open(config_.log_path));
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
    LeaseGrantReply grant = gw_.LeaseGrant(config_.lease_s, kRequestTimeout);
    if (!grant.ok()) return Complete("acquire", invoke_value, grant, {});
    lease_ = grant.id;
    state_ = LockState::kWaiting;
    LockReply lock = gw_.Lock(config_.lock_name, grant.id, lock_timeout);
    std::vector<std::pair<std::string, std::string>> extra{
        {"lease", JsonString(LeaseHex(grant.id))}};
    if (!lock.ok()) {
      // A request still queued could be granted later: end the lease, and its queued key.
      state_ = LockState::kIdle;
      gw_.LeaseRevoke(grant.id, kRequestTimeout);
      return Complete("acquire", invoke_value, lock, extra);
    }
    RangeReply key = gw_.Get(lock.key, kRequestTimeout);
    if (!key.ok() || !key.found) {
      state_ = LockState::kIdle;
      Reply r{Kind::kInfo, key.ok() ? "lock lost before its token could be read" : key.error};
      return Complete("acquire", invoke_value, r, extra);
    }
    key_ = lock.key;
    token_ = key.create_revision;
    lease_ms_ = grant.ttl_s * 1000;
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
      // The guard lives in etcd: the write happens only if our lock key still exists with
      // our token as its create_revision (a deleted key compares as 0).
      TxnReply t = gw_.TxnPut({Compare{key_, "CREATE", token, ""}}, config_.data_key,
                              std::to_string(v), kRequestTimeout);
      r = t;
      if (t.ok() && !t.succeeded) {
        r = Reply{Kind::kFail, "lock key no longer has create_revision " + std::to_string(token)};
      }
    }
    return Complete("write", value, r, {});
  }

  std::string Release() {
    auto guard = Guard();
    std::string value = JsonObject({{"lock", JsonString(config_.lock_label)},
                                    {"token", JsonInt(token_)}});
    log_.Append(Record{process_, "invoke", "release", value, "", {}});
    Reply r = gw_.Unlock(key_, kRequestTimeout);
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
    Gateway gw(config_.endpoint);
    auto interval = milliseconds(std::max<int64_t>(100, config_.lease_s * 1000 / 3));
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
      SleepFor(milliseconds(10));
      if (std::chrono::steady_clock::now() < next) continue;
      next = std::chrono::steady_clock::now() + interval;
      if (state_ == LockState::kWaiting) {
        gw.KeepAlive(lease_, interval);
        continue;
      }
      if (state_ != LockState::kHolding) continue;
      std::lock_guard<std::mutex> lock(mu_);
      if (state_ != LockState::kHolding) continue;
      std::string value = JsonObject({{"lock", JsonString(config_.lock_label)},
                                      {"token", JsonInt(token_)}});
      log_.Append(Record{process_, "invoke", "renew", value, "", {}});
      KeepAliveReply r = gw.KeepAlive(lease_, milliseconds(1000));
      if (r.ok()) {
        log_.Append(Record{process_, "ok", "renew",
                           JsonObject({{"lock", JsonString(config_.lock_label)},
                                       {"token", JsonInt(token_)},
                                       {"lease_ms", JsonInt(r.ttl_s * 1000)}}),
                           "", {}});
      } else {
        log_.Append(Record{process_, TypeOf(r.kind), "renew", value, r.error, {}});
        // The lease is gone: a real client would notice too, and stop renewing.
        if (r.kind == Kind::kFail) state_ = LockState::kIdle;
      }
    }
  }

  const ClientConfig& config_;
  Gateway gw_;
  std::string process_;
  EventLog log_;
  StorageClient storage_;
  std::mutex mu_;  // one operation at a time: the process's history is sequential
  std::unique_lock<std::mutex> held_;
  std::atomic<LockState> state_{LockState::kIdle};
  std::atomic<int64_t> lease_{0};
  int64_t token_ = 0;
  int64_t lease_ms_ = 0;
  std::string key_;
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
  milliseconds lock_timeout(config.lease_s * 1000 * (clients + 2) + 2000);
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
int RunRegister(const ClientConfig& config, EventLog& log, milliseconds duration, uint64_t seed,
                int stride) {
  Gateway gw(config.endpoint);
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
      RangeReply r = gw.Get(config.data_key, timeout);
      std::string v = r.ok() && r.found ? JsonInt(std::strtoll(r.value.c_str(), nullptr, 10))
                                        : JsonNull();
      log.Append(Record{p, TypeOf(r.kind), "read", r.ok() ? v : JsonNull(), r.error, {}});
      outcome = r.kind;
    } else if (pick < 7) {
      int64_t v = static_cast<int64_t>(rng() % 5);
      log.Append(Record{p, "invoke", "write", JsonInt(v), "", {}});
      Reply r = gw.Put(config.data_key, std::to_string(v), timeout);
      log.Append(Record{p, TypeOf(r.kind), "write", JsonInt(v), r.error, {}});
      outcome = r.kind;
    } else {
      int64_t from = static_cast<int64_t>(rng() % 5), to = static_cast<int64_t>(rng() % 5);
      std::string v = JsonArray({JsonInt(from), JsonInt(to)});
      log.Append(Record{p, "invoke", "cas", v, "", {}});
      TxnReply r = gw.TxnPut({Compare{config.data_key, "VALUE", 0, std::to_string(from)}},
                             config.data_key, std::to_string(to), timeout);
      Kind k = r.kind == Kind::kOk && !r.succeeded ? Kind::kFail : r.kind;
      log.Append(Record{p, TypeOf(k), "cas", v,
                        k == Kind::kOk ? "" : (r.error.empty() ? "compare failed" : r.error), {}});
      outcome = k;
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

int RunClient(const ClientConfig& config) {
  LockClient lock(config);
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
      RunRegister(config, register_log, milliseconds(ms), seed, stride);
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
    milliseconds lock_timeout(config.lease_s * 1000 * 4 + 5000);
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
