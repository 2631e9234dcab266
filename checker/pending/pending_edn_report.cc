// Placeholder until checker/report/edn_report.cc lands (issue 3).
#include "fenceline/report.h"
namespace fenceline {
std::string RenderEdnReport(const std::vector<FileReport>&, const ReportOptions&) {
  return ";; EDN reports are not available in this build\n";
}
}  // namespace fenceline
