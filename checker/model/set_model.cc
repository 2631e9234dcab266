// set: add x, and read of the whole set. States are sorted vectors of element ids, interned.
#include <algorithm>

#include "checker/model/model_util.h"
#include "checker/model/models.h"

namespace fenceline::internal {
namespace {

class SetSpec final : public PartitionSpec {
 public:
  struct Op {
    bool add = false;
    Outcome outcome = Outcome::kOk;
    uint32_t element = 0;  // add
    uint64_t expect = 0;   // read: the interned set it saw
    bool droppable = false;  // an unknown add no read saw
  };
  SetSpec(std::vector<Op> ops, ValueInterner elements, SequenceInterner states)
      : ops_(std::move(ops)), elements_(std::move(elements)), states_(std::move(states)) {
    empty_ = states_.Intern({});
  }

  bool Relevant(uint32_t i) const override {
    if (ops_[i].droppable) return false;
    return ops_[i].add ? ops_[i].outcome != Outcome::kFail : ops_[i].outcome == Outcome::kOk;
  }
  uint64_t Init() override { return empty_; }
  bool Pure(uint32_t i) const override { return !ops_[i].add; }
  std::optional<uint64_t> Step(uint64_t state, uint32_t i) override {
    const Op& o = ops_[i];
    if (!o.add) return state == o.expect ? std::optional<uint64_t>(state) : std::nullopt;
    const std::vector<uint32_t>& cur = states_.Get(state);
    auto at = std::lower_bound(cur.begin(), cur.end(), o.element);
    if (at != cur.end() && *at == o.element) return state;
    std::vector<uint32_t> next(cur.begin(), at);
    next.push_back(o.element);
    next.insert(next.end(), at, cur.end());
    return states_.Intern(next);
  }
  Value Describe(uint64_t state) const override {
    std::vector<Value> items;
    for (uint32_t e : states_.Get(state)) items.push_back(elements_.Get(e));
    std::sort(items.begin(), items.end());
    return Value::Set(std::move(items));
  }
  size_t StateBytes() const override { return elements_.bytes() + states_.bytes(); }

 private:
  std::vector<Op> ops_;
  ValueInterner elements_;
  SequenceInterner states_;
  uint64_t empty_ = 0;
};

class SetModel final : public Model {
 public:
  std::string_view id() const override { return "set"; }
  std::string_view description() const override { return "a set, initially empty"; }
  std::vector<OperationDoc> operations() const override {
    return {{"add", "value x: adds x"},
            {"read", "ok value [x ...] or #{x ...}: the whole set at that point"}};
  }
  StatusOr<std::unique_ptr<PartitionSpec>> Compile(const std::vector<const Operation*>& ops,
                                                   std::string_view source) const override {
    ValueInterner elements;
    SequenceInterner states;
    std::vector<SetSpec::Op> compiled;
    for (const Operation* op : ops) {
      SetSpec::Op c;
      c.outcome = op->outcome;
      if (op->f == "add") {
        c.add = true;
        c.element = static_cast<uint32_t>(elements.Intern(op->input));
      } else if (op->f == "read") {
        if (op->outcome == Outcome::kOk) {
          const Value& out = op->output;
          if (!out.is_sequential() && out.kind() != ValueKind::kSet && !out.is_nil()) {
            return BadValue(source, *op, "set", "a collection of elements", out);
          }
          std::vector<uint32_t> seen;
          for (const Value& v : out.items()) seen.push_back(static_cast<uint32_t>(elements.Intern(v)));
          std::sort(seen.begin(), seen.end());
          seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
          c.expect = states.Intern(seen);
        }
      } else {
        return UnknownOperation(source, *op, "set", "add, read");
      }
      compiled.push_back(c);
    }
    // An add of unknown outcome whose element no read saw can be taken never to have
    // happened: every read after it would have had to show the element.
    std::vector<bool> seen_element(static_cast<size_t>(elements.size()), false);
    for (const SetSpec::Op& c : compiled) {
      if (!c.add && c.outcome == Outcome::kOk) {
        for (uint32_t e : states.Get(c.expect)) seen_element[e] = true;
      }
    }
    for (SetSpec::Op& c : compiled) {
      if (c.add && c.outcome == Outcome::kInfo && !seen_element[c.element]) c.droppable = true;
    }
    return std::unique_ptr<PartitionSpec>(
        std::make_unique<SetSpec>(std::move(compiled), std::move(elements), std::move(states)));
  }
};

}  // namespace

std::unique_ptr<Model> MakeSetModel() { return std::make_unique<SetModel>(); }

}  // namespace fenceline::internal
