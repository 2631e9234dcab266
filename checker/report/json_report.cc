// The machine-readable report, schema version 2 (docs/report.md, docs/report.schema.json).
// RapidJSON's Writer emits keys in the order we write them, so the byte stream is fixed.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "checker/report/counterexample.h"
#include "checker/report/json_value.h"
#include "checker/report/report_common.h"
#include "fenceline/report.h"

namespace fenceline {
namespace {

using Writer = internal::JsonWriter;
using internal::WriteJsonString;

void WriteOperation(Writer& w, const History& h, const Operation& op) {
  w.StartObject();
  w.Key("id"); w.Uint(static_cast<uint32_t>(op.index));
  if (const Value* index = internal::JepsenIndex(op)) {
    w.Key("index"); internal::WriteJsonValue(w, *index);
  }
  w.Key("process");
  internal::WriteJsonValue(w, internal::ProcessValue(h.process_names[static_cast<size_t>(op.process)]));
  w.Key("f"); WriteJsonString(w, op.f);
  if (op.key) { w.Key("key"); internal::WriteJsonValue(w, *op.key); }
  w.Key("value"); internal::WriteJsonValue(w, op.input);
  w.Key("type"); WriteJsonString(w, OutcomeName(op.outcome));
  w.Key("output"); internal::WriteJsonValue(w, op.output);
  if (!op.error.is_nil()) { w.Key("error"); internal::WriteJsonValue(w, op.error); }
  w.Key("line"); w.Uint(op.invoke_pos.line);
  if (op.complete_pos.line) { w.Key("complete_line"); w.Uint(op.complete_pos.line); }
  if (op.invoke_time) { w.Key("invoke_time"); w.Int64(*op.invoke_time); }
  if (op.complete_time) { w.Key("complete_time"); w.Int64(*op.complete_time); }
  w.EndObject();
}

void WritePartition(Writer& w, const History& h, const PartitionResult& p, const ReportOptions& o) {
  w.StartObject();
  w.Key("key"); internal::WriteJsonValue(w, p.key);
  w.Key("verdict"); WriteJsonString(w, ReportVerdictName(ToReportVerdict(p.verdict)));
  if (!p.reason.empty()) { w.Key("reason"); WriteJsonString(w, p.reason); }
  w.Key("operations"); w.Uint64(p.op_count);
  w.Key("states_explored"); w.Uint64(p.states_explored);
  if (p.counterexample) {
    const Counterexample& cx = *p.counterexample;
    internal::ViolationFacts facts = internal::DescribeViolation(h, cx, o.context_ops);
    w.Key("counterexample");
    w.StartObject();
    w.Key("message"); WriteJsonString(w, internal::ViolationSentence(h, p));
    w.Key("unlinearizable");
    w.StartArray();
    for (OpIndex i : cx.unlinearizable) WriteOperation(w, h, h.ops[static_cast<size_t>(i)]);
    w.EndArray();
    w.Key("proof");
    w.StartArray();
    for (OpIndex i : cx.proof) WriteOperation(w, h, h.ops[static_cast<size_t>(i)]);
    w.EndArray();
    w.Key("previous_ok");
    if (facts.previous_ok) WriteOperation(w, h, *facts.previous_ok); else w.Null();
    w.Key("state"); internal::WriteJsonValue(w, cx.state);
    w.Key("linearized_prefix");
    w.StartArray();
    for (OpIndex i : cx.linearized) w.Uint(static_cast<uint32_t>(i));
    w.EndArray();
    w.Key("last_ops");
    w.StartArray();
    for (const Operation* op : facts.last_ops) WriteOperation(w, h, *op);
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string RenderJsonReport(const std::vector<FileReport>& files, const ReportOptions& options) {
  internal::Envelope env;
  env.analysis = "linearizability";
  env.options = &options;
  for (const FileReport& f : files) {
    env.inputs.push_back(f.path);
    env.summary.Add(f.path,
                    f.status.ok() ? ToReportVerdict(f.result->verdict) : ReportVerdict::kError,
                    f.history);
  }
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  internal::WriteJsonEnvelope(w, env);
  w.Key("files");
  w.StartArray();
  for (const FileReport& f : files) {
    w.StartObject();
    w.Key("path"); WriteJsonString(w, f.path);
    if (!f.status.ok()) {
      w.Key("verdict"); w.String("error");
      w.Key("error");
      w.StartObject();
      w.Key("code"); WriteJsonString(w, StatusCodeName(f.status.code()));
      w.Key("message"); WriteJsonString(w, f.status.message());
      w.EndObject();
      w.EndObject();
      continue;
    }
    w.Key("verdict"); WriteJsonString(w, ReportVerdictName(ToReportVerdict(f.result->verdict)));
    w.Key("operations"); w.Uint64(f.history->ops.size());
    w.Key("processes"); w.Uint64(f.history->process_names.size());
    w.Key("partitions");
    w.StartArray();
    for (const PartitionResult& p : f.result->partitions) WritePartition(w, *f.history, p, options);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace fenceline
