// checker/model/models.h
//
// Factories for the built-in models, one per file in checker/model/. Each model's file
// documents its operations; `fenceline models` prints the same documentation.
#ifndef FENCELINE_CHECKER_MODEL_MODELS_H_
#define FENCELINE_CHECKER_MODEL_MODELS_H_

#include <memory>

#include "fenceline/model.h"

namespace fenceline::internal {

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
