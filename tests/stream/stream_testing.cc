#include "stream/stream_testing.h"

#include <algorithm>
#include <tuple>

#include "checker/parse/formats.h"

namespace fenceline::testing {

std::vector<Event> EventsOf(const History& h) {
  std::vector<Event> events;
  auto process_value = [&](const Operation& op) {
    const std::string& name = h.process_names[static_cast<size_t>(op.process)];
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      return Value::String(name.substr(1, name.size() - 2));
    }
    bool digits = !name.empty() && name.find_first_not_of("-0123456789") == std::string::npos;
    return digits ? Value::Int(std::stoll(name)) : Value::String(name);
  };
  for (const Operation& op : h.ops) {
    Event in;
    in.process = process_value(op);
    in.type = EventType::kInvoke;
    in.f = op.f;
    in.value = op.input;
    in.key = op.key;
    in.time = op.invoke_time;
    in.node = op.node;
    in.pos = op.invoke_pos;
    events.push_back(std::move(in));
    if (op.complete_pos.line == 0) continue;
    Event out;
    out.process = process_value(op);
    out.type = op.outcome == Outcome::kOk     ? EventType::kOk
               : op.outcome == Outcome::kFail ? EventType::kFail
                                              : EventType::kInfo;
    out.f = op.f;
    out.value = op.output;
    out.time = op.complete_time;
    out.error = op.error;
    out.pos = op.complete_pos;
    events.push_back(std::move(out));
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
  return events;
}

StatusOr<CheckResult> StreamEvents(const std::vector<Event>& events, const std::string& model,
                                   const StreamOptions& options, StreamStats* stats) {
  FENCELINE_ASSIGN_OR_RETURN(std::unique_ptr<StreamChecker> checker,
                             StreamChecker::Create(model, options, "<events>"));
  for (const Event& e : events) FENCELINE_RETURN_IF_ERROR(checker->Add(e));
  StatusOr<CheckResult> r = checker->Finish();
  if (stats) *stats = checker->stats();
  return r;
}

StatusOr<CheckResult> StreamJsonLines(const std::string& text, const std::string& model,
                                      const StreamOptions& options, StreamStats* stats) {
  FENCELINE_ASSIGN_OR_RETURN(std::unique_ptr<StreamChecker> checker,
                             StreamChecker::Create(model, options, "<jsonl>"));
  // In pieces of a few lines, as the reader hands them over.
  size_t pos = 0;
  uint32_t line = 1;
  while (pos < text.size()) {
    size_t end = pos;
    for (int k = 0; k < 3 && end < text.size(); ++k) {
      end = text.find('\n', end);
      end = end == std::string::npos ? text.size() : end + 1;
    }
    std::string_view chunk(text.data() + pos, end - pos);
    FENCELINE_RETURN_IF_ERROR(internal::ParseJsonLinesEvents(
        chunk, "<jsonl>", line, [&](Event e) { return checker->Add(std::move(e)); }));
    line += static_cast<uint32_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    pos = end;
  }
  StatusOr<CheckResult> r = checker->Finish();
  if (stats) *stats = checker->stats();
  return r;
}

std::string Disagreement(const CheckResult& whole, const CheckResult& streamed) {
  std::string why;
  if (whole.verdict != streamed.verdict) {
    why += "verdict " + std::string(VerdictName(whole.verdict)) + " (whole) vs " +
           std::string(VerdictName(streamed.verdict)) + " (streamed); ";
  }
  if (whole.partitions.size() != streamed.partitions.size()) {
    return why + "partitions " + std::to_string(whole.partitions.size()) + " vs " +
           std::to_string(streamed.partitions.size());
  }
  for (size_t i = 0; i < whole.partitions.size(); ++i) {
    const PartitionResult& a = whole.partitions[i];
    const PartitionResult& b = streamed.partitions[i];
    if (a.key != b.key || a.verdict != b.verdict || a.op_count != b.op_count) {
      why += "partition " + a.key.ToEdn() + ": " + std::string(VerdictName(a.verdict)) + "/" +
             std::to_string(a.op_count) + " vs " + b.key.ToEdn() + ": " +
             std::string(VerdictName(b.verdict)) + "/" + std::to_string(b.op_count) + " " +
             b.reason + "; ";
    }
  }
  return why;
}

}  // namespace fenceline::testing
