// include/fenceline/model.h
//
// Sequential specifications. A Model splits a history into independent partitions
// (P-compositionality: a history is linearizable iff each partition is) and compiles each
// partition into a PartitionSpec: a deterministic state machine over opaque 64-bit state ids
// that the search steps through. Compiling up front keeps the hot path free of Values,
// strings and allocation for the register models.
#ifndef FENCELINE_MODEL_H_
#define FENCELINE_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fenceline/history.h"
#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline {

// One partition's operations, compiled. Operation i is the i-th of the ops given to
// Model::Compile. Used by one thread at a time (Step may intern new states).
class PartitionSpec {
 public:
  virtual ~PartitionSpec() = default;

  // False for operations that constrain nothing and are left out of the search: a failed
  // write, a read whose result is unknown.
  virtual bool Relevant(uint32_t op) const = 0;
  virtual uint64_t Init() = 0;
  // The state after `op` is applied in `state`, or nullopt if the result `op` observed is
  // impossible there. Info operations (unknown result) must always succeed, so that leaving
  // them for last stands for "never took effect".
  virtual std::optional<uint64_t> Step(uint64_t state, uint32_t op) = 0;
  // True if `op`, whenever Step succeeds, leaves the state unchanged (a read, a failed cas).
  // The search linearizes such operations greedily, which is complete.
  virtual bool Pure(uint32_t op) const = 0;
  // Lookahead: false only if `op` can be linearized in no state reachable from `state`, given
  // which operations are already linearized (`linearized(i)`, by spec index): say, an
  // append-only key whose value no longer prefixes what a pending read returned. The search
  // prunes a configuration when one of the next reads to return is unreachable. It must never
  // be false for a reachable case, or the search would report false violations.
  virtual bool HasLookahead() const { return false; }
  virtual bool Reachable(uint64_t state, uint32_t op, const std::vector<bool>& linearized) {
    (void)state;
    (void)op;
    (void)linearized;
    return true;
  }
  // Lookahead for the step just taken: false only if no completion can follow from `state`,
  // reached by linearizing `op` (an append whose value a pending read shows, but the read no
  // longer extends the state). Same contract as Reachable.
  virtual bool Viable(uint64_t state, uint32_t op, const std::vector<bool>& linearized) {
    (void)state;
    (void)op;
    (void)linearized;
    return true;
  }
  // The state as data, for reports: nil, 3, "x 1 y", #{1 2}, [1 2].
  virtual Value Describe(uint64_t state) const = 0;
  // Bytes the spec holds for states it interned (at compile time, and in Step so far): an
  // estimate that may fall short by container overhead, not by a state's contents. The
  // search charges its growth to the memory budget after each Step.
  virtual size_t StateBytes() const { return 0; }
};

struct OperationDoc {
  std::string f;            // "cas"
  std::string description;  // "value [from to]; ok: held from, now holds to; fail: did not hold from"
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string_view id() const = 0;  // "cas-register"
  virtual std::string_view description() const = 0;
  virtual std::vector<OperationDoc> operations() const = 0;

  // The partition `op` belongs to; nil for single-partition models.
  // kUnsupported if the key cannot be determined, with a message starting ":line:col: " (the
  // caller prepends the file name).
  virtual StatusOr<Value> PartitionOf(const Operation& op) const;

  // Compiles one partition. kUnsupported ("path:line:col: ...") for an operation the model
  // cannot interpret. `ops` must outlive the returned spec. Thread-safe.
  virtual StatusOr<std::unique_ptr<PartitionSpec>> Compile(
      const std::vector<const Operation*>& ops, std::string_view source) const = 0;
};

// How an ok read of nil is read by the register models (register, cas-register, each key of kv
// and of --independent). docs/semantics.md compares them with Knossos and Porcupine.
enum class NilReads : uint8_t {
  // The value nil where nil is a state the register can be in (it starts at nil, or an ok or
  // info operation writes nil); elsewhere a read that constrains nothing.
  kAuto,
  kUnknown,  // Knossos: a read of nil constrains nothing, everywhere
  kValue,    // strict: a read of nil saw the value nil
};

struct ModelOptions {
  // Overrides the initial state where the model has one (register, cas-register, kv values;
  // multi-register: a map of key to value).
  std::optional<Value> initial;
  // Off (Jepsen's convention, the default): a :fail operation did not take place; it changes
  // nothing and constrains nothing, in every model. On (Porcupine's): a failure observed what
  // the model defines it to (cas-register and kv: a failed cas saw a value other than `from`);
  // in models that define nothing (register writes, mutex, set, queues) a fail stays inert.
  bool fail_observes = false;
  NilReads nil_reads = NilReads::kAuto;
};

// The ids of every model, in the order `fenceline models` lists them.
std::vector<std::string> ModelIds();

// kNotFound with a "did you mean" hint for an unknown id.
StatusOr<std::unique_ptr<Model>> MakeModel(std::string_view id, const ModelOptions& options = {});

}  // namespace fenceline

#endif  // FENCELINE_MODEL_H_
