// Placeholder until checker/parse/edn_history.cc lands (issue 3).
#include "checker/parse/formats.h"
namespace fenceline::internal {
Status ParseEdnHistory(std::string_view, std::string_view name, HistoryBuilder&) {
  return Unsupported(std::string(name) + ": EDN input is not available in this build");
}
}  // namespace fenceline::internal
