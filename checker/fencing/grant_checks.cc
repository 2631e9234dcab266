// non-monotonic-grant and overlapping-leases: the checks of one lock's grants (lock_checks.h).
#include <algorithm>
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

class GrantChecks : public LockCheck {
 public:
  GrantChecks(const FencingInput& in, uint32_t lock, std::vector<Violation>& out)
      : LockCheck(in, lock, out) {}

  bool Run() {
    NonMonotonicGrants();
    if (in_.timed) {
      OverlappingLeases();
      OverlappingAHolding();
    }
    return non_monotonic_;
  }

 private:
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
    auto revoked = [&](const Grant& g) { return Revoked(g); };
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
    if (best->p.certain) certain_pairs_.insert(std::minmax(ga, gb));
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

  bool Revoked(const Grant& g) const {
    for (uint32_t e : g.end_records) {
      if (h_.other_events[e].f == "revoke") return true;
    }
    return false;
  }

  // overlapping-leases against one client's holding, made of several of its leases. When each of
  // a client's leases was granted before the one before it certainly ended (a faulty service
  // granting it again, or a grant whose acquire's answer was lost), the client certainly held the
  // lock from the first grant until the last lease certainly ended, though no one lease spans
  // that. Another client's grant certainly after the first grant and certainly before the last
  // lease ended came while one of those leases was live, in every world; which one the events
  // may not tell (a grant known only from its record has a wide instant and no live window of its
  // own), so the violation names them all, and is reported only where no pair among them is
  // certain already. This is the case the reduction of docs/fencing.md ("Overlaps proved by
  // elimination") leaves out: rival windows that meet but belong to one client.
  void OverlappingAHolding() {
    std::map<uint32_t, std::vector<uint32_t>> by_client;  // each by granted_lo, as ld_.grants
    for (uint32_t g : ld_.grants) by_client[G(g).client].push_back(g);
    auto chained = [&](uint32_t prev, uint32_t next) {
      const Grant& a = G(prev);
      return a.live_until.t != kNever && !Revoked(a) && GrantedWithin(G(next), a).p.certain;
    };
    for (const auto& [client, gs] : by_client) {
      for (size_t s = 0; s + 1 < gs.size();) {
        size_t e = s;
        while (e + 1 < gs.size() && chained(gs[e], gs[e + 1])) ++e;
        if (e > s) HoldingChain(gs, s, e);
        s = e + 1;
      }
    }
  }

  void HoldingChain(const std::vector<uint32_t>& chain, size_t s, size_t e) {
    // Candidates by granted_lo, as written: after the chain's earliest upper bound, before its
    // latest certain end (plus the skew).
    Nanos from = kNever, to = kPast;
    for (size_t k = s; k <= e; ++k) {
      const Grant& r = G(chain[k]);
      from = std::min({from, r.granted_hi.t, r.granted_hi_alt.t});
      if (r.live_until.t != kNever) to = std::max(to, r.live_until.t);
    }
    if (from == kNever || to == kPast) return;
    auto first = std::upper_bound(ld_.grants.begin(), ld_.grants.end(), from,
                                  [&](Nanos t, uint32_t g) { return t < G(g).granted_lo.t; });
    const uint32_t client = G(chain[s]).client;
    for (auto it = first; it != ld_.grants.end(); ++it) {
      const uint32_t gb = *it;
      const Grant& b = G(gb);
      if (b.granted_lo.t == kNever || b.granted_lo.t - in_.skew_ns >= to) break;
      if (b.client == client || b.granted_lo.t == kPast) continue;
      // The last lease certainly granted before b, then the first of it or after that b was
      // certainly granted within.
      size_t i = e + 1;
      for (size_t k = e + 1; k-- > s;) {
        if (GrantedBefore(in_, G(chain[k]), b.granted_lo).certain) {
          i = k;
          break;
        }
      }
      if (i > e) continue;
      size_t j = e + 1;
      for (size_t k = i; k <= e; ++k) {
        const Grant& r = G(chain[k]);
        if (r.live_until.t != kNever && !Revoked(r) && GrantedWithin(b, r).p.certain) {
          j = k;
          break;
        }
      }
      if (j > e || j == i) continue;  // j == i: one pair, the ordered shape's
      bool reported = false;
      for (size_t k = i; k <= j && !reported; ++k) {
        reported = certain_pairs_.contains(std::minmax(gb, chain[k]));
      }
      if (reported) continue;
      Violation v = Make("overlapping-leases", Severity::kError, Proof{});
      v.clients = {Client(client), Client(b.client)};
      std::string tokens;
      for (size_t k = i; k <= j; ++k) {
        const Grant& r = G(chain[k]);
        v.tokens.push_back(r.token);
        tokens += (k == i ? "" : k == j ? " then " : ", ") + std::to_string(r.token);
        AddGrantEvidence(r, Client(client) + " granted token " + std::to_string(r.token) +
                                (k == i ? "" : ", before its previous lease certainly ended"),
                         v);
      }
      v.tokens.push_back(b.token);
      AddGrantEvidence(b,
                       Client(b.client) + " granted token " + std::to_string(b.token) + " while " +
                           Client(client) + " held the lock",
                       v);
      v.message = Client(b.client) + " was granted " + LockName() + " with token " +
                  std::to_string(b.token) + At(b.granted_hi) + " while " + Client(client) +
                  " certainly held it, with token " + tokens +
                  " (each granted before the previous lease certainly ended, the last certainly "
                  "live until " +
                  FormatSeconds(G(chain[j]).live_until.t) +
                  ", none released); which of those leases it overlapped the events cannot tell, "
                  "but it overlapped one: the lock service let two clients hold " +
                  LockName() + " at once";
      Emit(std::move(v));
    }
  }

  bool non_monotonic_ = false;  // a grant not above an earlier one, as written
  // Pairs (by grant index, the lesser first) reported as certainly overlapping.
  std::set<std::pair<uint32_t, uint32_t>> certain_pairs_;
};

}  // namespace

size_t GrantChecksBytesBound(const FencingInput& in, uint32_t lock) {
  const LockData& ld = in.per_lock[lock];
  const size_t n = ld.grants.size();
  // judged_early holds pairs (i, j): j earlier by granted_lo, i granted before j's lo as written,
  // so j's lo lies in (i's latest instant, i's lo]: only a grant whose latest instant reads
  // before its earliest (bounds on two clocks) can be such an i, once for each such j.
  size_t early_pairs = 0;
  auto lo_of = [&](uint32_t g) { return in.grants[g].granted_lo.t; };
  for (uint32_t g : ld.grants) {
    const Grant& x = in.grants[g];
    if (!(x.granted_hi.t < x.granted_lo.t)) continue;
    auto from = std::upper_bound(ld.grants.begin(), ld.grants.end(), x.granted_hi.t,
                                 [&](Nanos t, uint32_t y) { return t < lo_of(y); });
    auto to = std::upper_bound(ld.grants.begin(), ld.grants.end(), x.granted_lo.t,
                               [&](Nanos t, uint32_t y) { return t < lo_of(y); });
    early_pairs += static_cast<size_t>(to - from);
  }
  const size_t non_monotonic = n * (sizeof(uint32_t) + kTreeNodeBytes) +
                               in.nodes.size() * sizeof(uint32_t);
  // by_hi, state, active (grown by doubling), judged_early.
  const size_t overlapping = n * (3 * sizeof(uint32_t) + 1) + early_pairs * kTreeNodeBytes;
  // by_client: a map node a client, each list grown by doubling.
  const size_t holding = n * (2 * sizeof(uint32_t) + kTreeNodeBytes);
  return non_monotonic + overlapping + holding;
}

bool CheckGrants(const FencingInput& in, uint32_t lock, std::vector<Violation>& out) {
  return GrantChecks(in, lock, out).Run();
}

}  // namespace fenceline::internal
