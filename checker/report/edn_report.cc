// The EDN report, in the vocabulary of Jepsen's linearizable checker (Knossos), so that Jepsen
// users read it as they read results.edn:
//   {:valid? false, :file "h.edn", :model "cas-register", :op-count 12,
//    :op {...}, :previous-ok {...}, :last-op {...}, :last-ops {p op}, :state 2,
//    :configs [{:model 2, :last-op {...}, :pending [...]}],
//    :final-paths [[{:op {...}, :model 2} {:op {...}, :model #knossos.model.Inconsistent{...}}]]}
// Operations are Jepsen op maps, as the completion event reads: {:process 0, :type :ok,
// :f :cas, :value [1 2], :index 7, :time 1200}; :index and :time appear when the input had
// them, and :line names the input line. Partitioned histories (Jepsen's independent keys) put
// each key's result under :results and the failing keys under :failures, as
// jepsen.independent/checker does. :configs and :final-paths are trimmed to 10, as Jepsen
// trims them. The report is one EDN value whatever the number of files: the batch's :valid? and
// the schema-2 envelope, then each file's map under :files. Keys come in a fixed order, files in
// input order: the report is deterministic.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checker/report/counterexample.h"
#include "checker/report/report_common.h"
#include "checker/search/partition.h"
#include "fenceline/model.h"
#include "fenceline/report.h"

namespace fenceline {
namespace {

// Jepsen truncates :configs and :final-paths to this many, since writing them all can take
// hours on big histories.
constexpr size_t kMaxPaths = 10;

Value Kw(std::string s) { return Value::Keyword(std::move(s)); }

using internal::JepsenIndex;
using internal::ProcessValue;

Value OpMap(const History& h, const Operation& op) {
  std::vector<Value> m;
  auto add = [&](const char* k, Value v) {
    m.push_back(Kw(k));
    m.push_back(std::move(v));
  };
  add("process", ProcessValue(h.process_names[static_cast<size_t>(op.process)]));
  add("type", Kw(std::string(OutcomeName(op.outcome))));
  add("f", Kw(op.f));
  if (op.key) add("key", *op.key);
  // Jepsen's completions echo the invoke's value unless they observed one (a read).
  add("value", op.outcome == Outcome::kOk && !op.output.is_nil() ? op.output : op.input);
  if (!op.error.is_nil()) add("error", op.error);
  if (const Value* index = JepsenIndex(op); index != nullptr) add("index", *index);
  if (op.complete_time) add("time", Value::Int(*op.complete_time));
  else if (op.invoke_time) add("time", Value::Int(*op.invoke_time));
  add("line", Value::Int(op.complete_pos.line ? op.complete_pos.line : op.invoke_pos.line));
  return Value::Map(std::move(m));
}

Value Inconsistent(const History& h, const Operation& op, const Value& state) {
  std::string msg = "can't apply " + internal::OperationSummary(h, op) + " to state " +
                    state.ToEdn();
  return Value::Tagged("knossos.model.Inconsistent",
                       Value::Map({Kw("msg"), Value::String(std::move(msg))}));
}

std::string_view CauseOf(const std::string& reason) {
  if (reason.find("time") != std::string::npos) return "timeout";
  if (reason.find("memory") != std::string::npos) return "memory-limit";
  if (reason.find("cancel") != std::string::npos) return "cancelled";
  return "unknown";
}

// The operations of the partition keyed `key`, in History::ops order; empty if the model
// cannot be made or partitioned (the report then leaves out what needs them).
std::vector<const Operation*> PartitionOps(const History& h, const Model* model,
                                           const Value& key) {
  if (model == nullptr) return {};
  StatusOr<std::vector<internal::Partition>> parts = internal::PartitionHistory(h, *model);
  if (!parts.ok()) return {};
  for (internal::Partition& p : *parts) {
    if (p.key == key) return std::move(p.ops);
  }
  return {};
}

// Knossos's :configs and :final-paths at the point of failure: the state after the longest
// linearizable prefix, the operations still pending there, and for each pending operation
// the path of trying it (then the failing one) from that state.
void AddFinalPaths(const History& h, const Model* model, const PartitionResult& p,
                   const internal::ViolationFacts& facts, std::vector<Value>& out) {
  const Counterexample& cx = *p.counterexample;
  std::vector<const Operation*> ops = PartitionOps(h, model, p.key);
  const Operation* failing = facts.op;
  std::vector<Value> pending;
  std::vector<uint32_t> pending_pos;
  std::vector<uint32_t> position(h.ops.size(), UINT32_MAX);
  for (size_t i = 0; i < ops.size(); ++i) {
    position[static_cast<size_t>(ops[i]->index)] = static_cast<uint32_t>(i);
  }
  std::vector<bool> linearized(h.ops.size(), false);
  for (OpIndex i : cx.linearized) linearized[static_cast<size_t>(i)] = true;
  if (failing != nullptr) {
    for (const Operation* op : ops) {
      if (linearized[static_cast<size_t>(op->index)] || op->call > failing->ret) continue;
      pending.push_back(OpMap(h, *op));
      pending_pos.push_back(position[static_cast<size_t>(op->index)]);
    }
  }
  const Value last_op = cx.linearized.empty()
                            ? Value()
                            : OpMap(h, h.ops[static_cast<size_t>(cx.linearized.back())]);
  std::vector<Value> shown_pending(pending.begin(),
                                   pending.begin() + static_cast<long>(
                                                         std::min(pending.size(), kMaxPaths)));
  out.push_back(Kw("configs"));
  out.push_back(Value::Vector({Value::Map({Kw("model"), cx.state, Kw("last-op"), last_op,
                                           Kw("pending"), Value::Vector(shown_pending)})}));
  if (model == nullptr || ops.empty() || failing == nullptr) return;

  // Replay the prefix to reach the search's state, then try each pending operation.
  StatusOr<std::unique_ptr<PartitionSpec>> compiled = model->Compile(ops, h.source);
  if (!compiled.ok()) return;
  PartitionSpec& spec = **compiled;
  uint64_t state = spec.Init();
  for (OpIndex i : cx.linearized) {
    const uint32_t pos = position[static_cast<size_t>(i)];
    if (pos == UINT32_MAX) return;
    if (!spec.Relevant(pos)) continue;
    std::optional<uint64_t> next = spec.Step(state, pos);
    if (!next) return;  // disagrees with the search; say nothing rather than something wrong
    state = *next;
  }
  const uint32_t failing_pos = position[static_cast<size_t>(failing->index)];
  const Value start = Value::Map({Kw("op"), last_op, Kw("model"), spec.Describe(state)});
  std::vector<Value> paths;
  for (size_t k = 0; k < pending_pos.size() && paths.size() < kMaxPaths; ++k) {
    const uint32_t pos = pending_pos[k];
    const Operation& op = *ops[pos];
    std::vector<Value> path = {start};
    std::optional<uint64_t> next = spec.Relevant(pos) ? spec.Step(state, pos) : state;
    if (!next) {
      path.push_back(Value::Map({Kw("op"), OpMap(h, op), Kw("model"),
                                 Inconsistent(h, op, spec.Describe(state))}));
    } else {
      path.push_back(Value::Map({Kw("op"), OpMap(h, op), Kw("model"), spec.Describe(*next)}));
      if (pos != failing_pos) {
        std::optional<uint64_t> after =
            spec.Relevant(failing_pos) ? spec.Step(*next, failing_pos) : next;
        path.push_back(Value::Map(
            {Kw("op"), OpMap(h, *failing), Kw("model"),
             after ? spec.Describe(*after) : Inconsistent(h, *failing, spec.Describe(*next))}));
      }
    }
    paths.push_back(Value::Vector(std::move(path)));
  }
  out.push_back(Kw("final-paths"));
  out.push_back(Value::Vector(std::move(paths)));
}

// One partition's analysis entries (after :valid?).
void AddAnalysis(const History& h, const Model* model, const PartitionResult& p,
                 const ReportOptions& options, std::vector<Value>& out) {
  out.push_back(Kw("op-count"));
  out.push_back(Value::Int(static_cast<int64_t>(p.op_count)));
  if (p.verdict == Verdict::kUnknown) {
    out.push_back(Kw("cause"));
    out.push_back(Kw(std::string(CauseOf(p.reason))));
    out.push_back(Kw("error"));
    out.push_back(Value::String(p.reason));
    return;
  }
  if (!p.counterexample) return;
  const Counterexample& cx = *p.counterexample;
  internal::ViolationFacts facts = internal::DescribeViolation(h, cx, options.context_ops);
  auto add = [&](const char* k, Value v) {
    out.push_back(Kw(k));
    out.push_back(std::move(v));
  };
  add("op", facts.op ? OpMap(h, *facts.op) : Value());
  add("previous-ok", facts.previous_ok ? OpMap(h, *facts.previous_ok) : Value());
  add("last-op", cx.linearized.empty()
                     ? Value()
                     : OpMap(h, h.ops[static_cast<size_t>(cx.linearized.back())]));
  std::vector<Value> last_ops;
  for (const Operation* op : facts.last_ops) {
    last_ops.push_back(ProcessValue(h.process_names[static_cast<size_t>(op->process)]));
    last_ops.push_back(OpMap(h, *op));
  }
  add("last-ops", Value::Map(std::move(last_ops)));
  std::vector<Value> proof;
  for (OpIndex i : cx.proof) proof.push_back(OpMap(h, h.ops[static_cast<size_t>(i)]));
  add("proof", Value::Vector(std::move(proof)));
  add("state", cx.state);
  AddFinalPaths(h, model, p, facts, out);
}

Value ValidValue(Verdict v) { return internal::ValidValue(ToReportVerdict(v)); }

Value FileResult(const FileReport& f, const Model* model, const ReportOptions& options) {
  std::vector<Value> m;
  if (!f.status.ok()) {
    std::string cause(StatusCodeName(f.status.code()));
    std::replace(cause.begin(), cause.end(), ' ', '-');
    std::replace(cause.begin(), cause.end(), '/', '-');
    return Value::Map({Kw("valid?"), Kw("unknown"), Kw("verdict"), Kw("error"), Kw("file"),
                       Value::String(f.path),
                       Kw("model"), Value::String(options.model_id), Kw("cause"), Kw(cause),
                       Kw("error"), Value::String(f.status.message())});
  }
  const History& h = *f.history;
  const CheckResult& r = *f.result;
  m.insert(m.end(), {Kw("valid?"), ValidValue(r.verdict), Kw("verdict"),
                     Kw(std::string(ReportVerdictName(ToReportVerdict(r.verdict)))), Kw("file"),
                     Value::String(f.path),
                     Kw("model"), Value::String(options.model_id)});
  if (r.partitions.size() == 1 && r.partitions[0].key.is_nil()) {
    AddAnalysis(h, model, r.partitions[0], options, m);
    return Value::Map(std::move(m));
  }
  m.push_back(Kw("op-count"));
  m.push_back(Value::Int(static_cast<int64_t>(h.ops.size())));
  std::vector<Value> results;
  std::vector<Value> failures;
  for (const PartitionResult& p : r.partitions) {
    std::vector<Value> pm = {Kw("valid?"), ValidValue(p.verdict), Kw("verdict"),
                             Kw(std::string(ReportVerdictName(ToReportVerdict(p.verdict))))};
    AddAnalysis(h, model, p, options, pm);
    results.push_back(p.key);
    results.push_back(Value::Map(std::move(pm)));
    if (p.verdict == Verdict::kNotLinearizable) failures.push_back(p.key);
  }
  m.push_back(Kw("results"));
  m.push_back(Value::Map(std::move(results)));
  m.push_back(Kw("failures"));
  m.push_back(Value::Vector(std::move(failures)));
  return Value::Map(std::move(m));
}

}  // namespace

std::string RenderEdnReport(const std::vector<FileReport>& files, const ReportOptions& options) {
  StatusOr<std::unique_ptr<Model>> model = MakeModel(options.model_id);
  const Model* m = options.model != nullptr ? options.model : model.ok() ? model->get() : nullptr;
  internal::Envelope env;
  env.analysis = "linearizability";
  env.options = &options;
  std::vector<Value> results, failures;
  for (const FileReport& f : files) {
    env.inputs.push_back(f.path);
    env.summary.Add(f.path,
                    f.status.ok() ? ToReportVerdict(f.result->verdict) : ReportVerdict::kError,
                    f.history);
    results.push_back(FileResult(f, m, options));
    if (f.status.ok() && f.result->verdict == Verdict::kNotLinearizable) {
      failures.push_back(Value::String(f.path));
    }
  }
  std::vector<Value> report;
  internal::AppendEdnEnvelope(env, report);
  report.push_back(Kw("failures"));
  report.push_back(Value::Vector(std::move(failures)));
  report.push_back(Kw("files"));
  report.push_back(Value::Vector(std::move(results)));
  return internal::PrettyEdn(Value::Map(std::move(report))) + "\n";
}

}  // namespace fenceline
