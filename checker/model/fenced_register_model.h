// checker/model/fenced_register_model.h
//
// fenced-register: storage that fences writes with tokens, the storage half of the lease and
// fencing-token analysis (docs/fencing.md). The state is a value and the highest token
// accepted so far:
//   write {resource, token T, value V}  accepted (ok) iff T >= highest; then value = V, highest =
//   T.
//                                       A rejected write (fail) observed highest > T.
//   read  {resource} -> {value V}       the register held V (nil: never written).
// Operations on different resources never constrain each other: PartitionOf is the resource.
#ifndef FENCELINE_CHECKER_MODEL_FENCED_REGISTER_MODEL_H_
#define FENCELINE_CHECKER_MODEL_FENCED_REGISTER_MODEL_H_

#include <memory>

#include "fenceline/model.h"

namespace fenceline::internal {

// The model's id, "fenced-register".
inline constexpr std::string_view kFencedRegisterId = "fenced-register";

// `options.initial` overrides the initial value (nil); the initial highest token is below every
// token. The model is immutable and thread-safe.
std::unique_ptr<Model> MakeFencedRegisterModel(const ModelOptions& options = {});

// The variant the fencing analysis runs on a whole lock-and-storage history, so that nothing is
// copied: operations other than write and read fall in the nil partition and are irrelevant,
// and so are rejected writes (they are the business of false-rejection; leaving a constraint
// out can only hide a violation, never invent one).
std::unique_ptr<Model> MakeFencedRegisterModelForFencing();

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_MODEL_FENCED_REGISTER_MODEL_H_
