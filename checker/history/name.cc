#include <ostream>
#include <string>

#include "fenceline/history.h"

namespace fenceline {

Name::Name(std::string_view s) : box_(s.empty() ? nullptr : new Box(s)) {}

const std::string& Name::EmptyText() {
  static const std::string kEmpty;
  return kEmpty;
}

const ExtraFields::Fields& ExtraFields::Empty() {
  static const Fields kEmpty;
  return kEmpty;
}

std::ostream& operator<<(std::ostream& os, const Name& n) { return os << n.str(); }

}  // namespace fenceline
