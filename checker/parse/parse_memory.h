// checker/parse/parse_memory.h
//
// --memory-limit covers parsing. What a parse holds (the text, when it is read whole, and the
// history being built: its operations, values, strings and the builder's tables) is charged, in
// input order, to one account; a charge past the limit stops the parse with kResourceExhausted
// at the line it reached, never with a partial history. The charges are estimates computed from
// the input alone (sizes of the structures that will hold it), so where a parse stops does not
// depend on the thread count, the allocator or the timing. What the finished history holds
// (HistoryMemoryBytes, parse.h) is then charged by the caller to the search's account, so that
// the limit bounds the two together.
#ifndef FENCELINE_CHECKER_PARSE_PARSE_MEMORY_H_
#define FENCELINE_CHECKER_PARSE_PARSE_MEMORY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline::internal {

// Bytes one operation costs in a History beyond its values' heap: the Operation itself and the
// builder's share of it (the open-operation table, the pairing, the process and name tables).
// Measured: 1M operations of integer writes parse to 185 MiB of resident memory.
inline constexpr uint64_t kOperationBytes = sizeof(Operation) + 32;

// Bytes `e` adds to the history being built: an invoke brings its operation, a completion its
// output and error, a non-client event itself.
uint64_t EventBytes(const Event& e);

// kResourceExhausted "name:line:1: <cause> reached while <doing>, at line N" (`cause` "": "the
// memory limit"): how every reader says it ran out of memory at `line`.
Status MemoryLimitReached(std::string_view name, uint64_t line, std::string_view cause,
                          std::string_view doing);

// One parse's account. Used by one thread (the readers charge in input order).
class ParseMemory {
 public:
  // `limit` bytes (0: none); `cause` names it in messages ("memory limit of 64 MiB").
  ParseMemory(uint64_t limit, std::string_view name, std::string_view cause)
      : limit_(limit), name_(name), cause_(cause) {}

  bool limited() const { return limit_ != 0; }
  uint64_t held() const { return held_; }

  // Takes `bytes` for what the input holds at `line`; past the limit, MemoryLimitReached.
  Status Charge(uint64_t bytes, uint64_t line, std::string_view doing) {
    held_ += bytes;
    if (limit_ == 0 || held_ <= limit_) return OkStatus();
    return MemoryLimitReached(name_, line, cause_, doing);
  }
  Status ChargeEvent(const Event& e, std::string_view doing) {
    if (limit_ == 0) return OkStatus();
    return Charge(EventBytes(e), e.pos.line, doing);
  }

 private:
  uint64_t limit_;
  uint64_t held_ = 0;
  std::string name_;
  std::string cause_;
};

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_PARSE_PARSE_MEMORY_H_
