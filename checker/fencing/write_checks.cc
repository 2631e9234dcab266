// forged-token, foreign-token, expired-lease-write, write-after-expiry and false-rejection: the
// checks of the writes one lock guards (lock_checks.h).
#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checker/fencing/lease_timeline.h"
#include "checker/fencing/lock_checks.h"
#include "fenceline/fencing.h"

namespace fenceline::internal {
namespace {

Nanos SatAdd(Nanos a, Nanos b) {
  if (a == kNever || b == kNever) return kNever;
  if (b > 0 && a > kNever - b) return kNever;
  return a + b;
}
// Later rejections a dangerous forged token caused that a violation lists in its timeline.
constexpr size_t kMaxLinkedRejections = 5;

std::string Outcome3(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "the storage accepted it";
    case Outcome::kFail:
      return "the storage rejected it";
    case Outcome::kInfo:
      return "the storage may have accepted it";
  }
  return "";
}

class WriteChecks : public LockCheck {
 public:
  WriteChecks(const FencingInput& in, uint32_t lock, bool grants_non_monotonic,
              std::vector<Violation>& out)
      : LockCheck(in, lock, out), non_monotonic_(grants_non_monotonic) {}

  void Run() { Writes(); }

  // What Writes() allocates for a lock (the sum of the arrays it builds; those built by
  // push_back are counted at twice their size, for the doubling). Bytes.
  static size_t BytesBound(const LockData& ld) {
    const size_t n = ld.grants.size(), u = ld.unknown.size(), w = ld.writes.size();
    // by_hi and rivals_, suffix_min_, rival_top_, lo_prefix_min_.
    const size_t grants = 2 * n * sizeof(uint32_t) + (n + 1) * sizeof(TokenBound) +
                          2 * n * sizeof(Top2) + 2 * u * sizeof(TokenBound);
    // per_resource (at most a resource a write: a map node and its two lists), the resources
    // linked to lock-outs, and one write's locked_out list.
    const size_t writes = w * (2 * kTreeNodeBytes + sizeof(ResourceWrites)) +
                          2 * w * (sizeof(uint32_t) + sizeof(int64_t)) + 2 * w * sizeof(uint32_t);
    return grants + writes;
  }

 private:
  struct ResourceWrites {
    std::vector<uint32_t> writes;    // by call
    std::vector<int64_t> max_token;  // prefix max over accepted or unknown writes
  };

  // Whether an acquire of unknown outcome could have issued `token` before `w` was invoked, and
  // which: one by `only_client` if set. Such an acquire was invoked not certainly after the write,
  // and (tokens increase) issued a token above every token granted certainly before its invoke
  // and below every token granted certainly after the write. Once this lock's grants are seen
  // not to increase, any such acquire could have issued any token.
  bool UnknownCouldIssue(const Write& w, int64_t token, uint32_t only_client) const {
    if (ld_.has_records || ld_.unknown.empty()) return false;
    const auto k = static_cast<size_t>(
        std::lower_bound(ld_.unknown.begin(), ld_.unknown.end(), SatAdd(w.call.t, in_.skew_ns),
                         [](const UnknownAcquire& u, Nanos t) { return u.call.t < t; }) -
        ld_.unknown.begin());
    if (k == 0) return false;
    if (only_client != kNoIndex) {
      bool any = false;
      for (size_t i = 0; i < k && !any; ++i) any = ld_.unknown[i].client == only_client;
      if (!any) return false;
    }
    if (non_monotonic_) return true;
    auto first_after =
        std::upper_bound(ld_.grants.begin(), ld_.grants.end(), SatAdd(w.call.t, in_.skew_ns),
                         [&](Nanos t, uint32_t g) { return t < G(g).granted_lo.t; });
    const TokenBound& hi = suffix_min_[static_cast<size_t>(first_after - ld_.grants.begin())];
    const TokenBound& lo = lo_prefix_min_[k - 1];
    return (lo.none || lo.token < token) && (hi.none || token < hi.token);
  }

  void Writes() {
    // Tokens an acquire of unknown outcome could have issued: above every token granted
    // certainly before its invoke (lo), below every token granted certainly after the write. A
    // bound is "none" rather than a sentinel token, so INT64_MIN and INT64_MAX are tokens like
    // any other.
    std::vector<uint32_t> by_hi = ld_.grants;
    std::stable_sort(by_hi.begin(), by_hi.end(),
                     [&](uint32_t a, uint32_t b) { return G(a).granted_hi.t < G(b).granted_hi.t; });
    {
      size_t gi = 0;
      TokenBound max_before;  // none: no grant certainly before
      TokenBound running_min;
      bool first = true;
      for (const UnknownAcquire& u : ld_.unknown) {
        while (gi < by_hi.size() && G(by_hi[gi]).granted_hi.t != kNever &&
               G(by_hi[gi]).granted_hi.t < u.call.t - in_.skew_ns) {
          const int64_t t = G(by_hi[gi++]).token;
          if (max_before.none || t > max_before.token) max_before = {false, t};
        }
        if (first || max_before.none || (!running_min.none && max_before.token < running_min.token))
          running_min = max_before;
        first = false;
        lo_prefix_min_.push_back(running_min);
      }
    }
    // Suffix minima of tokens over grants by granted_lo.
    suffix_min_.assign(ld_.grants.size() + 1, TokenBound{});
    for (size_t i = ld_.grants.size(); i-- > 0;) {
      const int64_t t = G(ld_.grants[i]).token;
      const TokenBound& next = suffix_min_[i + 1];
      suffix_min_[i] = next.none || t < next.token ? TokenBound{false, t} : next;
    }
    bool any_issued = false;
    int64_t max_issued = 0;
    for (uint32_t g : ld_.grants) {
      if (!any_issued || G(g).token > max_issued) max_issued = G(g).token;
      any_issued = true;
    }
    // Rivals for expired-lease-write: grants by granted_hi, with prefix maxima of their tokens
    // over two distinct clients, so that "a grant to another client than c with a token above T
    // before x" is a binary search.
    rivals_ = by_hi;
    rival_top_.clear();
    {
      Top2 t;
      for (uint32_t g : rivals_) {
        t.Add(G(g).token, G(g).client);
        rival_top_.push_back(t);
      }
    }

    std::map<uint32_t, ResourceWrites> per_resource;
    for (uint32_t wi : ld_.writes) per_resource[in_.writes[wi].resource].writes.push_back(wi);
    for (auto& [r, rw] : per_resource) {
      int64_t m = std::numeric_limits<int64_t>::min();
      for (uint32_t wi : rw.writes) {
        const Write& w = in_.writes[wi];
        if (w.outcome != Outcome::kFail) m = std::max(m, w.token);
        rw.max_token.push_back(m);
      }
    }

    for (uint32_t wi : ld_.writes) {
      const Write& w = in_.writes[wi];
      const std::vector<uint32_t>* issued = in_.GrantsWithToken(lock_, w.token);
      // forged-token: no grant of the token before the write, in some reading of the clocks.
      Proof p;
      if (issued != nullptr) {
        for (uint32_t g : *issued) {
          if (!p.Need(Before(in_, w.call, G(g).granted_lo))) break;
        }
      }
      if (p.face) {
        if (UnknownCouldIssue(w, w.token, kNoIndex)) {
          p.certain = false;
          p.unknown_outcome = true;
        }
        Forged(w, issued, p, !any_issued || w.token > max_issued, per_resource[w.resource]);
      }
      if (issued == nullptr) continue;
      // foreign-token, whether or not a forgery is also possible: the token went to others only.
      uint32_t own = kNoIndex, other = kNoIndex;
      for (uint32_t g : *issued) {
        if (G(g).client == w.client)
          own = g;
        else if (other == kNoIndex)
          other = g;
      }
      if (own == kNoIndex) {
        Foreign(w, G(other));
        continue;
      }
      if (!in_.timed) continue;
      if (w.outcome != Outcome::kFail)
        Expired(w, G(own));
      else
        FalseRejection(w, G(own), per_resource[w.resource]);
    }
  }

  void Forged(const Write& w, const std::vector<uint32_t>* issued, const Proof& p,
              bool above_every, const ResourceWrites& rw) {
    Violation v = Make("forged-token", Severity::kError, p);
    const std::string& who = Client(w.client);
    v.resource = in_.resources[w.resource];
    v.clients = {who};
    v.tokens = {w.token};
    AppendOp(h_, w.op, "write with token " + std::to_string(w.token), v.timeline);
    std::string msg = who + " wrote to " + v.resource + " with token " + std::to_string(w.token) +
                      At(w.call) + ", ";
    if (issued != nullptr) {
      const Grant& g = G(issued->front());
      if (Client(g.client) != who) v.clients.push_back(Client(g.client));
      AddGrantEvidence(g, "token " + std::to_string(w.token) + " issued only now", v);
      msg += FormatSeconds(g.granted_lo.t - w.call.t) + " before the lock service issued token " +
             std::to_string(w.token) + " for " + LockName() + " (to " + Client(g.client) + ")";
    } else {
      msg += "a token the lock service never issued for " + LockName();
    }
    msg += "; " + Outcome3(w.outcome);
    if (above_every && w.outcome != Outcome::kFail) {
      const bool link = !linked_resources_.contains(w.resource);
      linked_resources_.insert(w.resource);
      // Under max-seen fencing the storage now rejects every honest holder.
      std::vector<uint32_t> locked_out;
      // The first such write on a resource gets the later rejections linked; scanning them for
      // every forged write would be quadratic.
      for (size_t i = 0; link && i < rw.writes.size(); ++i) {
        const Write& later = in_.writes[rw.writes[i]];
        if (later.outcome == Outcome::kFail && later.token < w.token && later.call.t > w.call.t) {
          locked_out.push_back(rw.writes[i]);
        }
      }
      msg += ", and as it is above every token issued for " + LockName() +
             ", under max-seen fencing it locks every honest holder out";
      if (!locked_out.empty()) {
        msg += ": the storage then rejected " + std::to_string(locked_out.size()) + " later write" +
               (locked_out.size() == 1 ? "" : "s");
        const Write& first = in_.writes[locked_out.front()];
        msg += " (first " + Client(first.client) + "'s with token " + std::to_string(first.token) +
               At(first.call) + ")";
      }
      for (size_t i = 0; i < locked_out.size() && i < kMaxLinkedRejections; ++i) {
        const Write& later = in_.writes[locked_out[i]];
        AppendOp(h_, later.op, "rejected because of forged token " + std::to_string(w.token),
                 v.timeline);
        if (std::find(v.clients.begin(), v.clients.end(), Client(later.client)) ==
            v.clients.end()) {
          v.clients.push_back(Client(later.client));
        }
      }
    }
    v.message = std::move(msg);
    Emit(std::move(v));
  }

  void Foreign(const Write& w, const Grant& g) {
    Proof p;
    // Were one of the writer's own acquires of unknown outcome to have been granted the token as
    // well, the token would have been issued twice: still a fault, but not this one.
    if (UnknownCouldIssue(w, w.token, w.client)) {
      p.certain = false;
      p.unknown_outcome = true;
    }
    Violation v = Make("foreign-token", Severity::kError, p);
    v.resource = in_.resources[w.resource];
    v.clients = {Client(w.client), Client(g.client)};
    v.tokens = {w.token};
    AppendOp(h_, w.op, Client(w.client) + " presents token " + std::to_string(w.token), v.timeline);
    AddGrantEvidence(g, "token " + std::to_string(w.token) + " granted to " + Client(g.client), v);
    v.message = Client(w.client) + " wrote to " + v.resource + " with token " +
                std::to_string(w.token) + At(w.call) + ", but the lock service granted token " +
                std::to_string(w.token) + " on " + LockName() + " to " + Client(g.client) +
                At(g.granted_hi) + "; " + Outcome3(w.outcome);
    Emit(std::move(v));
  }

  std::string EndPhrase(const Grant& g, const EndBefore& e) const {
    if (e.cap >= 0) {
      const EventRef& ref = g.cap_refs[static_cast<size_t>(e.cap)];
      if (ref.kind == EventRef::Kind::kRecord) {
        return "the lock service " + h_.other_events[ref.index].f + "d its lease on " + LockName();
      }
      return "it released " + LockName();
    }
    return "its lease on " + LockName() + " expired";
  }

  // The earliest grant (by its latest instant) to a client other than `client`, with a token
  // above `token`, before `x`: certainly if there is one, else as written; nullptr if none.
  const Grant* Rival(uint32_t client, int64_t token, const Stamp& x, Order& order) const {
    const auto face_n = static_cast<size_t>(
        std::lower_bound(rivals_.begin(), rivals_.end(), x.t,
                         [&](uint32_t g, Nanos t) { return G(g).granted_hi.t < t; }) -
        rivals_.begin());
    auto has = [&](size_t i) { return rival_top_[i].Above(token, client); };
    if (face_n == 0 || !has(face_n - 1)) return nullptr;
    size_t lo = 0, hi = face_n - 1;  // the first index whose prefix has a rival
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (has(mid))
        hi = mid;
      else
        lo = mid + 1;
    }
    const Grant* face = nullptr;
    for (size_t i = lo; i < face_n; ++i) {
      const Grant& o = G(rivals_[i]);
      if (o.client == client || o.token <= token) continue;
      const Order ord = GrantedBefore(in_, o, x);
      if (face == nullptr) {
        face = &o;
        order = ord;
      }
      if (ord.certain) {
        order = ord;
        return &o;
      }
    }
    return face;
  }

  void Expired(const Write& w, const Grant& g) {
    Proof p;
    EndBefore e = LeaseOverBefore(in_, g, w.call, false);
    if (e.at.t != kNever && e.order.face) {
      p.Need(e.order);
    } else {
      // Only if a renewal of unknown outcome did not extend it.
      e = LeaseOverBefore(in_, g, w.call, true);
      if (e.at.t == kNever || !e.order.face) return;
      p.certain = false;
      p.unknown_outcome = true;
    }
    if (w.outcome == Outcome::kInfo) {
      p.certain = false;
      p.unknown_outcome = true;
    }
    // Another client's grant of the lock, with a higher token, before the write: whichever
    // acquire was invoked first (a blocking acquire waits in the lock's queue).
    Order other_order;
    const Grant* other = Rival(w.client, w.token, w.call, other_order);
    const std::string& who = Client(w.client);
    const std::string id = other != nullptr ? "expired-lease-write" : "write-after-expiry";
    Proof q = p;
    if (other != nullptr) q.Need(other_order);
    Violation v = Make(id, other != nullptr ? Severity::kError : Severity::kWarning, q);
    v.resource = in_.resources[w.resource];
    v.clients = {who};
    v.tokens = {w.token};
    AppendOp(h_, w.op, "write with token " + std::to_string(w.token) + " after the lease ended",
             v.timeline);
    AddGrantEvidence(g, who + " granted token " + std::to_string(w.token), v);
    if (e.cap >= 0) AppendRef(h_, g.cap_refs[static_cast<size_t>(e.cap)], "lease ended", v.timeline);
    std::string msg = who + " wrote with token " + std::to_string(w.token) + At(w.call) + ", " +
                      FormatSeconds(w.call.t - e.at.t) + " after " + EndPhrase(g, e);
    if (other != nullptr) {
      v.clients.push_back(Client(other->client));
      v.tokens.push_back(other->token);
      AddGrantEvidence(*other,
                       Client(other->client) + " granted token " + std::to_string(other->token), v);
      msg += " and " + FormatSeconds(w.call.t - other->granted_hi.t) + " after " +
             Client(other->client) + " was granted token " + std::to_string(other->token);
    }
    msg += "; " + Outcome3(w.outcome);
    v.message = std::move(msg);
    Emit(std::move(v));
  }

  void FalseRejection(const Write& w, const Grant& g, const ResourceWrites& rw) {
    if (g.live_until.t == kNever) return;
    Proof p;
    if (!p.Need(GrantedBefore(in_, g, w.call))) return;
    if (!p.Need(Before(in_, w.ret, g.live_until))) return;
    // A release (of any outcome) that may have come first may have ended the lease.
    for (uint32_t r : g.releases) {
      if (!p.Need(Before(in_, w.ret, Stamp{h_.ops[r].call, in_.op_node[r]}))) return;
    }
    // A revoke record is an upper bound on the revoke, which may have come at any instant after
    // the grant: it excuses the rejection unless the lease was certainly still held after the
    // write (a renew ok invoked certainly after it: the service does not renew a revoked lease;
    // a release ok proves nothing, etcd's unlock answers ok on a revoked lease). A record stamped
    // before the write, as written, excuses it; one stamped after leaves it possible (the revoke
    // may still have come first).
    std::vector<uint32_t> revokes_maybe_before;
    for (uint32_t e : g.end_records) {
      if (h_.other_events[e].f != "revoke") continue;
      bool held_after = false;
      for (const Stamp& at : g.held_at) held_after = held_after || Before(in_, w.ret, at).certain;
      if (held_after) continue;
      const Stamp record{h_.other_events[e].time.value_or(kNever), in_.event_node[e]};
      if (!Before(in_, w.ret, record).face) return;
      revokes_maybe_before.push_back(e);
    }
    if (!revokes_maybe_before.empty()) {
      p.certain = false;
      p.unknown_outcome = true;  // the revoke's instant, not the clock, makes it uncertain
    }
    // A higher token presented before the rejection explains it.
    auto upto = [&](Nanos t) {
      return static_cast<size_t>(
          std::lower_bound(rw.writes.begin(), rw.writes.end(), t,
                           [&](uint32_t wi, Nanos x) { return in_.writes[wi].call.t < x; }) -
          rw.writes.begin());
    };
    const size_t face_n = upto(w.ret.t);
    if (face_n > 0 && rw.max_token[face_n - 1] > w.token) return;
    const size_t cert_n = upto(w.ret.t + in_.skew_ns);
    for (size_t i = face_n; i < cert_n; ++i) {
      const Write& o = in_.writes[rw.writes[i]];
      if (o.outcome != Outcome::kFail && o.token > w.token) p.Need(Before(in_, w.ret, o.call));
    }
    Violation v = Make("false-rejection", Severity::kWarning, p);
    const std::string& who = Client(w.client);
    v.resource = in_.resources[w.resource];
    v.clients = {who};
    v.tokens = {w.token};
    AppendOp(h_, w.op, "rejected write with the current token " + std::to_string(w.token),
             v.timeline);
    AddGrantEvidence(g, who + " granted token " + std::to_string(w.token), v);
    v.message = "the storage rejected " + who + "'s write to " + v.resource + " with token " +
                std::to_string(w.token) + At(w.call) +
                ", although no higher token had been "
                "presented to it and " +
                who + "'s lease on " + LockName() + " was certainly live until " +
                FormatSeconds(g.live_until.t);
    for (uint32_t e : revokes_maybe_before) {
      AppendRecord(h_, e, "revoke recorded after the write; it may have come before", v.timeline);
    }
    if (!revokes_maybe_before.empty()) {
      v.message += ", unless the lock service's revoke, recorded later, came before the write";
    }
    Emit(std::move(v));
  }

  // A token bound: none (no grant bounds it) or a token.
  struct TokenBound {
    bool none = true;
    int64_t token = 0;
  };
  // The highest token over a prefix of grants, and the highest of a client other than its.
  struct Top2 {
    bool has1 = false, has2 = false;
    int64_t t1 = 0, t2 = 0;
    uint32_t c1 = 0;
    void Add(int64_t t, uint32_t c) {
      if (!has1 || t > t1) {
        if (has1 && c1 != c) {
          t2 = t1;
          has2 = true;
        }
        t1 = t;
        c1 = c;
        has1 = true;
      } else if (c != c1 && (!has2 || t > t2)) {
        t2 = t;
        has2 = true;
      }
    }
    // Whether a grant to a client other than `c` has a token above `token`.
    bool Above(int64_t token, uint32_t c) const {
      if (has1 && c1 != c) return t1 > token;
      return has2 && t2 > token;
    }
  };

  const bool non_monotonic_;  // a grant not above an earlier one, as written
  std::vector<TokenBound> lo_prefix_min_;
  std::vector<TokenBound> suffix_min_;
  std::vector<uint32_t> rivals_;         // the lock's grants by granted_hi
  std::vector<Top2> rival_top_;          // prefix of rivals_
  std::set<uint32_t> linked_resources_;  // resources whose lock-out rejections are linked
};

}  // namespace

size_t WriteChecksBytesBound(const FencingInput& in, uint32_t lock) {
  return WriteChecks::BytesBound(in.per_lock[lock]);
}

void CheckWrites(const FencingInput& in, uint32_t lock, bool grants_non_monotonic,
                 std::vector<Violation>& out) {
  WriteChecks(in, lock, grants_non_monotonic, out).Run();
}

}  // namespace fenceline::internal
