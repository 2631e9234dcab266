// checker/cli/output.h
//
// Where reports go. A report file is replaced atomically (a temporary file in the same
// directory, written, fsync'ed and renamed over the old one), so a reader or a killed run never
// sees half a report, and it is never written over one of the inputs.
#ifndef FENCELINE_CHECKER_CLI_OUTPUT_H_
#define FENCELINE_CHECKER_CLI_OUTPUT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "fenceline/report.h"
#include "fenceline/status.h"

namespace fenceline::cli {

// The finding ids --fail-on and --allow accept: "not-linearizable" and the fencing check ids.
const std::vector<std::string>& KnownFindingIds();

// --fail-on "error" | "warning" | "ID,ID,..." and --allow ID... as a FailPolicy.
// kInvalidArgument naming an unknown id (with the nearest known one).
StatusOr<FailPolicy> ParseFailPolicy(const std::string& fail_on,
                                     const std::vector<std::string>& allow);

// Progress on standard error: one line rewritten in place on a terminal, one line per update
// otherwise (--progress into a log). Does nothing unless enabled.
class Progress {
 public:
  Progress(std::ostream& err, bool enabled);
  void Update(const std::string& line);
  void Done();  // ends the line begun by Update

 private:
  std::ostream& err_;
  bool enabled_;
  bool terminal_;
  bool open_ = false;
};

// Writes `text` to `path`: through a temporary ".NAME.tmp-XXXXXX" beside it and rename(2) when
// `path` is a regular file or absent; directly when it is a device or a pipe (/dev/stdout),
// where no rename is possible. kInvalidArgument if `path` is the same file as one of `inputs`;
// kIoError ("PATH: cannot write the report: REASON") otherwise. A run killed mid-write leaves
// the old file intact (and possibly the temporary file).
Status WriteReportFile(const std::string& path, const std::string& text,
                       const std::vector<std::string>& inputs);

// True if standard error is a terminal (progress is then shown by default).
bool StderrIsTerminal();

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_OUTPUT_H_
