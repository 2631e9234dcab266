// The machine-readable report. RapidJSON's Writer emits keys in the order we write them, so
// the byte stream is fixed; "schema_version" lets consumers detect changes.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "checker/report/counterexample.h"
#include "checker/report/json_value.h"
#include "fenceline/report.h"

namespace fenceline {
namespace {

using Writer = internal::JsonWriter;

void WriteString(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteOperation(Writer& w, const History& h, const Operation& op) {
  w.StartObject();
  w.Key("index"); w.Uint(static_cast<uint32_t>(op.index));
  w.Key("process"); WriteString(w, h.process_names[static_cast<size_t>(op.process)]);
  w.Key("f"); WriteString(w, op.f);
  if (op.key) { w.Key("key"); internal::WriteJsonValue(w, *op.key); }
  w.Key("value"); internal::WriteJsonValue(w, op.input);
  w.Key("type"); WriteString(w, OutcomeName(op.outcome));
  w.Key("output"); internal::WriteJsonValue(w, op.output);
  if (!op.error.is_nil()) { w.Key("error"); internal::WriteJsonValue(w, op.error); }
  w.Key("invoke_line"); w.Uint(op.invoke_pos.line);
  if (op.complete_pos.line) { w.Key("complete_line"); w.Uint(op.complete_pos.line); }
  if (op.invoke_time) { w.Key("invoke_time"); w.Int64(*op.invoke_time); }
  if (op.complete_time) { w.Key("complete_time"); w.Int64(*op.complete_time); }
  w.EndObject();
}

void WritePartition(Writer& w, const History& h, const PartitionResult& p, const ReportOptions& o) {
  w.StartObject();
  w.Key("key"); internal::WriteJsonValue(w, p.key);
  w.Key("verdict"); WriteString(w, VerdictName(p.verdict));
  if (!p.reason.empty()) { w.Key("reason"); WriteString(w, p.reason); }
  w.Key("operations"); w.Uint64(p.op_count);
  w.Key("states_explored"); w.Uint64(p.states_explored);
  if (p.counterexample) {
    const Counterexample& cx = *p.counterexample;
    internal::ViolationFacts facts = internal::DescribeViolation(h, cx, o.context_ops);
    w.Key("counterexample");
    w.StartObject();
    w.Key("unlinearizable");
    w.StartArray();
    for (OpIndex i : cx.unlinearizable) WriteOperation(w, h, h.ops[static_cast<size_t>(i)]);
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
  rapidjson::StringBuffer buf;
  Writer w(buf);
  Verdict overall = Verdict::kLinearizable;
  bool any_error = false;
  for (const FileReport& f : files) {
    if (!f.status.ok()) { any_error = true; continue; }
    if (f.result->verdict == Verdict::kNotLinearizable) overall = Verdict::kNotLinearizable;
    else if (f.result->verdict == Verdict::kUnknown && overall == Verdict::kLinearizable) overall = Verdict::kUnknown;
  }
  w.StartObject();
  w.Key("schema_version"); w.Int(kReportSchemaVersion);
  w.Key("tool"); w.String("fenceline");
  w.Key("model"); WriteString(w, options.model_id);
  w.Key("verdict"); WriteString(w, any_error ? "error" : VerdictName(overall));
  w.Key("files");
  w.StartArray();
  for (const FileReport& f : files) {
    w.StartObject();
    w.Key("path"); WriteString(w, f.path);
    if (!f.status.ok()) {
      w.Key("verdict"); w.String("error");
      w.Key("error");
      w.StartObject();
      w.Key("code"); WriteString(w, StatusCodeName(f.status.code()));
      w.Key("message"); WriteString(w, f.status.message());
      w.EndObject();
      w.EndObject();
      continue;
    }
    w.Key("verdict"); WriteString(w, VerdictName(f.result->verdict));
    w.Key("operations"); w.Uint64(f.history->ops.size());
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
