// A violation's timeline: the input events it rests on, as report entries, and the times its
// message quotes.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checker/fencing/lease_timeline.h"

namespace fenceline::internal {

void AppendOp(const History& h, uint32_t index, std::string note, std::vector<TimelineEvent>& out) {
  const Operation& op = h.ops[index];
  TimelineEvent inv;
  inv.time = op.invoke_time;
  inv.node = op.node;
  inv.process = h.process_names[static_cast<uint32_t>(op.process)];
  inv.type = "invoke";
  inv.f = op.f;
  inv.value = op.input;
  inv.line = op.invoke_pos.line;
  inv.note = std::move(note);
  out.push_back(std::move(inv));
  if (op.complete_pos.line != 0) {
    TimelineEvent c;
    c.time = op.complete_time;
    c.node = op.node;
    c.process = h.process_names[static_cast<uint32_t>(op.process)];
    c.type = std::string(OutcomeName(op.outcome));
    c.f = op.f;
    c.value = op.output;
    c.error = op.error;
    c.line = op.complete_pos.line;
    out.push_back(std::move(c));
  }
}

void AppendRecord(const History& h, uint32_t index, std::string note,
                  std::vector<TimelineEvent>& out) {
  const Event& e = h.other_events[index];
  TimelineEvent t;
  t.time = e.time;
  t.node = e.node;
  t.process = e.process.ToDisplay();
  t.type = std::string(EventTypeName(e.type));
  t.f = e.f;
  t.value = e.value;
  t.error = e.error;
  t.line = e.pos.line;
  t.note = std::move(note);
  out.push_back(std::move(t));
}

void AppendRef(const History& h, const EventRef& ref, std::string note,
               std::vector<TimelineEvent>& out) {
  if (ref.kind == EventRef::Kind::kRecord) {
    AppendRecord(h, ref.index, std::move(note), out);
  } else {
    AppendOp(h, ref.index, std::move(note), out);
  }
}

void SortTimeline(std::vector<TimelineEvent>& timeline) {
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) {
                     const Nanos ta = a.time.value_or(kNever);
                     const Nanos tb = b.time.value_or(kNever);
                     if (ta != tb) return ta < tb;
                     return a.line < b.line;
                   });
  // The same event may be cited twice (as two roles): keep the first, merging notes.
  std::vector<TimelineEvent> out;
  for (TimelineEvent& e : timeline) {
    if (!out.empty() && e.line != 0 && out.back().line == e.line) {
      if (!e.note.empty() && out.back().note != e.note) {
        out.back().note += out.back().note.empty() ? e.note : "; " + e.note;
      }
      continue;
    }
    out.push_back(std::move(e));
  }
  timeline = std::move(out);
}

std::string FormatSeconds(Nanos ns) {
  const double s = static_cast<double>(ns) / 1e9;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  if (std::string_view(buf) == "0.000" || std::string_view(buf) == "-0.000") {
    std::snprintf(buf, sizeof buf, "%.6f", s);
  }
  std::string out(buf);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out + " s";
}

}  // namespace fenceline::internal
