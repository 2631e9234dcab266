// include/fenceline/report.h
//
// Reports for people (text), for machines (JSON, schema version 2, docs/report.schema.json;
// EDN in Jepsen's vocabulary; JUnit XML for CI servers) and a self-contained HTML picture of
// every violation. Linearizability and fencing reports share one envelope and one verdict
// vocabulary (docs/report.md):
//   valid    every check passed          (Jepsen :valid? true)
//   invalid  a violation is certain      (:valid? false)
//   unknown  no certain violation, but some verdict could not be reached (:valid? :unknown)
//   error    the input could not be checked (a file only; :valid? :unknown with a :cause)
// A batch's verdict is the most important news of its files: invalid > error > unknown > valid
// (a violation is never hidden by an unreadable neighbour; unusable files are still named).
// A report is a pure function of its inputs: byte-identical for the same histories at any thread
// count (fixed key order, no addresses; timings only when ReportOptions::timings is set).
#ifndef FENCELINE_REPORT_H_
#define FENCELINE_REPORT_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/model.h"
#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline {

inline constexpr int kReportSchemaVersion = 2;

enum class ReportVerdict : uint8_t { kValid, kInvalid, kUnknown, kError };
std::string_view ReportVerdictName(ReportVerdict v);  // "valid", "invalid", "unknown", "error"
ReportVerdict ToReportVerdict(Verdict v);
// The batch verdict: invalid > error > unknown > valid; valid for an empty batch.
ReportVerdict CombineVerdicts(ReportVerdict a, ReportVerdict b);

// One input file's outcome: either it could not be checked (`status` non-OK, `history` and
// `result` unset) or it has a result. The pointers must outlive the Render call.
struct FileReport {
  std::string path;
  Status status;
  const History* history = nullptr;
  const CheckResult* result = nullptr;
};

// Wall-clock time spent, in seconds. Only written when set (see ReportOptions::timings), since
// it differs between runs.
struct ReportTimings {
  double parse_seconds = 0;
  double check_seconds = 0;
};

// Which findings fail a check (exit 1, a JUnit <failure>): the CLI's --fail-on and --allow.
// Findings are named by id: "not-linearizable" for linearizability, the check ids of
// docs/fencing.md for fencing. Reports other than JUnit always show every finding as it is.
struct FailPolicy {
  bool warnings = false;          // --fail-on warning: warning-level findings fail too
  std::vector<std::string> only;  // --fail-on ID,ID: only these ids fail; empty: every error
  std::vector<std::string> allow;  // --allow ID: known issues, never fail
  // True if a finding with `id` and this severity fails the check.
  bool Fails(std::string_view id, bool is_error) const;
};

struct ReportOptions {
  std::string model_id;
  // The model checked with (its options: --initial, --fail-observes, --nil-reads), for the
  // reports that replay steps; nullptr: MakeModel(model_id) with default options.
  const Model* model = nullptr;
  std::string version = "0.1.0";  // the tool's version, written in the envelope
  // The options in force, as (name, value) in the order written: {"time_limit_s", 30}. Names use
  // '_' (JSON); EDN writes them as keywords with '-'. Leave out what varies with the machine
  // (threads), so reports stay comparable.
  std::vector<std::pair<std::string, Value>> options;
  std::optional<ReportTimings> timings;
  FailPolicy policy;  // used by the JUnit report
  // Operations shown around the violation in text reports (before the unlinearizable one).
  int context_ops = 8;
};

std::string RenderTextReport(const std::vector<FileReport>& files, const ReportOptions& options);
std::string RenderJsonReport(const std::vector<FileReport>& files, const ReportOptions& options);
// One EDN value whatever the number of files: {:valid? true|false|:unknown, ..., :files [{...}]},
// each file's map in Knossos's vocabulary (:op, :previous-ok, :last-op, :configs, ...).
std::string RenderEdnReport(const std::vector<FileReport>& files, const ReportOptions& options);
// JUnit XML: a <testsuite> per file, a <testcase> per partition; a violation is a <failure>
// carrying its sentence and input lines, an unusable file an <error>, an unknown verdict a
// <skipped>.
std::string RenderJunitReport(const std::vector<FileReport>& files, const ReportOptions& options);
// A self-contained page (inline SVG, CSS and script; nothing fetched) with each file's timeline.
std::string RenderHtmlReport(const std::vector<FileReport>& files, const ReportOptions& options);

}  // namespace fenceline

#endif  // FENCELINE_REPORT_H_
