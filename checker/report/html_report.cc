// A picture of each violation, for people reviewing a CI failure or auditing a trace offline:
// one self-contained page (inline SVG and CSS, no scripts, nothing fetched). Each violation
// gets a timeline with a lane per process: the operations of the longest linearizable prefix
// numbered in their linearization order, the one that cannot be placed in red, the others
// in flight in grey. Times are compressed to ranks so that short operations stay visible.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "checker/report/counterexample.h"
#include "checker/report/report_common.h"
#include "fenceline/report.h"

namespace fenceline {
namespace {

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

bool SameKey(const Operation& op, const Value& key) {
  if (key.is_nil()) return true;
  if (op.key) return *op.key == key;
  return op.input.is_sequential() && op.input.items().size() == 2 && op.input.items()[0] == key;
}

void WriteTimeline(std::ostringstream& out, const History& h, const PartitionResult& p,
                   const ReportOptions& options) {
  const Counterexample& cx = *p.counterexample;
  internal::ViolationFacts facts = internal::DescribeViolation(h, cx, options.context_ops * 2);
  std::map<uint32_t, size_t> order;  // op index -> position in the linearization (1-based)
  for (size_t k = 0; k < cx.linearized.size(); ++k) {
    order[static_cast<uint32_t>(cx.linearized[k])] = k + 1;
  }
  // The window: from the earliest call among the shown prefix ops to the failing op's return.
  Nanos lo = kNever, hi = 0;
  for (const Operation* op : facts.prefix_tail) lo = std::min(lo, op->call);
  if (facts.op) {
    lo = std::min(lo, facts.op->call);
    hi = facts.op->ret == kNever ? facts.op->call : facts.op->ret;
  }
  for (const Operation* op : facts.prefix_tail) hi = std::max(hi, op->call);
  for (const Operation* op : facts.proof) {
    lo = std::min(lo, op->call);
    hi = std::max(hi, op->ret == kNever ? op->call : op->ret);
  }
  std::set<const Operation*> proof(facts.proof.begin(), facts.proof.end());
  std::vector<const Operation*> shown;
  for (const Operation& op : h.ops) {
    if (!SameKey(op, p.key)) continue;
    if (op.call <= hi && op.ret >= lo) shown.push_back(&op);
    if (shown.size() >= 200) break;
  }
  std::set<Nanos> times;
  std::set<uint32_t> processes;
  for (const Operation* op : shown) {
    times.insert(op->call);
    if (op->ret != kNever) times.insert(op->ret);
    processes.insert(static_cast<uint32_t>(op->process));
  }
  std::map<Nanos, size_t> rank;
  for (Nanos t : times) rank.emplace(t, rank.size());
  std::map<uint32_t, size_t> lane;
  for (uint32_t pid : processes) lane.emplace(pid, lane.size());
  // Wide enough for a short label inside the shortest bar.
  const double step = 44, lane_h = 34, left = 70;
  const double width = left + step * static_cast<double>(rank.size() + 2) + 40;
  const double height = lane_h * static_cast<double>(lane.size()) + 30;
  out << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
      << "' font-family='monospace' font-size='11'>\n";
  for (const auto& [pid, l] : lane) {
    out << "<text x='4' y='" << 20 + lane_h * static_cast<double>(l) << "'>p"
        << Escape(h.process_names[pid]) << "</text>\n";
  }
  for (const Operation* op : shown) {
    const double x0 = left + step * static_cast<double>(rank[op->call]);
    const double x1 = op->ret == kNever ? width - 10
                                        : left + step * static_cast<double>(rank[op->ret]) + step * 0.8;
    const double y = 8 + lane_h * static_cast<double>(lane[static_cast<uint32_t>(op->process)]);
    auto it = order.find(static_cast<uint32_t>(op->index));
    const bool failing = facts.op == op;
    const bool in_proof = proof.count(op) > 0;
    const char* fill = failing ? "#e74c3c" : in_proof ? "#f5b041" : it != order.end() ? "#7fc97f" : "#cccccc";
    out << "<g><title>" << Escape(internal::OperationSummary(h, *op)) << " (line "
        << internal::OperationLines(*op) << ")" ;
    if (it != order.end()) out << ", linearized #" << it->second;
    if (failing) out << ": cannot be linearized";
    if (in_proof) out << ": part of the proof";
    out << "</title><rect x='" << x0 << "' y='" << y << "' width='" << std::max(6.0, x1 - x0)
        << "' height='" << lane_h - 10 << "' rx='3' fill='" << fill
        << (op->ret == kNever ? "' stroke-dasharray='4 2' stroke='#555'" : "' stroke='#555'")
        << "/><text x='" << x0 + 3 << "' y='" << y + 15 << "'>"
        << Escape(op->f + (op->input.is_nil() ? "" : " " + op->input.ToEdn()) +
                  (op->outcome == Outcome::kOk && !op->output.is_nil() && op->output != op->input
                       ? " → " + op->output.ToEdn()
                       : ""));
    if (it != order.end()) out << " #" << it->second;
    out << "</text></g>\n";
  }
  out << "</svg>\n";
}

}  // namespace

std::string RenderHtmlReport(const std::vector<FileReport>& files, const ReportOptions& options) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>fenceline report</title>\n"
         "<style>body{font-family:sans-serif;margin:2em}h2{margin-top:2em}"
         ".bad{color:#c0392b}.ok{color:#27ae60}.unknown{color:#d68910}"
         "pre{background:#f6f6f6;padding:.6em;overflow:auto}"
         ".legend span{display:inline-block;padding:0 .5em;margin-right:.5em}</style></head><body>\n"
         "<h1>fenceline: " << Escape(options.model_id) << "</h1>\n"
         "<p class='legend'><span style='background:#7fc97f'>linearized (#order)</span>"
         "<span style='background:#e74c3c'>cannot be linearized</span>"
         "<span style='background:#f5b041'>proof: observations that leave it no place</span>"
         "<span style='background:#ccc'>other operations in flight</span> "
         "dashed: never completed (info)</p>\n";
  for (const FileReport& f : files) {
    out << "<h2>" << Escape(f.path) << "</h2>\n";
    if (!f.status.ok()) {
      out << "<p class='bad'>unusable: " << Escape(f.status.message()) << "</p>\n";
      continue;
    }
    const CheckResult& r = *f.result;
    const char* cls = r.verdict == Verdict::kLinearizable ? "ok"
                      : r.verdict == Verdict::kUnknown    ? "unknown"
                                                          : "bad";
    out << "<p class='" << cls << "'>" << VerdictName(r.verdict) << " — " << f.history->ops.size()
        << " operations, " << r.partitions.size() << " partition(s)</p>\n";
    for (const PartitionResult& p : r.partitions) {
      if (p.verdict == Verdict::kUnknown) {
        out << "<p class='unknown'>" << (p.key.is_nil() ? "" : "key " + Escape(p.key.ToEdn()) + ": ")
            << "unknown: " << Escape(p.reason) << "</p>\n";
      }
      if (p.verdict != Verdict::kNotLinearizable || !p.counterexample) continue;
      internal::ViolationFacts facts =
          internal::DescribeViolation(*f.history, *p.counterexample, options.context_ops);
      out << "<h3>" << (p.key.is_nil() ? "" : "key " + Escape(p.key.ToEdn()) + ": ")
          << "not linearizable</h3>\n<pre>";
      if (facts.op) {
        out << "cannot linearize: " << Escape(internal::OperationSummary(*f.history, *facts.op))
            << " (line " << internal::OperationLines(*facts.op) << ")\n";
      }
      if (!facts.proof.empty()) out << "proof: with every operation that changes the state, these observations leave it no place (checked by search):\n";
      for (const Operation* op : facts.proof) {
        out << "  line " << internal::OperationLines(*op) << "  "
            << Escape(internal::OperationSummary(*f.history, *op)) << "\n";
      }
      out << "state after the longest linearizable prefix (" << facts.prefix_length
          << " operations): " << Escape(p.counterexample->state.ToEdn()) << "</pre>\n";
      WriteTimeline(out, *f.history, p, options);
    }
  }
  out << "</body></html>\n";
  return internal::ValidUtf8(out.str());
}

}  // namespace fenceline
