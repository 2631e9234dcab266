// recorder/etcd/watcher.h
//
// The lock service's own account of who held the lock, from an etcd watch on the lock's key
// prefix. etcd's lock API puts one key NAME/<lease> per contender when it starts waiting; the
// holder is the live key with the lowest create_revision, which is also its fencing token. So
// the watcher replays the key set: when the lowest key changes, the new one is granted; when
// the holder's key is deleted, its lease ended, by expiry if etcd no longer knows the lease,
// else by an unlock (recorded as "revoke"). Records are written as docs/fencing.md's
// authoritative events, from process "nemesis", stamped when the watch delivered them: never
// earlier than the truth, which keeps an expiry on the safe side. The holder appears as
// "lease:<hex>" until MergeLogs() names the client whose acquire carried that lease.
#ifndef FENCELINE_RECORDER_ETCD_WATCHER_H_
#define FENCELINE_RECORDER_ETCD_WATCHER_H_

#include <string>

#include "recorder/service.h"

namespace fenceline::record {

struct WatcherConfig {
  std::string endpoint;
  std::string lock_name;   // etcd lock name; holders' keys are lock_name + "/<lease hex>"
  std::string lock_label;  // the lock's name in the history ("lock")
  std::string end_key;     // a put to this key ends the watch
  std::string watch_from;  // the watched prefix; must cover lock_name + "/" and end_key
  std::string log_path;
  int ready_fd = -1;       // "ready\n" is written here once the watch exists
  milliseconds lag{0};     // each delivery is held back this long before it is logged
};

// The watcher process's body; returns its exit code (0: it saw the end key).
int RunWatcher(const WatcherConfig& config);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_ETCD_WATCHER_H_
