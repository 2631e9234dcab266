#include "checker/util/value_bytes.h"

namespace fenceline::internal {

size_t ValueBytes(const Value& v) {
  size_t bytes = sizeof(Value);
  // Short strings live inside the std::string (libstdc++: 15 characters).
  if (v.text().size() > 15) bytes += v.text().size() + 1;
  bytes += (v.items().capacity() - v.items().size()) * sizeof(Value);
  for (const Value& item : v.items()) bytes += ValueBytes(item);
  return bytes;
}

}  // namespace fenceline::internal
