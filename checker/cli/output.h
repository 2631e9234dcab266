// checker/cli/output.h
//
// Where reports go. A report file is replaced atomically (a temporary file in the same
// directory, written, fsync'ed and renamed over the old one), so a reader or a killed run never
// sees half a report, and it is never written over one of the inputs.
#ifndef FENCELINE_CHECKER_CLI_OUTPUT_H_
#define FENCELINE_CHECKER_CLI_OUTPUT_H_

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "fenceline/history.h"
#include "fenceline/report.h"
#include "fenceline/status.h"

namespace fenceline::cli {

// The finding ids --fail-on and --allow accept: "not-linearizable" and the fencing check ids.
const std::vector<std::string>& KnownFindingIds();

// --fail-on "error" | "warning" | "ID,ID,..." and --allow ID... as a FailPolicy.
// kInvalidArgument naming an unknown id (with the nearest known one).
StatusOr<FailPolicy> ParseFailPolicy(const std::string& fail_on,
                                     const std::vector<std::string>& allow);

// Progress on standard error: one line rewritten in place on a terminal (at most 10 times a
// second), one line per update otherwise (--progress into a log: at most one a second, so that
// a run over many partitions does not flood it). Does nothing unless enabled. Not thread-safe:
// CheckOptions::on_progress never overlaps its calls.
class Progress {
 public:
  Progress(std::ostream& err, bool enabled);
  // `force`: shown even if the last line was shown a moment ago (a stage's first or last).
  void Update(const std::string& line, bool force = true);
  void Done();  // ends the line begun by Update
  bool enabled() const { return enabled_; }
  double elapsed_s() const;  // since construction

 private:
  std::ostream& err_;
  bool enabled_;
  bool terminal_;
  bool open_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point shown_{};
};

// Writes `text` to `path`: through a temporary ".NAME.tmp-XXXXXX" beside it and rename(2) when
// `path` is a regular file or absent; directly when it is a device or a pipe (/dev/stdout),
// where no rename is possible. kInvalidArgument if `path` is the same file as one of `inputs`;
// kIoError ("PATH: cannot write the report: REASON") otherwise. A run killed mid-write leaves
// the old file intact (and possibly the temporary file).
Status WriteReportFile(const std::string& path, const std::string& text,
                       const std::vector<std::string>& inputs);

// "fenceline: PATH: note: skipped N line(s) without a Jepsen event (the first is line L)" on
// `err` when the parser skipped log lines: a log with far more of them than expected may not be
// the history the user meant. Nothing otherwise.
void NoteSkippedLines(const History& h, std::ostream& err);
// The same from the counts (the streaming check has no History).
void NoteSkippedLines(std::string_view source, uint64_t skipped, uint32_t first_skipped,
                      std::ostream& err);

// True if standard error is a terminal (progress is then shown by default).
bool StderrIsTerminal();

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_OUTPUT_H_
