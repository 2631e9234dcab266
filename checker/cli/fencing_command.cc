// `fenceline check --model fencing`: parses every file, runs CheckFencing on each, prints one
// report and maps the verdicts to an exit code (docs/fencing.md, "Exit codes").
#include "checker/cli/fencing_command.h"

#include <algorithm>
#include <memory>
#include <ostream>
#include <utility>

#include "checker/cli/exit_code.h"
#include "checker/cli/flags.h"
#include "checker/report/fencing_report.h"
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
  std::vector<std::unique_ptr<History>> histories(args.paths.size());
  std::vector<std::unique_ptr<FencingResult>> results(args.paths.size());
  std::vector<internal::FencingFileReport> reports(args.paths.size());
  bool unusable = false, violation = false, inconclusive = false;
  for (size_t i = 0; i < args.paths.size(); ++i) {
    internal::FencingFileReport& r = reports[i];
    r.path = args.paths[i] == "-" ? "<stdin>" : args.paths[i];
    StatusOr<History> h = ParseHistoryFile(args.paths[i], args.parse);
    if (!h.ok()) {
      r.status = h.status();
      err << "fenceline: " << r.status.message() << "\n";
      unusable = true;
      continue;
    }
    histories[i] = std::make_unique<History>(std::move(h).value());
    FencingOptions file_options = *options;
    if (args.deadline != std::chrono::steady_clock::time_point::max()) {
      // What is left of --deadline, at least 1 ms (0 would mean no limit).
      const auto left = std::max(std::chrono::milliseconds(1),
                                 std::chrono::ceil<std::chrono::milliseconds>(
                                     args.deadline - std::chrono::steady_clock::now()));
      if (file_options.time_limit.count() == 0 || left < file_options.time_limit) {
        file_options.time_limit = left;
      }
    }
    StatusOr<FencingResult> result = CheckFencing(*histories[i], file_options);
    if (!result.ok()) {
      r.status = result.status();
      err << "fenceline: " << r.status.message() << "\n";
      unusable = true;
      continue;
    }
    results[i] = std::make_unique<FencingResult>(std::move(result).value());
    r.history = histories[i].get();
    r.result = results[i].get();
    violation |= r.result->verdict == FencingVerdict::kViolation;
    inconclusive |= r.result->verdict == FencingVerdict::kInconclusive;
  }
  // HTML has no fencing picture yet: the text report, escaped, stands in for it.
  if (args.format == "json") {
    out << internal::RenderFencingJson(reports, *options);
  } else if (args.format == "edn") {
    out << internal::RenderFencingEdn(reports, *options);
  } else if (args.format == "html") {
    std::string text = internal::RenderFencingText(reports, *options);
    std::string escaped;
    for (char c : text) {
      if (c == '<')
        escaped += "&lt;";
      else if (c == '>')
        escaped += "&gt;";
      else if (c == '&')
        escaped += "&amp;";
      else
        escaped += c;
    }
    out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>fenceline fencing "
           "report</title></head><body><pre>\n"
        << escaped << "</pre></body></html>\n";
  } else {
    out << internal::RenderFencingText(reports, *options);
  }
  if (unusable) return kExitUnusable;
  if (violation) return kExitViolation;
  if (inconclusive) return kExitUnknown;
  return kExitOk;
}

}  // namespace fenceline::cli
