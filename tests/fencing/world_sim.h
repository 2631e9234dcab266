// tests/fencing/world_sim.h
//
// A true-time simulator of lock services, storage and clients, and a judge, for the property
// tests of the fencing analysis (docs/fencing.md). It shares no code with the checker.
//
//   1. Simulate a world in true time: a lock service per lock with leases, blocking and try-lock
//      acquires (blocking ones wait in a queue), renewals that never shorten a lease, releases,
//      revokes, optional watch records that lag by a random delay; storage that fences (max-seen)
//      or not; clients that pause past their lease, forgers and thieves; unknown outcomes (lost
//      responses, effects applied late or never), after which a process is renumbered, as Jepsen
//      does; several clocks, offsets within the skew bound, and drift; hot locks; releases that
//      answer ok on a lease no longer held (etcd's unlock). Optionally a
//      faulty lock service: grants before a lease ran out, the newest waiter served first, or
//      tokens that do not increase.
//   2. The truth: from what actually happened (instants of effects, the service's state), the set
//      of violations the world contains, keyed as ViolationKey() keys a checker's violation.
//   3. The judge: from the recorded events alone (the history, the skew bound and the drift, not
//      the truth), the violations it can prove hold in every world consistent with them, by
//      simple brute-force sufficient conditions. Each is also checked against the truth, so a
//      judge that proves something false fails the tests too.
#ifndef FENCELINE_TESTS_FENCING_WORLD_SIM_H_
#define FENCELINE_TESTS_FENCING_WORLD_SIM_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fenceline/fencing.h"
#include "fenceline/history.h"

namespace fenceline::testing {

struct WorldOptions {
  uint64_t seed = 1;
  int clients = 4;
  int locks = 2;             // L0.., each guarding the resource of the same name; L0 is hot
  int ops_per_client = 40;   // client operations each
  int nodes = 3;             // client clocks (the service has its own)
  double skew_ms = 0;        // the bound; 0: every clock agrees
  double drift_ppm = 0;      // the bound on rate error
  bool one_clock = false;    // every event, records too, on the one node "n0"
  int lease_ms = 300;
  bool records = false;      // the service's grant/expire/revoke records, as a watch sees them
  double max_lag_ms = 0;     // records lag by up to this
  bool fenced = true;        // the storage rejects tokens below the highest it accepted
  double info_rate = 0;      // chance an operation's outcome is unknown
  double pause_rate = 0.1;   // chance of a pause (up to 3 leases) before an operation
  double try_rate = 0.3;     // chance an acquire is a try-lock (else it blocks, in a queue)
  double revoke_rate = 0;    // chance a grant is revoked early (only with records)
  double forger_rate = 0;    // chance a client's write carries a forged token
  double thief_rate = 0;     // chance a client's write carries another client's token
  bool early_grants = false;  // faulty service: may grant while a lease is live
  // With early_grants: the chance the service forgets a grant at half its lease.
  double early_grant_rate = 0.3;
  bool newest_first = false;  // faulty service: serves the newest blocking acquire first
  bool token_reuse = false;   // faulty service: may issue a token not above the last
  double spurious_reject_rate = 0;  // faulty storage: rejects a write it would accept
  // A release answers ok whether or not the service still held the lease (etcd's unlock, an
  // idempotent delete), so a release ok proves nothing held.
  bool idempotent_release = false;
};

struct World {
  std::vector<Event> events;  // in the order a recorder would write them
  std::set<std::string> truth;     // keys of the violations that happened
  FencingOptions checker_options;  // the skew and drift bounds the world respects
};

World SimulateWorld(const WorldOptions& options);

// The keys of the violations the judge proves from `events` alone (see the header comment),
// given the bounds in `options`. Prefix keys (ending in '|') for ids whose other party the
// checker may choose (expired-lease-write's rival, non-monotonic-grant's earlier grant).
std::set<std::string> JudgeProvable(const std::vector<Event>& events, const FencingOptions& options);

// A checker violation's key, as SimulateWorld keys the truth. "" for ids neither keys
// (the warnings but false-rejection). An overlap with one client's holding of several leases
// gets a key by elimination, "overlapping-leases-among|L|T1|T2|...", like the judge's.
std::string ViolationKey(const Violation& v);

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_FENCING_WORLD_SIM_H_
