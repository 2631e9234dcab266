// The true-time world behind world_sim.h: a discrete-event loop over closures, in true time. A
// clock reading is true time scaled by the common rate error plus the node's offset, so any two
// readings of one instant differ by at most the skew bound, and a lease of D ms lasts between
// D(1-ρ) and D(1+ρ) as measured on any clock.
#include "fencing/world_sim.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <tuple>
#include <utility>

namespace fenceline::testing {
namespace {

constexpr Nanos kMs = 1'000'000;
constexpr Nanos kOpen = std::numeric_limits<Nanos>::max();

std::string Str(int64_t i) { return std::to_string(i); }

// Which of two overlapping leases came first is not always known from the events, so the key
// names the pair in a fixed order: by token, then process.
std::string OverlapKey(const std::string& lock, int64_t ta, const std::string& pa, int64_t tb,
                       const std::string& pb) {
  if (std::tie(tb, pb) < std::tie(ta, pa)) return OverlapKey(lock, tb, pb, ta, pa);
  return "overlapping-leases|" + lock + "|" + Str(ta) + "|" + pa + "|" + Str(tb) + "|" + pb;
}

Value Map(std::vector<std::pair<std::string, Value>> kv) {
  std::vector<Value> items;
  for (auto& [k, v] : kv) {
    items.push_back(Value::String(k));
    items.push_back(std::move(v));
  }
  return Value::Map(std::move(items));
}

std::string Named(const char* prefix, int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// A grant as it happened.
struct TGrant {
  int lock = 0;
  int64_t token = 0;
  std::string process;
  Nanos at = 0;
  Nanos contract_end = 0;  // the lease's end by its length and renewals
  Nanos cut = kOpen;       // released or revoked at
  Nanos End() const { return std::min(contract_end, cut); }
};

struct TWrite {
  int resource = 0;
  int64_t token = 0;
  std::string process;
  Nanos invoke = 0;
  Nanos effect = kOpen;  // accepted at; kOpen: not accepted
  Nanos rejected = kOpen;  // rejected though acceptable (a faulty storage) at
};

struct Waiter {
  int client = 0;
  int op = 0;  // the client's op serial, to tell whether it still waits
};

struct LockState {
  int holder = -1;       // index into grants_
  Nanos service_end = 0;  // when the service deems the holder's lease over
  std::vector<Waiter> queue;
  int64_t next = 0;
  int64_t last = 0;
};

struct Store {
  bool any = false;
  int64_t highest = 0;
  Value value;
};

enum class Kind { kAcquire, kRenew, kRelease, kWrite, kRead };

struct Client {
  int id = 0;
  int generation = 0;
  std::string process;
  std::string node;
  int ops_left = 0;
  int serial = 0;  // ops started
  bool holding = false;
  int lock = 0;
  int64_t token = 0;
  int uses_left = 0;
  int generation_waiting = 0;  // the serial of the blocking acquire still waiting, or 0
};

class Sim {
 public:
  explicit Sim(const WorldOptions& o) : o_(o), rng_(o.seed * 0x9e3779b97f4a7c15ULL + 17) {
    const double rho = o.drift_ppm / 1e6;
    rate_ = rho > 0 ? std::uniform_real_distribution<double>(-rho / 3, rho / 3)(rng_) : 0;
    lease_factor_ = rho > 0 ? std::uniform_real_distribution<double>(1 - rho / 2, 1 + rho / 2)(rng_)
                            : 1;
    const auto half = static_cast<Nanos>(o.skew_ms * 1e6 / 2);
    auto offset = [&] { return half > 0 ? Uniform(-half, half) : Nanos{0}; };
    if (o.one_clock) {
      service_node_ = "n0";
      offsets_["n0"] = 0;
    } else {
      service_node_ = o.skew_ms > 0 ? "service" : "";
      offsets_[service_node_] = o.skew_ms > 0 ? offset() : 0;
      for (int n = 0; n < o.nodes; ++n) {
        const std::string name = o.skew_ms > 0 || n % 2 == 1 ? Named("n", n) : "";
        if (!offsets_.contains(name)) offsets_[name] = o.skew_ms > 0 ? offset() : 0;
      }
    }
    locks_.resize(static_cast<size_t>(o.locks));
    stores_.resize(static_cast<size_t>(o.locks));
    for (int c = 0; c < o.clients; ++c) {
      Client cl;
      cl.id = c;
      cl.process = Named("p", c);
      if (o.one_clock) {
        cl.node = "n0";
      } else {
        const int n = c % std::max(1, o.nodes);
        cl.node = o.skew_ms > 0 || n % 2 == 1 ? Named("n", n) : "";
      }
      cl.ops_left = o.ops_per_client;
      clients_.push_back(cl);
      At(Uniform(0, 20) * kMs, [this, c] { StartOp(c); });
    }
  }

  World Run() {
    while (!queue_.empty()) {
      auto [t, seq, f] = queue_.top();
      queue_.pop();
      now_ = t;
      f();
    }
    World w;
    std::stable_sort(out_.begin(), out_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [t, e] : out_) w.events.push_back(std::move(e));
    w.truth = Truth();
    w.checker_options.clock_skew_ms = o_.skew_ms;
    w.checker_options.clock_drift_ppm = o_.drift_ppm;
    w.checker_options.threads = 1;  // small worlds: no thread pool
    return w;
  }

 private:
  using Item = std::tuple<Nanos, uint64_t, std::function<void()>>;
  struct Later {
    bool operator()(const Item& a, const Item& b) const {
      return std::tie(std::get<0>(a), std::get<1>(a)) > std::tie(std::get<0>(b), std::get<1>(b));
    }
  };

  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  void At(Nanos t, std::function<void()> f) { queue_.emplace(t, seq_++, std::move(f)); }
  Nanos Reading(const std::string& node, Nanos t) const {
    return static_cast<Nanos>(std::llround(static_cast<double>(t) * (1 + rate_))) +
           offsets_.at(node);
  }
  Nanos LeaseNs(int64_t ms) const {
    return static_cast<Nanos>(static_cast<double>(ms) * 1e6 * lease_factor_);
  }
  std::string LockName(int l) const { return Named("L", l); }

  void Emit(Nanos t, const std::string& process, const std::string& node, EventType type,
            const std::string& f, Value v, Value error = Value()) {
    Event e;
    e.process = Value::String(process);
    e.type = type;
    e.f = f;
    e.value = std::move(v);
    e.error = std::move(error);
    e.time = Reading(node, t);
    e.node = node;
    out_.emplace_back(t, std::move(e));
  }
  void Record(Nanos t, const std::string& f, int lock, int64_t token, const std::string& client) {
    if (!o_.records) return;
    const Nanos lag = o_.max_lag_ms > 0 ? Uniform(0, static_cast<int64_t>(o_.max_lag_ms * 1e6)) : 0;
    Emit(t + lag, "nemesis", service_node_, EventType::kOk, f,
         Map({{"lock", Value::String(LockName(lock))},
              {"token", Value::Int(token)},
              {"client", Value::String(client)}}));
  }

  // --- the lock service ---

  bool Free(const LockState& l, Nanos t) const { return l.holder < 0 || l.service_end <= t; }

  void EndHolder(int lock) {
    LockState& l = locks_[static_cast<size_t>(lock)];
    if (l.holder < 0) return;
    TGrant& g = grants_[static_cast<size_t>(l.holder)];
    // Expired by its length (an early-granting service forgets it sooner, but its lease, the
    // contract, runs on).
    if (g.cut == kOpen && g.contract_end <= now_) Record(g.contract_end, "expire", lock, g.token, g.process);
    l.holder = -1;
  }

  void Check(int lock) {
    LockState& l = locks_[static_cast<size_t>(lock)];
    if (l.holder >= 0 && l.service_end <= now_) EndHolder(lock);
    while (l.holder < 0 && !l.queue.empty()) {
      // A faulty service may serve its newest waiter first, so the oldest wait past a lease.
      const size_t k = o_.newest_first ? l.queue.size() - 1 : 0;
      const Waiter w = l.queue[k];
      l.queue.erase(l.queue.begin() + static_cast<std::ptrdiff_t>(k));
      Grant(lock, w);
    }
  }

  int64_t NextToken(LockState& l) {
    int64_t t = ++l.next;
    if (o_.token_reuse && l.last > 1 && Chance(0.1)) t = l.last - Uniform(0, 1);
    l.last = t;
    return t;
  }

  void Grant(int lock, const Waiter& w) {
    LockState& l = locks_[static_cast<size_t>(lock)];
    TGrant g;
    g.lock = lock;
    g.token = NextToken(l);
    g.process = pending_process_[{w.client, w.op}];
    g.at = now_;
    g.contract_end = now_ + LeaseNs(o_.lease_ms);
    const int id = static_cast<int>(grants_.size());
    grants_.push_back(g);
    l.holder = id;
    l.service_end = o_.early_grants && Chance(o_.early_grant_rate) ? now_ + LeaseNs(o_.lease_ms) / 2
                                                                   : g.contract_end;
    At(l.service_end, [this, lock] { Check(lock); });
    Record(now_, "grant", lock, g.token, g.process);
    if (o_.records && Chance(o_.revoke_rate)) {
      const Nanos when = now_ + Uniform(1, o_.lease_ms) * kMs / 2;
      At(when, [this, lock, id] {
        LockState& ls = locks_[static_cast<size_t>(lock)];
        TGrant& tg = grants_[static_cast<size_t>(id)];
        if (ls.holder != id || tg.cut != kOpen || tg.contract_end <= now_) return;
        tg.cut = now_;
        Record(now_, "revoke", lock, tg.token, tg.process);
        ls.holder = -1;
        Check(lock);
      });
    }
    issued_.push_back(id);
    granted_[{w.client, w.op}] = id;
    // A blocking acquire still waiting hears of it.
    auto it = on_grant_.find({w.client, w.op});
    if (it != on_grant_.end()) {
      auto f = std::move(it->second);
      on_grant_.erase(it);
      f(id);
    }
  }

  // --- clients ---

  void Next(int ci, Nanos from) {
    Client& c = clients_[static_cast<size_t>(ci)];
    if (--c.ops_left <= 0) return;
    Nanos t = from + Uniform(1, 50) * kMs;
    if (Chance(o_.pause_rate)) t += Uniform(0, 3 * o_.lease_ms) * kMs;
    At(t, [this, ci] { StartOp(ci); });
  }

  void Renumber(Client& c) {
    ++c.generation;
    c.process = Named("p", c.id + static_cast<int64_t>(c.generation) * o_.clients);
    c.holding = false;
  }

  int64_t ForgedToken(int lock) {
    const LockState& l = locks_[static_cast<size_t>(lock)];
    switch (Uniform(0, 4)) {
      case 0:
        return std::numeric_limits<int64_t>::max();
      case 1:
        return std::numeric_limits<int64_t>::min();
      case 2:
        return l.next + 1;  // the next token, guessed
      default:
        return Uniform(0, l.next + 5);
    }
  }

  void StartOp(int ci) {
    Client& c = clients_[static_cast<size_t>(ci)];
    const int serial = ++c.serial;
    const Nanos t = now_;
    const Nanos latency = Uniform(1, 20) * kMs;
    const Nanos effect = t + static_cast<Nanos>(static_cast<double>(latency) *
                                                std::uniform_real_distribution<double>(0.05, 0.95)(rng_));
    const Nanos done = t + latency;
    // Unknown outcome: 0 lost response, 1 never applied, 2 applied late.
    const bool info = Chance(o_.info_rate);
    const int mode = info ? static_cast<int>(Uniform(0, 2)) : 0;
    const bool applied = !info || mode != 1;
    const Nanos when = info && mode == 2 ? done + Uniform(0, o_.lease_ms) * kMs : effect;
    const bool silent = info && Chance(0.2);  // no completion at all
    const std::string process = c.process;
    const std::string node = c.node;

    auto finish = [this, ci, process, node, info, silent](Nanos at, EventType type,
                                                          const std::string& f, Value v,
                                                          Value error = Value()) {
      Client& cl = clients_[static_cast<size_t>(ci)];
      if (info) {
        if (!silent) Emit(at, process, node, EventType::kInfo, f, Value());
        Renumber(cl);
      } else {
        Emit(at, process, node, type, f, std::move(v), std::move(error));
      }
      Next(ci, at);
    };

    // A rogue write: forged or stolen token.
    const bool forge = Chance(o_.forger_rate);
    const bool steal = !forge && Chance(o_.thief_rate) && !issued_.empty();
    Kind kind;
    int lock = c.lock;
    int64_t token = c.token;
    if (forge || steal) {
      kind = Kind::kWrite;
      if (steal) {
        const TGrant& g = grants_[static_cast<size_t>(issued_[static_cast<size_t>(
            Uniform(0, static_cast<int64_t>(issued_.size()) - 1))])];
        lock = g.lock;
        token = g.token;
      } else {
        lock = c.holding ? c.lock : static_cast<int>(Uniform(0, o_.locks - 1));
        token = ForgedToken(lock);
      }
    } else if (!c.holding) {
      kind = Kind::kAcquire;
      // Hot lock: L0 gets half the acquires.
      lock = Chance(0.5) ? 0 : static_cast<int>(Uniform(0, o_.locks - 1));
    } else if (c.uses_left > 0) {
      --c.uses_left;
      kind = Chance(0.75) ? Kind::kWrite : Kind::kRead;
    } else {
      kind = Chance(0.35) ? Kind::kRenew : Kind::kRelease;
    }
    const Value lv = Value::String(LockName(lock));
    switch (kind) {
      case Kind::kAcquire: {
        Emit(t, process, node, EventType::kInvoke, "acquire", Map({{"lock", lv}}));
        const bool blocking = !Chance(o_.try_rate);
        pending_process_[{ci, serial}] = process;
        if (blocking) {
          auto granted = [this, ci, serial, lock, lv, finish, info](int id) {
            Client& cl = clients_[static_cast<size_t>(ci)];
            if (cl.serial != serial || cl.generation_waiting != serial) return;  // gave up
            cl.generation_waiting = 0;
            const Nanos back = now_ + Uniform(1, 10) * kMs;
            const TGrant& g = grants_[static_cast<size_t>(id)];
            const int64_t tok = g.token;
            At(back, [this, ci, lock, lv, tok, finish, info, back] {
              Client& c2 = clients_[static_cast<size_t>(ci)];
              if (!info) {
                c2.holding = true;
                c2.lock = lock;
                c2.token = tok;
                c2.uses_left = static_cast<int>(Uniform(1, 4));
              }
              finish(back, EventType::kOk, "acquire",
                     Map({{"lock", lv}, {"token", Value::Int(tok)},
                          {"lease_ms", Value::Int(o_.lease_ms)}}));
            });
          };
          c.generation_waiting = serial;
          on_grant_[{ci, serial}] = granted;
          if (applied) {
            At(when, [this, lock, ci, serial] {
              locks_[static_cast<size_t>(lock)].queue.push_back(Waiter{ci, serial});
              Check(lock);
            });
          }
          // The client gives up after two leases: unknown, the waiter stays queued.
          const Nanos give_up = t + 2 * o_.lease_ms * kMs;
          At(give_up, [this, ci, serial, process, node] {
            Client& cl = clients_[static_cast<size_t>(ci)];
            if (cl.serial != serial || cl.generation_waiting != serial) return;
            cl.generation_waiting = 0;
            on_grant_.erase({ci, serial});
            Emit(now_, process, node, EventType::kInfo, "acquire", Value());
            Renumber(cl);
            Next(ci, now_);
          });
        } else {
          if (applied) {
            At(when, [this, lock, ci, serial] {
              LockState& l = locks_[static_cast<size_t>(lock)];
              // A try-lock does not jump the queue.
              if (Free(l, now_) && l.queue.empty()) {
                if (l.holder >= 0) EndHolder(lock);
                Grant(lock, Waiter{ci, serial});
              }
            });
          }
          At(done, [this, ci, serial, lock, lv, finish, info] {
            auto it = granted_.find({ci, serial});
            Client& cl = clients_[static_cast<size_t>(ci)];
            if (it != granted_.end() && !info) {
              const TGrant& g = grants_[static_cast<size_t>(it->second)];
              cl.holding = true;
              cl.lock = lock;
              cl.token = g.token;
              cl.uses_left = static_cast<int>(Uniform(1, 4));
              finish(now_, EventType::kOk, "acquire",
                     Map({{"lock", lv}, {"token", Value::Int(g.token)},
                          {"lease_ms", Value::Int(o_.lease_ms)}}));
            } else {
              finish(now_, EventType::kFail, "acquire", Map({{"lock", lv}}));
            }
          });
        }
        return;
      }
      case Kind::kRenew:
      case Kind::kRelease: {
        const bool renew = kind == Kind::kRenew;
        const char* f = renew ? "renew" : "release";
        const Value v = Map({{"lock", lv}, {"token", Value::Int(token)}});
        Emit(t, process, node, EventType::kInvoke, f, v);
        // A renewal may ask for a shorter or longer lease; it never shortens one.
        const int64_t lease_ms = o_.lease_ms * Uniform(1, 3) / 2;
        auto ok = std::make_shared<bool>(false);
        if (applied) {
          At(when, [this, lock, token, process, renew, lease_ms, ok] {
            // etcd's unlock deletes the holder's key whether or not it is still there.
            if (!renew && o_.idempotent_release) *ok = true;
            LockState& l = locks_[static_cast<size_t>(lock)];
            if (l.holder < 0 || l.service_end <= now_) return;
            TGrant& g = grants_[static_cast<size_t>(l.holder)];
            if (g.token != token || g.process != process) return;
            *ok = true;
            if (renew) {
              g.contract_end = std::max(g.contract_end, now_ + LeaseNs(lease_ms));
              l.service_end = std::max(l.service_end, now_ + LeaseNs(lease_ms));
              At(l.service_end, [this, lock] { Check(lock); });
            } else {
              g.cut = now_;
              l.holder = -1;
              Check(lock);
            }
          });
        }
        At(done, [this, ci, f, lv, token, renew, lease_ms, ok, finish] {
          Client& cl = clients_[static_cast<size_t>(ci)];
          if (*ok && renew) {
            cl.uses_left = static_cast<int>(Uniform(1, 3));
            finish(now_, EventType::kOk, f,
                   Map({{"lock", lv}, {"token", Value::Int(token)},
                        {"lease_ms", Value::Int(lease_ms)}}));
            return;
          }
          cl.holding = false;
          finish(now_, *ok ? EventType::kOk : EventType::kFail, f,
                 Map({{"lock", lv}, {"token", Value::Int(token)}}));
        });
        return;
      }
      case Kind::kWrite: {
        const Value v = Map(
            {{"resource", lv}, {"token", Value::Int(token)}, {"value", Value::Int(++next_value_)}});
        Emit(t, process, node, EventType::kInvoke, "write", v);
        const auto w = writes_.size();
        writes_.push_back(TWrite{lock, token, process, t, kOpen});
        auto accepted = std::make_shared<bool>(false);
        if (applied) {
          At(when, [this, lock, token, v, w, accepted] {
            Store& s = stores_[static_cast<size_t>(lock)];
            if (o_.fenced && s.any && token < s.highest) return;
            if (o_.spurious_reject_rate > 0 && Chance(o_.spurious_reject_rate)) {
              writes_[w].rejected = now_;
              return;
            }
            s.highest = s.any ? std::max(s.highest, token) : token;
            s.any = true;
            s.value = *v.Find("value");
            writes_[w].effect = now_;
            *accepted = true;
          });
        }
        At(done, [this, v, accepted, finish] {
          finish(now_, *accepted ? EventType::kOk : EventType::kFail, "write", v,
                 *accepted ? Value() : Value::String("stale token"));
        });
        return;
      }
      case Kind::kRead: {
        const Value v = Map({{"resource", lv}});
        Emit(t, process, node, EventType::kInvoke, "read", v);
        auto seen = std::make_shared<Value>();
        At(effect, [this, lock, seen] { *seen = stores_[static_cast<size_t>(lock)].value; });
        At(done, [lv, seen, finish, this] {
          finish(now_, EventType::kOk, "read", Map({{"resource", lv}, {"value", *seen}}));
        });
        return;
      }
    }
  }

  // --- the truth ---

  std::set<std::string> Truth() const {
    std::set<std::string> t;
    auto lock_of = [&](int l) { return LockName(l); };
    // stale-token
    for (int r = 0; r < o_.locks; ++r) {
      std::vector<const TWrite*> acc;
      for (const TWrite& w : writes_) {
        if (w.resource == r && w.effect != kOpen) acc.push_back(&w);
      }
      std::sort(acc.begin(), acc.end(),
                [](const TWrite* a, const TWrite* b) { return a->effect < b->effect; });
      bool any = false;
      int64_t max = 0;
      for (const TWrite* w : acc) {
        if (any && w->token < max) t.insert("stale-token|" + lock_of(r));
        max = any ? std::max(max, w->token) : w->token;
        any = true;
      }
    }
    for (const TWrite& w : writes_) {
      const std::string R = lock_of(w.resource);
      bool before = false, to_writer = false, to_other = false;
      for (const TGrant& g : grants_) {
        if (g.lock != w.resource || g.token != w.token) continue;
        before = before || g.at < w.invoke;
        (g.process == w.process ? to_writer : to_other) = true;
      }
      const std::string tail = "|" + R + "|" + Str(w.token) + "|" + w.process;
      if (!before) t.insert("forged-token" + tail);
      if (to_other && !to_writer) t.insert("foreign-token" + tail);
      // false-rejection: an acceptable token (not below the highest) of the writer's live lease.
      if (w.rejected != kOpen) {
        for (const TGrant& g : grants_) {
          if (g.lock == w.resource && g.token == w.token && g.process == w.process &&
              g.at <= w.rejected && w.rejected < g.End()) {
            t.insert("false-rejection" + tail);
          }
        }
      }
      if (w.effect == kOpen) continue;
      for (const TGrant& g : grants_) {
        if (g.lock != w.resource || g.token != w.token || g.process != w.process) continue;
        if (!(g.End() < w.invoke)) continue;
        for (const TGrant& q : grants_) {
          if (q.lock != w.resource || q.process == w.process || q.token <= w.token ||
              !(q.at < w.invoke)) {
            continue;
          }
          t.insert("expired-lease-write" + tail + "|" + Str(q.token) + "|" + q.process);
          t.insert("expired-lease-write" + tail + "|");
        }
      }
    }
    for (const TGrant& a : grants_) {
      for (const TGrant& b : grants_) {
        if (a.lock != b.lock || !(a.at < b.at)) continue;
        const std::string L = lock_of(a.lock);
        if (b.token <= a.token) {
          t.insert("non-monotonic-grant|" + L + "|" + Str(b.token) + "|" + Str(a.token));
          t.insert("non-monotonic-grant|" + L + "|" + Str(b.token) + "|");
        }
        if (a.process != b.process && b.at < a.End()) {
          t.insert(OverlapKey(L, a.token, a.process, b.token, b.process));
        }
      }
    }
    return t;
  }

  const WorldOptions& o_;
  std::mt19937_64 rng_;
  double rate_ = 0, lease_factor_ = 1;
  std::string service_node_;
  std::map<std::string, Nanos> offsets_;
  std::vector<LockState> locks_;
  std::vector<Store> stores_;
  std::vector<Client> clients_;
  std::vector<TGrant> grants_;
  std::vector<int> issued_;
  std::vector<TWrite> writes_;
  std::map<std::pair<int, int>, std::string> pending_process_;
  std::map<std::pair<int, int>, int> granted_;
  std::map<std::pair<int, int>, std::function<void(int)>> on_grant_;
  std::priority_queue<Item, std::vector<Item>, Later> queue_;
  uint64_t seq_ = 0;
  Nanos now_ = 0;
  int64_t next_value_ = 0;
  std::vector<std::pair<Nanos, Event>> out_;
};

}  // namespace

World SimulateWorld(const WorldOptions& options) { return Sim(options).Run(); }

// --- the judge: the recorded events only ---

namespace {

struct JOp {
  std::string process, f, node;
  EventType outcome = EventType::kInfo;  // kInfo also for no completion
  Nanos call = 0, ret = kOpen;
  Value in, out;
  const Value* Field(const char* k) const {
    if (out.is_map() && out.Find(k) != nullptr) return out.Find(k);
    return in.is_map() ? in.Find(k) : nullptr;
  }
  std::string Name(const char* k) const {
    const Value* v = Field(k);
    return v != nullptr && v->is_string() ? v->text() : "";
  }
  std::optional<int64_t> Int(const char* k) const {
    const Value* v = Field(k);
    if (v == nullptr || !v->is_int()) return std::nullopt;
    return v->int_value();
  }
};

struct JRecord {
  std::string f, lock, client, node;
  int64_t token = 0;
  Nanos at = 0;
};

struct JStamp {
  Nanos t;
  std::string node;
};

}  // namespace

std::set<std::string> JudgeProvable(const std::vector<Event>& events, const FencingOptions& options) {
  std::vector<JOp> ops;
  std::vector<JRecord> recs;
  std::map<std::string, size_t> open;
  std::set<std::string> nodes;
  for (const Event& e : events) {
    nodes.insert(e.node);
    const std::string p = e.process.is_string() ? e.process.text() : e.process.ToDisplay();
    if (p == "nemesis") {
      recs.push_back(JRecord{e.f, e.value.Find("lock")->text(), e.value.Find("client")->text(),
                             e.node, e.value.Find("token")->int_value(), *e.time});
      continue;
    }
    if (e.type == EventType::kInvoke) {
      open[p] = ops.size();
      JOp o;
      o.process = p;
      o.f = e.f;
      o.node = e.node;
      o.call = *e.time;
      o.in = e.value;
      ops.push_back(o);
    } else {
      JOp& o = ops[open.at(p)];
      o.outcome = e.type;
      if (e.type != EventType::kInfo) o.ret = *e.time;
      o.out = e.value;
      open.erase(p);
    }
  }
  // The bound applies only between clocks the history uses.
  const Nanos skew = nodes.size() > 1 ? static_cast<Nanos>(std::llround(options.clock_skew_ms * 1e6)) : 0;
  const double rho = options.clock_drift_ppm / 1e6;
  auto cb = [&](const JStamp& a, const JStamp& b) {  // a certainly before b
    if (a.t == kOpen || b.t == kOpen) return false;
    return b.t - a.t > (a.node == b.node ? 0 : skew);
  };
  auto longest = [&](int64_t ms) {
    return static_cast<Nanos>(std::ceil(static_cast<double>(ms) * 1e6 * (1 + rho)));
  };
  auto shortest = [&](int64_t ms) {
    return static_cast<Nanos>(std::floor(static_cast<double>(ms) * 1e6 * (1 - rho)));
  };
  auto is = [](const JOp& o, const char* f, EventType t) { return o.f == f && o.outcome == t; };

  std::set<std::string> proven;
  std::set<std::string> locks_with_records;
  for (const JRecord& r : recs) {
    if (r.f == "grant") locks_with_records.insert(r.lock);
  }
  // Issuing events of a token on a lock: (client, acquire-ok op or -1, record or -1).
  struct Issue {
    std::string client;
    const JOp* acquire = nullptr;
    const JOp* renew = nullptr;
    const JRecord* record = nullptr;
  };
  std::map<std::pair<std::string, int64_t>, std::vector<Issue>> issues;
  for (const JOp& o : ops) {
    if ((is(o, "acquire", EventType::kOk) || is(o, "renew", EventType::kOk)) && o.Int("token")) {
      Issue i;
      i.client = o.process;
      (o.f == "acquire" ? i.acquire : i.renew) = &o;
      issues[{o.Name("lock"), *o.Int("token")}].push_back(i);
    }
  }
  for (const JRecord& r : recs) {
    if (r.f != "grant") continue;
    Issue i;
    i.client = r.client;
    i.record = &r;
    issues[{r.lock, r.token}].push_back(i);
  }
  auto unknown_acquire = [&](const std::string& lock, const std::string* by, Nanos before) {
    for (const JOp& o : ops) {
      if (o.f != "acquire" || o.outcome != EventType::kInfo || o.Name("lock") != lock) continue;
      if (by != nullptr && o.process != *by) continue;
      if (o.call < before) return true;
    }
    return false;
  };
  // stale-token: certainly ordered accepted writes, the later with a lower token. A resource
  // stamped on several clocks needs the skew bound for every pair (docs/fencing.md).
  std::map<std::string, std::set<std::string>> resource_nodes;
  for (const JOp& o : ops) {
    if (o.f == "write" || o.f == "read") resource_nodes[o.Name("resource")].insert(o.node);
  }
  for (const JOp& a : ops) {
    if (!is(a, "write", EventType::kOk)) continue;
    const std::string R = a.Name("resource");
    const Nanos gap = resource_nodes[R].size() > 1 ? skew : 0;
    for (const JOp& b : ops) {
      if (!is(b, "write", EventType::kOk) || b.Name("resource") != R) continue;
      if (*b.Int("token") < *a.Int("token") && b.call - a.ret > gap) {
        proven.insert("stale-token|" + R);
      }
    }
  }
  for (const JOp& w : ops) {
    if (w.f != "write") continue;
    const std::string R = w.Name("resource");  // guarded by the lock of the same name
    const int64_t T = *w.Int("token");
    const std::string tail = "|" + R + "|" + Str(T) + "|" + w.process;
    const bool records = locks_with_records.contains(R);
    const auto it = issues.find({R, T});
    // forged-token: never issued, or issued only by acquires certainly invoked after the write;
    // and no acquire of unknown outcome invoked before the write + the skew could have issued it.
    bool only_after = true;
    if (it != issues.end()) {
      for (const Issue& i : it->second) {
        if (i.acquire == nullptr || !cb({w.call, w.node}, {i.acquire->call, i.acquire->node})) {
          only_after = false;
        }
      }
    }
    if (only_after && (records || !unknown_acquire(R, nullptr, w.call + skew))) {
      proven.insert("forged-token" + tail);
    }
    if (it == issues.end()) continue;
    // foreign-token: issued to others only, and the writer has no acquire of unknown outcome on
    // the lock that might have been granted it too.
    bool to_writer = false, to_other = false;
    for (const Issue& i : it->second) (i.client == w.process ? to_writer : to_other) = true;
    if (to_other && !to_writer && (records || !unknown_acquire(R, &w.process, kOpen))) {
      proven.insert("foreign-token" + tail);
    }
    // false-rejection: a rejected write; T issued to the writer only, by one acquire ok
    // certainly before the write, whose lease (from its invoke) certainly outlives the write; no
    // release of T that may have come first; every revoke of T answered by a renew ok invoked
    // certainly after the write (a release ok proves nothing held: etcd's unlock answers ok on a
    // lease already gone); no higher token on R presented before it.
    if (w.outcome == EventType::kFail && !to_other) {
      const JOp* acq = nullptr;
      int acquires = 0;
      for (const Issue& i : it->second) {
        if (i.acquire != nullptr) {
          acq = i.acquire;
          ++acquires;
        }
      }
      bool live = acquires == 1 && acq->Int("lease_ms") && cb({acq->ret, acq->node}, {w.call, w.node}) &&
                  cb({w.ret, w.node}, {acq->call + shortest(*acq->Int("lease_ms")), acq->node});
      bool held_after = false;
      for (const JOp& o : ops) {
        if (!live || o.process != w.process || o.Name("lock") != R || o.Int("token") != T) continue;
        if (o.f == "release" && o.outcome != EventType::kFail && !cb({w.ret, w.node}, {o.call, o.node})) {
          live = false;
        }
        if (o.f == "renew" && o.outcome == EventType::kOk &&
            cb({w.ret, w.node}, {o.call, o.node})) {
          held_after = true;
        }
      }
      for (const JRecord& r : recs) {
        if (r.f == "revoke" && r.lock == R && r.token == T && !held_after) live = false;
      }
      for (const JOp& o : ops) {
        if (live && o.f == "write" && o.outcome != EventType::kFail && o.Name("resource") == R &&
            *o.Int("token") > T && !cb({w.ret, w.node}, {o.call, o.node})) {
          live = false;
        }
      }
      if (live) proven.insert("false-rejection" + tail);
    }
    // expired-lease-write: one acquire ok issued T, to the writer; no renewal of unknown outcome;
    // the lease certainly over before the write; a rival grant certainly before it.
    if (w.outcome != EventType::kOk) continue;
    const JOp* acq = nullptr;
    bool simple = true;
    for (const Issue& i : it->second) {
      if (i.acquire != nullptr && acq == nullptr && i.client == w.process) {
        acq = i.acquire;
      } else if (i.renew != nullptr && i.client == w.process) {
      } else if (i.record != nullptr && i.client == w.process) {
      } else {
        simple = false;
      }
    }
    if (!simple || acq == nullptr || !acq->Int("lease_ms")) continue;
    const JStamp x{w.call, w.node};
    bool length_over = cb({acq->ret + longest(*acq->Int("lease_ms")), acq->node}, x);
    for (const JOp& o : ops) {
      if (o.f != "renew" || o.process != w.process || o.Name("lock") != R || o.Int("token") != T) {
        continue;
      }
      if (o.outcome == EventType::kInfo || (o.outcome == EventType::kOk && !o.Int("lease_ms"))) {
        length_over = false;
      } else if (o.outcome == EventType::kOk) {
        length_over = length_over && cb({o.ret + longest(*o.Int("lease_ms")), o.node}, x);
      }
    }
    bool over = length_over;
    for (const JOp& o : ops) {
      if (is(o, "release", EventType::kOk) && o.process == w.process && o.Name("lock") == R &&
          o.Int("token") == T && cb({o.ret, o.node}, x)) {
        over = true;
      }
    }
    for (const JRecord& r : recs) {
      if ((r.f == "expire" || r.f == "revoke") && r.lock == R && r.token == T &&
          r.client == w.process && cb({r.at, r.node}, x)) {
        over = true;
      }
    }
    if (!over) continue;
    for (const auto& [key, list] : issues) {
      if (key.first != R || key.second <= T) continue;
      for (const Issue& i : list) {
        if (i.client == w.process || i.renew != nullptr) continue;
        const JStamp hi = i.acquire != nullptr ? JStamp{i.acquire->ret, i.acquire->node}
                                               : JStamp{i.record->at, i.record->node};
        if (cb(hi, x)) proven.insert("expired-lease-write" + tail + "|");
      }
    }
  }
  // non-monotonic-grant, from acquire oks whose tokens were issued once.
  for (const JOp& a : ops) {
    if (!is(a, "acquire", EventType::kOk)) continue;
    const std::string L = a.Name("lock");
    const int64_t Ta = *a.Int("token");
    if (issues[{L, Ta}].size() != 1) continue;
    for (const JOp& b : ops) {
      if (&a == &b || !is(b, "acquire", EventType::kOk) || b.Name("lock") != L) continue;
      const int64_t Tb = *b.Int("token");
      if (cb({a.ret, a.node}, {b.call, b.node}) && Tb <= Ta) {
        proven.insert("non-monotonic-grant|" + L + "|" + Str(Tb) + "|");
      }
    }
  }
  // The grants the overlap proofs reason about, whatever the events that show them: each a token
  // of a lock issued to one client, by at most one acquire ok and at most one grant record (and
  // any renew oks). Its instant lies after `lo` (the acquire's invoke; for a grant known only from
  // a record or a renewal, the earliest invoke of that client's acquires of unknown outcome on the
  // lock, the only ones that could have issued it; none: no lower bound) and before each of `his`
  // (the acquire's ok, the record, a renewal's ok: each an upper bound). Its lease is certainly
  // live until before every stamp of `held_until` (empty: not known live): its length from the
  // acquire's invoke and from each renewal's, D(1-rho) (only the service's record of a grant
  // gives no length the client may rely on), and every release's invoke; a revoke record may
  // have ended it at once.
  struct JGrant {
    std::string lock, client;
    int64_t token = 0;
    std::optional<JStamp> lo;
    std::vector<JStamp> his;
    std::vector<JStamp> held_until;
  };
  std::vector<JGrant> grants;
  for (const auto& [key, list] : issues) {
    JGrant g;
    g.lock = key.first;
    g.token = key.second;
    g.client = list.front().client;
    const JOp* acq = nullptr;
    int acquires = 0, records = 0;
    bool one_client = true;
    for (const Issue& i : list) {
      one_client = one_client && i.client == g.client;
      if (i.acquire != nullptr) {
        ++acquires;
        acq = i.acquire;
        g.his.push_back({i.acquire->ret, i.acquire->node});
      }
      if (i.record != nullptr) {
        ++records;
        g.his.push_back({i.record->at, i.record->node});
      }
      if (i.renew != nullptr) g.his.push_back({i.renew->ret, i.renew->node});
    }
    if (!one_client || acquires > 1 || records > 1) continue;
    if (acq != nullptr) {
      g.lo = JStamp{acq->call, acq->node};
    } else {
      for (const JOp& o : ops) {
        if (o.f == "acquire" && o.outcome == EventType::kInfo && o.process == g.client &&
            o.Name("lock") == g.lock && (!g.lo || o.call < g.lo->t)) {
          g.lo = JStamp{o.call, o.node};  // one process, one clock
        }
      }
    }
    bool revoked = false;
    for (const JRecord& r : recs) {
      revoked = revoked || (r.f == "revoke" && r.lock == g.lock && r.token == g.token);
    }
    std::optional<JStamp> length;
    if (acq != nullptr && acq->Int("lease_ms")) {
      length = JStamp{acq->call + shortest(*acq->Int("lease_ms")), acq->node};
    }
    // A renew ok extends it to at least its own call + D(1-rho); it never shortens it.
    for (const JOp& o : ops) {
      if (!is(o, "renew", EventType::kOk) || o.process != g.client || o.Name("lock") != g.lock ||
          o.Int("token") != g.token || !o.Int("lease_ms")) {
        continue;
      }
      const JStamp e{o.call + shortest(*o.Int("lease_ms")), o.node};
      if (!length) {
        length = e;
      } else if (length->node == e.node) {
        length->t = std::max(length->t, e.t);
      }
    }
    if (!revoked && length) {
      g.held_until.push_back(*length);
      for (const JOp& o : ops) {
        if (o.f == "release" && o.outcome != EventType::kFail && o.process == g.client &&
            o.Name("lock") == g.lock && o.Int("token") == g.token) {
          g.held_until.push_back({o.call, o.node});
        }
      }
    }
    grants.push_back(std::move(g));
  }
  auto granted_before = [&](const JGrant& g, const JStamp& x) {
    for (const JStamp& h : g.his) {
      if (cb(h, x)) return true;
    }
    return false;
  };
  // Granted certainly before the lease of `f` can have ended.
  auto granted_within = [&](const JGrant& g, const JGrant& f) {
    if (f.held_until.empty()) return false;
    for (const JStamp& e : f.held_until) {
      if (!granted_before(g, e)) return false;
    }
    return true;
  };
  // overlapping-leases, ordered, and non-monotonic-grant: a certainly granted before b; b granted
  // before a's lease certainly ended.
  for (const JGrant& a : grants) {
    for (const JGrant& b : grants) {
      if (&a == &b || a.lock != b.lock || !b.lo || !granted_before(a, *b.lo)) continue;
      if (b.token <= a.token) proven.insert("non-monotonic-grant|" + a.lock + "|" + Str(b.token) + "|");
      if (a.client != b.client && granted_within(b, a)) {
        proven.insert(OverlapKey(a.lock, a.token, a.client, b.token, b.client));
      }
    }
  }
  // non-monotonic-grant whatever the order: one token in two acquire oks of different clients.
  for (const JOp& a : ops) {
    for (const JOp& b : ops) {
      if (&a == &b || !is(a, "acquire", EventType::kOk) || !is(b, "acquire", EventType::kOk) ||
          a.process == b.process || a.Name("lock") != b.Name("lock") ||
          a.Int("token") != b.Int("token")) {
        continue;
      }
      proven.insert("non-monotonic-grant|" + a.Name("lock") + "|" + Str(*a.Int("token")) + "|");
    }
  }
  // overlapping-leases by elimination, brute force over A's grant instant gA, somewhere in
  // (A.lo, min A.his] on A.lo's clock. A rival R (another client's grant of the lock) certainly
  // overlaps A when gA lies in S_R = (L_R, U_R): R's grant certainly before gA (L_R: R's earliest
  // upper bound, or no bound if R was granted certainly before A's lease can have ended anyway)
  // and gA before R's own end (U_R = max(R.lo, the least of R.held_until); R.lo only counts when
  // L_R is no bound: then R was granted while A's lease was live). Stamps of other clocks are
  // moved by the skew toward the weaker side. If the S_R of one rival cover A's interval, that
  // pair is certain; if several are needed, the key names them all: in every world one of those
  // pairs overlapped.
  {
    auto shift = [&](const std::string& from, const std::string& to) {
      return from == to ? Nanos{0} : skew;
    };
    constexpr Nanos kBelow = std::numeric_limits<Nanos>::min();
    for (const JGrant& A : grants) {
      if (!A.lo) continue;
      const std::string& ref = A.lo->node;
      Nanos a_hi = std::numeric_limits<Nanos>::max();
      for (const JStamp& h : A.his) a_hi = std::min(a_hi, h.t + shift(h.node, ref));
      struct Piece {
        Nanos lo, hi;  // open, on A's reference clock
        const JGrant* rival;
      };
      std::vector<Piece> pieces;
      for (const JGrant& R : grants) {
        if (&R == &A || R.lock != A.lock || R.client == A.client) continue;
        const bool before_end = granted_within(R, A);
        Nanos lo = kBelow;
        if (!before_end) {
          lo = std::numeric_limits<Nanos>::max();
          for (const JStamp& h : R.his) lo = std::min(lo, h.t + shift(h.node, ref));
        }
        Nanos hi = before_end && R.lo ? R.lo->t - shift(R.lo->node, ref) : kBelow;
        if (!R.held_until.empty()) {
          Nanos end = std::numeric_limits<Nanos>::max();
          for (const JStamp& e : R.held_until) end = std::min(end, e.t - shift(e.node, ref));
          hi = std::max(hi, end);
        }
        if (lo < hi) pieces.push_back({lo, hi, &R});
      }
      // Greedy cover of [lo, hi] by open pieces.
      std::vector<const JGrant*> used;
      Nanos cur = A.lo->t;
      bool covered = false;
      while (true) {
        const Piece* best = nullptr;
        for (const Piece& p : pieces) {
          if (p.lo < cur && p.hi > cur && (best == nullptr || p.hi > best->hi)) best = &p;
        }
        if (best == nullptr) break;
        used.push_back(best->rival);
        if (best->hi > a_hi) {
          covered = true;
          break;
        }
        cur = best->hi;
      }
      if (!covered) continue;
      if (used.size() == 1) {
        proven.insert(OverlapKey(A.lock, A.token, A.client, used[0]->token, used[0]->client));
        continue;
      }
      std::set<int64_t> tokens{A.token};
      for (const JGrant* u : used) tokens.insert(u->token);
      std::string key = "overlapping-leases-among|" + A.lock;
      for (int64_t t : tokens) key += "|" + Str(t);
      proven.insert(key);
    }
  }
  return proven;
}

std::string ViolationKey(const Violation& v) {
  auto token = [&](size_t i) { return i < v.tokens.size() ? Str(v.tokens[i]) : std::string(); };
  auto client = [&](size_t i) { return i < v.clients.size() ? v.clients[i] : std::string(); };
  if (v.id == "stale-token") return "stale-token|" + v.resource;
  if (v.id == "forged-token" || v.id == "foreign-token" || v.id == "false-rejection") {
    return v.id + "|" + v.resource + "|" + token(0) + "|" + client(0);
  }
  if (v.id == "expired-lease-write") {
    return v.id + "|" + v.resource + "|" + token(0) + "|" + client(0) + "|" + token(1) + "|" +
           client(1);
  }
  if (v.id == "overlapping-leases" && v.tokens.size() == 2 && v.clients.size() == 2) {
    return OverlapKey(v.lock, v.tokens[0], v.clients[0], v.tokens[1], v.clients[1]);
  }
  // Against one client's holding of several leases: one of those pairs, as the judge's key by
  // elimination names them.
  if (v.id == "overlapping-leases" && v.tokens.size() > 2 && v.clients.size() == 2) {
    std::set<int64_t> tokens(v.tokens.begin(), v.tokens.end());
    std::string key = "overlapping-leases-among|" + v.lock;
    for (int64_t t : tokens) key += "|" + Str(t);
    return key;
  }
  if (v.id == "non-monotonic-grant") return v.id + "|" + v.lock + "|" + token(0) + "|" + token(1);
  return "";
}

}  // namespace fenceline::testing
