// include/fenceline/report.h
//
// Reports for people (text), for machines (JSON, with "schema_version"; EDN in Jepsen's
// vocabulary) and a self-contained HTML picture of a violation. A report is a pure function of
// its inputs: byte-identical for the same history at any thread count (no timings, no
// addresses, fixed key order).
#ifndef FENCELINE_REPORT_H_
#define FENCELINE_REPORT_H_

#include <string>
#include <vector>

#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/model.h"
#include "fenceline/status.h"

namespace fenceline {

inline constexpr int kReportSchemaVersion = 1;

// One input file's outcome: either it could not be checked (`status` non-OK, `history` and
// `result` unset) or it has a result.
struct FileReport {
  std::string path;
  Status status;
  const History* history = nullptr;
  const CheckResult* result = nullptr;
};

struct ReportOptions {
  std::string model_id;
  // The model checked with (its options: --initial, --fail-observes, --nil-reads), for the
  // reports that replay steps; nullptr: MakeModel(model_id) with default options.
  const Model* model = nullptr;
  // Operations shown around the violation in text reports (before the unlinearizable one).
  int context_ops = 8;
};

std::string RenderTextReport(const std::vector<FileReport>& files, const ReportOptions& options);
std::string RenderJsonReport(const std::vector<FileReport>& files, const ReportOptions& options);
// Jepsen's vocabulary: {:valid? true|false|:unknown, :op ..., :previous-ok ..., ...}.
std::string RenderEdnReport(const std::vector<FileReport>& files, const ReportOptions& options);
// A self-contained page (inline SVG, no scripts fetched) with each violation's timeline.
std::string RenderHtmlReport(const std::vector<FileReport>& files, const ReportOptions& options);

}  // namespace fenceline

#endif  // FENCELINE_REPORT_H_
