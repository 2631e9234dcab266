#include "recorder/process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>

namespace fenceline::record {
namespace {

// Fixed-size and lock-free so the signal handler can read it.
constexpr size_t kMaxChildren = 256;
std::array<std::atomic<pid_t>, kMaxChildren> g_children{};
int g_close_in_children = -1;

void Register(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid)) return;
  }
}

void Unregister(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

extern "C" void OnFatalSignal(int sig) {
  for (auto& slot : g_children) {
    pid_t pid = slot.load();
    if (pid > 0) kill(pid, SIGKILL);
  }
  static const char kMessage[] = "fenceline-record: interrupted; no history written\n";
  ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
  // The guardian sees our pipe close and removes etcd and the temporary directory.
  _exit(128 + sig);
}

}  // namespace

void InstallCleanupHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnFatalSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  // A child that dies while we write to its pipe must not kill the recorder.
  signal(SIGPIPE, SIG_IGN);
}

pid_t ForkChild(const std::function<int()>& body) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);  // the recorder died before prctl took effect
    for (auto& slot : g_children) slot.store(0);
    if (g_close_in_children >= 0) close(g_close_in_children);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
    int rc = body();
    _exit(rc);
  }
  Register(pid);
  return pid;
}

int StopChild(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return -1;
  auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      Unregister(pid);
      return status;
    }
    if (r < 0 && errno != EINTR) {
      Unregister(pid);
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    SleepFor(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  kill(pid, SIGCONT);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Unregister(pid);
  return status;
}

void CloseInChildren(int fd) { g_close_in_children = fd; }

void KillAllChildren() {
  for (auto& slot : g_children) {
    pid_t pid = slot.load();
    if (pid > 0) StopChild(pid, std::chrono::milliseconds(0));
  }
}

void SleepFor(std::chrono::milliseconds d) {
  timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>(d.count() % 1000) * 1'000'000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

}  // namespace fenceline::record
