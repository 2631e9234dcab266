#include "testing/oracle.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace fenceline::testing {
namespace {

// The model, written as plainly as possible: Value states, one function per model.
std::optional<Value> Apply(std::string_view model, const Value& state, const Operation& op) {
  const bool info = op.outcome == Outcome::kInfo;
  const std::string& f = op.f;
  if (model == "mutex") {
    bool held = state.bool_value();
    if (f == "acquire") return held ? std::nullopt : std::optional<Value>(Value::Bool(true));
    return held ? std::optional<Value>(Value::Bool(false)) : std::nullopt;
  }
  if (model == "set") {
    std::vector<Value> items = state.items();
    if (f == "add") {
      if (std::find(items.begin(), items.end(), op.input) == items.end()) items.push_back(op.input);
      std::sort(items.begin(), items.end());
      return Value::Set(items);
    }
    std::vector<Value> seen = op.output.items();
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    if (seen == items) return state;
    return std::nullopt;
  }
  if (model == "fifo-queue") {
    std::vector<Value> items = state.items();
    if (f == "enqueue") {
      items.push_back(op.input);
      return Value::Vector(items);
    }
    if (info) {
      if (items.empty()) return state;
      items.erase(items.begin());
      return Value::Vector(items);
    }
    if (op.output.is_nil()) return items.empty() ? std::optional<Value>(state) : std::nullopt;
    if (items.empty() || items.front() != op.output) return std::nullopt;
    items.erase(items.begin());
    return Value::Vector(items);
  }
  // register, cas-register, kv
  Value cur = state;
  if (model == "kv" && cur.is_nil()) cur = Value::String("");
  if (f == "read" || f == "get") {
    Value seen = op.output;
    if (model == "kv" && seen.is_nil()) seen = Value::String("");
    if (seen == cur) return state;
    return std::nullopt;
  }
  if (f == "write" || f == "put") return op.input;
  if (f == "append") return Value::String(cur.text() + op.input.text());
  if (f == "cas") {
    const Value& from = op.input.items()[0];
    const Value& to = op.input.items()[1];
    if (op.outcome == Outcome::kFail) return cur != from ? std::optional<Value>(state) : std::nullopt;
    if (cur == from) return to;
    return std::nullopt;
  }
  return std::nullopt;
}

struct Search {
  std::string_view model;
  std::vector<const Operation*> ops;
  std::vector<bool> done;

  // Real-time order: a must precede b iff a returned before b was invoked.
  bool Blocked(size_t i) const {
    for (size_t j = 0; j < ops.size(); ++j) {
      if (!done[j] && j != i && ops[j]->ret < ops[i]->call) return true;
    }
    return false;
  }

  bool Dfs(const Value& state, size_t remaining) {
    if (remaining == 0) return true;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (done[i] || Blocked(i)) continue;
      std::optional<Value> next = Apply(model, state, *ops[i]);
      if (!next) continue;
      done[i] = true;
      bool ok = Dfs(*next, remaining - 1);
      done[i] = false;
      if (ok) return true;
    }
    return false;
  }
};

// Operations that constrain nothing are left out, as Jepsen's checkers do: failed writes,
// adds and enqueues never happened; reads with no result saw nothing.
bool Constrains(std::string_view model, const Operation& op) {
  const bool observer = op.f == "read" || op.f == "get" ||
                        (op.f == "dequeue" && model == "fifo-queue" && op.outcome != Outcome::kInfo);
  if (observer) return op.outcome == Outcome::kOk;
  if (op.f == "cas") return true;
  return op.outcome != Outcome::kFail;
}

}  // namespace

bool OracleLinearizable(const History& history, std::string_view model) {
  std::vector<const Operation*> definite, optional_ops;
  for (const Operation& op : history.ops) {
    if (!Constrains(model, op)) continue;
    (op.outcome == Outcome::kInfo ? optional_ops : definite).push_back(&op);
  }
  // Every subset of the info operations took effect; the rest never did.
  const size_t k = optional_ops.size();
  for (uint64_t mask = 0; mask < (uint64_t{1} << k); ++mask) {
    Search s;
    s.model = model;
    s.ops = definite;
    for (size_t i = 0; i < k; ++i) {
      if (mask >> i & 1) s.ops.push_back(optional_ops[i]);
    }
    s.done.assign(s.ops.size(), false);
    Value init = model == "set" ? Value::Set({}) : model == "fifo-queue" ? Value::Vector({})
                 : model == "mutex" ? Value::Bool(false) : Value();
    if (s.Dfs(init, s.ops.size())) return true;
  }
  return false;
}

}  // namespace fenceline::testing
