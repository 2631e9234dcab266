#include <string>

#include "checker/history/pairing.h"
#include "fenceline/history.h"

namespace fenceline {

using internal::IsKeyValueTuple;

Status SplitIndependentKeys(History& history) {
  for (Operation& op : history.ops) {
    if (op.key) continue;
    if (!IsKeyValueTuple(op.input)) {
      return internal::NotAKeyValueTuple(history.source + ":" +
                                             std::to_string(op.invoke_pos.line) + ":" +
                                             std::to_string(op.invoke_pos.column) + ": ",
                                         op.input);
    }
    Value key = op.input.items()[0];
    Value input = op.input.items()[1];
    op.input = std::move(input);
    // A completion may carry the tuple, or (an info or a fail) nothing useful at all.
    if (IsKeyValueTuple(op.output) && op.output.items()[0] == key) {
      Value output = op.output.items()[1];
      op.output = std::move(output);
    }
    op.key = std::move(key);
  }
  return OkStatus();
}

}  // namespace fenceline
