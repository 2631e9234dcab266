// recorder/event_log.h
//
// Every recording process (client, storage, lock watcher) appends its own events to its own
// file, stamped from CLOCK_MONOTONIC, which is system-wide, so the forked processes share one
// clock without any coordination. At the end MergeLogs() interleaves the files by time into
// one history in fenceline's native JSON Lines format. Keeping one file per process means no
// process ever waits for another to log, and a crashed process loses only its own last line.
#ifndef FENCELINE_RECORDER_EVENT_LOG_H_
#define FENCELINE_RECORDER_EVENT_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fenceline/status.h"

namespace fenceline::record {

using Nanos = int64_t;

// CLOCK_MONOTONIC in nanoseconds.
Nanos MonotonicNow();

// JSON text for the small values events carry. Each returns a complete JSON value.
std::string JsonString(std::string_view s);
std::string JsonInt(int64_t i);
std::string JsonNull();
std::string JsonObject(std::initializer_list<std::pair<std::string_view, std::string>> members);
std::string JsonArray(std::initializer_list<std::string> items);

struct Record {
  std::string process;  // JSON: an integer or a string
  std::string type;     // invoke | ok | fail | info
  std::string f;
  std::string value;    // JSON; empty: no value field
  std::string error;    // empty: no error field
  // Further fields, kept by the checker for reports; values are JSON.
  std::vector<std::pair<std::string, std::string>> extra;
};

// One process's log. Append() is thread-safe (a client's keep-alive thread shares its log).
class EventLog {
 public:
  EventLog() = default;
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Creates or truncates `path`.
  Status Open(const std::string& path);
  // Stamps the record with MonotonicNow() and writes it as one line with one write(2), so a
  // line is never torn by a crash elsewhere. Returns the stamp.
  Nanos Append(const Record& record);
  // As Append, with the stamp given (a lock-watch record dated by the event it derives from).
  void AppendAt(const Record& record, Nanos time);

 private:
  std::mutex mu_;
  int fd_ = -1;
};

struct MergeStats {
  size_t events = 0;
  size_t files = 0;
};

// Reads every line of `inputs`, orders the events by time (stable: the order within a file
// and then the order of `inputs` breaks ties), replaces lock-watch placeholders
// "client":"lease:<hex>" by the process whose acquire carried "lease":"<hex>", and writes the
// history to `output`.
//
// The lock service's own records (those with a "source": "etcd-watch", "zookeeper-watch",
// "redis-notify") are stamped when the watch delivered them, an upper bound of when the change
// happened, but a loose one: a client may learn of its grant, and write, before the watch
// reports the grant, which would read as a token used before it was issued. Each change has
// other upper bounds in the clients' logs: a grant happened before its holder's acquire
// returned, an unlock before its release returned. So every record of one change (same
// "revision", where the service numbers its changes as etcd does: an unlock or expiry and the
// grant it lets through) gets the least of these bounds; and since a service reports its
// changes in the order they happened, a record also gets the least time of the records after
// it in its log. The stamps stay upper bounds, so a lease's end is never moved before it
// happened, and an end and the grant it enabled keep the service's order. Then the
// history is written to a temporary file, read back with fenceline's parser
// (ParseHistoryFile), and renamed, so a failed run never leaves a partial history. A line that
// does not parse, lacks a time, or a history fenceline refuses, is kInternal: it means the
// recorder itself is broken, and its history must not be used.
StatusOr<MergeStats> MergeLogs(const std::vector<std::string>& inputs, const std::string& output);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_EVENT_LOG_H_
