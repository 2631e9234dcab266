// checker/cli/exit_code.h
//
// The CLI's exit codes: a CI script's whole interface to fenceline.
#ifndef FENCELINE_CHECKER_CLI_EXIT_CODE_H_
#define FENCELINE_CHECKER_CLI_EXIT_CODE_H_

namespace fenceline::cli {

enum ExitCode : int {
  kExitOk = 0,         // every history is linearizable (fencing: no error-level violation)
  kExitViolation = 1,  // a violation was found
  kExitUnusable = 2,   // the input or the command line is unusable
  kExitUnknown = 3,    // no violation found, but at least one verdict is unknown
};

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_EXIT_CODE_H_
