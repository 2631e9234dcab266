// fenceline-record: records a history from a real lock service (etcd, ZooKeeper, Redis) for
// `fenceline check` (docs/recorder.md).
#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
  if (options->version) {
    std::cout << "fenceline-record " << FENCELINE_VERSION << "\n";
    return 0;
  }
  // A recording takes seconds to minutes; an unwritable -o must not waste it. The merge writes
  // FILE.tmp and renames it, so that is what must be creatable.
  {
    std::string probe = options->output + ".tmp";
    int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) fd = open(probe.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "fenceline-record: " << options->output << ": cannot write the history: "
                << std::strerror(errno) << "\nfenceline-record: nothing recorded\n";
      return 2;
    }
    close(fd);
    unlink(probe.c_str());
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
