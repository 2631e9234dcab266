// fenced-register (see the header). Compilation interns every (value, token) pair a write can
// install, so Step is a table lookup and never allocates.
#include "checker/model/fenced_register_model.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checker/model/model_util.h"

namespace fenceline::internal {
namespace {

constexpr std::string_view kOperations = "write, read";

// Below every token a client can present: the initial state has accepted no write yet.
constexpr int64_t kNoToken = std::numeric_limits<int64_t>::min();

enum class Kind : uint8_t { kRead, kWrite };

struct CompiledOp {
  Kind kind = Kind::kRead;
  Outcome outcome = Outcome::kOk;
  bool relevant = true;
  int64_t token = 0;   // write
  uint64_t value = 0;  // read: expected value id
  uint64_t next = 0;   // write: the state it installs
};

struct State {
  uint64_t value = 0;  // id in the spec's ValueInterner
  int64_t highest = kNoToken;
};

class FencedRegisterSpec final : public PartitionSpec {
 public:
  FencedRegisterSpec(std::vector<CompiledOp> ops, std::vector<State> states, ValueInterner values)
      : ops_(std::move(ops)), states_(std::move(states)), values_(std::move(values)) {}

  bool Relevant(uint32_t op) const override { return ops_[op].relevant; }
  uint64_t Init() override { return 0; }
  bool Pure(uint32_t op) const override {
    const CompiledOp& o = ops_[op];
    return o.kind == Kind::kRead || o.outcome == Outcome::kFail;
  }

  std::optional<uint64_t> Step(uint64_t state, uint32_t i) override {
    const CompiledOp& o = ops_[i];
    const State& s = states_[state];
    if (o.kind == Kind::kRead) {
      if (s.value == o.value) return state;
      return std::nullopt;
    }
    const bool accepted = o.token >= s.highest;
    switch (o.outcome) {
      case Outcome::kOk:
        if (accepted) return o.next;
        return std::nullopt;
      case Outcome::kFail:
        // The storage rejected it: it must have seen a higher token already.
        if (!accepted) return state;
        return std::nullopt;
      case Outcome::kInfo:
        return accepted ? o.next : state;
    }
    return std::nullopt;
  }

  Value Describe(uint64_t state) const override {
    const State& s = states_[state];
    return Value::Map({Value::Keyword("value"), values_.Get(s.value), Value::Keyword("token"),
                       s.highest == kNoToken ? Value() : Value::Int(s.highest)});
  }

 private:
  std::vector<CompiledOp> ops_;
  std::vector<State> states_;  // state id -> state; 0 is the initial state
  ValueInterner values_;
};

constexpr size_t kPrefetchAhead = 8;
void Prefetch(const Operation& op) {
  const char* at = reinterpret_cast<const char*>(&op);
  for (size_t offset = 0; offset < sizeof(Operation); offset += 64) __builtin_prefetch(at + offset);
}

const Value* Field(const Operation& op, std::string_view name, bool prefer_output) {
  const Value* first = prefer_output ? &op.output : &op.input;
  const Value* second = prefer_output ? &op.input : &op.output;
  if (first->is_map()) {
    if (const Value* v = first->Find(name)) return v;
  }
  if (second->is_map()) {
    if (const Value* v = second->Find(name)) return v;
  }
  return nullptr;
}

class FencedRegisterModel final : public Model {
 public:
  FencedRegisterModel(const ModelOptions& options, bool for_fencing)
      : initial_(options.initial.value_or(Value())), for_fencing_(for_fencing) {}

  std::string_view id() const override { return kFencedRegisterId; }
  std::string_view description() const override {
    return "storage fenced by tokens: a write is accepted iff its token is at least the highest "
           "accepted so far; one register per resource";
  }
  std::vector<OperationDoc> operations() const override {
    return {
        {"write",
         "value {resource, token, value}; ok: accepted (token >= highest), now holds "
         "value; fail: rejected, a higher token was accepted before"},
        {"read",
         "value {resource}; ok value {resource, value}: the register held value (nil: "
         "never written)"},
    };
  }

  StatusOr<Value> PartitionOf(const Operation& op) const override {
    if (op.f != "write" && op.f != "read") {
      if (for_fencing_) return Value();
      return Unsupported(OpWhere("", op) + std::string(kFencedRegisterId) +
                         " has no operation '" + op.f + "' (operations: " +
                         std::string(kOperations) +
                         "); for lock and storage histories use --model fencing");
    }
    const Value* r = Field(op, "resource", false);
    if (r == nullptr) {
      return Unsupported(OpWhere("", op) + std::string(kFencedRegisterId) +
                         ": expected a \"resource\" in the value of " + op.f + ", got " +
                         op.input.ToEdn());
    }
    return *r;
  }

  StatusOr<std::unique_ptr<PartitionSpec>> Compile(const std::vector<const Operation*>& ops,
                                                   std::string_view source) const override {
    ValueInterner values;
    std::vector<State> states;
    states.push_back(State{values.Intern(initial_), kNoToken});
    std::vector<CompiledOp> compiled;
    compiled.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      // A resource's operations lie far apart in the history (one in a thousand with 1,000
      // resources): ask for the next ones ahead, so their cache misses overlap this one's work.
      if (i + kPrefetchAhead < ops.size()) Prefetch(*ops[i + kPrefetchAhead]);
      const Operation* op = ops[i];
      CompiledOp c;
      c.outcome = op->outcome;
      if (for_fencing_ && op->f != "write" && op->f != "read") {
        c.relevant = false;
      } else if (op->f == "write") {
        c.kind = Kind::kWrite;
        c.relevant = !(for_fencing_ && op->outcome == Outcome::kFail);
        const Value* token = Field(*op, "token", false);
        if (token == nullptr || !token->is_int()) {
          return BadValue(source, *op, kFencedRegisterId, "an integer \"token\"", op->input);
        }
        c.token = token->int_value();
        const Value* v = op->input.is_map() ? op->input.Find("value") : nullptr;
        // The highest token is part of the state, so each write installs its own state.
        states.push_back(State{values.Intern(v ? *v : Value()), c.token});
        c.next = states.size() - 1;
      } else if (op->f == "read") {
        c.kind = Kind::kRead;
        // Only an ok read observed anything.
        c.relevant = op->outcome == Outcome::kOk;
        if (c.relevant) {
          if (!op->output.is_map()) {
            return BadValue(source, *op, kFencedRegisterId, "a value {resource, value}",
                            op->output);
          }
          const Value* v = op->output.Find("value");
          c.value = values.Intern(v ? *v : Value());
        }
      } else {
        return UnknownOperation(source, *op, kFencedRegisterId, kOperations);
      }
      compiled.push_back(c);
    }
    if (for_fencing_) {
      // A write of unknown outcome whose value no read returned is never needed: taking it
      // effect can only raise the highest token (so reject more writes) and install a value no
      // read saw. Any order that linearizes it is still one without it, so dropping it changes
      // no verdict, while each such write would double the search's configurations (an
      // unknown-outcome operation stays pending to the end). Rejected writes, whose explanation
      // might need it, are already out of this variant's search.
      std::vector<uint64_t> read_values;
      for (const CompiledOp& c : compiled) {
        if (c.kind == Kind::kRead && c.relevant) read_values.push_back(c.value);
      }
      std::sort(read_values.begin(), read_values.end());
      for (CompiledOp& c : compiled) {
        if (c.kind != Kind::kWrite || c.outcome != Outcome::kInfo || !c.relevant) continue;
        c.relevant = std::binary_search(read_values.begin(), read_values.end(),
                                        states[c.next].value);
      }
    }
    return std::unique_ptr<PartitionSpec>(std::make_unique<FencedRegisterSpec>(
        std::move(compiled), std::move(states), std::move(values)));
  }

 private:
  Value initial_;
  bool for_fencing_;
};

}  // namespace

std::unique_ptr<Model> MakeFencedRegisterModel(const ModelOptions& options) {
  return std::make_unique<FencedRegisterModel>(options, false);
}

std::unique_ptr<Model> MakeFencedRegisterModelForFencing() {
  return std::make_unique<FencedRegisterModel>(ModelOptions(), true);
}

}  // namespace fenceline::internal
