// `fenceline check --model fencing`: parses every file, runs CheckFencing on each, prints one
// report and maps the verdicts to an exit code (docs/fencing.md, "Exit codes").
#include "checker/cli/fencing_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <ostream>
#include <utility>

#include "checker/cli/exit_code.h"
#include "checker/cli/flags.h"
#include "checker/cli/output.h"
#include "checker/cli/parse_budget.h"
#include "checker/fencing/stale_token.h"
#include "checker/report/fencing_report.h"
#include "checker/search/memory_budget.h"
#include "fenceline/fencing.h"

namespace fenceline::cli {

void AddFencingFlags(boost::program_options::options_description& desc, FencingFlags& flags) {
  namespace po = boost::program_options;
  desc.add_options()("lock-for", po::value(&flags.lock_for),
                     "RESOURCE=LOCK: the lock that guards RESOURCE (fencing; repeatable)")(
      "clock-skew", po::value(&flags.clock_skew),
      "how far two nodes' clocks may disagree: 5ms, 0.5s (a bare number is ms; fencing; "
      "default 0)")(
      "clock-drift", po::value(&flags.clock_drift_ppm),
      "ppm lease durations may drift (fencing; default 0)");
}

namespace {

StatusOr<FencingOptions> MakeOptions(const CommonCheckArgs& args, const FencingFlags& flags) {
  FencingOptions o;
  FENCELINE_ASSIGN_OR_RETURN(std::chrono::nanoseconds skew,
                             ParseDuration(flags.clock_skew, "ms", "--clock-skew"));
  o.clock_skew_ms = static_cast<double>(skew.count()) / 1e6;
  o.clock_drift_ppm = flags.clock_drift_ppm;
  o.threads = args.threads;
  o.time_limit = args.time_limit;
  o.memory_budget = args.memory_budget;
  for (const std::string& pair : flags.lock_for) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
      return InvalidArgument("--lock-for expects RESOURCE=LOCK, got '" + pair + "'");
    }
    o.lock_for.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  if (!(o.clock_skew_ms >= 0)) return InvalidArgument("--clock-skew must be 0 or more (ms)");
  if (!(o.clock_drift_ppm >= 0 && o.clock_drift_ppm < 1e6)) {
    return InvalidArgument("--clock-drift must be in [0, 1000000) (ppm)");
  }
  if (args.format != "text" && args.format != "json" && args.format != "edn" &&
      args.format != "html") {
    return InvalidArgument("unknown --format '" + args.format + "' (text, json, edn or html)");
  }
  return o;
}

}  // namespace

int EmitReports(const CommonCheckArgs& args, const std::string& text, const std::string& junit,
                const std::string& summary, std::ostream& out, std::ostream& err) {
  int code = kExitOk;
  if (args.output.empty() || args.output == "-") {
    out << text;
  } else if (Status s = WriteReportFile(args.output, text, args.paths); !s.ok()) {
    err << "fenceline: " << s.message() << "\n";
    code = kExitUnusable;
  } else {
    err << "fenceline: " << summary << "; report in " << args.output << "\n";
  }
  if (!args.junit.empty()) {
    if (Status s = WriteReportFile(args.junit, junit, args.paths); !s.ok()) {
      err << "fenceline: " << s.message() << "\n";
      code = kExitUnusable;
    }
  }
  return code;
}

int RunFencingCheck(const CommonCheckArgs& args, const FencingFlags& flags, std::ostream& out,
                    std::ostream& err) {
  StatusOr<FencingOptions> options = MakeOptions(args, flags);
  if (!options.ok()) {
    err << "fenceline: " << options.status().message() << "\n";
    return kExitUnusable;
  }
  if (args.paths.empty()) {
    err << "fenceline: no history file given\n";
    return kExitUnusable;
  }
  Progress progress(err, args.progress);
  const auto start = std::chrono::steady_clock::now();
  double parse_s = 0;
  std::vector<std::unique_ptr<History>> histories(args.paths.size());
  std::vector<std::unique_ptr<FencingResult>> results(args.paths.size());
  std::vector<internal::FencingFileReport> reports(args.paths.size());
  size_t ops = 0;
  // One account for every file's searches, as `check` has: --memory-limit bounds the process.
  internal::MemoryBudget budget(args.memory_budget);
  for (size_t i = 0; i < args.paths.size(); ++i) {
    internal::FencingFileReport& r = reports[i];
    r.path = args.paths[i] == "-" ? "<stdin>" : args.paths[i];
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1f s",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    progress.Update("fenceline: checking file " + std::to_string(i + 1) + "/" +
                    std::to_string(args.paths.size()) + " (" + std::to_string(ops) +
                    " operations so far, " + elapsed + "): " + r.path);
    // The history's clock starts with its reading (--time-limit covers parsing).
    const auto t0 = std::chrono::steady_clock::now();
    StatusOr<History> h = ParseHistoryFile(
        args.paths[i],
        WithParseMemory(ParseOptionsFor(args.parse, t0, args.time_limit, args.deadline), budget));
    const auto parsed = std::chrono::steady_clock::now();
    parse_s += std::chrono::duration<double>(parsed - t0).count();
    // A parse stopped at a budget, or a history that does not fit beside the searches.
    Status stop = h.ok() ? ChargeParsedHistory(*h, budget) : h.status();
    if (IsBudgetStop(stop)) {
      err << "fenceline: " << stop.message() << "\n";
      histories[i] = std::make_unique<History>();
      histories[i]->source = r.path;
      results[i] = std::make_unique<FencingResult>(InconclusiveAfterParsing(stop));
      r.history = histories[i].get();
      r.result = results[i].get();
      continue;
    }
    if (!h.ok()) {
      r.status = h.status();
      err << "fenceline: " << r.status.message() << "\n";
      continue;
    }
    NoteSkippedLines(*h, err);
    ops += h->ops.size();
    histories[i] = std::make_unique<History>(std::move(h).value());
    FencingOptions file_options = *options;
    // Parsing's time counts against the history's limit, which messages name as the user gave it.
    file_options.time_used = parsed - t0;
    file_options.deadline = args.deadline;
    if (progress.enabled()) {
      const std::string file_text = "fenceline: checking file " + std::to_string(i + 1) + "/" +
                                    std::to_string(args.paths.size()) + " (" +
                                    std::to_string(histories[i]->ops.size()) + " operations): ";
      file_options.on_progress = [&progress, file_text](const CheckProgress& p) {
        char when[32];
        std::snprintf(when, sizeof when, "%.1f s", progress.elapsed_s());
        progress.Update(file_text + std::to_string(p.partitions_done) + "/" +
                            std::to_string(p.partitions_total) +
                            " partitions searched (one a resource), " +
                            when,
                        p.partitions_done == 0 || p.partitions_done == p.partitions_total);
      };
    }
    StatusOr<FencingResult> result =
        internal::CheckFencingInBudget(*histories[i], file_options, budget);
    if (!result.ok()) {
      r.status = result.status();
      err << "fenceline: " << r.status.message() << "\n";
      continue;
    }
    results[i] = std::make_unique<FencingResult>(std::move(result).value());
    r.history = histories[i].get();
    r.result = results[i].get();
  }
  progress.Done();
  ReportOptions report = args.report;
  report.model_id = "fencing";
  // The clock bounds as parsed (durations with units), after the options the caller listed.
  report.options.insert(report.options.begin() + std::min<std::ptrdiff_t>(
                                                     3, static_cast<std::ptrdiff_t>(report.options.size())),
                        {{"clock_skew_ms", Value::Float(options->clock_skew_ms)},
                         {"clock_drift_ppm", Value::Float(options->clock_drift_ppm)}});
  if (args.timings) {
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.timings = ReportTimings{parse_s, total - parse_s};
  }
  std::string text;
  if (args.format == "json") {
    text = internal::RenderFencingJson(reports, *options, report);
  } else if (args.format == "edn") {
    text = internal::RenderFencingEdn(reports, *options, report);
  } else if (args.format == "html") {
    text = internal::RenderFencingHtml(reports, *options, report);
  } else {
    text = internal::RenderFencingText(reports, *options);
  }
  const std::string junit = args.junit.empty() ? "" : internal::RenderFencingJunit(reports, report);

  bool unusable = false, certain = false, possible = false;
  size_t valid = 0, invalid = 0, unknown = 0;
  for (const internal::FencingFileReport& r : reports) {
    if (!r.status.ok()) {
      unusable = true;
      continue;
    }
    bool possible_error = false;
    for (const Violation& v : r.result->violations) {
      possible_error |= v.severity == Severity::kError && v.certainty == Certainty::kPossible;
      if (!report.policy.Fails(v.id, v.severity == Severity::kError)) continue;
      (v.certainty == Certainty::kCertain ? certain : possible) = true;
    }
    // Inconclusive with no possible error-level finding: a stale-token search stopped.
    possible |= r.result->verdict == FencingVerdict::kInconclusive && !possible_error;
    const ReportVerdict fv = internal::FencingReportVerdict(r.result->verdict);
    valid += fv == ReportVerdict::kValid;
    invalid += fv == ReportVerdict::kInvalid;
    unknown += fv == ReportVerdict::kUnknown;
  }
  const size_t errors = reports.size() - valid - invalid - unknown;
  const std::string summary =
      std::to_string(reports.size()) + (reports.size() == 1 ? " file: " : " files: ") +
      std::to_string(valid) + " safe, " + std::to_string(invalid) + " with a violation, " +
      std::to_string(unknown) + " inconclusive, " + std::to_string(errors) + " unusable";
  if (int code = EmitReports(args, text, junit, summary, out, err); code != kExitOk) return code;
  if (certain) return kExitViolation;
  if (unusable) return kExitUnusable;
  if (possible) return kExitUnknown;
  return kExitOk;
}

}  // namespace fenceline::cli
