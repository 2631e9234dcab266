// kv: a map of independent keys (checked one by one: P-compositionality). Each key is a
// register of
//   read / get      ok value v: the key held v
//   write / put v   sets it
//   append s        concatenates a string (or adds an element to a list)
//   cas [a b]       as in cas-register
// The key is the event's `key`, or else the first element of a Jepsen `[key value]` tuple.
// An unset key reads as "" or nil alike (Porcupine's key-value histories read ""; Jepsen's nil).
// Failures and reads of nil follow cas-register's rules (--fail-observes, --nil-reads).
#include "checker/model/models.h"
#include "checker/model/register_spec.h"

namespace fenceline::internal {
namespace {

class KvModel final : public RegisterFamilyModel, public KeyedPartitions {
 public:
  explicit KvModel(const ModelOptions& options)
      : initial_(options.initial.value_or(Value::String(""))),
        fail_observes_(options.fail_observes),
        nil_reads_(options.nil_reads) {}

  std::string_view id() const override { return "kv"; }
  std::string_view description() const override {
    return "independent keys, each a register with append; keys start empty (--initial overrides)";
  }
  std::vector<OperationDoc> operations() const override {
    return {
        {"read, get", "ok value v: the key held v (\"\" or nil: unset)"},
        {"write, put", "value v: sets the key to v"},
        {"append", "value s: appends the string s (or adds an element to a list)"},
        {"cas", "value [from to]; ok: held from, now holds to; fail: did not take place "
                "(--fail-observes: did not hold from)"},
    };
  }

  const Value* PartitionKey(const Operation& op) const override {
    if (op.key) return &*op.key;
    if (IsPair(op.input)) return &op.input.items()[0];
    if (IsPair(op.output)) return &op.output.items()[0];
    return nullptr;
  }

  StatusOr<Value> PartitionOf(const Operation& op) const override {
    if (op.key) return *op.key;
    if (IsPair(op.input)) return op.input.items()[0];
    if (IsPair(op.output)) return op.output.items()[0];
    return Unsupported(OpWhere("", op) + "kv: expected a key (a \"key\" field or a " +
                       "[key value] tuple) for " + op.f + ", got " + op.input.ToEdn());
  }


 private:
  RegisterDialect Dialect() const override {
    RegisterDialect d;
    d.model = "kv";
    d.operations = "read, get, write, put, append, cas";
    d.cas = true;
    d.append = true;
    d.tuples = true;
    d.nil_is_empty = initial_.is_string() && initial_.text().empty();
    d.fail_observes = fail_observes_;
    d.nil_reads = nil_reads_;
    return d;
  }
  const Value& Initial() const override { return initial_; }

  Value initial_;
  bool fail_observes_;
  NilReads nil_reads_;
};

}  // namespace

std::unique_ptr<Model> MakeKvModel(const ModelOptions& options) {
  return std::make_unique<KvModel>(options);
}

}  // namespace fenceline::internal
