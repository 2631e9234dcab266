// checker/history/pairing.h
//
// What HistoryBuilder and the streaming checker (checker/stream/) share when they pair each
// invoke with its process's next completion: how client processes are told apart and named,
// which times are accepted, how an [key value] tuple is recognised, and the errors. One copy,
// so that a streamed and a whole-file check of the same input name the same processes and
// refuse it with the same message.
#ifndef FENCELINE_CHECKER_HISTORY_PAIRING_H_
#define FENCELINE_CHECKER_HISTORY_PAIRING_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fenceline/history.h"
#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline::internal {

// Client processes numbered in order of first appearance. Integer 1 and string "1" are two
// clients; a string that reads as an integer is named with its quotes, so that reports tell
// the two apart.
class ProcessIds {
 public:
  struct Found {
    uint32_t id;
    bool fresh;  // seen for the first time
  };
  Found Find(const Value& process);
  const std::string& name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }
  std::vector<std::string> TakeNames() { return std::move(names_); }

 private:
  std::unordered_map<int64_t, uint32_t> ints_;
  std::unordered_map<std::string, uint32_t> strings_;
  std::vector<std::string> names_;
};

// Jepsen's independent tuple: a vector or list of two.
inline bool IsKeyValueTuple(const Value& v) { return v.is_sequential() && v.items().size() == 2; }

// The outcome a completion event gives its operation.
Outcome OutcomeOf(EventType completion);

// `where` is "source:line:col: ". Each returns kInvalidHistory.
Status TimeOutOfRange(std::string_view where, Nanos time);
Status InvokeWhileOpen(std::string_view where, std::string_view process, uint32_t open_line);
Status CompletionNeverInvoked(std::string_view where, std::string_view process,
                              const Event& completion);
Status CompletionFunctionDiffers(std::string_view where, const Event& completion,
                                 const Operation& op);
Status CompletionBeforeInvoke(std::string_view where, Nanos ret, const Operation& op);
Status NotAKeyValueTuple(std::string_view where, const Value& input);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_HISTORY_PAIRING_H_
