// The report for people: a summary line per file, the evidence for each violation, and a
// closing tally. Diagnostics about unusable files are part of it, so a CI log shows everything
// in one place.
#include <sstream>

#include "checker/report/counterexample.h"
#include "checker/report/report_common.h"
#include "fenceline/report.h"

namespace fenceline {
namespace {

void WriteViolation(std::ostringstream& out, const History& h, const PartitionResult& p,
                    const ReportOptions& options) {
  const Counterexample& cx = *p.counterexample;
  internal::ViolationFacts facts = internal::DescribeViolation(h, cx, options.context_ops);
  std::string indent = "  ";
  if (!p.key.is_nil()) {
    out << "  key " << p.key.ToEdn() << ": not linearizable (" << p.op_count << " operations)\n";
    indent = "    ";
  }
  if (facts.op) {
    out << indent << "cannot linearize: " << internal::OperationSummary(h, *facts.op) << "  ["
        << h.source << ":" << internal::OperationLines(*facts.op) << "]\n";
  }
  out << indent << "after the longest linearizable prefix (" << facts.prefix_length
      << " operations) the state is " << cx.state.ToEdn() << "\n";
  if (!cx.proof.empty()) {
    out << indent << "proof (these results forbid every placement of it):\n";
    for (OpIndex i : cx.proof) {
      const Operation& op = h.ops[static_cast<size_t>(i)];
      out << indent << "  line " << internal::OperationLines(op) << "  "
          << internal::OperationSummary(h, op) << "\n";
    }
  }
  if (facts.previous_ok) {
    out << indent << "previous ok: " << internal::OperationSummary(h, *facts.previous_ok)
        << "  [line " << internal::OperationLines(*facts.previous_ok) << "]\n";
  }
  if (!facts.prefix_tail.empty()) {
    out << indent << "end of that prefix, in linearization order:\n";
    for (const Operation* op : facts.prefix_tail) {
      out << indent << "  line " << internal::OperationLines(*op) << "  "
          << internal::OperationSummary(h, *op) << "\n";
    }
  }
}

}  // namespace

std::string RenderTextReport(const std::vector<FileReport>& files, const ReportOptions& options) {
  std::ostringstream out;
  size_t ok = 0, bad = 0, unknown = 0, errors = 0;
  for (const FileReport& f : files) {
    if (!f.status.ok()) {
      ++errors;
      // Named, not repeated: the message itself went to standard error, once.
      out << f.path << ": unusable (" << StatusCodeName(f.status.code()) << ")\n";
      continue;
    }
    const CheckResult& r = *f.result;
    const History& h = *f.history;
    size_t violating = 0;
    for (const PartitionResult& p : r.partitions) violating += p.verdict == Verdict::kNotLinearizable;
    out << f.path << ": ";
    switch (r.verdict) {
      case Verdict::kLinearizable: out << "linearizable"; ++ok; break;
      case Verdict::kNotLinearizable: out << "NOT LINEARIZABLE"; ++bad; break;
      case Verdict::kUnknown: out << "UNKNOWN"; ++unknown; break;
    }
    out << " (" << options.model_id << ", " << h.ops.size() << " operations";
    if (r.partitions.size() != 1 || !r.partitions.front().key.is_nil()) {
      out << ", " << r.partitions.size() << " keys";
      if (violating) out << ", " << violating << " not linearizable";
    }
    out << ")\n";
    for (const PartitionResult& p : r.partitions) {
      if (p.verdict == Verdict::kNotLinearizable && p.counterexample) {
        WriteViolation(out, h, p, options);
      } else if (p.verdict == Verdict::kUnknown) {
        out << "  ";
        if (!p.key.is_nil()) out << "key " << p.key.ToEdn() << ": ";
        out << "unknown: " << p.reason << "\n";
      }
    }
  }
  out << files.size() << (files.size() == 1 ? " file: " : " files: ") << ok << " linearizable, "
      << bad << " not linearizable, " << unknown << " unknown, " << errors << " unusable\n";
  return internal::ValidUtf8(out.str());
}

}  // namespace fenceline
