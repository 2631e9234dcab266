#include "checker/cli/stream_command.h"

#include <ostream>

#include "checker/cli/exit_code.h"
#include "checker/cli/output.h"
#include "checker/stream/stream_reader.h"
#include "fenceline/stream.h"

namespace fenceline::cli {
namespace {

void PrintDecision(const std::string& source, const StreamChecker::Decision& d, std::ostream& out) {
  const PartitionResult& r = d.result;
  out << source << ": partition " << r.key.ToEdn() << ": " << VerdictName(r.verdict);
  if (r.verdict == Verdict::kNotLinearizable) {
    if (!d.unlinearizable.empty()) out << ": no place for " << d.unlinearizable;
  } else if (!r.reason.empty()) {
    out << ": " << r.reason;
  }
  out << " (decided at line " << d.decided_at_line << ")\n";
  out.flush();
}

}  // namespace

int RunStreamCheck(const StreamCommandArgs& args, std::ostream& out, std::ostream& err) {
  if (!args.unsupported.empty()) {
    std::string flags;
    for (const std::string& f : args.unsupported) flags += (flags.empty() ? "" : ", ") + f;
    err << "fenceline check: --stream does not support " << flags
        << " (check the whole file without --stream)\n";
    return kExitUnusable;
  }
  StreamOptions options;
  options.model = args.model;
  options.independent = args.independent;
  options.memory_budget = args.memory_budget;
  options.deadline = args.deadline;
  const std::string source = args.path == "-" ? "<stdin>" : args.path;
  StatusOr<std::unique_ptr<StreamChecker>> checker =
      StreamChecker::Create(args.model_id, options, source);
  if (!checker.ok()) {
    err << "fenceline check: " << checker.status().message() << "\n";
    return kExitUnusable;
  }
  StreamChecker& c = **checker;
  bool violation = false, unknown = false;
  auto report = [&] {
    for (const StreamChecker::Decision& d : c.TakeDecided()) {
      violation |= d.result.verdict == Verdict::kNotLinearizable;
      unknown |= d.result.verdict == Verdict::kUnknown;
      PrintDecision(source, d, out);
    }
  };
  internal::StreamReadOptions read;
  read.format = args.format;
  read.allow_empty = args.allow_empty;
  read.deadline = args.deadline;
  internal::StreamReadStats read_stats;
  Status s = internal::ReadHistoryStream(
      args.path, source, read,
      [&](Event e) {
        Status added = c.Add(std::move(e));
        report();
        return added;
      },
      read_stats);
  // Bad input is never a verdict, as in the whole-file check of the same input (which exits 2
  // before deciding anything): partitions decided before it stay printed, about a prefix.
  auto unusable = [&](const Status& status) {
    err << "fenceline: " << status.message() << "\n";
    if (violation || unknown) {
      err << "fenceline: " << source
          << ": note: the partitions decided above were decided on the input before this "
             "error; the input as a whole is unusable\n";
    }
    return kExitUnusable;
  };
  if (s.code() == StatusCode::kDeadlineExceeded) {
    // Out of time while reading (or waiting for a silent pipe): not bad input, and no verdict
    // on what was not read. A violation decided above stands (it is one of any longer
    // history); the partitions still open are undecided.
    err << "fenceline: " << s.message() << "\n";
    const Verdict verdict = violation ? Verdict::kNotLinearizable : Verdict::kUnknown;
    out << source << ": " << VerdictName(verdict) << " (" << s.message() << "; the partitions still open are undecided)\n";
    return violation ? kExitViolation : kExitUnknown;
  }
  if (!s.ok()) return unusable(s);
  NoteSkippedLines(source, read_stats.skipped_lines, read_stats.first_skipped_line, err);
  StatusOr<CheckResult> result = c.Finish();
  if (!result.ok()) return unusable(result.status());
  report();
  const StreamStats& st = c.stats();
  size_t valid = 0;
  for (const PartitionResult& r : result->partitions) {
    valid += r.verdict == Verdict::kLinearizable;
    unknown |= r.verdict == Verdict::kUnknown;
    violation |= r.verdict == Verdict::kNotLinearizable;
  }
  out << source << ": " << VerdictName(result->verdict) << " (" << result->partitions.size()
      << " partitions: " << valid << " linearizable; " << st.operations << " operations; "
      << "streamed: " << st.cuts << " cuts, at most " << st.peak_buffered_ops
      << " operations held, at most " << st.peak_configurations << " configurations at a cut)\n";
  if (violation) return kExitViolation;
  if (unknown) return kExitUnknown;
  return kExitOk;
}

}  // namespace fenceline::cli
