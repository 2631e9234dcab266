// Runs a command (standard input and output passed through) and prints, on standard error, its
// exit code, wall seconds and peak resident set from getrusage, as one JSON object, so that
// bench/stream/stream_rss.sh needs neither GNU time nor Python.
//   fenceline_peak_rss COMMAND [ARG ...]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fenceline_peak_rss COMMAND [ARG ...]\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    std::perror("fenceline_peak_rss: exec");
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return 2;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::fprintf(stderr, "{\"exit\":%d,\"wall_s\":%.2f,\"user_s\":%.2f,\"peak_rss_kib\":%ld}\n", code,
               wall,
               static_cast<double>(usage.ru_utime.tv_sec) +
                   static_cast<double>(usage.ru_utime.tv_usec) / 1e6,
               usage.ru_maxrss);
  return code;
}
