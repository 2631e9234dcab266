// checker/model/models.h
//
// Factories for the built-in models, one per file in checker/model/. Each model's file
// documents its operations; `fenceline models` prints the same documentation.
#ifndef FENCELINE_CHECKER_MODEL_MODELS_H_
#define FENCELINE_CHECKER_MODEL_MODELS_H_

#include <memory>
#include <string_view>
#include <vector>

#include "fenceline/model.h"

namespace fenceline::internal {

// Many sub-histories of one partition compiled one after another on one thread: a violation's
// proof (checker/search/explain.cc) compiles hundreds, each the partition less a few reads.
// A model that implements this keeps what they share in a cache (interned values, the states
// appends lead to, each operation's compiled form), so that each compilation derives only what
// depends on its subset. A spec compiled so gives the search the same answers, and charges the
// memory budget the same bytes, as Model::Compile's of the same operations; it must be
// destroyed before its cache. Models that do not implement it are compiled afresh each time.
class CompileCache {
 public:
  virtual ~CompileCache() = default;
};
class CachedCompiler {
 public:
  virtual std::unique_ptr<CompileCache> NewCompileCache() const = 0;
  // As Model::Compile. `cache` comes from NewCompileCache() of this model, and is used by one
  // thread at a time.
  virtual StatusOr<std::unique_ptr<PartitionSpec>> CompileCached(
      const std::vector<const Operation*>& ops, std::string_view source,
      CompileCache& cache) const = 0;

 protected:
  ~CachedCompiler() = default;
};

// A model whose partition key is a Value an operation holds (kv: its `key`, or the first
// element of a [key value] tuple): partitioning reads the key in place, instead of taking a copy
// of it per operation from Model::PartitionOf (with 100,000 keys each copy was a cache miss on
// the key's shared text and two atomic counts).
class KeyedPartitions {
 public:
  // The key Model::PartitionOf would return a copy of, in `op`; nullptr where it would return
  // something else or an error (ask it then).
  virtual const Value* PartitionKey(const Operation& op) const = 0;

 protected:
  ~KeyedPartitions() = default;
};

// register (read, write) or, with `cas`, cas-register (read, write, cas [from to]).
std::unique_ptr<Model> MakeRegisterModel(const ModelOptions& options, bool cas);
// kv: independent keys, each a register of read/get, write/put, append, cas.
std::unique_ptr<Model> MakeKvModel(const ModelOptions& options);
// multi-register: Knossos's registers changed by txn micro-ops; --initial a map.
std::unique_ptr<Model> MakeMultiRegisterModel(const ModelOptions& options);
std::unique_ptr<Model> MakeMutexModel();
std::unique_ptr<Model> MakeSetModel();
// unordered-queue, or with `fifo`, fifo-queue.
std::unique_ptr<Model> MakeQueueModel(bool fifo);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_MODEL_MODELS_H_
