// Fuzz target: the whole check pipeline under a small budget: parse (format detected), the
// first byte picks a model, check on one thread with a 16 MiB memory budget and a 200 ms time
// limit, and render every report format. The verdict must agree with the partitions, and a
// check that cannot run must say so with a model's error, never crash or run away.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/report.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::vector<std::string> kModels = fenceline::ModelIds();
  const std::string& model_id = kModels[data[0] % kModels.size()];
  fenceline::StatusOr<fenceline::History> h =
      fenceline::fuzz::Parse(data + 1, size - 1, fenceline::InputFormat::kAuto);
  if (!h.ok()) return 0;
  fenceline::StatusOr<std::unique_ptr<fenceline::Model>> model = fenceline::MakeModel(model_id);
  if (!model.ok()) fenceline::fuzz::Fail("a listed model cannot be made", model.status());
  fenceline::CheckOptions options;
  options.threads = 1;
  options.memory_budget = size_t{16} << 20;
  options.time_limit = std::chrono::milliseconds(200);
  fenceline::StatusOr<fenceline::CheckResult> r =
      fenceline::CheckLinearizability(*h, **model, options);
  if (!r.ok()) {
    if (r.status().code() != fenceline::StatusCode::kUnsupported &&
        r.status().code() != fenceline::StatusCode::kInvalidHistory) {
      fenceline::fuzz::Fail("check returned an unexpected code", r.status());
    }
    return 0;
  }
  bool violation = false, unknown = false;
  for (const fenceline::PartitionResult& p : r->partitions) {
    violation |= p.verdict == fenceline::Verdict::kNotLinearizable;
    unknown |= p.verdict == fenceline::Verdict::kUnknown;
    if ((p.verdict == fenceline::Verdict::kNotLinearizable) != p.counterexample.has_value()) {
      std::abort();
    }
  }
  const fenceline::Verdict expected = violation ? fenceline::Verdict::kNotLinearizable
                                      : unknown ? fenceline::Verdict::kUnknown
                                                : fenceline::Verdict::kLinearizable;
  if (r->verdict != expected) std::abort();
  std::vector<fenceline::FileReport> reports(1);
  reports[0].path = "fuzz";
  reports[0].history = &*h;
  reports[0].result = &*r;
  fenceline::ReportOptions report_options;
  report_options.model_id = model_id;
  (void)fenceline::RenderTextReport(reports, report_options);
  (void)fenceline::RenderJsonReport(reports, report_options);
  (void)fenceline::RenderEdnReport(reports, report_options);
  (void)fenceline::RenderHtmlReport(reports, report_options);
  return 0;
}
