// Placeholder until checker/parse/jepsen_log_parser.cc lands (issue 3).
#include "checker/parse/formats.h"
namespace fenceline::internal {
Status ParseJepsenLog(std::string_view, std::string_view name, HistoryBuilder&) {
  return Unsupported(std::string(name) + ": Jepsen log input is not available in this build");
}
}  // namespace fenceline::internal
