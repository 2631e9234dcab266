// checker/report/fencing_report.h
//
// Reports of the lease and fencing-token analysis: text for people, JSON for machines (fixed
// key order, schema 2, shared with linearizability), EDN in Jepsen's vocabulary, JUnit, HTML. Like every report, a pure function
// of its inputs: byte-identical for the same histories at any thread count.
#ifndef FENCELINE_CHECKER_REPORT_FENCING_REPORT_H_
#define FENCELINE_CHECKER_REPORT_FENCING_REPORT_H_

#include <string>
#include <vector>

#include "fenceline/fencing.h"
#include "fenceline/history.h"
#include "fenceline/report.h"
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
// Schema 2 (docs/report.md): the shared envelope, then per file its verdict and violations.
// `report` supplies the version and the options in force (default: the clock bounds).
std::string RenderFencingJson(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options, const ReportOptions& report = {});
// One EDN value: {:valid? true|false|:unknown, ..., :files [{:valid? ..., :violations
// [{:id :stale-token, ...}]}]}.
std::string RenderFencingEdn(const std::vector<FencingFileReport>& files,
                             const FencingOptions& options, const ReportOptions& report = {});
// JUnit XML: a testsuite per file, a testcase per check id (docs/fencing.md), each violation of
// an error-level id a <failure> with its sentence and lines.
std::string RenderFencingJunit(const std::vector<FencingFileReport>& files,
                               const ReportOptions& report);
// A page with each file's lease timeline (docs/report.md).
std::string RenderFencingHtml(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options, const ReportOptions& report);

// The shared vocabulary: safe -> valid, violation -> invalid, inconclusive -> unknown.
ReportVerdict FencingReportVerdict(FencingVerdict v);
// What a violation makes its file: certain error -> invalid, possible error -> unknown,
// warning -> valid (reported; it fails a check only under --fail-on warning).
ReportVerdict ViolationVerdict(const Violation& v);
// The input lines of its timeline, sorted, no repeats.
std::vector<uint32_t> ViolationLines(const Violation& v);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_REPORT_FENCING_REPORT_H_
