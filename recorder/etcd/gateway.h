// recorder/etcd/gateway.h
//
// A client of etcd v3.4's JSON gateway (grpc-gateway, under /v3/) over libcurl, the way a
// client process in a recording talks to the lock service. The gateway's quirks are handled
// here once: keys and values are base64, 64-bit numbers arrive as strings, and fields at
// their default value are omitted (a failed txn has no "succeeded", a missing key no "kvs").
//
// Every call is bounded by a timeout and classifies its outcome the way a history must:
//   kOk    etcd answered and did it;
//   kFail  etcd answered and refused (lease not found, txn compare false): it did not happen;
//   kInfo  no answer (time-out, connection error, etcd said it timed out or lost its leader):
//          it may or may not have happened.
// A Gateway holds one curl handle (one connection, reused); it is not thread-safe, so each
// thread uses its own.
#ifndef FENCELINE_RECORDER_ETCD_GATEWAY_H_
#define FENCELINE_RECORDER_ETCD_GATEWAY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "recorder/service.h"

namespace fenceline::record {

struct LeaseGrantReply : Reply {
  int64_t id = 0;
  int64_t ttl_s = 0;
};

struct KeepAliveReply : Reply {
  int64_t ttl_s = 0;  // 0 (and kFail) when the lease no longer exists
};

struct LockReply : Reply {
  std::string key;  // the holder's key, raw bytes: NAME/<lease id in hex>
};

struct RangeReply : Reply {
  bool found = false;
  std::string value;  // raw bytes
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t lease = 0;
  int64_t revision = 0;  // the store's revision when read (header)
};

struct TxnReply : Reply {
  bool succeeded = false;  // kOk with succeeded == false is a refused compare
};

// One comparison of a txn. target: "CREATE" (create_revision), "MOD" or "VALUE".
struct Compare {
  std::string key;
  std::string target;
  int64_t revision = 0;  // for CREATE and MOD
  std::string value;     // for VALUE, raw bytes
};

// One event of a watch response.
struct WatchEvent {
  bool is_delete = false;
  std::string key;  // raw bytes
  int64_t create_revision = 0;  // of the key (of prev_kv for a delete)
  int64_t mod_revision = 0;
  int64_t lease = 0;            // of the key (of prev_kv for a delete)
};

class Gateway {
 public:
  explicit Gateway(std::string endpoint);  // "http://127.0.0.1:2379"
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // GET /health answers {"health":"true"}.
  bool Healthy(milliseconds timeout);

  LeaseGrantReply LeaseGrant(int64_t ttl_s, milliseconds timeout);
  KeepAliveReply KeepAlive(int64_t lease, milliseconds timeout);
  // Ends the lease now, deleting the keys attached to it (a queued lock request among them).
  Reply LeaseRevoke(int64_t lease, milliseconds timeout);
  // The remaining TTL in seconds; -1 if the lease has expired or was revoked; nullopt if etcd
  // did not answer.
  std::optional<int64_t> TimeToLive(int64_t lease, milliseconds timeout);
  // Blocks until `name` is granted to `lease` (etcd's election lock).
  LockReply Lock(const std::string& name, int64_t lease, milliseconds timeout);
  Reply Unlock(const std::string& key, milliseconds timeout);
  RangeReply Get(const std::string& key, milliseconds timeout);
  Reply Put(const std::string& key, const std::string& value, milliseconds timeout);
  // If every compare holds, puts key=value.
  TxnReply TxnPut(const std::vector<Compare>& compares, const std::string& key,
                  const std::string& value, milliseconds timeout);

  // Watches [key, range_end) from `start_revision` (0: now), calling `on_created` once the
  // watch exists and `on_events` for every response with events, until one returns false or
  // the connection ends. Returns the reason it ended ("" when a callback stopped it).
  std::string Watch(const std::string& key, const std::string& range_end, int64_t start_revision,
                    const std::function<bool()>& on_created,
                    const std::function<bool(const std::vector<WatchEvent>&)>& on_events);

 private:
  struct Raw {
    Kind kind = Kind::kInfo;
    std::string error;
    std::string body;
  };
  Raw Post(const std::string& path, const std::string& body, milliseconds timeout);

  std::string endpoint_;
  void* curl_ = nullptr;  // CURL*, kept out of this header
};

// The key just past every key starting with `prefix` (etcd's range_end for a prefix).
std::string PrefixEnd(const std::string& prefix);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_ETCD_GATEWAY_H_
