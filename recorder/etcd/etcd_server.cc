#include "recorder/etcd/etcd_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "recorder/etcd/gateway.h"
#include "recorder/process.h"

extern char** environ;

namespace fenceline::record {
namespace {

// A port the kernel considers free now. Another process could take it before etcd binds it;
// etcd then fails to start, which Start() reports with etcd's own message.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// The guardian's whole life. Never returns.
[[noreturn]] void RunGuardian(int control_fd, int status_fd, const std::string& work_dir,
                              const std::string& binary, const std::vector<std::string>& args) {
  // Terminal signals hit the whole process group; the guardian must outlive the recorder to
  // clean up, so it ignores them and waits for its pipe to close.
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) signal(sig, SIG_IGN);
  pid_t etcd = -1;
  if (!binary.empty()) {
    etcd = fork();
    if (etcd == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setpgid(0, 0);  // out of the terminal's group: only the guardian stops etcd
      for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) signal(sig, SIG_DFL);
      int log = open((work_dir + "/etcd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        close(log);
      }
      // ETCD_* variables would clash with the flags (etcd refuses both).
      std::vector<std::string> clash;
      for (char** e = environ; *e != nullptr; ++e) {
        std::string_view kv(*e);
        if (kv.rfind("ETCD_", 0) == 0) clash.emplace_back(kv.substr(0, kv.find('=')));
      }
      for (const auto& name : clash) unsetenv(name.c_str());
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(binary.c_str()));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      std::fprintf(stderr, "cannot execute %s: %s\n", binary.c_str(), std::strerror(errno));
      _exit(127);
    }
  }
  bool etcd_running = etcd > 0;
  for (;;) {
    pollfd p{control_fd, POLLIN, 0};
    int n = poll(&p, 1, 100);
    if (n > 0) {
      char buf[64];
      ssize_t r = read(control_fd, buf, sizeof buf);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) break;
    }
    if (etcd_running) {
      int status = 0;
      if (waitpid(etcd, &status, WNOHANG) == etcd) {
        etcd_running = false;
        std::string line = "exited " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status)
                                                                         : 128 + WTERMSIG(status)) +
                           "\n";
        ssize_t ignored = write(status_fd, line.data(), line.size());
        (void)ignored;
      }
    }
  }
  if (etcd_running) {
    kill(etcd, SIGTERM);
    int status = 0;
    bool reaped = false;
    for (int i = 0; i < 300 && !reaped; ++i) {  // 3 s for a clean shutdown
      if (waitpid(etcd, &status, WNOHANG) == etcd) reaped = true;
      else SleepFor(std::chrono::milliseconds(10));
    }
    if (!reaped) {
      kill(etcd, SIGKILL);
      waitpid(etcd, &status, 0);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(work_dir, ec);
  _exit(0);
}

}  // namespace

StatusOr<std::string> FindEtcdBinary(const std::string& binary) {
  auto missing = [&] {
    return NotFound("etcd not found ('" + binary + "' is not an executable" +
                    (binary.find('/') == std::string::npos ? " on PATH" : "") + "); " +
                    kInstallHint);
  };
  if (binary.find('/') != std::string::npos) {
    if (access(binary.c_str(), X_OK) == 0) return binary;
    return missing();
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + binary;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return missing();
}

Guardian::~Guardian() { Stop(); }

Status Guardian::Start(const std::string& etcd_binary, std::chrono::milliseconds start_timeout) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                      "/fenceline-record-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    return IoError(templ + ": cannot create a temporary directory: " + std::strerror(errno));
  }
  work_dir_ = buf.data();

  std::vector<std::string> args;
  if (!etcd_binary.empty()) {
    int client_port = FreePort();
    int peer_port = FreePort();
    while (peer_port == client_port && peer_port > 0) peer_port = FreePort();
    if (client_port <= 0 || peer_port <= 0) {
      std::filesystem::remove_all(work_dir_);
      return IoError("cannot find a free port on 127.0.0.1 for etcd");
    }
    endpoint_ = "http://127.0.0.1:" + std::to_string(client_port);
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_port);
    args = {"--name", "fenceline",
            "--data-dir", work_dir_ + "/etcd-data",
            "--listen-client-urls", endpoint_,
            "--advertise-client-urls", endpoint_,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "fenceline=" + peer,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", "fenceline-" + std::to_string(getpid()),
            "--election-timeout=500",
            "--heartbeat-interval=50"};
  }

  int control[2], status[2];
  if (pipe2(control, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::filesystem::remove_all(work_dir_);
    return IoError(std::string("pipe: ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    std::filesystem::remove_all(work_dir_);
    return IoError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    close(control[1]);
    close(status[0]);
    RunGuardian(control[0], status[1], work_dir_, etcd_binary, args);
  }
  close(control[0]);
  close(status[1]);
  guardian_ = pid;
  control_fd_ = control[1];
  status_fd_ = status[0];
  CloseInChildren(control_fd_);
  if (etcd_binary.empty()) return OkStatus();
  return WaitHealthy(start_timeout);
}

Status Guardian::WaitHealthy(std::chrono::milliseconds timeout) {
  Gateway gw(endpoint_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    char buf[64];
    ssize_t n = read(status_fd_, buf, sizeof buf - 1);
    if (n > 0) {
      buf[n] = '\0';
      std::string why(buf);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      return IoError("etcd could not start (it " + why + "); its log ends:\n" + EtcdLogTail());
    }
    if (gw.Healthy(std::chrono::milliseconds(500))) return OkStatus();
    SleepFor(std::chrono::milliseconds(100));
  }
  return IoError("etcd did not become healthy at " + endpoint_ + " within " +
                 std::to_string(timeout.count()) + " ms; its log ends:\n" + EtcdLogTail());
}

std::string Guardian::EtcdLogTail() const {
  std::ifstream in(work_dir_ + "/etcd.log");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > 8) lines.erase(lines.begin());
  }
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out.empty() ? "  (empty)\n" : out;
}

void Guardian::Stop() {
  if (guardian_ <= 0) return;
  close(control_fd_);
  close(status_fd_);
  control_fd_ = status_fd_ = -1;
  int status = 0;
  // The guardian gives etcd 3 s to shut down before killing it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (waitpid(guardian_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(guardian_, SIGKILL);
      waitpid(guardian_, &status, 0);
      break;
    }
    SleepFor(std::chrono::milliseconds(10));
  }
  guardian_ = -1;
}

}  // namespace fenceline::record
