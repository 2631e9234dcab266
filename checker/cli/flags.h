// checker/cli/flags.h
//
// Boost.Program_options stays behind this boundary: it throws po::error, which ParseFlags
// turns into kInvalidArgument.
#ifndef FENCELINE_CHECKER_CLI_FLAGS_H_
#define FENCELINE_CHECKER_CLI_FLAGS_H_

#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "fenceline/status.h"

namespace fenceline::cli {

// Parses `args` against `desc`; `positional` names the option that takes bare arguments ("" if
// none). `--help` is left for the caller to check in `vm`.
Status ParseFlags(const std::vector<std::string>& args,
                  const boost::program_options::options_description& desc,
                  const std::string& positional, boost::program_options::variables_map& vm);

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_FLAGS_H_
