#include "checker/parse/parse_memory.h"

#include <utility>

#include "checker/util/value_bytes.h"
#include "fenceline/parse.h"

namespace fenceline {
namespace internal {
namespace {

uint64_t HeapBytes(const Value& v) { return ValueBytes(v) - sizeof(Value); }

// Event::extra or Operation::extra.
template <typename Fields>
uint64_t ExtraBytes(const Fields& extra) {
  uint64_t bytes = 0;
  for (const auto& [name, value] : extra) {
    bytes += sizeof(std::pair<std::string, Value>) + (name.size() > 15 ? name.size() + 1 : 0) +
             HeapBytes(value);
  }
  return bytes;
}

}  // namespace

uint64_t EventBytes(const Event& e) {
  uint64_t bytes = HeapBytes(e.value) + HeapBytes(e.error) + ExtraBytes(e.extra);
  if (e.key) bytes += HeapBytes(*e.key);
  if (!HistoryBuilder::IsClientProcess(e.process)) {
    return bytes + sizeof(Event) + HeapBytes(e.process) + e.f.size() + e.node.size();
  }
  return e.type == EventType::kInvoke ? bytes + kOperationBytes : bytes;
}

Status MemoryLimitReached(std::string_view name, uint64_t line, std::string_view cause,
                          std::string_view doing) {
  return ResourceExhausted(std::string(name) + ":" + std::to_string(line) + ":1: " +
                           (cause.empty() ? std::string("the memory limit") : std::string(cause)) +
                           " reached while " + std::string(doing) + ", at line " +
                           std::to_string(line));
}

}  // namespace internal

uint64_t HistoryMemoryBytes(const History& h) {
  using internal::HeapBytes;
  uint64_t bytes = h.ops.size() * internal::kOperationBytes;
  for (const Operation& op : h.ops) {
    bytes += HeapBytes(op.input) + HeapBytes(op.output) + HeapBytes(op.error);
    if (op.key) bytes += HeapBytes(*op.key);
    bytes += internal::ExtraBytes(op.extra);
  }
  for (const Event& e : h.other_events) bytes += internal::EventBytes(e);
  for (const std::string& name : h.process_names) bytes += sizeof(std::string) + name.size();
  return bytes;
}

}  // namespace fenceline
