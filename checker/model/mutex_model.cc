// mutex: acquire / release (aliases lock / unlock), as Jepsen's mutex model: an ok acquire
// needs the lock free, an ok release needs it held. Owners are not tracked (Jepsen's model
// does not either); fencing tokens and owners are the fencing model's business.
#include "checker/model/model_util.h"
#include "checker/model/models.h"

namespace fenceline::internal {
namespace {

class MutexSpec final : public PartitionSpec {
 public:
  // kinds_[i]: +1 acquire, -1 release; outcomes_[i]: ok or info (fail ops are irrelevant).
  MutexSpec(std::vector<int8_t> kinds, std::vector<Outcome> outcomes)
      : kinds_(std::move(kinds)), outcomes_(std::move(outcomes)) {}

  bool Relevant(uint32_t op) const override { return outcomes_[op] != Outcome::kFail; }
  uint64_t Init() override { return 0; }
  bool Pure(uint32_t) const override { return false; }
  std::optional<uint64_t> Step(uint64_t held, uint32_t op) override {
    const uint64_t want = kinds_[op] > 0 ? 0 : 1;
    if (held == want) return 1 - held;
    if (outcomes_[op] == Outcome::kInfo) return held;  // it may not have taken effect
    return std::nullopt;
  }
  Value Describe(uint64_t held) const override {
    return Value::Keyword(held ? "held" : "free");
  }

 private:
  std::vector<int8_t> kinds_;
  std::vector<Outcome> outcomes_;
};

class MutexModel final : public Model {
 public:
  std::string_view id() const override { return "mutex"; }
  std::string_view description() const override { return "a lock, initially free"; }
  std::vector<OperationDoc> operations() const override {
    return {{"acquire, lock", "ok: the lock was free and is now held"},
            {"release, unlock", "ok: the lock was held and is now free"}};
  }
  StatusOr<std::unique_ptr<PartitionSpec>> Compile(const std::vector<const Operation*>& ops,
                                                   std::string_view source) const override {
    std::vector<int8_t> kinds;
    std::vector<Outcome> outcomes;
    for (const Operation* op : ops) {
      if (op->f == "acquire" || op->f == "lock") {
        kinds.push_back(1);
      } else if (op->f == "release" || op->f == "unlock") {
        kinds.push_back(-1);
      } else {
        return UnknownOperation(source, *op, "mutex", "acquire, release");
      }
      outcomes.push_back(op->outcome);
    }
    return std::unique_ptr<PartitionSpec>(
        std::make_unique<MutexSpec>(std::move(kinds), std::move(outcomes)));
  }
};

}  // namespace

std::unique_ptr<Model> MakeMutexModel() { return std::make_unique<MutexModel>(); }

}  // namespace fenceline::internal
