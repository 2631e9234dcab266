// recorder/etcd/etcd_service.h
//
// The etcd backend (Debian's etcd-server 3.4), through its JSON gateway (gateway.h).
//   - Server: etcd on 127.0.0.1, two free ports, a fresh data directory,
//     --election-timeout=500 --heartbeat-interval=50 (etcd's minimum lease TTL is 1.5 election
//     timeouts, so 1 s leases are allowed); ready when GET /health says true.
//   - Lock: a lease (whole seconds, rounded up), then etcd's lock API (/v3/lock/lock); the
//     fencing token is the holder key's create_revision, which grows with every new holder.
//     Renewal: lease keep-alive. Release: /v3/lock/unlock (the lease is left to run out, so
//     the watch can tell an unlock from an expiry).
//   - Records: watcher.h.
#ifndef FENCELINE_RECORDER_ETCD_ETCD_SERVICE_H_
#define FENCELINE_RECORDER_ETCD_ETCD_SERVICE_H_

#include <memory>

#include "recorder/service.h"

namespace fenceline::record {

std::unique_ptr<Service> MakeEtcdService();

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_ETCD_ETCD_SERVICE_H_
