// checker/util/value_bytes.h
//
// What a Value costs in memory, for the budgets that --memory-limit sets: the search's (interned
// model states, checker/model/model_util.h) and the parser's (the history being built,
// checker/parse/parse_memory.h) count it the same way.
#ifndef FENCELINE_CHECKER_UTIL_VALUE_BYTES_H_
#define FENCELINE_CHECKER_UTIL_VALUE_BYTES_H_

#include <cstddef>

#include "fenceline/value.h"

namespace fenceline::internal {

// Bytes a Value holds, itself and on the heap (a shared box counted in full by each holder:
// an estimate from above).
size_t ValueBytes(const Value& v);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_UTIL_VALUE_BYTES_H_
