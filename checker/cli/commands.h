// checker/cli/commands.h
//
// The subcommands. Each parses its own options, calls the library, prints the report to `out`
// and diagnostics to `err`, and returns an exit code (exit_code.h). Nothing here exits.
#ifndef FENCELINE_CHECKER_CLI_COMMANDS_H_
#define FENCELINE_CHECKER_CLI_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace fenceline::cli {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
};

// Every subcommand, in the order `fenceline help` lists them.
const std::vector<Command>& Commands();

// Dispatches argv[1..] to a subcommand.
int RunMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_COMMANDS_H_
