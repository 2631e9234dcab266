// Every sample under histories/<model>/{valid,invalid}/ gets the verdict its path promises.
#include <filesystem>

#include <gtest/gtest.h>

#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

namespace fs = std::filesystem;

TEST(SamplesTest, EverySampleGetsTheVerdictOfItsDirectory) {
  int checked = 0;
  for (const auto& model_dir : fs::directory_iterator(SourcePath("histories"))) {
    const std::string model = model_dir.path().filename();
    for (const char* verdict : {"valid", "invalid"}) {
      fs::path dir = model_dir.path() / verdict;
      if (!fs::is_directory(dir)) continue;
      for (const auto& file : fs::directory_iterator(dir)) {
        CliResult r = RunCli({"check", "--model", model, file.path().string()});
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
