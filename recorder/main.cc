// fenceline-record: records a history from a real etcd for `fenceline check`
// (docs/recorder.md).
#include <curl/curl.h>

#include <iostream>
#include <string>
#include <vector>

#include "recorder/flags.h"
#include "recorder/process.h"
#include "recorder/scenarios.h"

int main(int argc, char** argv) {
  using namespace fenceline::record;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = ParseRecordFlags(args);
  if (!options.ok()) {
    std::cerr << "fenceline-record: " << options.status().message() << "\n\n" << RecordUsage();
    return 2;
  }
  if (options->help) {
    std::cout << RecordUsage();
    return 0;
  }
  // Before any fork, so that every process inherits an initialised libcurl.
  curl_global_init(CURL_GLOBAL_ALL);
  InstallCleanupHandlers();
  fenceline::Status s = RunRecording(*options, std::cerr);
  KillAllChildren();
  curl_global_cleanup();
  if (!s.ok()) {
    std::cerr << "fenceline-record: " << s.message() << "\n";
    std::cerr << "fenceline-record: no history written\n";
    return 2;
  }
  return 0;
}
