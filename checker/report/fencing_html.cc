// The fencing picture (docs/report.md): per file, the lease timeline —
// per lock a lane per client with its lease bars, the fencing analysis' own bounds
// (FencingLeaseExtents: dark, certainly live, the client may rely on it; light, possibly live,
// under the skew and drift bounds and unknown outcomes), grant/expire/revoke records, a
// storage lane per resource with each write's token and accepted/rejected mark and the highest
// token accepted so far, and each violation drawn where it happens, with its sentence. Times
// are as written, each on its event's clock. Large histories: only the neighbourhood of each
// violation is drawn (a density strip shows the rest).
#include <algorithm>
#include <map>
#include <string>

#include "checker/report/fencing_report.h"
#include "checker/report/html_page.h"
#include "checker/report/report_common.h"

namespace fenceline::internal {
namespace {

constexpr size_t kMaxDrawn = 4000;
constexpr size_t kMaxWindowed = 200;
constexpr size_t kDensityBins = 160;

std::string Text(const Value* v) {
  if (v == nullptr) return "";
  return v->is_string() || v->is_keyword() ? v->text() : v->ToEdn();
}

const Value* Field(const Operation& op, const char* name) {
  if (op.output.is_map()) {
    if (const Value* v = op.output.Find(name)) return v;
  }
  return op.input.is_map() ? op.input.Find(name) : nullptr;
}

std::string Ms(double ms) {
  char b[48];
  std::snprintf(b, sizeof b, "%g", ms);
  return b;
}

std::string Secs(Nanos t) {
  char b[48];
  std::snprintf(b, sizeof b, "%.3f s", static_cast<double>(t) / 1e9);
  return b;
}

HtmlPicture Draw(const History& h, const FencingResult& r, const FencingOptions& o) {
  HtmlPicture pic;
  pic.title = "lease timeline";
  pic.timed = h.timed;
  const Nanos skew = static_cast<Nanos>(o.clock_skew_ms * 1e6);
  const double rho = o.clock_drift_ppm / 1e6;
  const Value skew_value = Value::Float(o.clock_skew_ms);
  const Value drift_value = Value::Float(o.clock_drift_ppm);
  std::map<std::string, uint32_t> lanes;
  auto lane = [&](const std::string& name) {
    auto [it, added] = lanes.emplace(name, static_cast<uint32_t>(pic.lanes.size()));
    if (added) pic.lanes.push_back(name);
    return it->second;
  };
  // Lanes in a stable order: locks' clients first (by lock, then client), then storage.
  std::vector<std::pair<std::string, std::string>> lock_lanes;
  std::vector<std::string> storage;
  for (const Operation& op : h.ops) {
    const std::string name = h.process_names[static_cast<size_t>(op.process)];
    if (op.f == "acquire" || op.f == "renew" || op.f == "release") {
      lock_lanes.emplace_back(Text(Field(op, "lock")), name);
    } else if (op.f == "write" || op.f == "read") {
      storage.push_back(Text(Field(op, "resource")));
    }
  }
  for (const Event& e : h.other_events) {
    if (e.value.is_map() && (e.f == "grant" || e.f == "expire" || e.f == "revoke")) {
      lock_lanes.emplace_back(Text(e.value.Find("lock")), Text(e.value.Find("client")));
    }
  }
  std::sort(lock_lanes.begin(), lock_lanes.end());
  lock_lanes.erase(std::unique(lock_lanes.begin(), lock_lanes.end()), lock_lanes.end());
  std::sort(storage.begin(), storage.end());
  storage.erase(std::unique(storage.begin(), storage.end()), storage.end());
  for (const auto& [lock, client] : lock_lanes) lane(lock + ": " + client);
  for (const std::string& res : storage) lane("storage " + res);

  // The violations' neighbourhoods, to draw in full when the history is large: around each
  // event a violation cites, as far as the violation spans but at most 1/200 of the history,
  // so that one spanning the whole history (a token granted at the start and presented at the
  // end) does not draw all of it. Windows of the first kMaxWindowed violations (all are listed
  // above the picture), merged, so that `near` is a binary search.
  Nanos first = kNever, last = -kNever;
  for (const Operation& op : h.ops) {
    if (!op.invoke_time) continue;
    first = std::min(first, *op.invoke_time);
    last = std::max(last, op.complete_time.value_or(*op.invoke_time));
  }
  for (const Event& e : h.other_events) {
    if (!e.time) continue;
    first = std::min(first, *e.time);
    last = std::max(last, *e.time);
  }
  const Nanos history_span = first <= last ? last - first : 0;
  std::vector<std::pair<Nanos, Nanos>> windows;
  Nanos focus_lo = kNever, focus_hi = -kNever;
  for (size_t i = 0; i < r.violations.size() && i < kMaxWindowed; ++i) {
    const Violation& v = r.violations[i];
    Nanos lo = kNever, hi = -kNever;
    for (const TimelineEvent& e : v.timeline) {
      if (!e.time) continue;
      lo = std::min(lo, *e.time);
      hi = std::max(hi, *e.time);
    }
    if (lo > hi) continue;
    focus_lo = std::min(focus_lo, lo);
    focus_hi = std::max(focus_hi, hi);
    const Nanos pad = std::max<Nanos>(std::min(hi - lo, history_span / 200), 1);
    for (const TimelineEvent& e : v.timeline) {
      if (e.time) windows.emplace_back(*e.time - pad, *e.time + pad);
    }
  }
  std::sort(windows.begin(), windows.end());
  std::vector<std::pair<Nanos, Nanos>> merged;
  for (const auto& w : windows) {
    if (!merged.empty() && w.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, w.second);
    } else {
      merged.push_back(w);
    }
  }
  const bool all = h.ops.size() + h.other_events.size() <= kMaxDrawn;
  auto near = [&](Nanos a, Nanos b) {
    if (all) return true;
    // The first window that ends at or after a; [a, b] meets it iff it starts by b.
    auto it = std::lower_bound(
        merged.begin(), merged.end(), a,
        [](const std::pair<Nanos, Nanos>& w, Nanos t) { return w.second < t; });
    return it != merged.end() && it->first <= b;
  };

  bool any = false;
  pic.lo = 0;
  pic.hi = 1;
  auto extend = [&](Nanos t) {
    if (!any) pic.lo = pic.hi = t;
    any = true;
    pic.lo = std::min(pic.lo, t);
    pic.hi = std::max(pic.hi, t);
  };
  std::map<std::string, int64_t> highest;  // resource -> highest token accepted so far
  std::map<uint32_t, std::string> focus_lines;  // input line -> violation id, to mark
  for (const Violation& v : r.violations) {
    for (const TimelineEvent& e : v.timeline) focus_lines.emplace(e.line, v.id);
  }
  std::vector<Nanos> times;
  size_t drawn = 0, total = 0;
  for (const Operation& op : h.ops) {
    if (!op.invoke_time) continue;
    const Nanos t0 = *op.invoke_time;
    const Nanos t1 = op.complete_time.value_or(t0);
    extend(t0);
    extend(t1);
    times.push_back(t0);
    ++total;
    const std::string name = h.process_names[static_cast<size_t>(op.process)];
    const bool focus = focus_lines.count(op.invoke_pos.line) || focus_lines.count(op.complete_pos.line);
    const std::string lines = "line " + std::to_string(op.invoke_pos.line) +
                              (op.complete_pos.line ? "-" + std::to_string(op.complete_pos.line) : "");
    if (op.f == "renew" && op.outcome != Outcome::kFail) {
      // The lease bars come from the analysis (below); a renewal is a mark on its lane.
      if (!near(t0, t1)) continue;
      pic.marks.push_back({lane(Text(Field(op, "lock")) + ": " + name), t1, "grant", "renew",
                           name + " renew token " + Text(Field(op, "token")) + " " +
                               std::string(OutcomeName(op.outcome)) + ", lease " +
                               Text(Field(op, "lease_ms")) + " ms\n" + lines,
                           focus});
      ++drawn;
    } else if (op.f == "release") {
      if (!near(t0, t1)) continue;
      pic.marks.push_back({lane(Text(Field(op, "lock")) + ": " + name), t1, "expire", "release",
                           name + " release token " + Text(Field(op, "token")) + " " +
                               std::string(OutcomeName(op.outcome)) + "\n" + lines,
                           false});
      ++drawn;
    } else if (op.f == "write") {
      const std::string res = Text(Field(op, "resource"));
      const Value* token = Field(op, "token");
      std::string max_note;
      if (op.outcome == Outcome::kOk && token != nullptr && token->is_int()) {
        auto [it, added] = highest.emplace(res, token->int_value());
        if (!added) it->second = std::max(it->second, token->int_value());
      }
      if (auto it = highest.find(res); it != highest.end()) {
        max_note = "\nhighest token accepted so far: " + std::to_string(it->second);
      }
      if (!near(t0, t1)) continue;
      const char* cls = op.outcome == Outcome::kOk ? "ok" : op.outcome == Outcome::kFail ? "rejected" : "unknown";
      const char* sign = op.outcome == Outcome::kOk ? " ✓" : op.outcome == Outcome::kFail ? " ✗" : " ?";
      pic.marks.push_back({lane("storage " + res), t1, cls, Text(token) + sign,
                           name + " write token " + Text(token) + " value " +
                               Text(Field(op, "value")) + ": " +
                               (op.outcome == Outcome::kOk     ? "accepted"
                                : op.outcome == Outcome::kFail ? "rejected"
                                                               : "unknown outcome") +
                               (op.error.is_nil() ? "" : " (" + Text(&op.error) + ")") + "\n" +
                               lines + max_note,
                           focus});
      ++drawn;
    }
  }
  for (const Event& e : h.other_events) {
    if (!e.time || !e.value.is_map()) continue;
    if (e.f != "grant" && e.f != "expire" && e.f != "revoke") continue;
    extend(*e.time);
    if (!near(*e.time, *e.time)) continue;
    const std::string client = Text(e.value.Find("client"));
    pic.marks.push_back({lane(Text(e.value.Find("lock")) + ": " + client), *e.time,
                         e.f == "grant" ? "grant" : "expire", e.f + " " + Text(e.value.Find("token")),
                         "record: " + e.f + " token " + Text(e.value.Find("token")) + " to " + client +
                             " at " + Secs(*e.time) + "\nline " + std::to_string(e.pos.line),
                         focus_lines.count(e.pos.line) > 0});
    ++drawn;
  }
  // Lease bars: the analysis' own bounds (FencingLeaseExtents), not a second reading of the
  // history, so that the picture shows what the verdicts rest on.
  StatusOr<std::vector<LeaseExtent>> extents = FencingLeaseExtents(h, o);
  if (extents.ok()) {
    // The analysis applies the skew bound only between different clocks.
    bool several_clocks = false;
    for (const Operation& op : h.ops) several_clocks |= op.node != h.ops.front().node;
    for (const Event& e : h.other_events) {
      several_clocks |= !h.ops.empty() && e.node != h.ops.front().node;
    }
    std::string clocks;
    if (skew > 0 && several_clocks) clocks += "skew bound " + Text(&skew_value) + " ms";
    if (rho > 0) {
      clocks += (clocks.empty() ? "" : ", ") + std::string("drift ") + Text(&drift_value) + " ppm";
    }
    if (!clocks.empty()) clocks = " (under " + clocks + ")";
    for (const LeaseExtent& x : *extents) {
      const bool certain = x.certain_from && x.certain_until && *x.certain_until > *x.certain_from;
      // Unbounded sides run to the edge of what is drawn.
      const Nanos from = x.possible_from   ? *x.possible_from
                         : x.certain_from ? *x.certain_from
                                          : pic.lo;
      const Nanos to = x.possible_until ? *x.possible_until
                       : certain        ? std::max(*x.certain_until, pic.hi)
                                        : pic.hi;
      if (x.possible_from) extend(*x.possible_from);
      if (x.possible_until) extend(*x.possible_until);
      if (!near(from, to) || to < from) continue;
      const uint32_t l = lane(x.lock + ": " + x.client);
      const bool focus = focus_lines.count(x.line) > 0;
      std::string tip = x.client + " holds " + x.lock + " with token " + std::to_string(x.token) +
                        (x.lease_ms ? ", lease " + Ms(*x.lease_ms) + " ms" : std::string()) +
                        (x.from_record ? " (grant record)" : "") + "\nline " +
                        std::to_string(x.line) + "\n";
      tip += certain ? "certainly live " + Secs(*x.certain_from) + " to " + Secs(*x.certain_until)
                     : std::string("never certainly live");
      tip += "; possibly live " +
             (x.possible_from ? "from " + Secs(*x.possible_from) : std::string("from before")) +
             (x.possible_until ? " until " + Secs(*x.possible_until)
                               : std::string(" with no end known")) +
             clocks;
      pic.bars.push_back({l, from, to, "maybe", "", tip, false});
      if (certain) {
        pic.bars.push_back({l, *x.certain_from, *x.certain_until, "lease",
                            "token " + std::to_string(x.token), tip, focus});
      }
      drawn += certain ? 2 : 1;
    }
  }
  size_t n = 0;
  for (const Violation& v : r.violations) {
    ++n;
    std::optional<Nanos> at;
    for (const TimelineEvent& e : v.timeline) {
      if (e.time) at = e.time;
    }
    if (at) {
      std::string lines;
      for (uint32_t l : ViolationLines(v)) lines += (lines.empty() ? "" : ", ") + std::to_string(l);
      pic.lines.push_back({*at, "violation", "[" + std::to_string(n) + "] " + v.id,
                           "[" + std::to_string(n) + "] " + v.id + " (" +
                               std::string(SeverityName(v.severity)) + ", " +
                               std::string(CertaintyName(v.certainty)) + "): " + v.message +
                               "\nlines " + lines});
    }
  }
  if (focus_lo <= focus_hi) pic.focus = std::make_pair(focus_lo, std::max(focus_hi, focus_lo + 1));
  pic.hi = std::max(pic.hi, pic.lo + 1);
  if (!all) {
    pic.density.assign(kDensityBins, 0);
    const double span = static_cast<double>(pic.hi - pic.lo);
    for (Nanos t : times) {
      ++pic.density[std::min(kDensityBins - 1,
                             static_cast<size_t>(static_cast<double>(t - pic.lo) / span * kDensityBins))];
    }
    pic.note = "drawn: the neighbourhood of each event the violations cite (" +
               std::to_string(drawn) + " items" +
               (r.violations.size() > kMaxWindowed
                    ? ", for the first " + std::to_string(kMaxWindowed) + " violations"
                    : std::string()) +
               "); the strip shows all " + std::to_string(total) + " operations";
  }
  return pic;
}

}  // namespace

std::string RenderFencingHtml(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options, const ReportOptions& /*report*/) {
  std::vector<HtmlFile> out;
  for (const FencingFileReport& f : files) {
    if (!f.status.ok()) {
      out.push_back(UnusableHtmlFile(f.path, f.status));
      continue;
    }
    HtmlFile hf;
    hf.path = f.path;
    const FencingResult& r = *f.result;
    hf.verdict = std::string(ReportVerdictName(FencingReportVerdict(r.verdict)));
    hf.summary = std::to_string(r.violations.size()) + " finding(s); " + std::to_string(r.locks) +
                 " lock(s), " + std::to_string(r.resources) + " resource(s), " +
                 std::to_string(r.grants) + " grant(s), " + std::to_string(r.writes) +
                 " write(s)";
    size_t n = 0;
    for (const Violation& v : r.violations) {
      std::string lines;
      for (uint32_t l : ViolationLines(v)) lines += (lines.empty() ? "" : ", ") + std::to_string(l);
      hf.findings.push_back("[" + std::to_string(++n) + "] " + v.id + " (" +
                            std::string(SeverityName(v.severity)) + ", " +
                            std::string(CertaintyName(v.certainty)) + "): " + v.message +
                            " [lines " + lines + "]");
    }
    for (const std::string& note : r.notes) hf.findings.push_back("note: " + note);
    if (f.history->timed) {
      hf.pictures.push_back(Draw(*f.history, r, options));
      hf.choices.push_back("lease timeline");
    }
    out.push_back(std::move(hf));
  }
  const std::string legend =
      "<span class='lease'>lease: certainly live</span><span class='maybe'>lease: possibly "
      "live (skew, drift, unknown grant time)</span>◆ write: <b style='color:#1e8449'>✓ "
      "accepted</b> <b style='color:#c0392b'>✗ rejected</b> ? unknown · ◆ <span "
      "style='color:#2471a3;border:0'>grant</span>/<span style='color:#7d3c98;border:0'>expire, "
      "release</span> records · red dashed line: a violation";
  return RenderHtmlPage("fenceline: fencing (lease timeline)", legend, out);
}

}  // namespace fenceline::internal
