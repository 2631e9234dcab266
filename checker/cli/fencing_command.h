// checker/cli/fencing_command.h
//
// `fenceline check --model fencing`: the lease and fencing-token analysis behind the CLI.
// commands.cc adds these flags to `check` and hands over when the model is "fencing".
#ifndef FENCELINE_CHECKER_CLI_FENCING_COMMAND_H_
#define FENCELINE_CHECKER_CLI_FENCING_COMMAND_H_

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "fenceline/parse.h"
#include "fenceline/report.h"

namespace fenceline::cli {

struct FencingFlags {
  std::vector<std::string> lock_for;  // RESOURCE=LOCK
  std::string clock_skew = "0";  // a duration (checker/cli/flags.h); a bare number is ms
  double clock_drift_ppm = 0;
};

void AddFencingFlags(boost::program_options::options_description& desc, FencingFlags& flags);

struct CommonCheckArgs {
  std::vector<std::string> paths;
  ParseOptions parse;
  std::string format = "text";  // text | json | edn | html
  int threads = 0;
  std::chrono::milliseconds time_limit{0};  // per history; 0: none
  // For the whole run: each history's time limit is cut to the time left before it.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  size_t memory_budget = SIZE_MAX;  // bytes, per history's stale-token search
  // Output side (docs/report.md): -o, --junit, --progress, --timings, --fail-on/--allow, and the
  // version and options in force that the report's envelope names.
  std::string output;  // "" or "-": standard output
  std::string junit;   // "": none
  bool progress = false;
  bool timings = false;
  ReportOptions report;  // policy, version and options in force
};

// Writes `text` to args.output (atomically) or `out`, and the JUnit report if asked; prints the
// one-line summary on `err` when the report went to a file. Returns kExitOk or kExitUnusable.
int EmitReports(const CommonCheckArgs& args, const std::string& text, const std::string& junit,
                const std::string& summary, std::ostream& out, std::ostream& err);

// Parses, analyses and writes the reports (diagnostics to `err`). Returns the exit code: 1 if a
// finding the policy fails is certain; else 2 if an input is unusable; else 3 if such a
// finding is possible or a search stopped; else 0.
int RunFencingCheck(const CommonCheckArgs& args, const FencingFlags& flags, std::ostream& out,
                    std::ostream& err);

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_FENCING_COMMAND_H_
