#include "checker/cli/flags.h"

namespace fenceline::cli {

namespace po = boost::program_options;

Status ParseFlags(const std::vector<std::string>& args, const po::options_description& desc,
                  const std::string& positional, po::variables_map& vm) {
  try {
    po::positional_options_description pos;
    if (!positional.empty()) pos.add(positional.c_str(), -1);
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return InvalidArgument(e.what());
  }
  return OkStatus();
}

}  // namespace fenceline::cli
