// checker/parse/edn_history.h
//
// From EDN elements to Events, as Jepsen writes them (ParseEdnHistory in formats.h is the entry
// point). Jepsen's store writes history.edn as one op map a line:
//   {:index 0, :time 1200, :type :invoke, :process 0, :f :cas, :value [1 2]}
// older tools a whole history as one vector of such maps, or tuple lines
//   [0 :invoke :read nil]   ; process type f value [error]
// The pieces here are shared with the Jepsen log parser, so both formats give the same Events.
#ifndef FENCELINE_CHECKER_PARSE_EDN_HISTORY_H_
#define FENCELINE_CHECKER_PARSE_EDN_HISTORY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fenceline/history.h"
#include "fenceline/value.h"

namespace fenceline::internal {

// "invoke", "ok", "fail", "info" -> the EventType; false for any other name.
bool EventTypeFromName(std::string_view name, EventType& out);

// Jepsen's independent tuples, #jepsen.independent.Tuple{:key k :value v} and
// #jepsen.independent/tuple [k v]: the event gets key k (unless it has a :key already) and
// value v. Other values are left alone: a plain [k v] cannot be told from a cas's [from to].
void SplitIndependentTuple(Event& event);

// The convention of positional formats (history.txt, jepsen.log, EDN tuples), which have no
// error field unless a fifth column is written: a :fail or :info completion whose value is a
// keyword carries an error there (`3 :info :write :timed-out`). Such a keyword becomes the
// event's error and its value nil, so that models see only the invoke's value, when it is
// :timed-out or the process's invoke value was not itself a keyword. Feed every client
// event, in input order. Not thread-safe.
class PositionalErrorRule {
 public:
  void Apply(Event& event);

 private:
  // Whether each process's last invoke had a keyword value: small integer processes by
  // index, the others by name.
  std::vector<int8_t> by_int_;
  std::unordered_map<std::string, bool> by_name_;
};

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_PARSE_EDN_HISTORY_H_
