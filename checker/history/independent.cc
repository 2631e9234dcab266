#include <string>

#include "fenceline/history.h"

namespace fenceline {
namespace {

bool IsTuple(const Value& v) { return v.is_sequential() && v.items().size() == 2; }

}  // namespace

Status SplitIndependentKeys(History& history) {
  for (Operation& op : history.ops) {
    if (op.key) continue;
    if (!IsTuple(op.input)) {
      return InvalidHistory(history.source + ":" + std::to_string(op.invoke_pos.line) + ":" +
                            std::to_string(op.invoke_pos.column) +
                            ": expected a [key value] tuple (--independent), got " +
                            op.input.ToEdn());
    }
    Value key = op.input.items()[0];
    Value input = op.input.items()[1];
    op.input = std::move(input);
    // A completion may carry the tuple, or (an info or a fail) nothing useful at all.
    if (IsTuple(op.output) && op.output.items()[0] == key) {
      Value output = op.output.items()[1];
      op.output = std::move(output);
    }
    op.key = std::move(key);
  }
  return OkStatus();
}

}  // namespace fenceline
