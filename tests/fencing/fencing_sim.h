// tests/fencing/fencing_sim.h
//
// A simulated lock service, fenced storage and clients that produce histories in the fencing
// vocabulary (docs/fencing.md), for the property tests and the benchmark. The service and the
// storage are correct: the service grants a lock only when its lease has expired or was
// released, with increasing tokens; the storage accepts a write only if its token is at least
// the highest it has seen and is the token of the lock's live lease. Clients pause at random
// (past their lease, too), their clocks are skewed within a bound, and outcomes are sometimes
// unknown. One fault can be appended after the simulated run.
#ifndef FENCELINE_TESTS_FENCING_FENCING_SIM_H_
#define FENCELINE_TESTS_FENCING_FENCING_SIM_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fenceline/history.h"

namespace fenceline::testing {

enum class SimFault {
  kNone,
  kStaleToken,
  kExpiredLeaseWrite,
  kForgedToken,
  kForeignToken,
  kOverlappingLeases,
  kNonMonotonicGrant,
  kFalseRejection,
};

struct SimOptions {
  uint64_t seed = 1;
  int clients = 4;
  int locks = 1;            // locks L0.., each guarding the resource of the same name
  int ops_per_client = 60;  // client operations each
  double skew_ms = 0;       // each client's clock is off by up to ±skew/2 (own node if > 0)
  double info_rate = 0;     // chance an operation's outcome is unknown
  double pause_rate = 0.1;  // chance of a pause (up to 3 leases) before an operation
  int lease_ms = 1000;
  bool records = false;  // emit the lock service's grant records
  SimFault fault = SimFault::kNone;
};

// The events, in the order the simulation produced them (true-time order).
std::vector<Event> Simulate(const SimOptions& options);

// Feeds `events` to a HistoryBuilder.
StatusOr<History> BuildHistory(std::vector<Event> events, const std::string& name = "<sim>");

// Simulate and BuildHistory in one, each event handed to the builder as it is produced, so that
// a large history never exists twice (the benchmark's 10M operations).
StatusOr<History> SimulateHistory(const SimOptions& options, const std::string& name = "<sim>");

// One client event (or record, for a non-client `process`) at `time` on clock `node`.
Event MakeEvent(const std::string& process, EventType type, const std::string& f, Value value,
                Nanos time, const std::string& node);

// The check id the fault must produce ("" for kNone).
std::string FaultId(SimFault fault);

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_FENCING_FENCING_SIM_H_
