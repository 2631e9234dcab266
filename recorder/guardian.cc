#include "recorder/guardian.h"

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

#include "recorder/process.h"

extern char** environ;

namespace fenceline::record {
namespace {

// The command travels over the control pipe as NUL-terminated fields (binary, log name, the
// environment prefixes to unset joined by ',', then the arguments) and a final '\x01'.
std::string Encode(const ServerCommand& c) {
  std::string prefixes;
  for (const auto& p : c.unset_env_prefixes) prefixes += (prefixes.empty() ? "" : ",") + p;
  std::string out;
  for (const std::string& f : {c.binary, c.log_name, prefixes}) out += f + std::string(1, '\0');
  for (const auto& a : c.args) out += a + std::string(1, '\0');
  return out + '\x01';
}

std::vector<std::string> Decode(const std::string& text) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\0') {
      fields.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return fields;
}

[[noreturn]] void ExecServer(const std::string& work_dir, const std::vector<std::string>& f) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  setpgid(0, 0);  // out of the terminal's group: only the guardian stops the server
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) signal(sig, SIG_DFL);
  int log = open((work_dir + "/" + f[1]).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log >= 0) {
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    close(log);
  }
  if (chdir(work_dir.c_str()) != 0) _exit(126);
  std::vector<std::string> prefixes;
  std::stringstream ps(f[2]);
  for (std::string p; std::getline(ps, p, ',');) prefixes.push_back(p);
  std::vector<std::string> clash;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    for (const auto& p : prefixes) {
      if (kv.rfind(p, 0) == 0) clash.emplace_back(kv.substr(0, kv.find('=')));
    }
  }
  for (const auto& name : clash) unsetenv(name.c_str());
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(f[0].c_str()));
  for (size_t i = 3; i < f.size(); ++i) argv.push_back(const_cast<char*>(f[i].c_str()));
  argv.push_back(nullptr);
  execv(f[0].c_str(), argv.data());
  std::fprintf(stderr, "cannot execute %s: %s\n", f[0].c_str(), std::strerror(errno));
  _exit(127);
}

// The guardian's whole life. Never returns.
[[noreturn]] void RunGuardian(int control_fd, int status_fd, const std::string& work_dir) {
  // Terminal signals hit the whole process group; the guardian must outlive the recorder to
  // clean up, so it ignores them and waits for its pipe to close.
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) signal(sig, SIG_IGN);
  pid_t server = -1;
  bool running = false;
  std::string pending;
  for (;;) {
    pollfd p{control_fd, POLLIN, 0};
    int n = poll(&p, 1, 100);
    if (n > 0) {
      char buf[4096];
      ssize_t r = read(control_fd, buf, sizeof buf);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) break;
      if (r > 0 && server < 0) {
        pending.append(buf, static_cast<size_t>(r));
        if (!pending.empty() && pending.back() == '\x01') {
          std::vector<std::string> fields = Decode(pending);
          if (fields.size() >= 3) {
            server = fork();
            if (server == 0) ExecServer(work_dir, fields);
            running = server > 0;
          }
        }
      }
    }
    if (running) {
      int status = 0;
      if (waitpid(server, &status, WNOHANG) == server) {
        running = false;
        std::string line = "exited " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status)
                                                                         : 128 + WTERMSIG(status)) +
                           "\n";
        ssize_t ignored = write(status_fd, line.data(), line.size());
        (void)ignored;
      }
    }
  }
  if (running) {
    kill(server, SIGTERM);
    int status = 0;
    bool reaped = false;
    for (int i = 0; i < 300 && !reaped; ++i) {  // 3 s for a clean shutdown
      if (waitpid(server, &status, WNOHANG) == server) reaped = true;
      else SleepFor(std::chrono::milliseconds(10));
    }
    if (!reaped) {
      kill(server, SIGKILL);
      waitpid(server, &status, 0);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(work_dir, ec);
  _exit(0);
}

}  // namespace

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

StatusOr<std::string> FindBinary(const std::string& service, const std::string& binary,
                                 const std::string& install_hint) {
  auto missing = [&] {
    return NotFound(service + " not found ('" + binary + "' is not an executable" +
                    (binary.find('/') == std::string::npos ? " on PATH" : "") + "); " +
                    install_hint);
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

Status Guardian::Start() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                      "/fenceline-record-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    return IoError(templ + ": cannot create a temporary directory: " + std::strerror(errno));
  }
  work_dir_ = buf.data();

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
    RunGuardian(control[0], status[1], work_dir_);
  }
  close(control[0]);
  close(status[1]);
  guardian_ = pid;
  control_fd_ = control[1];
  status_fd_ = status[0];
  CloseInChildren(control_fd_);
  return OkStatus();
}

Status Guardian::StartServer(const ServerCommand& command, const std::function<bool()>& ready,
                             std::chrono::milliseconds timeout) {
  log_name_ = command.log_name;
  std::string message = Encode(command);
  size_t done = 0;
  while (done < message.size()) {
    ssize_t n = write(control_fd_, message.data() + done, message.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError(std::string("the guardian is gone: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    char buf[64];
    ssize_t n = read(status_fd_, buf, sizeof buf - 1);
    if (n > 0) {
      buf[n] = '\0';
      std::string why(buf);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      return IoError(command.service + " could not start (it " + why + "); its log ends:\n" +
                     LogTail());
    }
    if (ready()) return OkStatus();
    SleepFor(std::chrono::milliseconds(100));
  }
  return IoError(command.service + " did not become ready within " +
                 std::to_string(timeout.count()) + " ms; its log ends:\n" + LogTail());
}

std::string Guardian::LogTail() const {
  std::ifstream in(work_dir_ + "/" + log_name_);
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
  // The guardian gives the server 3 s to shut down before killing it.
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
