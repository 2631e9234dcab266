// recorder/redis/redis_service.h
//
// The Redis backend (Debian's redis-server 7), through hiredis, Debian's C client: it parses
// RESP, including the pushed messages of a subscription, and gives every request a socket
// time-out, which is all a recording needs; writing RESP by hand would only add code.
//   - Server: redis-server on 127.0.0.1, a free port, no persistence, --hz 100 (keys expire
//     within 10 ms of their deadline rather than 100), and --notify-keyspace-events Exg.
//   - Lock: the single-instance lock of the Redis docs: SET lock <random value> NX PX <lease>,
//     retried every 10-20 ms while the lock is held; release and renewal compare the value
//     first (Lua: GET == value, then DEL or PEXPIRE), so a client never frees or extends a
//     lock that expired and went to another. Redis issues no fencing token, so the acquire's
//     script also INCRs a counter in the same atomic step: that is the token (it grows with
//     every grant, since every grant runs the INCR once). The storage fences with it under
//     --fenced and ignores it otherwise.
//   - Records: the acquire script PUBLISHes the grant (token and value) on the recording's
//     channel; the keyspace notifications __keyevent@0__:expired and :del name the lock key when
//     Redis expires it or a release deletes it. One subscriber connection receives all of them
//     in the order Redis executed them. The lease link is the lock's random value.
#ifndef FENCELINE_RECORDER_REDIS_REDIS_SERVICE_H_
#define FENCELINE_RECORDER_REDIS_REDIS_SERVICE_H_

#include <memory>

#include "recorder/service.h"

namespace fenceline::record {

std::unique_ptr<Service> MakeRedisService();

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_REDIS_REDIS_SERVICE_H_
