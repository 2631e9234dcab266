// checker/cli/stream_command.h
//
// `fenceline check --stream`: the streaming check (include/fenceline/stream.h) behind the CLI.
// One input, read as it arrives; each partition is printed as soon as it is decided, the
// verdict at the end of the input.
#ifndef FENCELINE_CHECKER_CLI_STREAM_COMMAND_H_
#define FENCELINE_CHECKER_CLI_STREAM_COMMAND_H_

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "fenceline/model.h"
#include "fenceline/parse.h"

namespace fenceline::cli {

struct StreamCommandArgs {
  std::string path;  // "-": standard input
  std::string model_id;
  ModelOptions model;
  bool independent = false;
  InputFormat format = InputFormat::kAuto;
  bool allow_empty = false;
  size_t memory_budget = SIZE_MAX;  // bytes
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Flags given that --stream does not support ("--independent"): refused, exit 2.
  std::vector<std::string> unsupported;
};

// Returns the exit code: 1 a violation, else 2 the input or the flags are unusable, else 3 a
// verdict is unknown, else 0. Reports go to `out` as they are decided, diagnostics to `err`.
int RunStreamCheck(const StreamCommandArgs& args, std::ostream& out, std::ostream& err);

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_STREAM_COMMAND_H_
