// Every sample under histories/<model>/{valid,invalid}/ gets the verdict its path promises.
// An EDN sample that needs options says so on its first line, as the command to run:
// "; fenceline check --model register --initial 0 histories/register/valid/x.edn".
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

namespace fs = std::filesystem;

// The options of the sample's "; fenceline check ..." first line, but --model and the file.
std::vector<std::string> SampleOptions(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  const std::string prefix = "; fenceline check ";
  if (line.rfind(prefix, 0) != 0) return {};
  std::istringstream words(line.substr(prefix.size()));
  std::vector<std::string> options;
  for (std::string w; words >> w;) {
    if (w == "--model") {
      words >> w;
    } else if (w.rfind("histories/", 0) != 0) {
      options.push_back(w);
    }
  }
  return options;
}

TEST(SamplesTest, EverySampleGetsTheVerdictOfItsDirectory) {
  int checked = 0;
  for (const auto& model_dir : fs::directory_iterator(SourcePath("histories"))) {
    const std::string model = model_dir.path().filename();
    for (const char* verdict : {"valid", "invalid"}) {
      fs::path dir = model_dir.path() / verdict;
      if (!fs::is_directory(dir)) continue;
      for (const auto& file : fs::directory_iterator(dir)) {
        std::vector<std::string> args = {"check", "--model", model, file.path().string()};
        for (const std::string& o : SampleOptions(file.path())) args.push_back(o);
        CliResult r = RunCli(args);
        const int expected = std::string(verdict) == "valid" ? 0 : 1;
        EXPECT_EQ(r.exit_code, expected) << file.path() << "\n" << r.out << r.err;
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 14);
}

}  // namespace
}  // namespace fenceline::testing
