// tests/record/run_program.h
//
// Runs a program (no shell) with its output captured, for the recorder's tests, which run the
// real fenceline-record and fenceline binaries as users do.
#ifndef FENCELINE_TESTS_RECORD_RUN_PROGRAM_H_
#define FENCELINE_TESTS_RECORD_RUN_PROGRAM_H_

#include <string>
#include <vector>

namespace fenceline::testing {

struct ProgramResult {
  int exit_code = -1;  // 128 + signal if it was killed
  std::string out;
  std::string err;
};

// Runs argv[0] with `argv`, with TMPDIR set to `tmpdir` if it is not empty.
ProgramResult RunProgram(const std::vector<std::string>& argv, const std::string& tmpdir = "");

// Processes whose command line mentions `needle` (e.g. a recorder's temporary directory).
std::vector<std::string> ProcessesMentioning(const std::string& needle);

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_RECORD_RUN_PROGRAM_H_
