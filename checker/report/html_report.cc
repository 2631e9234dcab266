// The linearizability picture (docs/report.md): per file, one lane per process on the real time
// axis, every partition in a selector (broken ones first), the view opening on the violation.
// The unlinearizable operation is red, the proof operations orange, the longest linearizable
// prefix green with its order; each tooltip gives the input lines, the result and, for the
// prefix, the model's state before and after. Large partitions are drawn in full only around
// each violation (kNeighbourhood operations); a density strip shows where all the others are.
#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include "checker/report/counterexample.h"
#include "checker/report/html_page.h"
#include "checker/report/report_common.h"
#include "checker/search/partition.h"
#include "fenceline/model.h"
#include "fenceline/report.h"

namespace fenceline {
namespace {

using internal::HtmlBar;
using internal::HtmlFile;
using internal::HtmlPicture;
using internal::UnusableHtmlFile;

constexpr size_t kNeighbourhood = 1500;  // operations drawn around one violation
constexpr size_t kValidDrawn = 600;      // operations drawn of a partition without violation
constexpr size_t kFileBudget = 6000;     // operations drawn per file, all partitions together
constexpr size_t kDensityBins = 160;

Nanos End(const Operation& op) { return op.ret == kNever ? op.call : op.ret; }

std::string Label(const Operation& op) {
  std::string s = op.f;
  if (!op.input.is_nil()) s += " " + op.input.ToEdn();
  if (op.outcome == Outcome::kOk && !op.output.is_nil() && op.output != op.input) {
    s += " → " + op.output.ToEdn();
  }
  return s;
}

// The model's state after each operation of the prefix, replayed as the search did; empty if
// the model cannot be compiled or disagrees (the tooltips then leave states out).
std::vector<Value> PrefixStates(const History& h, const Model* model,
                                const std::vector<const Operation*>& ops, const Counterexample& cx,
                                Value* initial) {
  if (model == nullptr) return {};
  std::unordered_map<uint32_t, uint32_t> position;
  for (size_t i = 0; i < ops.size(); ++i) {
    position[static_cast<uint32_t>(ops[i]->index)] = static_cast<uint32_t>(i);
  }
  StatusOr<std::unique_ptr<PartitionSpec>> compiled = model->Compile(ops, h.source);
  if (!compiled.ok()) return {};
  PartitionSpec& spec = **compiled;
  uint64_t state = spec.Init();
  *initial = spec.Describe(state);
  std::vector<Value> states;
  for (OpIndex i : cx.linearized) {
    auto it = position.find(static_cast<uint32_t>(i));
    if (it == position.end()) return {};
    if (spec.Relevant(it->second)) {
      std::optional<uint64_t> next = spec.Step(state, it->second);
      if (!next) return {};
      state = *next;
    }
    states.push_back(spec.Describe(state));
  }
  return states;
}

HtmlPicture Draw(const History& h, const Model* model, const PartitionResult& p,
                 const std::vector<const Operation*>& ops, size_t limit) {
  HtmlPicture pic;
  pic.timed = h.timed;
  pic.title = (p.key.is_nil() ? std::string("history") : "key " + p.key.ToEdn()) + ": " +
              std::string(ReportVerdictName(ToReportVerdict(p.verdict))) + ", " +
              std::to_string(ops.size()) + " operations";
  if (ops.empty()) return pic;
  pic.lo = ops.front()->call;
  pic.hi = pic.lo + 1;
  for (const Operation* op : ops) {
    pic.lo = std::min(pic.lo, op->call);
    pic.hi = std::max(pic.hi, End(*op));
  }
  pic.hi = std::max(pic.hi, pic.lo + 1);
  std::map<uint32_t, size_t> order;  // op index -> 1-based position in the linearization
  std::vector<Value> states;
  Value initial;
  const Operation* failing = nullptr;
  std::vector<bool> proof(h.ops.size(), false);
  std::vector<const Operation*> shown;
  if (p.counterexample) {
    const Counterexample& cx = *p.counterexample;
    for (size_t k = 0; k < cx.linearized.size(); ++k) {
      order[static_cast<uint32_t>(cx.linearized[k])] = k + 1;
    }
    for (OpIndex i : cx.proof) proof[static_cast<size_t>(i)] = true;
    if (!cx.unlinearizable.empty()) failing = &h.ops[static_cast<size_t>(cx.unlinearizable.front())];
    states = PrefixStates(h, model, ops, cx, &initial);
    // The neighbourhood: from the earliest call among the end of the prefix, the proof and the
    // failing operation, to the latest return among them.
    Nanos lo = failing ? failing->call : pic.hi, hi = failing ? End(*failing) : pic.lo;
    const size_t n = cx.linearized.size(), from = n > 10 ? n - 10 : 0;
    for (size_t k = from; k < n; ++k) lo = std::min(lo, h.ops[static_cast<size_t>(cx.linearized[k])].call);
    for (OpIndex i : cx.proof) {
      lo = std::min(lo, h.ops[static_cast<size_t>(i)].call);
      hi = std::max(hi, End(h.ops[static_cast<size_t>(i)]));
    }
    if (hi < lo) hi = lo;
    pic.focus = std::make_pair(lo, std::max(hi, lo + 1));
    for (const Operation* op : ops) {
      // A partition that fits is drawn whole; a larger one around the violation.
      if (ops.size() <= limit || (op->call <= hi && (op->ret == kNever || op->ret >= lo))) {
        shown.push_back(op);
      }
    }
    if (shown.size() > limit) {
      // Keep those nearest the failing operation in invoke order, and the key operations.
      const uint32_t f = failing ? static_cast<uint32_t>(failing->index) : 0;
      std::stable_sort(shown.begin(), shown.end(), [&](const Operation* a, const Operation* b) {
        auto d = [&](const Operation* o) {
          const uint32_t i = static_cast<uint32_t>(o->index);
          return o == failing || proof[i] ? 0u : i > f ? i - f : f - i;
        };
        return d(a) < d(b);
      });
      shown.resize(limit);
    }
  } else {
    shown.assign(ops.begin(), ops.begin() + static_cast<long>(std::min(limit, ops.size())));
  }
  std::sort(shown.begin(), shown.end(),
            [](const Operation* a, const Operation* b) { return a->index < b->index; });
  std::map<uint32_t, uint32_t> lane;
  for (const Operation* op : shown) lane.emplace(static_cast<uint32_t>(op->process), 0);
  for (auto& [pid, l] : lane) {
    l = static_cast<uint32_t>(pic.lanes.size());
    pic.lanes.push_back("p" + h.process_names[pid]);
  }
  for (const Operation* op : shown) {
    HtmlBar b;
    b.lane = lane[static_cast<uint32_t>(op->process)];
    b.t0 = op->call;
    if (op->ret != kNever) b.t1 = op->ret;
    const uint32_t idx = static_cast<uint32_t>(op->index);
    auto it = order.find(idx);
    b.cls = op == failing ? "bad" : proof[idx] ? "proof" : it != order.end() ? "lin" : "other";
    b.focus = op == failing;
    b.label = Label(*op) + (it != order.end() ? " #" + std::to_string(it->second) : "");
    b.tip = internal::OperationSummary(h, *op) + "\nline " + internal::OperationLines(*op);
    if (op->invoke_time) b.tip += "\ninvoked at " + std::to_string(*op->invoke_time);
    if (op->complete_time) b.tip += ", completed at " + std::to_string(*op->complete_time);
    if (it != order.end()) {
      b.tip += "\nlinearized #" + std::to_string(it->second) + " of the longest linearizable prefix";
      if (!states.empty()) {
        const Value& before = it->second == 1 ? initial : states[it->second - 2];
        b.tip += "\nstate before: " + before.ToEdn() + "\nstate after: " + states[it->second - 1].ToEdn();
      }
    }
    if (op == failing) {
      b.tip += "\ncannot be linearized: no placement extends the prefix (state there: " +
               p.counterexample->state.ToEdn() + ")";
    }
    if (proof[idx]) b.tip += "\nproof: its result forbids every placement of the red operation";
    pic.bars.push_back(std::move(b));
  }
  if (shown.size() == ops.size()) return pic;  // all drawn: nothing to summarise
  pic.density.assign(kDensityBins, 0);
  const double span = static_cast<double>(pic.hi - pic.lo);
  for (const Operation* op : ops) {
    const double at = static_cast<double>(op->call - pic.lo) / span;
    const size_t bin = std::min(kDensityBins - 1, static_cast<size_t>(at * kDensityBins));
    ++pic.density[bin];
  }
  {
    pic.note = "drawn: " + std::to_string(shown.size()) + " of " + std::to_string(ops.size()) +
               " operations (" + (p.counterexample ? "the neighbourhood of the violation" : "the first ones") +
               "); the strip below shows where all of them are";
  }
  return pic;
}

}  // namespace

std::string RenderHtmlReport(const std::vector<FileReport>& files, const ReportOptions& options) {
  StatusOr<std::unique_ptr<Model>> made = MakeModel(options.model_id);
  const Model* model = options.model != nullptr ? options.model : made.ok() ? made->get() : nullptr;
  std::vector<HtmlFile> out;
  for (const FileReport& f : files) {
    if (!f.status.ok()) {
      out.push_back(UnusableHtmlFile(f.path, f.status));
      continue;
    }
    HtmlFile hf;
    hf.path = f.path;
    const History& h = *f.history;
    const CheckResult& r = *f.result;
    hf.verdict = std::string(ReportVerdictName(ToReportVerdict(r.verdict)));
    size_t bad = 0;
    for (const PartitionResult& p : r.partitions) bad += p.verdict == Verdict::kNotLinearizable;
    hf.summary = std::to_string(h.ops.size()) + " operations, " +
                 std::to_string(h.process_names.size()) + " processes, " +
                 std::to_string(r.partitions.size()) + " partition" +
                 (r.partitions.size() == 1 ? "" : "s") +
                 (bad ? ", " + std::to_string(bad) + " not linearizable" : "");
    std::map<Value, std::vector<const Operation*>> by_key;
    if (model != nullptr) {
      StatusOr<std::vector<internal::Partition>> parts = internal::PartitionHistory(h, *model);
      if (parts.ok()) {
        for (internal::Partition& p : *parts) by_key[p.key] = std::move(p.ops);
      }
    }
    // Broken partitions first, then unknown, then the rest, each in key order.
    std::vector<const PartitionResult*> sorted;
    for (const PartitionResult& p : r.partitions) sorted.push_back(&p);
    auto rank = [](const PartitionResult* p) {
      return p->verdict == Verdict::kNotLinearizable ? 0 : p->verdict == Verdict::kUnknown ? 1 : 2;
    };
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const PartitionResult* a, const PartitionResult* b) { return rank(a) < rank(b); });
    size_t budget = kFileBudget;
    for (const PartitionResult* p : sorted) {
      const std::string name = (p->key.is_nil() ? std::string("history") : "key " + p->key.ToEdn()) +
                               " (" + std::string(ReportVerdictName(ToReportVerdict(p->verdict))) + ")";
      if (p->verdict == Verdict::kNotLinearizable && p->counterexample) {
        hf.findings.push_back(internal::ViolationSentence(h, *p));
      } else if (p->verdict == Verdict::kUnknown) {
        hf.findings.push_back((p->key.is_nil() ? "" : "key " + p->key.ToEdn() + ": ") + "unknown: " + p->reason);
      }
      auto it = by_key.find(p->key);
      const size_t want = p->counterexample ? kNeighbourhood : kValidDrawn;
      if (it == by_key.end() || budget == 0 || (budget < want && !p->counterexample)) {
        hf.undrawn.push_back(name);
        continue;
      }
      HtmlPicture pic = Draw(h, model, *p, it->second, std::min(want, std::max<size_t>(budget, 1)));
      budget -= std::min(budget, pic.bars.size());
      hf.pictures.push_back(std::move(pic));
      hf.choices.push_back(name);
    }
    out.push_back(std::move(hf));
  }
  const std::string legend =
      "<span class='lin'>linearized (#order)</span><span class='bad'>cannot be linearized</span>"
      "<span class='proof'>proof: forbids every placement</span><span class='other'>other "
      "operations</span> dashed: never completed (info); hover for lines, results and states";
  return internal::RenderHtmlPage("fenceline: " + options.model_id + " (linearizability)", legend, out);
}

}  // namespace fenceline
