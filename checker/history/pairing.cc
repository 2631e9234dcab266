#include "checker/history/pairing.h"

#include <utility>

namespace fenceline::internal {
namespace {

bool LooksLikeInteger(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

Status Invalid(std::string_view where, const std::string& what) {
  return InvalidHistory(std::string(where) + what);
}

}  // namespace

ProcessIds::Found ProcessIds::Find(const Value& process) {
  const auto next = static_cast<uint32_t>(names_.size());
  uint32_t id = next;
  bool fresh = false;
  if (process.is_int()) {
    const auto [it, added] = ints_.try_emplace(process.int_value(), next);
    id = it->second;
    fresh = added;
  } else {
    const auto [it, added] = strings_.try_emplace(process.text(), next);
    id = it->second;
    fresh = added;
  }
  if (fresh) {
    std::string shown = process.ToDisplay();
    if (!process.is_int() && LooksLikeInteger(shown)) shown = "\"" + shown + "\"";
    names_.push_back(std::move(shown));
  }
  return {id, fresh};
}

Outcome OutcomeOf(EventType completion) {
  switch (completion) {
    case EventType::kOk: return Outcome::kOk;
    case EventType::kFail: return Outcome::kFail;
    case EventType::kInvoke:
    case EventType::kInfo: break;
  }
  return Outcome::kInfo;
}

Status TimeOutOfRange(std::string_view where, Nanos time) {
  return Invalid(where, "time " + std::to_string(time) + " is outside the supported range [" +
                            std::to_string(kMinTime) + ", " + std::to_string(kMaxTime) +
                            "] ns (about 146 years either side of 0)");
}

Status InvokeWhileOpen(std::string_view where, std::string_view process, uint32_t open_line) {
  return Invalid(where, "process " + std::string(process) +
                            " invokes again while its operation from line " +
                            std::to_string(open_line) + " is still open");
}

Status CompletionNeverInvoked(std::string_view where, std::string_view process,
                              const Event& completion) {
  return Invalid(where, "process " + std::string(process) + " completes an operation (:" +
                            std::string(EventTypeName(completion.type)) + " " + completion.f +
                            ") it never invoked");
}

Status CompletionFunctionDiffers(std::string_view where, const Event& completion,
                                 const Operation& op) {
  return Invalid(where, "completion f '" + completion.f + "' differs from its invoke's '" +
                            op.f.str() + "' (line " +
                            std::to_string(op.invoke_pos.line) + ")");
}

Status CompletionBeforeInvoke(std::string_view where, Nanos ret, const Operation& op) {
  return Invalid(where, "completion time " + std::to_string(ret) +
                            " is before its invoke's time " + std::to_string(op.call) +
                            " (line " + std::to_string(op.invoke_pos.line) + ")");
}

Status NotAKeyValueTuple(std::string_view where, const Value& input) {
  return Invalid(where, "expected a [key value] tuple (--independent), got " + input.ToEdn());
}

}  // namespace fenceline::internal
