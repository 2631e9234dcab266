// multi-register: Knossos's model of several registers changed together by transactions.
//   txn [[:read k v] [:write k v] ...]   micro-ops applied in order, atomically: a read sees
//                                        the value of k at that point, a write sets it
// The completion's value carries what the reads saw (the invoke's reads are nil). A read of
// nil inside a txn is unknown, as in Knossos, unless --nil-reads value. A failed txn did not
// take place (--fail-observes defines nothing here); an info txn may have taken effect, at any
// point after its invoke, or never. Registers start at nil, or at --initial, a map of key to
// value ({:x 0 :y 0} or {"x":0,"y":0}); a keyword key and a string key of the same text are
// the same register, so EDN histories and JSON initial maps agree.
#include <algorithm>
#include <map>

#include "checker/model/model_util.h"
#include "checker/model/models.h"

namespace fenceline::internal {
namespace {

struct Micro {
  bool read = false;
  bool known = true;  // a read whose value constrains
  uint32_t key = 0;
  uint32_t value = 0;
};

class MultiRegisterSpec final : public PartitionSpec {
 public:
  MultiRegisterSpec(std::vector<std::vector<Micro>> txns, std::vector<Outcome> outcomes,
                    ValueInterner values, std::vector<Value> key_names, std::vector<uint32_t> init)
      : txns_(std::move(txns)),
        outcomes_(std::move(outcomes)),
        values_(std::move(values)),
        key_names_(std::move(key_names)) {
    init_ = states_.Intern(init);
  }

  // An info txn without writes changes nothing and its reads saw nothing known: it
  // constrains nothing (and the search's dominance for info operations assumes they are not
  // pure).
  bool Relevant(uint32_t op) const override {
    if (outcomes_[op] == Outcome::kFail) return false;
    return outcomes_[op] == Outcome::kOk || !Pure(op);
  }
  uint64_t Init() override { return init_; }
  bool Pure(uint32_t op) const override {
    return std::none_of(txns_[op].begin(), txns_[op].end(), [](const Micro& m) { return !m.read; });
  }
  std::optional<uint64_t> Step(uint64_t state, uint32_t op) override {
    std::vector<uint32_t> regs = states_.Get(state);
    bool changed = false;
    for (const Micro& m : txns_[op]) {
      if (m.read) {
        if (m.known && regs[m.key] != m.value) {
          // An info txn whose reads cannot hold here did not take effect here.
          if (outcomes_[op] == Outcome::kInfo) return state;
          return std::nullopt;
        }
      } else if (regs[m.key] != m.value) {
        regs[m.key] = m.value;
        changed = true;
      }
    }
    return changed ? states_.Intern(regs) : state;
  }
  Value Describe(uint64_t state) const override {
    std::vector<Value> items;
    const std::vector<uint32_t>& regs = states_.Get(state);
    for (size_t k = 0; k < regs.size(); ++k) {
      items.push_back(key_names_[k]);
      items.push_back(values_.Get(regs[k]));
    }
    return Value::Map(std::move(items));
  }

 private:
  std::vector<std::vector<Micro>> txns_;
  std::vector<Outcome> outcomes_;
  ValueInterner values_;
  std::vector<Value> key_names_;  // as first written, in key order
  SequenceInterner states_;
  uint64_t init_ = 0;
};

// Keywords and strings of the same text name one register.
Value CanonicalKey(const Value& k) {
  return k.is_keyword() ? Value::String(k.text()) : k;
}

class MultiRegisterModel final : public Model {
 public:
  explicit MultiRegisterModel(const ModelOptions& options)
      : initial_(options.initial.value_or(Value())), nil_reads_(options.nil_reads) {}

  std::string_view id() const override { return "multi-register"; }
  std::string_view description() const override {
    return "registers changed together by transactions, as Knossos's multi-register; each "
           "starts at nil (--initial: a map of key to value)";
  }
  std::vector<OperationDoc> operations() const override {
    return {{"txn", "value [[read k v] [write k v] ...]: applied in order, atomically; a read "
                    "of nil is unknown (--nil-reads value: the value nil)"}};
  }

  StatusOr<std::unique_ptr<PartitionSpec>> Compile(const std::vector<const Operation*>& ops,
                                                   std::string_view source) const override {
    if (!initial_.is_nil() && !initial_.is_map()) {
      return InvalidArgument("multi-register: --initial must be a map of key to value, got " +
                             initial_.ToEdn());
    }
    ValueInterner values;
    const auto nil = static_cast<uint32_t>(values.Intern(Value()));
    std::map<Value, uint32_t> key_ids;
    std::vector<Value> names;
    auto key_id = [&](const Value& k) {
      auto [it, inserted] = key_ids.try_emplace(CanonicalKey(k), static_cast<uint32_t>(names.size()));
      if (inserted) names.push_back(k);
      return it->second;
    };
    std::vector<std::pair<uint32_t, uint32_t>> initial;
    for (size_t i = 0; i + 1 < initial_.items().size(); i += 2) {
      initial.emplace_back(key_id(initial_.items()[i]),
                           static_cast<uint32_t>(values.Intern(initial_.items()[i + 1])));
    }
    std::vector<std::vector<Micro>> txns;
    std::vector<Outcome> outcomes;
    for (const Operation* op : ops) {
      if (op->f != "txn") return UnknownOperation(source, *op, "multi-register", "txn");
      // What the reads saw is in the completion; an info or failed txn has only the invoke's.
      const Value& txn =
          op->outcome == Outcome::kOk && !op->output.is_nil() ? op->output : op->input;
      if (!txn.is_sequential()) {
        return BadValue(source, *op, "multi-register", "a vector of micro-ops", txn);
      }
      std::vector<Micro> micros;
      for (const Value& m : txn.items()) {
        const bool shaped = m.is_sequential() && (m.items().size() == 3 || m.items().size() == 2) &&
                            (m.items()[0].is_keyword() || m.items()[0].is_string());
        const std::string f = shaped ? m.items()[0].text() : "";
        const bool read = f == "read" || f == "r";
        if (!read && !(f == "write" || f == "w")) {
          return BadValue(source, *op, "multi-register", "micro-ops [read k v] or [write k v]", m);
        }
        if (!read && m.items().size() != 3) {
          return BadValue(source, *op, "multi-register", "a value in [write k v]", m);
        }
        Micro c;
        c.read = read;
        c.key = key_id(m.items()[1]);
        const Value v = m.items().size() == 3 ? m.items()[2] : Value();
        c.value = static_cast<uint32_t>(values.Intern(v));
        c.known = !read || !v.is_nil() || nil_reads_ == NilReads::kValue;
        micros.push_back(c);
      }
      txns.push_back(std::move(micros));
      outcomes.push_back(op->outcome);
    }
    std::vector<uint32_t> init(names.size(), nil);
    for (const auto& [k, v] : initial) init[k] = v;
    return std::unique_ptr<PartitionSpec>(std::make_unique<MultiRegisterSpec>(
        std::move(txns), std::move(outcomes), std::move(values), std::move(names),
        std::move(init)));
  }

 private:
  Value initial_;
  NilReads nil_reads_;
};

}  // namespace

std::unique_ptr<Model> MakeMultiRegisterModel(const ModelOptions& options) {
  return std::make_unique<MultiRegisterModel>(options);
}

}  // namespace fenceline::internal
