#include "recorder/storage.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <map>
#include <sstream>
#include <vector>

#include "recorder/event_log.h"

namespace fenceline::record {
namespace {

// A name starting with '@' is in Linux's abstract namespace: no file, and no dependence on
// how long the temporary directory's path is. Returns the address length; 0 if too long.
socklen_t FillAddress(const std::string& path, sockaddr_un& addr) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return 0;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (path[0] != '@') return sizeof addr;
  addr.sun_path[0] = '\0';
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
}

}  // namespace

StatusOr<int> ListenStorage(const std::string& path) {
  sockaddr_un addr{};
  socklen_t len = FillAddress(path, addr);
  if (len == 0) return InvalidArgument(path + ": socket path too long");
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 64) != 0) {
    std::string why = std::strerror(errno);
    close(fd);
    return IoError(path + ": cannot listen: " + why);
  }
  return fd;
}

int RunStorage(int listen_fd, StorageMode mode, const std::string& log_path) {
  bool fenced = mode == StorageMode::kFenced;
  EventLog log;
  if (!log.Open(log_path).ok()) return 3;
  std::map<std::string, int64_t> highest;  // resource -> highest accepted token
  std::vector<pollfd> fds{{listen_fd, POLLIN, 0}};
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return 4;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      int c = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) fds.push_back({c, POLLIN, 0});
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char buf[512];
      ssize_t n = recv(fds[i].fd, buf, sizeof buf - 1, 0);
      if (n <= 0) {
        close(fds[i].fd);
        fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
        --i;
        continue;
      }
      buf[n] = '\0';
      // "<client> <resource> <token> <value>"
      std::istringstream in(buf);
      std::string client, resource;
      int64_t token = 0, value = 0;
      std::string reply;
      if (!(in >> client >> resource >> token >> value)) {
        reply = "fail malformed request";
      } else {
        auto [it, fresh] = highest.try_emplace(resource, token);
        if (fenced && !fresh && token < it->second) {
          reply = "fail stale token " + std::to_string(token) + " < " + std::to_string(it->second);
        } else if (mode == StorageMode::kEqualVersion && !fresh && token != it->second) {
          // contrib/lock keeps the first version: it is never raised.
          reply = "fail version " + std::to_string(token) + " != stored " +
                  std::to_string(it->second);
        } else if (mode == StorageMode::kEqualVersion) {
          reply = "ok";
        } else {
          if (token > it->second) it->second = token;
          reply = "ok";
        }
        bool accepted = reply == "ok";
        Record r;
        r.process = JsonString("storage");
        r.type = accepted ? "ok" : "fail";
        r.f = "apply";
        r.value = JsonObject({{"client", JsonString(client)},
                              {"resource", JsonString(resource)},
                              {"token", JsonInt(token)},
                              {"value", JsonInt(value)},
                              {"highest", JsonInt(it->second)},
                              {"mode", JsonString(mode == StorageMode::kFenced     ? "fenced"
                                                  : mode == StorageMode::kUnfenced ? "unfenced"
                                                                                   : "equal-version")}});
        if (!accepted) r.error = reply.substr(5);
        log.Append(r);
      }
      send(fds[i].fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
  }
}

StorageClient::~StorageClient() {
  if (fd_ >= 0) close(fd_);
}

Status StorageClient::Connect(const std::string& path) {
  path_ = path;
  if (fd_ >= 0) close(fd_);
  sockaddr_un addr{};
  socklen_t len = FillAddress(path, addr);
  if (len == 0) return InvalidArgument(path + ": socket path too long");
  fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    return IoError(path + ": cannot connect to the storage: " + std::strerror(errno));
  }
  return OkStatus();
}

Reply StorageClient::Write(const std::string& client, const std::string& resource, int64_t token,
                           int64_t value, std::chrono::milliseconds timeout) {
  if (fd_ < 0 && !Connect(path_).ok()) {
    return Reply{Kind::kFail, "storage unreachable: cannot reconnect"};
  }
  std::string msg = client + " " + resource + " " + std::to_string(token) + " " +
                    std::to_string(value);
  if (send(fd_, msg.data(), msg.size(), MSG_NOSIGNAL) < 0) {
    // Not sent at all: the storage cannot have applied it.
    return Reply{Kind::kFail, std::string("storage unreachable: ") + std::strerror(errno)};
  }
  pollfd p{fd_, POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    int n = left.count() <= 0 ? 0 : poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd_);
      fd_ = -1;
      return Reply{Kind::kInfo, "timeout"};
    }
    break;
  }
  char buf[256];
  ssize_t n = recv(fd_, buf, sizeof buf - 1, 0);
  if (n <= 0) return Reply{Kind::kInfo, "storage closed the connection"};
  std::string reply(buf, static_cast<size_t>(n));
  if (reply == "ok") return Reply{Kind::kOk, ""};
  if (reply.rfind("fail ", 0) == 0) return Reply{Kind::kFail, reply.substr(5)};
  return Reply{Kind::kInfo, "unexpected storage reply: " + reply};
}

}  // namespace fenceline::record
