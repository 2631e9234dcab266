// unordered-queue and fifo-queue: enqueue x; dequeue returns an element (ok value x), or nil
// when it found the queue empty. A fifo dequeue of unknown outcome, if it took effect, removed
// the front: that is deterministic and searched like any operation. An unordered one may have
// removed any element: rather than guess which, it is left out, and then "found it empty"
// observations in the same partition constrain nothing either (they are the only results an
// unseen removal can explain), so an unknown outcome never raises a false alarm.
#include <algorithm>

#include "checker/model/model_util.h"
#include "checker/model/models.h"

namespace fenceline::internal {
namespace {

class QueueSpec final : public PartitionSpec {
 public:
  struct Op {
    bool enqueue = false;
    bool relevant = true;
    bool empty = false;     // dequeue: observed an empty queue
    bool unknown = false;   // fifo dequeue of unknown outcome
    uint32_t element = 0;
  };
  QueueSpec(std::vector<Op> ops, ValueInterner elements, bool fifo)
      : ops_(std::move(ops)), elements_(std::move(elements)), fifo_(fifo) {
    empty_state_ = states_.Intern({});
  }

  bool Relevant(uint32_t i) const override { return ops_[i].relevant; }
  uint64_t Init() override { return empty_state_; }
  bool Pure(uint32_t i) const override { return !ops_[i].enqueue && ops_[i].empty; }
  std::optional<uint64_t> Step(uint64_t state, uint32_t i) override {
    const Op& o = ops_[i];
    const std::vector<uint32_t>& cur = states_.Get(state);
    if (o.enqueue) {
      std::vector<uint32_t> next = cur;
      if (fifo_) {
        next.push_back(o.element);
      } else {
        next.insert(std::upper_bound(next.begin(), next.end(), o.element), o.element);
      }
      return states_.Intern(next);
    }
    if (o.unknown) {
      if (cur.empty()) return state;
      return states_.Intern(std::vector<uint32_t>(cur.begin() + 1, cur.end()));
    }
    if (o.empty) return cur.empty() ? std::optional<uint64_t>(state) : std::nullopt;
    if (fifo_) {
      if (cur.empty() || cur.front() != o.element) return std::nullopt;
      return states_.Intern(std::vector<uint32_t>(cur.begin() + 1, cur.end()));
    }
    auto at = std::lower_bound(cur.begin(), cur.end(), o.element);
    if (at == cur.end() || *at != o.element) return std::nullopt;
    std::vector<uint32_t> next(cur.begin(), at);
    next.insert(next.end(), at + 1, cur.end());
    return states_.Intern(next);
  }
  Value Describe(uint64_t state) const override {
    std::vector<Value> items;
    for (uint32_t e : states_.Get(state)) items.push_back(elements_.Get(e));
    return Value::Vector(std::move(items));
  }
  size_t StateBytes() const override { return elements_.bytes() + states_.bytes(); }

 private:
  std::vector<Op> ops_;
  ValueInterner elements_;
  SequenceInterner states_;
  bool fifo_;
  uint64_t empty_state_ = 0;
};

class QueueModel final : public Model {
 public:
  explicit QueueModel(bool fifo) : fifo_(fifo) {}
  std::string_view id() const override { return fifo_ ? "fifo-queue" : "unordered-queue"; }
  std::string_view description() const override {
    return fifo_ ? "a first-in first-out queue, initially empty"
                 : "a queue that may deliver in any order (a multiset), initially empty";
  }
  std::vector<OperationDoc> operations() const override {
    return {{"enqueue", "value x: adds x"},
            {"dequeue", fifo_ ? "ok value x: removed x from the front; ok nil: found it empty"
                              : "ok value x: removed one x; ok nil: found it empty"}};
  }
  StatusOr<std::unique_ptr<PartitionSpec>> Compile(const std::vector<const Operation*>& ops,
                                                   std::string_view source) const override {
    ValueInterner elements;
    std::vector<QueueSpec::Op> compiled;
    bool unknown_dequeue = false;
    for (const Operation* op : ops) {
      QueueSpec::Op c;
      if (op->f == "enqueue") {
        c.enqueue = true;
        c.relevant = op->outcome != Outcome::kFail;
        c.element = static_cast<uint32_t>(elements.Intern(op->input));
      } else if (op->f == "dequeue") {
        c.relevant = op->outcome == Outcome::kOk || (fifo_ && op->outcome == Outcome::kInfo);
        c.unknown = op->outcome == Outcome::kInfo;
        unknown_dequeue |= !fifo_ && c.unknown;
        c.empty = !c.unknown && op->output.is_nil();
        if (!c.empty) c.element = static_cast<uint32_t>(elements.Intern(op->output));
      } else {
        return UnknownOperation(source, *op, id(), "enqueue, dequeue");
      }
      compiled.push_back(c);
    }
    // An enqueue of unknown outcome whose element no dequeue returned can be taken never to
    // have happened: in the queue, the element could only block others or an "empty" result.
    std::vector<bool> dequeued(elements.size(), false);
    for (const QueueSpec::Op& c : compiled) {
      if (!c.enqueue && c.relevant && !c.empty && !c.unknown) dequeued[c.element] = true;
    }
    for (size_t i = 0; i < compiled.size(); ++i) {
      QueueSpec::Op& c = compiled[i];
      if (c.enqueue && ops[i]->outcome == Outcome::kInfo && !dequeued[c.element]) c.relevant = false;
    }
    if (unknown_dequeue) {
      for (QueueSpec::Op& c : compiled) {
        if (!c.enqueue && c.empty) c.relevant = false;
      }
    }
    return std::unique_ptr<PartitionSpec>(
        std::make_unique<QueueSpec>(std::move(compiled), std::move(elements), fifo_));
  }

 private:
  bool fifo_;
};

}  // namespace

std::unique_ptr<Model> MakeQueueModel(bool fifo) { return std::make_unique<QueueModel>(fifo); }

}  // namespace fenceline::internal
