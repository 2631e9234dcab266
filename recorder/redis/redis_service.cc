#include "recorder/redis/redis_service.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "recorder/event_log.h"
#include "recorder/process.h"

namespace fenceline::record {
namespace {

constexpr char kInstallHint[] =
    "install it with scripts/setup.sh (or: apt-get install redis-server), or pass --endpoint "
    "HOST:PORT of a running Redis";

// KEYS: lock, counter. ARGV: value, lease ms, grant channel. Returns the token, or 0 if held.
constexpr char kAcquireScript[] =
    "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then "
    "  local t = redis.call('incr', KEYS[2]) "
    "  redis.call('publish', ARGV[3], t .. ' ' .. ARGV[1]) "
    "  return t "
    "end "
    "return 0";
// KEYS: lock. ARGV: value, lease ms.
constexpr char kRenewScript[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "  return redis.call('pexpire', KEYS[1], ARGV[2]) "
    "end "
    "return 0";
// KEYS: lock. ARGV: value.
constexpr char kReleaseScript[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "  return redis.call('del', KEYS[1]) "
    "end "
    "return 0";
// KEYS: register. ARGV: from, to.
constexpr char kCasScript[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "  redis.call('set', KEYS[1], ARGV[2]) "
    "  return 1 "
    "end "
    "return 0";

timeval ToTimeval(milliseconds d) {
  return timeval{static_cast<time_t>(d.count() / 1000),
                 static_cast<suseconds_t>((d.count() % 1000) * 1000)};
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

// One connection; reconnects after any error, since hiredis leaves a context unusable then
// (and a late reply must never be read as the answer to the next request).
class Connection {
 public:
  explicit Connection(std::string endpoint) : endpoint_(std::move(endpoint)) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one command; nullptr (and `error`) when there was no answer. The caller frees.
  redisReply* Run(const std::vector<std::string>& args, milliseconds timeout, std::string& error) {
    if (ctx_ == nullptr && !Open(timeout, error)) return nullptr;
    redisSetTimeout(ctx_, ToTimeval(timeout));
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    void* r = redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
    if (r == nullptr) {
      error = ctx_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)
                  ? "timeout"
                  : std::string(ctx_->errstr);
      Close();
      return nullptr;
    }
    return static_cast<redisReply*>(r);
  }

  redisContext* raw(milliseconds timeout, std::string& error) {
    if (ctx_ == nullptr) Open(timeout, error);
    return ctx_;
  }

 private:
  bool Open(milliseconds timeout, std::string& error) {
    std::string host;
    int port = 0;
    if (!ParseHostPort(endpoint_, host, port)) {
      error = "bad endpoint " + endpoint_;
      return false;
    }
    ctx_ = redisConnectWithTimeout(host.c_str(), port, ToTimeval(timeout));
    if (ctx_ == nullptr || ctx_->err != 0) {
      error = ctx_ != nullptr ? std::string("connect: ") + ctx_->errstr : "connect failed";
      Close();
      return false;
    }
    return true;
  }
  void Close() {
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = nullptr;
  }

  std::string endpoint_;
  redisContext* ctx_ = nullptr;
};

// A reply's outcome: an error reply is a refusal (kFail) only if Redis did not run the
// command; every error we can get here (script errors, wrong type) is of that kind.
struct Result {
  Kind kind = Kind::kInfo;
  std::string error;
  long long integer = 0;
  bool nil = false;
  std::string text;
};

Result RunCommand(Connection& c, const std::vector<std::string>& args, milliseconds timeout) {
  Result out;
  redisReply* r = c.Run(args, timeout, out.error);
  if (r == nullptr) return out;
  switch (r->type) {
    case REDIS_REPLY_ERROR:
      out.kind = Kind::kFail;
      out.error = std::string(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = Kind::kOk;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_NIL:
      out.kind = Kind::kOk;
      out.nil = true;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.kind = Kind::kOk;
      out.text.assign(r->str, r->len);
      break;
    default:
      out.kind = Kind::kOk;
      break;
  }
  freeReplyObject(r);
  return out;
}

std::string RandomValue() {
  std::random_device rd;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

class RedisLockSession : public LockSession {
 public:
  explicit RedisLockSession(const SessionConfig& c)
      : config_(c), conn_(c.endpoint), renew_conn_(c.endpoint) {}

  Status Connect() override { return OkStatus(); }

  AcquireReply Acquire(milliseconds timeout) override {
    AcquireReply out;
    value_ = RandomValue();
    out.link = value_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::mt19937 rng(static_cast<unsigned>(MonotonicNow()));
    for (;;) {
      Result r = RunCommand(conn_,
                            {"EVAL", kAcquireScript, "2", Lock(), config_.prefix + "token", value_,
                             std::to_string(config_.lease_ms), config_.prefix + "grant"},
                            milliseconds(2000));
      if (r.kind == Kind::kInfo) {
        // The SET may have happened: withdraw it (only our value is deleted), and the outcome
        // stays unknown.
        RunCommand(conn_, {"EVAL", kReleaseScript, "1", Lock(), value_}, milliseconds(2000));
        out.kind = Kind::kInfo;
        out.error = r.error;
        return out;
      }
      if (r.kind == Kind::kFail) {
        out.kind = Kind::kFail;
        out.error = r.error;
        return out;
      }
      if (r.integer > 0) {
        out.kind = Kind::kOk;
        out.token = r.integer;
        out.lease_ms = config_.lease_ms;
        return out;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        out.kind = Kind::kFail;
        out.error = "lock still held after " + std::to_string(timeout.count()) + " ms";
        return out;
      }
      SleepFor(milliseconds(10 + static_cast<int64_t>(rng() % 10)));
    }
  }

  RenewReply Renew(milliseconds timeout) override {
    Result r = RunCommand(renew_conn_,
                          {"EVAL", kRenewScript, "1", Lock(), value_, std::to_string(config_.lease_ms)},
                          timeout);
    RenewReply out;
    out.kind = r.kind;
    out.error = r.error;
    if (r.kind == Kind::kOk && r.integer != 1) {
      out.kind = Kind::kFail;
      out.error = "lock no longer holds our value";
    }
    out.lease_ms = config_.lease_ms;
    return out;
  }

  Reply Release(milliseconds timeout) override {
    Result r = RunCommand(conn_, {"EVAL", kReleaseScript, "1", Lock(), value_}, timeout);
    if (r.kind == Kind::kOk && r.integer != 1) {
      return Reply{Kind::kFail, "lock no longer holds our value"};
    }
    return Reply{r.kind, r.error};
  }

 private:
  std::string Lock() const { return config_.prefix + "lock"; }

  SessionConfig config_;
  Connection conn_;
  Connection renew_conn_;  // the keep-alive thread's: a hiredis context is not thread-safe
  std::string value_;
};

class RedisRegisterSession : public RegisterSession {
 public:
  explicit RedisRegisterSession(const SessionConfig& c)
      : key_(c.prefix + "register"), conn_(c.endpoint) {}
  Status Connect() override { return OkStatus(); }
  ReadReply Read(milliseconds timeout) override {
    Result r = RunCommand(conn_, {"GET", key_}, timeout);
    ReadReply out;
    out.kind = r.kind;
    out.error = r.error;
    if (r.kind == Kind::kOk && !r.nil) out.value = std::strtoll(r.text.c_str(), nullptr, 10);
    return out;
  }
  Reply Write(int64_t value, milliseconds timeout) override {
    Result r = RunCommand(conn_, {"SET", key_, std::to_string(value)}, timeout);
    return Reply{r.kind, r.error};
  }
  Reply Cas(int64_t from, int64_t to, milliseconds timeout) override {
    Result r = RunCommand(
        conn_, {"EVAL", kCasScript, "1", key_, std::to_string(from), std::to_string(to)}, timeout);
    if (r.kind == Kind::kOk && r.integer != 1) return Reply{Kind::kFail, "compare failed"};
    return Reply{r.kind, r.error};
  }

 private:
  std::string key_;
  Connection conn_;
};

class RedisService : public Service {
 public:
  std::string_view name() const override { return "redis"; }

  StatusOr<ServerCommand> LocalServer(const std::string& binary, const std::string& work_dir,
                                      int64_t /*lease_ms*/) override {
    ServerCommand c;
    c.service = "redis";
    FENCELINE_ASSIGN_OR_RETURN(
        c.binary, FindBinary("redis", binary.empty() ? "redis-server" : binary, kInstallHint));
    int port = FreePort();
    if (port <= 0) return IoError("cannot find a free port on 127.0.0.1 for redis");
    endpoint_ = "127.0.0.1:" + std::to_string(port);
    c.args = {"--port", std::to_string(port), "--bind", "127.0.0.1",
              "--dir", work_dir, "--save", "", "--appendonly", "no",
              "--hz", "100", "--notify-keyspace-events", "Exg",
              "--daemonize", "no", "--logfile", ""};
    c.log_name = "redis.log";
    return c;
  }

  Status UseEndpoint(const std::string& endpoint) override {
    std::string host;
    int port = 0;
    if (!ParseHostPort(endpoint, host, port)) {
      return InvalidArgument("flag --endpoint: expected HOST:PORT for redis, got '" + endpoint +
                             "'");
    }
    endpoint_ = endpoint;
    external_ = true;
    return OkStatus();
  }
  const std::string& endpoint() const override { return endpoint_; }

  bool Ready(milliseconds timeout) override {
    Connection c(endpoint_);
    Result r = RunCommand(c, {"PING"}, timeout);
    if (r.kind != Kind::kOk || r.text != "PONG") return false;
    if (!external_) return true;
    // A running Redis must already send the expiry and delete events; the recorder does not
    // change a server's configuration it does not own.
    std::string error;
    redisReply* cfg = c.Run({"CONFIG", "GET", "notify-keyspace-events"}, timeout, error);
    bool has = false;
    if (cfg != nullptr && cfg->type == REDIS_REPLY_ARRAY && cfg->elements == 2) {
      std::string flags(cfg->element[1]->str, cfg->element[1]->len);
      bool all = flags.find('A') != std::string::npos;
      has = flags.find('E') != std::string::npos &&
            (all || (flags.find('x') != std::string::npos && flags.find('g') != std::string::npos));
    }
    if (cfg != nullptr) freeReplyObject(cfg);
    if (!has) {
      std::fprintf(stderr,
                   "fenceline-record: the Redis at %s does not send keyspace events; run "
                   "CONFIG SET notify-keyspace-events Exg on it first\n",
                   endpoint_.c_str());
    }
    return has;
  }

  std::unique_ptr<LockSession> NewLockSession(const SessionConfig& c) override {
    return std::make_unique<RedisLockSession>(c);
  }
  std::unique_ptr<RegisterSession> NewRegisterSession(const SessionConfig& c) override {
    return std::make_unique<RedisRegisterSession>(c);
  }

  int RunWatcher(const WatchConfig& config) override;

  Status EndWatch(const std::string& prefix) override {
    Connection c(endpoint_);
    Result r = RunCommand(c, {"PUBLISH", prefix + "end", "end"}, milliseconds(5000));
    if (r.kind != Kind::kOk || r.integer < 1) {
      return IoError("cannot end the lock watch (PUBLISH reached no watcher): " + r.error);
    }
    return OkStatus();
  }

 private:
  std::string endpoint_;
  bool external_ = false;
};

int RedisService::RunWatcher(const WatchConfig& config) {
  EventLog log;
  if (!log.Open(config.log_path).ok()) return 3;
  Connection conn(endpoint_);
  std::string error;
  redisContext* ctx = conn.raw(milliseconds(5000), error);
  if (ctx == nullptr) {
    std::fprintf(stderr, "fenceline-record: lock watch: %s\n", error.c_str());
    return 1;
  }
  const std::string lock_key = config.prefix + "lock";
  const std::string grant_channel = config.prefix + "grant";
  const std::string end_channel = config.prefix + "end";
  const char* channels[] = {"SUBSCRIBE", "__keyevent@0__:expired", "__keyevent@0__:del",
                            grant_channel.c_str(), end_channel.c_str()};
  redisSetTimeout(ctx, timeval{0, 0});  // a subscriber waits as long as the recording lasts
  redisAppendCommandArgv(ctx, 5, channels, nullptr);
  int confirmed = 0;
  int64_t holder_token = 0;
  std::string holder_value;
  int64_t change = 0;  // the records' order, as Redis delivered them
  auto record = [&](const char* f, int64_t token, const std::string& value, Nanos at,
                    const char* cause) {
    Record r;
    r.process = JsonString("nemesis");
    r.type = "ok";
    r.f = f;
    r.value = JsonObject({{"lock", JsonString(config.lock_label)},
                          {"token", JsonInt(token)},
                          {"client", JsonString("lease:" + value)}});
    r.extra.emplace_back("source", JsonString("redis-notify"));
    r.extra.emplace_back("change", JsonInt(++change));
    if (cause != nullptr) r.extra.emplace_back("cause", JsonString(cause));
    log.AppendAt(r, at);
  };
  for (;;) {
    void* raw = nullptr;
    if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) {
      std::fprintf(stderr, "fenceline-record: lock watch ended early: %s\n", ctx->errstr);
      return 1;
    }
    redisReply* m = static_cast<redisReply*>(raw);
    std::string kind, channel, payload;
    if (m->type == REDIS_REPLY_ARRAY && m->elements == 3 &&
        m->element[0]->type == REDIS_REPLY_STRING) {
      kind.assign(m->element[0]->str, m->element[0]->len);
      if (m->element[1]->type == REDIS_REPLY_STRING) {
        channel.assign(m->element[1]->str, m->element[1]->len);
      }
      if (m->element[2]->type == REDIS_REPLY_STRING) {
        payload.assign(m->element[2]->str, m->element[2]->len);
      }
    }
    freeReplyObject(m);
    if (kind == "subscribe") {
      if (++confirmed == 4) {
        ssize_t ignored = write(config.ready_fd, "ready\n", 6);
        (void)ignored;
      }
      continue;
    }
    if (kind != "message") continue;
    if (config.lag.count() > 0) SleepFor(config.lag);
    Nanos now = MonotonicNow();
    if (channel == end_channel) return 0;
    if (channel == grant_channel) {
      size_t space = payload.find(' ');
      if (space == std::string::npos) continue;
      holder_token = std::strtoll(payload.c_str(), nullptr, 10);
      holder_value = payload.substr(space + 1);
      record("grant", holder_token, holder_value, now, nullptr);
    } else if (payload == lock_key && holder_token != 0) {
      bool expired = channel == "__keyevent@0__:expired";
      record(expired ? "expire" : "revoke", holder_token, holder_value, now,
             expired ? "key expired" : "unlock");
      holder_token = 0;
    }
  }
}

}  // namespace

std::unique_ptr<Service> MakeRedisService() { return std::make_unique<RedisService>(); }

}  // namespace fenceline::record
