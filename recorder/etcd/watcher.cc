#include "recorder/etcd/watcher.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <map>
#include <optional>

#include "recorder/event_log.h"
#include "recorder/etcd/gateway.h"
#include "recorder/process.h"

namespace fenceline::record {
namespace {

std::string LeaseHex(int64_t lease) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIx64, static_cast<uint64_t>(lease));
  return buf;
}

}  // namespace

int RunWatcher(const WatcherConfig& config) {
  EventLog log;
  if (!log.Open(config.log_path).ok()) return 3;
  Gateway watch(config.endpoint);
  Gateway leases(config.endpoint);  // a second handle: the watch's is busy streaming
  const std::string key_prefix = config.lock_name + "/";

  struct Key {
    std::string key;
    int64_t lease = 0;
  };
  std::map<int64_t, Key> live;  // create_revision -> key, the contenders in grant order
  int64_t holder = 0;           // create_revision of the holder's key; 0: none
  bool saw_end = false;

  // `revision`: etcd's revision of the change the record derives from. An unlock or expiry and
  // the grant it lets through are one change, so they share it (and, after MergeLogs(), a time).
  auto record = [&](const char* f, int64_t token, int64_t lease, Nanos at, int64_t revision,
                    const char* cause) {
    Record r;
    r.process = JsonString("nemesis");
    r.type = "ok";
    r.f = f;
    r.value = JsonObject({{"lock", JsonString(config.lock_label)},
                          {"token", JsonInt(token)},
                          {"client", JsonString("lease:" + LeaseHex(lease))}});
    r.extra.emplace_back("source", JsonString("etcd-watch"));
    r.extra.emplace_back("revision", JsonInt(revision));
    if (cause != nullptr) r.extra.emplace_back("cause", JsonString(cause));
    log.AppendAt(r, at);
  };

  auto on_created = [&] {
    ssize_t ignored = write(config.ready_fd, "ready\n", 6);
    (void)ignored;
    return true;
  };
  auto on_events = [&](const std::vector<WatchEvent>& events) {
    if (config.lag.count() > 0) SleepFor(config.lag);
    Nanos now = MonotonicNow();
    for (const WatchEvent& e : events) {
      if (e.key == config.end_key) {
        if (!e.is_delete) saw_end = true;
        continue;
      }
      if (e.key.rfind(key_prefix, 0) != 0) continue;
      if (!e.is_delete) {
        live[e.create_revision] = Key{e.key, e.lease};
      } else {
        auto it = live.find(e.create_revision);
        if (it == live.end()) continue;
        Key gone = it->second;
        live.erase(it);
        if (e.create_revision == holder) {
          // An unlock deletes the key but leaves the lease alive; an expiry takes both. A live
          // lease about to run out reports TTL 0 (whole seconds, rounded down); a gone one -1.
          std::optional<int64_t> ttl = leases.TimeToLive(gone.lease, milliseconds(2000));
          if (ttl.has_value() && *ttl >= 0) {
            record("revoke", holder, gone.lease, now, e.mod_revision, "unlock");
          } else {
            record("expire", holder, gone.lease, now, e.mod_revision,
                   ttl.has_value() ? "lease expired" : "lease state unknown");
          }
          holder = 0;
        }
      }
      if (!live.empty() && live.begin()->first != holder) {
        holder = live.begin()->first;
        record("grant", holder, live.begin()->second.lease, now, e.mod_revision, nullptr);
      }
    }
    return !saw_end;
  };
  std::string why = watch.Watch(config.watch_from, PrefixEnd(config.watch_from), 0, on_created,
                                on_events);
  if (saw_end) return 0;
  std::fprintf(stderr, "fenceline-record: lock watch ended early: %s\n", why.c_str());
  return 1;
}

}  // namespace fenceline::record
