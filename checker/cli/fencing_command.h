// checker/cli/fencing_command.h
//
// `fenceline check --model fencing`: the lease and fencing-token analysis behind the CLI.
// commands.cc adds these flags to `check` and hands over when the model is "fencing".
#ifndef FENCELINE_CHECKER_CLI_FENCING_COMMAND_H_
#define FENCELINE_CHECKER_CLI_FENCING_COMMAND_H_

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "fenceline/parse.h"

namespace fenceline::cli {

struct FencingFlags {
  std::vector<std::string> lock_for;  // RESOURCE=LOCK
  double clock_skew_ms = 0;
  double clock_drift_ppm = 0;
};

void AddFencingFlags(boost::program_options::options_description& desc, FencingFlags& flags);

struct CommonCheckArgs {
  std::vector<std::string> paths;
  ParseOptions parse;
  std::string format = "text";  // text | json | edn | html
  int threads = 0;
  std::chrono::milliseconds time_limit{0};
};

// Parses, analyses and prints the report to `out` (diagnostics to `err`). Returns the exit
// code: 0 clean, 1 an error-level violation is certain, 2 unusable input, 3 only possible ones.
int RunFencingCheck(const CommonCheckArgs& args, const FencingFlags& flags, std::ostream& out,
                    std::ostream& err);

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_FENCING_COMMAND_H_
