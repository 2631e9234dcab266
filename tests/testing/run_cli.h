// tests/testing/run_cli.h
//
// Runs the built `fenceline` binary (or any command) and captures its exit code and output,
// for the CLI tests, which test what users run.
#ifndef FENCELINE_TESTS_TESTING_RUN_CLI_H_
#define FENCELINE_TESTS_TESTING_RUN_CLI_H_

#include <string>
#include <vector>

namespace fenceline::testing {

// Under a sanitizer (FENCELINE_SANITIZED, cmake/sanitizers.cmake) a child's peak RSS is mostly
// the sanitizer's: ASan's shadow memory and its quarantine of freed blocks, TSan's shadow. Memory
// bounds then say nothing about the code, so tests skip only those assertions; the Release suite
// checks them.
#ifdef FENCELINE_SANITIZED
inline constexpr bool kRssIsMeaningful = false;
#else
inline constexpr bool kRssIsMeaningful = true;
#endif

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  long peak_rss_kib = 0;  // the child's peak resident set (getrusage's ru_maxrss)
  double seconds = 0;     // wall time from fork to exit
};

// Runs FENCELINE_CLI with `args` (no shell: arguments are passed as they are), with `input`
// on standard input.
CliResult RunCli(const std::vector<std::string>& args, const std::string& input = "");

// Path of a file under the source tree / the shared corpus ("" if the corpus is absent).
std::string SourcePath(const std::string& relative);
std::string CorpusDir();

// The whole content of the file at `path` ("" if it cannot be read).
std::string Slurp(const std::string& path);

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_TESTING_RUN_CLI_H_
