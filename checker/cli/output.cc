#include "checker/cli/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <thread>

namespace fenceline::cli {
namespace {

Status WriteError(const std::string& path, const std::string& what) {
  return IoError(path + ": cannot write the report: " + what);
}

// Writes all of `data` to `fd`, retrying short writes. Only for tests of atomicity:
// FENCELINE_TEST_WRITE_PAUSE_MS=N pauses N ms after the first half, so a test can kill the
// process while the report is half written.
bool WriteAll(int fd, const std::string& data) {
  long pause_ms = 0;
  if (const char* env = std::getenv("FENCELINE_TEST_WRITE_PAUSE_MS")) pause_ms = std::atol(env);
  size_t done = 0;
  const size_t half = data.size() / 2;
  bool paused = pause_ms <= 0;
  while (done < data.size()) {
    const size_t chunk_end = paused ? data.size() : half;
    if (done >= chunk_end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
      paused = true;
      continue;
    }
    const ssize_t n = ::write(fd, data.data() + done, chunk_end - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

void NoteSkippedLines(const History& h, std::ostream& err) {
  NoteSkippedLines(h.source, h.skipped_lines, h.first_skipped_line, err);
}

void NoteSkippedLines(std::string_view source, uint64_t skipped, uint32_t first_skipped,
                      std::ostream& err) {
  if (skipped == 0) return;
  err << "fenceline: " << source << ": note: skipped " << skipped
      << " line(s) without a Jepsen event (the first is line " << first_skipped << ")\n";
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

const std::vector<std::string>& KnownFindingIds() {
  static const std::vector<std::string> kIds = {
      "not-linearizable",   "stale-token",   "expired-lease-write", "write-after-expiry",
      "forged-token",       "foreign-token", "overlapping-leases",  "non-monotonic-grant",
      "false-rejection"};
  return kIds;
}

namespace {

Status CheckId(const std::string& id, const char* flag) {
  const std::vector<std::string>& known = KnownFindingIds();
  if (std::find(known.begin(), known.end(), id) != known.end()) return OkStatus();
  std::string hint;
  for (const std::string& k : known) {
    if (k.substr(0, 3) == id.substr(0, 3)) {
      hint = ", did you mean '" + k + "'?";
      break;
    }
  }
  if (hint.empty()) {
    hint = " (error, warning, or ids:";
    for (const std::string& k : known) hint += " " + k;
    hint += ")";
  }
  return InvalidArgument(std::string("unknown finding '") + id + "' for " + flag + hint);
}

}  // namespace

StatusOr<FailPolicy> ParseFailPolicy(const std::string& fail_on,
                                     const std::vector<std::string>& allow) {
  FailPolicy policy;
  if (fail_on == "warning") {
    policy.warnings = true;
  } else if (fail_on != "error") {
    size_t from = 0;
    while (from <= fail_on.size()) {
      size_t comma = fail_on.find(',', from);
      if (comma == std::string::npos) comma = fail_on.size();
      const std::string id = fail_on.substr(from, comma - from);
      if (Status s = CheckId(id, "--fail-on"); !s.ok()) return s;
      policy.only.push_back(id);
      from = comma + 1;
    }
  }
  for (const std::string& id : allow) {
    if (Status s = CheckId(id, "--allow"); !s.ok()) return s;
    policy.allow.push_back(id);
  }
  return policy;
}

Progress::Progress(std::ostream& err, bool enabled)
    : err_(err), enabled_(enabled), terminal_(StderrIsTerminal()) {}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Update(const std::string& line, bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const auto gap = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
  if (!force && now - shown_ < gap) return;
  shown_ = now;
  if (terminal_) {
    // \r and erase-to-end-of-line: the line is rewritten in place.
    err_ << "\r\033[K" << line << std::flush;
    open_ = true;
  } else {
    err_ << line << "\n" << std::flush;
  }
}

void Progress::Done() {
  if (enabled_ && open_) err_ << "\r\033[K" << std::flush;
  open_ = false;
}

Status WriteReportFile(const std::string& path, const std::string& text,
                       const std::vector<std::string>& inputs) {
  struct stat out_st {};
  const bool exists = ::stat(path.c_str(), &out_st) == 0;
  if (exists) {
    for (const std::string& input : inputs) {
      struct stat in_st {};
      if (input != "-" && ::stat(input.c_str(), &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
          in_st.st_ino == out_st.st_ino) {
        return InvalidArgument("-o " + path + " is the input " + input +
                               ": refusing to write the report over it");
      }
    }
  }
  if (exists && !S_ISREG(out_st.st_mode)) {
    if (S_ISDIR(out_st.st_mode)) return WriteError(path, "it is a directory");
    // A device or a pipe: nothing to replace, so write straight through.
    const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return WriteError(path, std::strerror(errno));
    const bool ok = WriteAll(fd, text);
    const int saved = errno;
    ::close(fd);
    return ok ? OkStatus() : WriteError(path, std::strerror(saved));
  }
  const std::string dir = DirOf(path);
  std::string tmp = dir + "/." + BaseOf(path) + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return WriteError(path, std::string("in ") + dir + ": " + std::strerror(errno));
  // mkstemp makes the file 0600; a report is as readable as any file the user creates.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, static_cast<mode_t>(0666) & ~mask);
  bool ok = WriteAll(fd, text) && ::fsync(fd) == 0;
  int saved = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return WriteError(path, std::strerror(saved));
  }
  // The rename itself is durable once the directory is synced.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return OkStatus();
}

}  // namespace fenceline::cli
