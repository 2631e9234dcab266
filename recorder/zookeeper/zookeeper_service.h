// recorder/zookeeper/zookeeper_service.h
//
// The ZooKeeper backend (Debian's zookeeper 3.8, standalone), through its C client,
// libzookeeper-mt, from Debian: it owns session establishment, the pings that keep a session
// alive and watch delivery, which a wire-protocol client (jute records over TCP, session
// handshake, ping timing) would have to re-implement before recording anything.
//   - Server: java ZooKeeperServerMain with a zoo.cfg written into the temporary directory:
//     127.0.0.1, a free port, tickTime=50 and session timeouts from 100 ms, so 1 s leases are
//     allowed and a session expires within one tick of its deadline, and no fsync (forceSync=no);
//     ready when "srvr" answers with the server's version.
//   - Lock: the standard recipe: an ephemeral sequential znode under the recording's lock
//     path; the lowest one holds the lock; a waiter watches its predecessor. The fencing token
//     is the znode's czxid: zxids are issued by the one leader in order, sequence order is
//     creation order, and the holder is always the lowest live znode, so every grant goes to a
//     znode created after every earlier holder's: a greater czxid. (The sequence number grows
//     too, but only under one parent, and it is a 32-bit counter; the czxid is the service's
//     own 64-bit transaction id.) The lease is the session timeout the server negotiated:
//     ZooKeeper deletes the client's ephemeral znodes when the session expires. Renewal: an
//     exists() of the lock znode every third of the lease (any request refreshes the session;
//     the C client's own pings do too, but they are not in the history).
//   - Records: a watcher with its own session watches the lock path's children and each
//     child; the holder is the lowest live znode. When the holder's znode goes, a per-client
//     marker (an ephemeral znode under sessions/) tells the two ends apart: a session expiry
//     deletes both in one transaction (expire), a release only the lock znode (revoke).
//     The lease link is the session id.
//   - Register: one znode, get/set; cas is get, then set at that version, retried while the
//     version moved on. One server, so reads are linearizable (in an ensemble, reads without
//     sync() are only sequentially consistent).
#ifndef FENCELINE_RECORDER_ZOOKEEPER_ZOOKEEPER_SERVICE_H_
#define FENCELINE_RECORDER_ZOOKEEPER_ZOOKEEPER_SERVICE_H_

#include <memory>

#include "recorder/service.h"

namespace fenceline::record {

std::unique_ptr<Service> MakeZooKeeperService();

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_ZOOKEEPER_ZOOKEEPER_SERVICE_H_
