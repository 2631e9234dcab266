// checker/report/fencing_report.h
//
// Reports of the lease and fencing-token analysis: text for people, JSON for machines (fixed
// key order, "schema_version"), EDN in Jepsen's vocabulary. Like every report, a pure function
// of its inputs: byte-identical for the same histories at any thread count.
#ifndef FENCELINE_CHECKER_REPORT_FENCING_REPORT_H_
#define FENCELINE_CHECKER_REPORT_FENCING_REPORT_H_

#include <string>
#include <vector>

#include "fenceline/fencing.h"
#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline::internal {

// One input file: either it could not be checked (`status` non-OK, the pointers null) or it
// has a result. The pointers must outlive the Render call.
struct FencingFileReport {
  std::string path;
  Status status;
  const History* history = nullptr;
  const FencingResult* result = nullptr;
};

std::string RenderFencingText(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options);
std::string RenderFencingJson(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options);
// {:valid? true|false|:unknown, :violations [{:id :stale-token, ...}]} per file.
std::string RenderFencingEdn(const std::vector<FencingFileReport>& files,
                             const FencingOptions& options);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_REPORT_FENCING_REPORT_H_
