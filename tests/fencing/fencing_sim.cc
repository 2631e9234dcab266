// The simulation behind fencing_sim.h: a discrete-event loop in true time. Each client operation
// is three steps (invoke, effect at the service or storage, completion); effects are applied in
// true-time order, and events are stamped with the client's skewed clock.
#include "fencing/fencing_sim.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <queue>
#include <random>
#include <tuple>
#include <utility>

namespace fenceline::testing {

Event MakeEvent(const std::string& process, EventType type, const std::string& f, Value value,
                Nanos time, const std::string& node) {
  Event e;
  e.process = Value::String(process);
  e.type = type;
  e.f = f;
  e.value = std::move(value);
  e.time = time;
  e.node = node;
  return e;
}

namespace {

constexpr Nanos kMs = 1'000'000;

Value Map(std::vector<std::pair<std::string, Value>> kv) {
  std::vector<Value> items;
  for (auto& [k, v] : kv) {
    items.push_back(Value::String(k));
    items.push_back(std::move(v));
  }
  return Value::Map(std::move(items));
}

enum class Kind { kAcquire, kRenew, kRelease, kWrite, kRead };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kAcquire:
      return "acquire";
    case Kind::kRenew:
      return "renew";
    case Kind::kRelease:
      return "release";
    case Kind::kWrite:
      return "write";
    case Kind::kRead:
      return "read";
  }
  return "";
}

struct LockState {
  int holder = -1;
  int64_t token = 0;
  Nanos expiry = 0;
  int64_t next = 0;
};

struct StoreState {
  int64_t highest = std::numeric_limits<int64_t>::min();
  Value value;
};

struct ClientState {
  std::string name, node;
  Nanos offset = 0;
  int ops_left = 0;
  bool holding = false;
  int lock = 0;
  int64_t token = 0;
  int uses_left = 0;
  // The operation in flight.
  Kind kind = Kind::kAcquire;
  int stage = 0;  // 0 invoke next, 1 effect next, 2 completion next
  Nanos complete_at = 0;
  bool info = false;
  bool happens = true;
  EventType outcome = EventType::kOk;
  Value in, out;
};

class Simulation {
 public:
  // Each event goes to `sink` as it is produced.
  Simulation(const SimOptions& o, std::function<void(Event)> sink)
      : o_(o), rng_(o.seed), sink_(std::move(sink)) {
    const Nanos half_skew = static_cast<Nanos>(o.skew_ms * 0.5 * 1e6);
    auto offset = [&] {
      return half_skew > 0 ? std::uniform_int_distribution<Nanos>(-half_skew, half_skew)(rng_) : 0;
    };
    locks_.resize(static_cast<size_t>(o.locks));
    stores_.resize(static_cast<size_t>(o.locks));
    service_offset_ = offset();
    for (int c = 0; c < o.clients; ++c) {
      ClientState s;
      s.name = Named("p", c);
      s.node = o.skew_ms > 0 ? Named("n", c) : "";
      s.offset = offset();
      s.ops_left = o.ops_per_client;
      clients_.push_back(s);
      Schedule(Uniform(0, 20) * kMs, c);
    }
  }

  void Run() {
    while (!queue_.empty()) {
      auto [t, seq, c] = queue_.top();
      queue_.pop();
      end_ = std::max(end_, t);
      Step(t, c);
    }
    AppendFault();
  }

 private:
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  Nanos Lease() const { return o_.lease_ms * kMs; }
  // Appending, not "L" + std::to_string(l): GCC 12 warns falsely (-Wrestrict) on the latter.
  static std::string Named(const char* prefix, int i) {
    std::string s(prefix);
    s += std::to_string(i);
    return s;
  }
  std::string LockName(int l) const { return Named("L", l); }

  void Schedule(Nanos t, int c) { queue_.emplace(t, seq_++, c); }

  void Emit(const ClientState& s, EventType type, Value v, Nanos t) {
    sink_(MakeEvent(s.name, type, KindName(s.kind), std::move(v), t + s.offset, s.node));
  }

  void Step(Nanos t, int c) {
    ClientState& s = clients_[static_cast<size_t>(c)];
    if (s.stage == 0) {
      Invoke(t, s);
      s.stage = 1;
      const Nanos latency = Uniform(1, 20) * kMs;
      s.complete_at = t + latency;
      const double at = std::uniform_real_distribution<double>(0.1, 0.9)(rng_);
      Schedule(t + static_cast<Nanos>(static_cast<double>(latency) * at), c);
    } else if (s.stage == 1) {
      Effect(t, c, s);
      s.stage = 2;
      Schedule(s.complete_at, c);
    } else {
      Complete(t, s);
      s.stage = 0;
      if (--s.ops_left > 0) {
        Nanos next = t + Uniform(1, 50) * kMs;
        if (Chance(o_.pause_rate)) next += Uniform(0, 3 * o_.lease_ms) * kMs;
        Schedule(next, c);
      }
    }
  }

  void Invoke(Nanos t, ClientState& s) {
    const std::string lock = LockName(s.lock);
    if (!s.holding) {
      s.kind = Kind::kAcquire;
      s.lock = static_cast<int>(Uniform(0, o_.locks - 1));
      s.in = Map({{"lock", Value::String(LockName(s.lock))}});
    } else if (s.uses_left > 0) {
      --s.uses_left;
      if (Chance(0.8)) {
        s.kind = Kind::kWrite;
        s.in = Map({{"resource", Value::String(lock)},
                    {"token", Value::Int(s.token)},
                    {"value", Value::Int(++next_value_)}});
      } else {
        s.kind = Kind::kRead;
        s.in = Map({{"resource", Value::String(lock)}});
      }
    } else if (Chance(0.3)) {
      s.kind = Kind::kRenew;
      s.in = Map({{"lock", Value::String(lock)}, {"token", Value::Int(s.token)}});
    } else {
      s.kind = Kind::kRelease;
      s.in = Map({{"lock", Value::String(lock)}, {"token", Value::Int(s.token)}});
    }
    s.info = Chance(o_.info_rate);
    s.happens = !s.info || Chance(0.5);
    Emit(s, EventType::kInvoke, s.in, t);
  }

  void Effect(Nanos t, int c, ClientState& s) {
    LockState& l = locks_[static_cast<size_t>(s.lock)];
    StoreState& st = stores_[static_cast<size_t>(s.lock)];
    s.outcome = EventType::kFail;
    s.out = s.in;
    if (!s.happens) return;
    const Value lock = Value::String(LockName(s.lock));
    switch (s.kind) {
      case Kind::kAcquire:
        if (l.holder == -1 || l.expiry <= t) {
          l.holder = c;
          l.token = ++l.next;
          l.expiry = t + Lease();
          s.outcome = EventType::kOk;
          s.out = Map({{"lock", lock},
                       {"token", Value::Int(l.token)},
                       {"lease_ms", Value::Int(o_.lease_ms)}});
          if (o_.records) {
            Event e = MakeEvent("nemesis", EventType::kOk, "grant",
                                Map({{"lock", lock},
                                     {"token", Value::Int(l.token)},
                                     {"client", Value::String(s.name)}}),
                                t + service_offset_, o_.skew_ms > 0 ? "service" : "");
            sink_(std::move(e));
          }
        }
        return;
      case Kind::kRenew:
        if (l.holder == c && l.token == s.token && l.expiry > t) {
          l.expiry = t + Lease();
          s.outcome = EventType::kOk;
          s.out = Map({{"lock", lock},
                       {"token", Value::Int(s.token)},
                       {"lease_ms", Value::Int(o_.lease_ms)}});
        }
        return;
      case Kind::kRelease:
        if (l.holder == c && l.token == s.token) {
          l.holder = -1;
          s.outcome = EventType::kOk;
        }
        return;
      case Kind::kWrite:
        // Fenced, and checked against the service: only the live holder's token is accepted.
        if (s.token >= st.highest && l.holder == c && l.token == s.token && l.expiry > t) {
          st.highest = s.token;
          st.value = *s.in.Find("value");
          s.outcome = EventType::kOk;
        }
        return;
      case Kind::kRead:
        s.outcome = EventType::kOk;
        s.out = Map({{"resource", lock}, {"value", st.value}});
        return;
    }
  }

  void Complete(Nanos t, ClientState& s) {
    if (s.info) {
      Emit(s, EventType::kInfo, Value(), t);
      // Not knowing, a careful client stops relying on the lease.
      s.holding = false;
      return;
    }
    Emit(s, s.outcome, s.outcome == EventType::kFail ? Value() : s.out, t);
    switch (s.kind) {
      case Kind::kAcquire:
        if (s.outcome == EventType::kOk) {
          s.holding = true;
          s.token = s.out.Find("token")->int_value();
          s.uses_left = static_cast<int>(Uniform(1, 4));
        }
        break;
      case Kind::kRenew:
        if (s.outcome == EventType::kOk)
          s.uses_left = static_cast<int>(Uniform(1, 3));
        else
          s.holding = false;
        break;
      case Kind::kRelease:
        s.holding = false;
        break;
      case Kind::kWrite:
      case Kind::kRead:
        break;
    }
  }

  // Appended 10 s after the run, on one clock, with tokens above every issued one.
  void AppendFault() {
    if (o_.fault == SimFault::kNone) return;
    const Nanos base = end_ + 10'000 * kMs;
    const int64_t a = locks_[0].next + 1;
    auto ev = [&](const std::string& p, EventType type, const std::string& f, Value v, Nanos ms) {
      sink_(MakeEvent(p, type, f, std::move(v), base + ms * kMs, ""));
    };
    const Value lock = Value::String("L0");
    auto acquire = [&](const std::string& p, int64_t token, int64_t lease_ms, Nanos at) {
      ev(p, EventType::kInvoke, "acquire", Map({{"lock", lock}}), at);
      ev(p, EventType::kOk, "acquire",
         Map({{"lock", lock}, {"token", Value::Int(token)}, {"lease_ms", Value::Int(lease_ms)}}),
         at + 1);
    };
    auto write = [&](const std::string& p, int64_t token, EventType outcome, Nanos at) {
      Value v = Map(
          {{"resource", lock}, {"token", Value::Int(token)}, {"value", Value::Int(++next_value_)}});
      ev(p, EventType::kInvoke, "write", v, at);
      ev(p, outcome, "write", v, at + 1);
    };
    switch (o_.fault) {
      case SimFault::kNone:
        break;
      case SimFault::kStaleToken:
        acquire("x1", a, 100'000, 0);
        write("x1", a, EventType::kOk, 1'000);
        ev("x1", EventType::kInvoke, "release", Map({{"lock", lock}, {"token", Value::Int(a)}}),
           2'000);
        ev("x1", EventType::kOk, "release", Map({{"lock", lock}, {"token", Value::Int(a)}}), 2'001);
        acquire("x2", a + 1, 100'000, 3'000);
        write("x2", a + 1, EventType::kOk, 4'000);
        write("x1", a, EventType::kOk, 5'000);
        break;
      case SimFault::kExpiredLeaseWrite:
        acquire("x1", a, 1'000, 0);
        acquire("x2", a + 1, 100'000, 5'000);
        write("x1", a, EventType::kOk, 6'000);
        break;
      case SimFault::kForgedToken:
        write("x1", a + 1'000, EventType::kOk, 0);
        break;
      case SimFault::kForeignToken:
        acquire("x1", a, 100'000, 0);
        write("x2", a, EventType::kOk, 2);
        break;
      case SimFault::kOverlappingLeases:
        acquire("x1", a, 100'000, 0);
        acquire("x2", a + 1, 100'000, 1'000);
        break;
      case SimFault::kNonMonotonicGrant:
        acquire("x1", a + 5, 1'000, 0);
        acquire("x2", a + 4, 1'000, 5'000);
        break;
      case SimFault::kFalseRejection:
        acquire("x1", a, 100'000, 0);
        write("x1", a, EventType::kFail, 2);
        break;
    }
  }

  const SimOptions& o_;
  std::mt19937_64 rng_;
  std::vector<LockState> locks_;
  std::vector<StoreState> stores_;
  std::vector<ClientState> clients_;
  Nanos service_offset_ = 0;
  std::priority_queue<std::tuple<Nanos, uint64_t, int>,
                      std::vector<std::tuple<Nanos, uint64_t, int>>, std::greater<>>
      queue_;
  uint64_t seq_ = 0;
  Nanos end_ = 0;
  int64_t next_value_ = 0;
  std::function<void(Event)> sink_;
};

}  // namespace

std::vector<Event> Simulate(const SimOptions& options) {
  std::vector<Event> events;
  Simulation(options, [&](Event e) { events.push_back(std::move(e)); }).Run();
  return events;
}

StatusOr<History> SimulateHistory(const SimOptions& options, const std::string& name) {
  HistoryBuilder b(name);
  uint32_t line = 0;
  Status status;
  Simulation(options, [&](Event e) {
    if (!status.ok()) return;
    e.pos = {++line, 1};
    status = b.Add(std::move(e));
  }).Run();
  FENCELINE_RETURN_IF_ERROR(status);
  return b.Finish();
}

StatusOr<History> BuildHistory(std::vector<Event> events, const std::string& name) {
  HistoryBuilder b(name);
  uint32_t line = 0;
  for (Event& e : events) {
    e.pos = {++line, 1};
    FENCELINE_RETURN_IF_ERROR(b.Add(std::move(e)));
  }
  return b.Finish();
}

std::string FaultId(SimFault fault) {
  switch (fault) {
    case SimFault::kNone:
      return "";
    case SimFault::kStaleToken:
      return "stale-token";
    case SimFault::kExpiredLeaseWrite:
      return "expired-lease-write";
    case SimFault::kForgedToken:
      return "forged-token";
    case SimFault::kForeignToken:
      return "foreign-token";
    case SimFault::kOverlappingLeases:
      return "overlapping-leases";
    case SimFault::kNonMonotonicGrant:
      return "non-monotonic-grant";
    case SimFault::kFalseRejection:
      return "false-rejection";
  }
  return "";
}

}  // namespace fenceline::testing
