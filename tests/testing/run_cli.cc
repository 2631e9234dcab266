#include "testing/run_cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fenceline::testing {

CliResult RunCli(const std::vector<std::string>& args, const std::string& input) {
  char dir_template[] = "/tmp/fenceline-cli-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  const std::string in_path = dir + "/in", out_path = dir + "/out", err_path = dir + "/err";
  { std::ofstream(in_path, std::ios::binary) << input; }
  CliResult result;
  const auto start = std::chrono::steady_clock::now();
  // posix_spawn, not fork: the child never holds a copy of this process's memory, so its
  // ru_maxrss is the CLI's own (the memory budget tests read it).
  std::vector<char*> argv;
  std::string cli = FENCELINE_CLI;
  argv.push_back(cli.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, cli.c_str(), &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (spawned != 0) {
    result.err = "posix_spawn failed: " + std::to_string(spawned);
    return result;
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.peak_rss_kib = usage.ru_maxrss;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  rmdir(dir.c_str());
  return result;
}

std::string SourcePath(const std::string& relative) {
  return std::string(FENCELINE_SOURCE_DIR) + "/" + relative;
}

std::string CorpusDir() {
  // FENCELINE_CORPUS overrides, for worktrees that do not sit beside shared/.
  const char* env = std::getenv("FENCELINE_CORPUS");
  std::string dir = env != nullptr && *env != '\0'
                        ? std::string(env)
                        : std::string(FENCELINE_SOURCE_DIR) + "/../shared/corpus";
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return "";
  return dir;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace fenceline::testing
