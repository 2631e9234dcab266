#include "testing/random_history.h"

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <vector>

namespace fenceline::testing {
namespace {

struct Planned {
  int process;
  Nanos call, ret, point;  // point: where it takes effect (consistent histories)
  std::string f;
  Value input, output, key;
  Outcome outcome = Outcome::kOk;
  bool took_effect = true;  // info ops: whether it applied
  Value error;              // a definite failure's :error
  bool nil_read = false;    // an ok read that returns nil whatever it saw
};

// The errors Jepsen clients attach to definite failures.
const char* const kErrors[] = {"not-primary", "write-concern", "aborted", "conflict"};

}  // namespace

History RandomHistory(const RandomHistoryOptions& o) {
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const std::string& m = o.model;

  std::vector<Planned> plan;
  std::vector<Nanos> free_at(static_cast<size_t>(o.processes), 0);
  std::vector<bool> crashed(static_cast<size_t>(o.processes), false);
  std::vector<int> process_name(static_cast<size_t>(o.processes));
  for (int p = 0; p < o.processes; ++p) process_name[static_cast<size_t>(p)] = p;
  int element = 0;
  const int mkeys = 2;  // multi-register keys: "x", "y"
  auto reg_value = [&](int v) { return chance(o.nil_write_rate) ? Value() : Value::Int(v); };
  for (int i = 0; i < o.ops; ++i) {
    const auto slot = static_cast<size_t>(uniform(o.processes));
    if (crashed[slot]) {  // a crashed client comes back under a new process id, as in Jepsen
      crashed[slot] = false;
      process_name[slot] += o.processes;
    }
    Planned op;
    op.process = process_name[slot];
    op.call = free_at[slot] + 1 + uniform(10);
    op.ret = op.call + 1 + uniform(10 * o.max_overlap);
    op.point = op.call + uniform(static_cast<int>(op.ret - op.call) + 1);
    free_at[slot] = op.ret;
    const int v = uniform(o.values);
    if (m == "mutex") {
      op.f = uniform(2) ? "acquire" : "release";
    } else if (m == "set") {
      op.f = uniform(3) ? "add" : "read";
      if (op.f == "add") op.input = Value::Int(element++);
    } else if (m == "fifo-queue") {
      op.f = uniform(2) ? "enqueue" : "dequeue";
      if (op.f == "enqueue") op.input = Value::Int(element++);
    } else if (m == "kv") {
      int r = uniform(3);
      op.f = r == 0 ? "get" : r == 1 ? "append" : "put";
      op.key = Value::String("k" + std::to_string(uniform(o.keys)));
      if (op.f == "append") {
        op.input = Value::String(o.delimited ? "x" + std::to_string(element++) + "y"
                                             : std::to_string(element++ % 10));
      }
      if (op.f == "put") {
        op.input = Value::String(o.delimited ? "xw" + std::to_string(v) + "y" : std::to_string(v));
        if (o.delimited && o.unmarked_writes) {
          op.input = Value::String("w" + std::to_string(v) +
                                   (uniform(3) == 0 ? "x" + std::to_string(v) + "y" : ""));
        }
      }
    } else if (m == "multi-register") {
      // A txn of 1-3 micro-ops, reads invoked with nil as Jepsen's clients do.
      op.f = "txn";
      std::vector<Value> micro;
      const int count = 1 + uniform(3);
      for (int j = 0; j < count; ++j) {
        const bool read = uniform(2) == 0;
        micro.push_back(Value::Vector({Value::Keyword(read ? "read" : "write"),
                                       Value::Keyword(uniform(mkeys) ? "x" : "y"),
                                       read ? Value() : reg_value(uniform(o.values))}));
      }
      op.input = Value::Vector(std::move(micro));
    } else {
      int r = uniform(m == "cas-register" ? 3 : 2);
      op.f = r == 0 ? "read" : r == 1 ? "write" : "cas";
      if (op.f == "write") op.input = reg_value(v);
      if (op.f == "cas") op.input = Value::Vector({Value::Int(v), reg_value(uniform(o.values))});
    }
    if (chance(o.info_rate)) {
      op.outcome = Outcome::kInfo;
      op.took_effect = uniform(2) == 0;
      crashed[slot] = true;
    } else if (chance(o.fail_rate)) {
      op.outcome = Outcome::kFail;
      op.took_effect = false;
      op.error = Value::Keyword(kErrors[uniform(4)]);
    } else if ((op.f == "read" || op.f == "get") && chance(o.nil_read_rate)) {
      op.nil_read = true;
    }
    plan.push_back(std::move(op));
  }

  // Results: from a sequential execution in `point` order, or at random.
  std::vector<size_t> by_point(plan.size());
  for (size_t i = 0; i < plan.size(); ++i) by_point[i] = i;
  std::stable_sort(by_point.begin(), by_point.end(),
                   [&](size_t a, size_t b) { return plan[a].point < plan[b].point; });
  std::map<Value, Value> reg;  // key -> value (register models use the nil key)
  if (m != "kv" && m != "multi-register") reg[Value()] = o.initial;
  if (m == "multi-register") {
    for (size_t i = 0; i + 1 < o.initial.items().size(); i += 2) {
      reg[o.initial.items()[i]] = o.initial.items()[i + 1];
    }
  }
  bool held = false;
  bool lost = false;
  std::vector<Value> items;
  for (size_t i : by_point) {
    Planned& op = plan[i];
    Value& cell = reg[op.key];
    if (op.outcome == Outcome::kFail && !op.error.is_nil()) continue;  // it did not happen
    if (!o.consistent && op.outcome != Outcome::kInfo) {
      // Random results: any plausible value, any outcome.
      if (op.f == "read" || op.f == "get") {
        op.output = m == "kv" ? Value::String(std::to_string(uniform(o.values))) : Value::Int(uniform(o.values));
        if (uniform(4) == 0) op.output = Value();
      } else if (op.f == "cas" || op.f == "acquire" || op.f == "release") {
        op.outcome = uniform(2) ? Outcome::kOk : Outcome::kFail;
      } else if (op.f == "dequeue") {
        op.output = element > 0 ? Value::Int(uniform(element)) : Value();
      } else if (m == "set" && op.f == "read") {
        op.output = Value::Vector({});
      }
      if (op.f == "txn") {
        std::vector<Value> micro = op.input.items();
        for (Value& mo : micro) {
          if (mo.items()[0].text() == "read") {
            mo.mutable_items()[2] = uniform(4) ? Value::Int(uniform(o.values)) : Value();
          }
        }
        op.output = Value::Vector(std::move(micro));
      }
      if (m == "set" && op.f == "read") {
        std::vector<Value> seen;
        for (int e = 0; e < element; ++e) {
          if (uniform(2)) seen.push_back(Value::Int(e));
        }
        op.output = Value::Vector(seen);
      }
      continue;
    }
    const bool applies = op.outcome != Outcome::kInfo || op.took_effect;
    if (op.f == "read" || op.f == "get") {
      op.output = cell;
      if (m == "kv" && op.output.is_nil()) op.output = Value::String("");
      if (m == "set") op.output = Value::Vector(items);
      if (op.nil_read) op.output = Value();
    } else if (op.f == "txn") {
      std::vector<Value> micro = op.input.items();
      for (Value& mo : micro) {
        Value& c = reg[mo.items()[1]];
        if (mo.items()[0].text() == "read") {
          mo.mutable_items()[2] = c;
        } else if (applies) {
          c = mo.items()[2];
        }
      }
      op.output = Value::Vector(std::move(micro));
    } else if (op.f == "write" || op.f == "put") {
      if (applies) cell = op.input;
    } else if (op.f == "append") {
      if (o.lose_append && !lost && op.outcome == Outcome::kOk) {
        lost = true;
        continue;
      }
      if (applies) cell = Value::String((cell.is_nil() ? "" : cell.text()) + op.input.text());
    } else if (op.f == "cas") {
      const bool match = cell == op.input.items()[0];
      if (op.outcome != Outcome::kInfo) op.outcome = match ? Outcome::kOk : Outcome::kFail;
      if (match && applies) cell = op.input.items()[1];
    } else if (op.f == "acquire") {
      if (op.outcome != Outcome::kInfo) op.outcome = held ? Outcome::kFail : Outcome::kOk;
      if (!held && applies) held = true;
    } else if (op.f == "release") {
      if (op.outcome != Outcome::kInfo) op.outcome = held ? Outcome::kOk : Outcome::kFail;
      if (held && applies) held = false;
    } else if (op.f == "add") {
      if (applies) items.push_back(op.input);
    } else if (op.f == "enqueue") {
      if (applies) items.push_back(op.input);
    } else if (op.f == "dequeue") {
      if (op.outcome == Outcome::kInfo) {
        if (applies && !items.empty()) items.erase(items.begin());
      } else if (items.empty()) {
        op.output = Value();
      } else {
        op.output = items.front();
        items.erase(items.begin());
      }
    }
  }
  if (m == "set") {
    for (Planned& op : plan) {
      if (op.f == "read" && op.outcome == Outcome::kOk && o.consistent) {
        std::vector<Value> v = op.output.items();
        std::sort(v.begin(), v.end());
        op.output = Value::Vector(v);
      }
    }
  }

  // Events in time order (invokes before completions at equal times keep touching ops
  // concurrent, as the engine reads them).
  struct Ev {
    Nanos t;
    int kind;  // 0 invoke, 1 completion
    size_t op;
  };
  std::vector<Ev> events;
  for (size_t i = 0; i < plan.size(); ++i) {
    events.push_back({plan[i].call, 0, i});
    if (plan[i].outcome != Outcome::kInfo || uniform(2)) events.push_back({plan[i].ret, 1, i});
  }
  std::stable_sort(events.begin(), events.end(), [](const Ev& a, const Ev& b) {
    return a.t != b.t ? a.t < b.t : a.kind < b.kind;
  });
  HistoryBuilder b("random-" + std::to_string(o.seed));
  uint32_t line = 1;
  for (const Ev& ev : events) {
    const Planned& op = plan[ev.op];
    Event e;
    e.process = Value::Int(op.process);
    e.f = op.f;
    e.time = ev.t;
    e.pos = {line++, 1};
    if (!op.key.is_nil()) e.key = op.key;
    if (ev.kind == 0) {
      e.type = EventType::kInvoke;
      e.value = op.input;
    } else {
      e.error = op.error;
      e.type = op.outcome == Outcome::kOk ? EventType::kOk
               : op.outcome == Outcome::kFail ? EventType::kFail : EventType::kInfo;
      e.value = op.outcome == Outcome::kOk && !op.output.is_nil() ? op.output : op.input;
      if ((op.f == "read" || op.f == "get" || op.f == "dequeue" || op.f == "txn") &&
          op.outcome == Outcome::kOk) {
        e.value = op.output;
      }
    }
    (void)b.Add(std::move(e));
  }
  return std::move(b.Finish()).value();
}

std::string ToJsonLines(const History& h) {
  struct Ev {
    Nanos t;
    int kind;
    const Operation* op;
  };
  std::vector<Ev> events;
  for (const Operation& op : h.ops) {
    events.push_back({op.call, 0, &op});
    if (op.complete_pos.line) events.push_back({op.complete_time.value_or(op.ret), 1, &op});
  }
  std::stable_sort(events.begin(), events.end(), [](const Ev& a, const Ev& b) {
    return a.t != b.t ? a.t < b.t : a.kind < b.kind;
  });
  // Nested vectors too (multi-register's micro-ops); keywords stay EDN, which JSON lacks.
  std::function<std::string(const Value&)> json = [&json](const Value& v) -> std::string {
    if (v.is_nil()) return "null";
    if (v.is_string()) return "\"" + v.text() + "\"";
    if (v.is_sequential()) {
      std::string s = "[";
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i) s += ",";
        s += json(v.items()[i]);
      }
      return s + "]";
    }
    return v.ToEdn();
  };
  std::string out;
  for (const Ev& ev : events) {
    const Operation& op = *ev.op;
    std::string type = ev.kind == 0 ? "invoke" : std::string(OutcomeName(op.outcome));
    const Value& value = ev.kind == 0 ? op.input : op.output.is_nil() ? op.input : op.output;
    out += "{\"process\":" + h.process_names[static_cast<size_t>(op.process)] + ",\"type\":\"" +
           type + "\",\"f\":\"" + op.f + "\"";
    if (op.key) out += ",\"key\":" + json(*op.key);
    out += ",\"value\":" + json(value);
    if (ev.kind == 1 && !op.error.is_nil()) out += ",\"error\":\"" + op.error.ToDisplay() + "\"";
    if (h.timed) out += ",\"time\":" + std::to_string(ev.t);
    out += "}\n";
  }
  return out;
}

}  // namespace fenceline::testing
