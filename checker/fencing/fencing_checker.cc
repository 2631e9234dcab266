// CheckFencing: the lease and token checks, one lock at a time, plus the stale-token check
// through the linearizability engine (include/fenceline/fencing.h, docs/fencing.md).
//
// Every check is a sweep over one lock's grants or writes, sorted once by lease_timeline.cc:
//   non-monotonic-grant  grants by grant time; the highest token granted certainly before;
//   overlapping-leases   grants by grant time; an active set of leases that may still be live;
//   forged-token         per write, the grants of its token, and the tokens an acquire of
//                        unknown outcome could have issued (prefix minima, suffix minima);
//   foreign-token, expired-lease-write, write-after-expiry, false-rejection  per write.
// Locks are independent, so they run in parallel on oneTBB (the brief for issue 4 allows it
// here); each writes only its own slot and the results are concatenated in lock order, then
// sorted, so the report does not depend on the thread count.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checker/fencing/lease_timeline.h"
#include "checker/fencing/stale_token.h"
#include "fenceline/fencing.h"

namespace fenceline {

std::string_view SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

std::string_view CertaintyName(Certainty c) {
  return c == Certainty::kCertain ? "certain" : "possible";
}

std::string_view FencingVerdictName(FencingVerdict v) {
  switch (v) {
    case FencingVerdict::kSafe:
      return "safe";
    case FencingVerdict::kViolation:
      return "violation";
    case FencingVerdict::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

namespace internal {
namespace {

Nanos SatAdd(Nanos a, Nanos b) {
  if (a == kNever || b == kNever) return kNever;
  if (b > 0 && a > kNever - b) return kNever;
  return a + b;
}
// Later rejections a dangerous forged token caused that a violation lists in its timeline.
constexpr size_t kMaxLinkedRejections = 5;

std::string At(const Stamp& s) {
  return s.t == kNever ? std::string() : " at " + FormatSeconds(s.t);
}

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

class LockChecker {
 public:
  LockChecker(const FencingInput& in, uint32_t lock)
      : in_(in), h_(*in.history), lock_(lock), ld_(in.per_lock[lock]) {}

  std::vector<Violation> Run() {
    NonMonotonicGrants();
    if (in_.timed) OverlappingLeases();
    Writes();
    return std::move(out_);
  }

 private:
  const Grant& G(uint32_t g) const { return in_.grants[g]; }
  const std::string& Client(uint32_t c) const { return in_.clients[c]; }
  const std::string& LockName() const { return in_.locks[lock_]; }

  Violation Make(std::string id, Severity severity, const Proof& p) const {
    Violation v;
    v.id = std::move(id);
    v.severity = severity;
    v.certainty = p.certain ? Certainty::kCertain : Certainty::kPossible;
    if (!p.certain && !p.unknown_outcome && p.margin) {
      v.margin_ms = static_cast<double>(*p.margin) / 1e6;
    }
    v.lock = LockName();
    return v;
  }

  void AddGrantEvidence(const Grant& g, const std::string& note, Violation& v) const {
    for (size_t i = 0; i < g.evidence.size(); ++i) {
      AppendRef(h_, g.evidence[i], i == 0 ? note : "", v.timeline);
    }
  }

  void Emit(Violation v) {
    SortTimeline(v.timeline);
    out_.push_back(std::move(v));
  }

  // non-monotonic-grant: against the highest token granted before, as written, then checked
  // under the clock model; if that pair is uncertain, the highest token certainly before: on
  // b's own clock (certain as soon as it is before as written) or on any clock (before by more
  // than the skew bound).
  void NonMonotonicGrants() {
    const std::set<uint32_t> reused = ReusedTokens();
    std::vector<uint32_t> by_hi = ld_.grants;
    std::stable_sort(by_hi.begin(), by_hi.end(),
                     [&](uint32_t a, uint32_t b) { return G(a).granted_hi.t < G(b).granted_hi.t; });
    size_t face_i = 0, cert_i = 0;
    uint32_t face_max = kNoIndex, cert_max = kNoIndex;
    std::vector<uint32_t> node_max(in_.nodes.size(), kNoIndex);
    auto raise = [&](uint32_t& m, uint32_t g) {
      if (m == kNoIndex || G(g).token > G(m).token) m = g;
    };
    for (uint32_t g2 : ld_.grants) {
      const Grant& b = G(g2);
      if (b.granted_lo.t == kNever || b.granted_lo.t == kPast) continue;
      while (face_i < by_hi.size() && G(by_hi[face_i]).granted_hi.t < b.granted_lo.t) {
        const uint32_t g = by_hi[face_i++];
        raise(face_max, g);
        raise(node_max[G(g).granted_hi.node], g);
      }
      while (cert_i < by_hi.size() && G(by_hi[cert_i]).granted_hi.t != kNever &&
             G(by_hi[cert_i]).granted_hi.t < b.granted_lo.t - in_.skew_ns) {
        raise(cert_max, by_hi[cert_i++]);
      }
      if (face_max == kNoIndex || G(face_max).token < b.token) continue;
      non_monotonic_ = true;
      // Already reported whatever the order, by ReusedTokens.
      if (G(face_max).token == b.token && reused.contains(g2)) continue;
      uint32_t g1 = face_max;
      Proof p;
      p.Need(GrantedBefore(in_, G(g1), b.granted_lo));
      for (uint32_t alt : {node_max[b.granted_lo.node], cert_max}) {
        if (p.certain || alt == kNoIndex || G(alt).token < b.token) continue;
        Proof q;
        q.Need(GrantedBefore(in_, G(alt), b.granted_lo));
        if (q.certain) {
          g1 = alt;
          p = q;
        }
      }
      if (!p.face) continue;
      const Grant& a = G(g1);
      Violation v = Make("non-monotonic-grant", Severity::kError, p);
      v.clients = {Client(b.client)};
      if (a.client != b.client) v.clients.push_back(Client(a.client));
      v.tokens = {b.token, a.token};
      AddGrantEvidence(a, "earlier grant of token " + std::to_string(a.token), v);
      AddGrantEvidence(b, "later grant of token " + std::to_string(b.token), v);
      v.message = "the lock service granted " + LockName() + " to " + Client(b.client) +
                  " with token " + std::to_string(b.token) + At(b.granted_hi) +
                  ", not greater than token " + std::to_string(a.token) + " it had granted to " +
                  Client(a.client) + At(a.granted_hi) +
                  "; fencing tokens must increase with every grant";
      Emit(std::move(v));
    }
  }

  // non-monotonic-grant whatever the order: one token granted by two acquire oks to different
  // clients. Whichever grant came first, the second did not get a greater token, so no time
  // need be compared. (Only acquire oks: a watch may deliver one grant record twice.) Returns
  // the grants so reported.
  std::set<uint32_t> ReusedTokens() {
    std::set<uint32_t> reported;
    auto from_acquire = [&](const Grant& g) {
      if (g.implied) return false;
      for (const EventRef& e : g.evidence) {
        if (e.kind == EventRef::Kind::kCompletion) return true;
      }
      return false;
    };
    for (uint32_t g : ld_.grants) {
      const std::vector<uint32_t>* same = in_.GrantsWithToken(lock_, G(g).token);
      if (same == nullptr || same->size() < 2 || same->front() != g) continue;
      uint32_t first = kNoIndex, second = kNoIndex;
      for (uint32_t x : *same) {
        if (!from_acquire(G(x))) continue;
        if (first == kNoIndex) {
          first = x;
        } else if (G(x).client != G(first).client) {
          second = x;
          break;
        }
      }
      if (second == kNoIndex) continue;
      non_monotonic_ = true;
      // Listed as the other check lists them: the later (as written) first.
      if (G(second).granted_hi.t < G(first).granted_hi.t) std::swap(first, second);
      const Grant& a = G(first);
      const Grant& b = G(second);
      for (uint32_t x : *same) reported.insert(x);
      Violation v = Make("non-monotonic-grant", Severity::kError, Proof{});
      v.clients = {Client(b.client), Client(a.client)};
      v.tokens = {b.token, a.token};
      const std::string t = std::to_string(a.token);
      AddGrantEvidence(a, "token " + t + " granted to " + Client(a.client), v);
      AddGrantEvidence(b, "token " + t + " granted again, to " + Client(b.client), v);
      v.message = "the lock service granted " + LockName() + " with token " + t + " to " +
                  Client(a.client) + At(a.granted_hi) + " and again to " + Client(b.client) +
                  At(b.granted_hi) +
                  "; whichever grant came first, the later one's token was not greater; fencing "
                  "tokens must increase with every grant";
      Emit(std::move(v));
    }
    return reported;
  }

  // overlapping-leases. Two leases of different clients overlap in every world if, whichever
  // grant came first, the second came while the first lease was certainly live: (1) a certainly
  // granted before b, and b granted before a's lease certainly ended; (2) the mirror image; or
  // (3) neither grant certainly first, but each granted before the other's lease certainly
  // ended (live_until, and the invoke of every release of it). (3) is what settles a grant whose
  // instant is spread over more than a lease (a blocking acquire that waited longer): in every
  // world it came inside some rival's certainly-live window or had a rival's grant inside its
  // own, and such rivals then certainly overlap each other by (3) (docs/fencing.md).
  void OverlappingLeases() {
    // Positions in ld_.grants (by granted_lo), so that the bookkeeping is the lock's size.
    const auto n = static_cast<uint32_t>(ld_.grants.size());
    std::vector<uint32_t> by_hi(n);
    for (uint32_t i = 0; i < n; ++i) by_hi[i] = i;
    auto hi = [&](uint32_t i) { return G(ld_.grants[i]).granted_hi.t; };
    std::stable_sort(by_hi.begin(), by_hi.end(),
                     [&](uint32_t a, uint32_t b) { return hi(a) < hi(b); });
    // 0: not yet a candidate; 1: in `active`; 2: its lease is over as written before the grants
    // still to come, so it can overlap none of them.
    std::vector<uint8_t> state(n, 0);
    // Pairs met as (later by granted_lo, earlier), so that each pair is judged once.
    std::set<std::pair<uint32_t, uint32_t>> judged_early;
    std::vector<uint32_t> active;
    auto add = [&](uint32_t i) {
      if (state[i] != 0 || G(ld_.grants[i]).live_until.t == kNever) return;
      state[i] = 1;
      active.push_back(i);
    };
    size_t next = 0;
    for (uint32_t j = 0; j < n; ++j) {
      const Grant& b = G(ld_.grants[j]);
      if (b.granted_lo.t != kNever && b.granted_lo.t != kPast && b.granted_hi.t != kNever) {
        // Leases granted before b as written, whatever their invokes.
        while (next < n && hi(by_hi[next]) < b.granted_lo.t) add(by_hi[next++]);
        // A lease no longer live as written cannot overlap this or any later grant.
        std::erase_if(active, [&](uint32_t i) {
          if (G(ld_.grants[i]).live_until.t > b.granted_lo.t) return false;
          state[i] = 2;
          return true;
        });
        for (uint32_t i : active) {
          if (i == j || G(ld_.grants[i]).client == b.client) continue;
          if (i > j) {
            judged_early.insert({i, j});
          } else if (judged_early.contains({j, i})) {
            continue;
          }
          JudgePair(ld_.grants[i], ld_.grants[j]);
        }
      }
      add(j);
    }
  }

  // How b's grant stands against a's lease: granted before it certainly ended (live_until, and
  // every release's invoke), or a release of unknown outcome may have ended it first.
  struct Within {
    Proof p;
    std::vector<uint32_t> uncertain_releases;
  };
  Within GrantedWithin(const Grant& b, const Grant& a) const {
    Within w;
    w.p.Need(GrantedBefore(in_, b, a.live_until));
    for (uint32_t r : a.releases) {
      const Operation& rel = h_.ops[r];
      const Stamp call{rel.call, in_.op_node[r]};
      if (rel.outcome == Outcome::kOk) {
        w.p.Need(GrantedBefore(in_, b, call));
      } else if (!GrantedBefore(in_, b, call).certain) {
        // A release of unknown outcome may have ended the lease before the grant.
        w.p.certain = false;
        w.p.unknown_outcome = true;
        w.uncertain_releases.push_back(r);
      }
    }
    return w;
  }

  static Proof Both(Proof p, const Proof& q) {
    p.certain = p.certain && q.certain;
    p.face = p.face && q.face;
    p.unknown_outcome = p.unknown_outcome || q.unknown_outcome;
    if (q.margin) p.margin = p.margin ? std::min(*p.margin, *q.margin) : q.margin;
    return p;
  }

  void JudgePair(uint32_t ga, uint32_t gb) {
    const Grant& a0 = G(ga);
    const Grant& b0 = G(gb);
    // Every reading needs one grant before the other's lease certainly ended, as written.
    auto may_precede = [&](const Grant& g, const Grant& f) {
      if (f.live_until.t == kNever) return false;
      Nanos at = g.granted_hi.t;
      if (g.granted_hi_alt.t != kNever) at = std::min(at, g.granted_hi_alt.t);
      return at < f.live_until.t;
    };
    if (!may_precede(b0, a0) && !may_precede(a0, b0)) return;
    // An end record is an upper bound on the end it reports. A revoke may have come at any time
    // after the grant, so it may have ended that lease before the other grant, in every reading
    // that needs it live. An expiry cannot come before the lease's length ran out, which
    // live_until already bounds.
    auto revoked = [&](const Grant& g) {
      for (uint32_t e : g.end_records) {
        if (h_.other_events[e].f == "revoke") return true;
      }
      return false;
    };
    // The three readings, best first: certain before face; among equals, an order over none.
    struct Reading {
      const Grant* first;
      const Grant* second;
      bool ordered;
      Proof p;
      std::vector<uint32_t> uncertain_releases;
    };
    std::vector<Reading> readings;
    for (bool a_first : {true, false}) {
      const Grant& f = a_first ? a0 : b0;
      const Grant& s = a_first ? b0 : a0;
      if (f.live_until.t == kNever || revoked(f)) continue;
      Within w = GrantedWithin(s, f);
      Proof order;
      order.Need(GrantedBefore(in_, f, s.granted_lo));
      readings.push_back({&f, &s, true, Both(order, w.p), std::move(w.uncertain_releases)});
    }
    if (a0.live_until.t != kNever && b0.live_until.t != kNever && !revoked(a0) && !revoked(b0)) {
      Within wa = GrantedWithin(b0, a0);
      Within wb = GrantedWithin(a0, b0);
      // Listed by grant, as written: the earlier latest instant first.
      const bool a_first = a0.granted_hi.t <= b0.granted_hi.t;
      Reading r{a_first ? &a0 : &b0, a_first ? &b0 : &a0, false, Both(wa.p, wb.p), {}};
      r.uncertain_releases = std::move(wa.uncertain_releases);
      r.uncertain_releases.insert(r.uncertain_releases.end(), wb.uncertain_releases.begin(),
                                  wb.uncertain_releases.end());
      readings.push_back(std::move(r));
    }
    const Reading* best = nullptr;
    for (const Reading& r : readings) {
      if (!r.p.face) continue;
      if (best == nullptr || (r.p.certain && !best->p.certain)) best = &r;
    }
    if (best == nullptr) return;
    const Grant& a = *best->first;
    const Grant& b = *best->second;
    Violation v = Make("overlapping-leases", Severity::kError, best->p);
    v.clients = {Client(a.client), Client(b.client)};
    v.tokens = {a.token, b.token};
    const std::string ta = std::to_string(a.token), tb = std::to_string(b.token);
    for (uint32_t r : best->uncertain_releases) {
      AppendOp(h_, r, "release of unknown outcome", v.timeline);
    }
    if (best->ordered) {
      AddGrantEvidence(a, Client(a.client) + " granted token " + ta, v);
      AddGrantEvidence(b,
                       Client(b.client) + " granted token " + tb + " while " + Client(a.client) +
                           "'s lease was live",
                       v);
      v.message = Client(b.client) + " was granted " + LockName() + " with token " + tb +
                  At(b.granted_hi) + " while " + Client(a.client) + "'s lease with token " + ta +
                  " was certainly live until " + FormatSeconds(a.live_until.t) +
                  " and not released; the lock service let two clients hold " + LockName() +
                  " at once";
    } else {
      AddGrantEvidence(a,
                       Client(a.client) + " granted token " + ta + ", before " + Client(b.client) +
                           "'s lease certainly ended",
                       v);
      AddGrantEvidence(b,
                       Client(b.client) + " granted token " + tb + ", before " + Client(a.client) +
                           "'s lease certainly ended",
                       v);
      v.message = Client(a.client) + " was granted " + LockName() + " with token " + ta +
                  At(a.granted_hi) + " and " + Client(b.client) + " with token " + tb +
                  At(b.granted_hi) + ", each before the other's lease certainly ended (" +
                  Client(a.client) + "'s was certainly live until " +
                  FormatSeconds(a.live_until.t) + ", " + Client(b.client) + "'s until " +
                  FormatSeconds(b.live_until.t) +
                  ", neither released); which grant came first the events cannot tell, but "
                  "either way it was made while the other lease was live: the lock service let "
                  "two clients hold " +
                  LockName() + " at once";
    }
    Emit(std::move(v));
  }

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
    // write (a renew or release ok invoked certainly after it: the service does not renew or
    // release a revoked lease). A record stamped before the write, as written, excuses it; one
    // stamped after leaves it possible (the revoke may still have come first).
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

  const FencingInput& in_;
  const History& h_;
  uint32_t lock_;
  const LockData& ld_;
  bool non_monotonic_ = false;  // a grant not above an earlier one, as written
  std::vector<TokenBound> lo_prefix_min_;
  std::vector<TokenBound> suffix_min_;
  std::vector<uint32_t> rivals_;  // the lock's grants by granted_hi
  std::vector<Top2> rival_top_;   // prefix of rivals_
  std::vector<Violation> out_;
  std::set<uint32_t> linked_resources_;  // resources whose lock-out rejections are linked
};

uint32_t FirstLine(const Violation& v) {
  uint32_t line = std::numeric_limits<uint32_t>::max();
  for (const TimelineEvent& e : v.timeline) {
    if (e.line != 0) line = std::min(line, e.line);
  }
  return line;
}

}  // namespace
}  // namespace internal

StatusOr<FencingResult> CheckFencing(const History& history, const FencingOptions& options) {
  internal::MemoryBudget budget(options.memory_budget);
  return internal::CheckFencingInBudget(history, options, budget);
}

StatusOr<FencingResult> internal::CheckFencingInBudget(const History& history,
                                                       const FencingOptions& options,
                                                       MemoryBudget& budget) {
  using internal::FencingInput;
  // The analysis' own arrays share the searches' account: reserved before they are built (an
  // upper bound), then held at their size until the searches are done.
  internal::MemoryAccount account(budget);
  auto over_budget = [&](size_t bytes) {
    FencingResult over;
    over.verdict = FencingVerdict::kInconclusive;
    over.notes.push_back("memory limit of " + std::to_string(budget.limit() >> 20) +
                         " MiB reached before the fencing analysis: its lease timeline of " +
                         std::to_string(history.ops.size()) + " operations needs up to " +
                         std::to_string((bytes + (1 << 20) - 1) >> 20) +
                         " MiB (raise --memory-limit); nothing was checked");
    return over;
  };
  size_t timeline_bytes = internal::TimelineBytesBound(history);
  if (!account.Reserve(timeline_bytes)) return over_budget(timeline_bytes);
  size_t reserved = timeline_bytes;
  FENCELINE_ASSIGN_OR_RETURN(FencingInput in, internal::BuildLeaseTimeline(history, options));
  timeline_bytes = internal::TimelineBytes(in);
  if (!account.Track(reserved, timeline_bytes)) return over_budget(timeline_bytes);
  FencingResult result;
  result.locks = in.locks.size();
  result.resources = in.resources.size();
  result.grants = in.grants.size();
  result.writes = in.writes.size();
  result.notes = in.notes;

  std::vector<std::vector<Violation>> per_lock(in.locks.size());
  auto run = [&](size_t lock) {
    per_lock[lock] = internal::LockChecker(in, static_cast<uint32_t>(lock)).Run();
  };
  if (options.threads == 1 || in.locks.size() < 2) {
    for (size_t l = 0; l < in.locks.size(); ++l) run(l);
  } else {
    // Tasks only fill their own slot and never throw.
    tbb::task_arena arena(options.threads > 0 ? options.threads : tbb::task_arena::automatic);
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, in.locks.size()),
                        [&](const tbb::blocked_range<size_t>& r) {
                          for (size_t l = r.begin(); l != r.end(); ++l) run(l);
                        });
    });
  }
  for (auto& vs : per_lock) {
    for (Violation& v : vs) result.violations.push_back(std::move(v));
  }

  FENCELINE_ASSIGN_OR_RETURN(internal::StaleTokenOutcome stale,
                             internal::CheckStaleTokens(in, options, budget));
  for (Violation& v : stale.violations) result.violations.push_back(std::move(v));
  for (std::string& n : stale.notes) result.notes.push_back(std::move(n));
  std::sort(result.notes.begin(), result.notes.end());

  std::stable_sort(result.violations.begin(), result.violations.end(),
                   [](const Violation& a, const Violation& b) {
                     if (a.lock != b.lock) return a.lock < b.lock;
                     if (a.resource != b.resource) return a.resource < b.resource;
                     const uint32_t la = internal::FirstLine(a), lb = internal::FirstLine(b);
                     if (la != lb) return la < lb;
                     return a.id < b.id;
                   });

  bool certain_error = false, possible_error = stale.unknown;
  for (const Violation& v : result.violations) {
    if (v.severity != Severity::kError) continue;
    if (v.certainty == Certainty::kCertain)
      certain_error = true;
    else
      possible_error = true;
  }
  result.verdict = certain_error    ? FencingVerdict::kViolation
                   : possible_error ? FencingVerdict::kInconclusive
                                    : FencingVerdict::kSafe;
  return result;
}

}  // namespace fenceline
