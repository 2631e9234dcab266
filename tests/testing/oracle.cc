#include "testing/oracle.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

namespace fenceline::testing {
namespace {

bool IsNilLike(std::string_view model, const Value& v) {
  // kv's unset key is "" and reads as "" or nil alike.
  return v.is_nil() || (model == "kv" && v.is_string() && v.text().empty());
}

// A micro-op's name as Jepsen writes it (:read) or JSON does ("read").
std::string MicroName(const Value& v) { return v.text(); }

// multi-register: a map of key to value as a sorted std::map over display keys.
using Registers = std::map<std::string, Value>;

std::string KeyName(const Value& k) { return k.is_string() || k.is_keyword() ? k.text() : k.ToEdn(); }

Value FromRegisters(const Registers& r) {
  std::vector<Value> items;
  for (const auto& [k, v] : r) {
    items.push_back(Value::String(k));
    items.push_back(v);
  }
  return Value::Map(std::move(items));
}

Registers ToRegisters(const Value& m) {
  Registers r;
  for (size_t i = 0; i + 1 < m.items().size(); i += 2) r[KeyName(m.items()[i])] = m.items()[i + 1];
  return r;
}

struct Rules {
  std::string_view model;
  OracleOptions options;
  bool nil_is_value = true;  // the --nil-reads decision for this history
};

// The model, written as plainly as possible: Value states, one function per model.
std::optional<Value> Apply(const Rules& rules, const Value& state, const Operation& op) {
  std::string_view model = rules.model;
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
  if (model == "multi-register") {
    // Knossos: micro-ops apply in order, atomically; a read of nil matches anything unless
    // nil reads are values. An info txn's reads are unknown (its value is the invoke's).
    Registers regs = ToRegisters(state);
    const Value& txn = info ? op.input : op.output;
    for (const Value& m : txn.items()) {
      const std::string name = MicroName(m.items()[0]);
      const std::string key = KeyName(m.items()[1]);
      const Value& v = m.items()[2];
      if (name == "read" || name == "r") {
        if (v.is_nil() && !rules.nil_is_value) continue;
        auto it = regs.find(key);
        const Value held = it == regs.end() ? Value() : it->second;
        if (held != v) return std::nullopt;
      } else {
        regs[key] = v;
      }
    }
    return FromRegisters(regs);
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
    Value from = op.input.items()[0];
    if (model == "kv" && from.is_nil()) from = Value::String("");
    const Value& to = op.input.items()[1];
    if (op.outcome == Outcome::kFail) return cur != from ? std::optional<Value>(state) : std::nullopt;
    if (cur == from) return to;
    return std::nullopt;
  }
  return std::nullopt;
}

struct Search {
  const Rules* rules;
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
      std::optional<Value> next = Apply(*rules, state, *ops[i]);
      if (!next) continue;
      done[i] = true;
      bool ok = Dfs(*next, remaining - 1);
      done[i] = false;
      if (ok) return true;
    }
    return false;
  }
};

bool IsRead(const Operation& op) { return op.f == "read" || op.f == "get"; }

// Operations that constrain nothing are left out, as Jepsen's checkers do: failed operations
// never happened (but for a failed cas under Porcupine's convention); reads with no result saw
// nothing, nor do reads of nil that are not values.
bool Constrains(const Rules& rules, const Operation& op) {
  std::string_view model = rules.model;
  if (op.outcome == Outcome::kFail) return rules.options.fail_observes && op.f == "cas";
  if (model == "multi-register") return true;
  // A fifo dequeue of unknown outcome may have removed the front: it stays in.
  const bool observer =
      IsRead(op) || (op.f == "dequeue" && model == "fifo-queue" && op.outcome != Outcome::kInfo);
  if (observer && op.outcome != Outcome::kOk) return false;
  if (IsRead(op) && model != "set" && op.output.is_nil()) return rules.nil_is_value;
  return true;
}

// --nil-reads: value, unknown, or auto: a value iff the register can hold nil, because it
// starts there or because an operation that may have happened writes it.
bool NilIsValue(std::string_view model, const OracleOptions& o, const History& h) {
  if (o.nil_reads == NilReads::kValue) return true;
  if (o.nil_reads == NilReads::kUnknown) return false;
  if (model == "multi-register") return false;  // Knossos: a nil read in a txn is unknown
  const Value init = model == "kv" ? Value::String("") : o.initial.value_or(Value());
  if (IsNilLike(model, init)) return true;
  for (const Operation& op : h.ops) {
    if (op.outcome == Outcome::kFail) continue;
    if ((op.f == "write" || op.f == "put") && IsNilLike(model, op.input)) return true;
    if (op.f == "cas" && IsNilLike(model, op.input.items()[1])) return true;
  }
  return false;
}

}  // namespace

bool OracleLinearizable(const History& history, std::string_view model,
                        const OracleOptions& options) {
  Rules rules{model, options, NilIsValue(model, options, history)};
  std::vector<const Operation*> definite, optional_ops;
  for (const Operation& op : history.ops) {
    if (!Constrains(rules, op)) continue;
    (op.outcome == Outcome::kInfo ? optional_ops : definite).push_back(&op);
  }
  Value init = model == "set"          ? Value::Set({})
               : model == "fifo-queue" ? Value::Vector({})
               : model == "mutex"      ? Value::Bool(false)
               : model == "kv"         ? Value::String("")
                                       : options.initial.value_or(Value());
  if (model == "multi-register") init = FromRegisters(ToRegisters(init));
  // Every subset of the info operations took effect; the rest never did.
  const size_t k = optional_ops.size();
  for (uint64_t mask = 0; mask < (uint64_t{1} << k); ++mask) {
    Search s;
    s.rules = &rules;
    s.ops = definite;
    for (size_t i = 0; i < k; ++i) {
      if (mask >> i & 1) s.ops.push_back(optional_ops[i]);
    }
    s.done.assign(s.ops.size(), false);
    if (s.Dfs(init, s.ops.size())) return true;
  }
  return false;
}

}  // namespace fenceline::testing
