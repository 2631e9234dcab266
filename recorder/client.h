// recorder/client.h
//
// A client process of a recording. It is a real process, forked, so that the recorder's
// SIGSTOP freezes it whole, keep-alive thread included, as a GC pause or a stalled VM would.
// It takes commands from the recorder over a SOCK_SEQPACKET socket, performs them against
// the lock service through its backend (service.h) and the storage process, and logs every operation to its own file: the invoke just
// before the request leaves, the completion just after the answer arrives.
//
// A lock client keeps its lease alive from a thread, every third of the lease. While it holds
// the lock those renewals are operations in its history (renew); they take the same mutex as
// the client's other operations, so the process's history stays sequential. While it waits
// for the lock the acquire is still open, so the keep-alives then are not logged: they only
// keep the waiting request alive, and the lease the history sees starts with the acquire.
//
// Commands (replies "ok ...", "fail <why>", "info <why>"):
//   acquire | write | forge TOKEN | release | hold | unhold | contend MS SEED |
//   register MS SEED STRIDE | quit
// hold takes the operation mutex and keeps it until unhold, so the recorder can stop the
// client when no renewal is in flight (a renewal cut in two by the pause would leave its
// outcome unknown, and a lease renewed at an unknown time has no certain end).
#ifndef FENCELINE_RECORDER_CLIENT_H_
#define FENCELINE_RECORDER_CLIENT_H_

#include <cstdint>
#include <string>

#include "recorder/service.h"

namespace fenceline::record {

struct ClientConfig {
  std::string name;          // the client's process name ("A"); register clients: unused
  int index = 0;             // position among the clients; register clients' first process id
  SessionConfig session;     // endpoint, prefix, lease
  std::string lock_label;    // the lock as the history names it
  std::string resource;      // the protected resource as the history names it
  std::string storage_path;  // storage socket; empty: the resource is a key in the service
  std::string log_path;
  int command_fd = -1;
};

// The client process's body; returns its exit code.
int RunClient(Service& service, const ClientConfig& config);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_CLIENT_H_
