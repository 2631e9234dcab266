// Fencing reports (see the header). RapidJSON writes the JSON, and the compact JSON of values in
// the text report, so strings are escaped one way everywhere.
#include "checker/report/fencing_report.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "checker/report/json_value.h"
#include "checker/report/report_common.h"

namespace fenceline::internal {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string CompactJson(const Value& v) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  WriteJsonValue(w, v);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Number(double x) {
  char b[64];
  std::snprintf(b, sizeof b, "%.3f", x);
  std::string s(b);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string Seconds(Nanos t) {
  char b[64];
  std::snprintf(b, sizeof b, "%.6f", static_cast<double>(t) / 1e9);
  return b;
}

struct Counts {
  size_t errors = 0, warnings = 0, certain_errors = 0;
};

Counts Count(const FencingResult& r) {
  Counts c;
  for (const Violation& v : r.violations) {
    if (v.severity == Severity::kError) {
      ++c.errors;
      if (v.certainty == Certainty::kCertain) ++c.certain_errors;
    } else {
      ++c.warnings;
    }
  }
  return c;
}

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string ClockLine(const FencingOptions& o) {
  return "clock skew " + Number(o.clock_skew_ms) + " ms, drift " + Number(o.clock_drift_ppm) +
         " ppm";
}

}  // namespace

std::string RenderFencingText(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options) {
  std::string out;
  size_t safe = 0, violation = 0, inconclusive = 0, unusable = 0;
  for (const FencingFileReport& f : files) {
    if (!f.status.ok()) {
      ++unusable;
      // Named, not repeated: the message itself went to standard error, once.
      out += f.path + ": unusable (" + std::string(StatusCodeName(f.status.code())) + ")\n\n";
      continue;
    }
    const FencingResult& r = *f.result;
    const Counts c = Count(r);
    safe += r.verdict == FencingVerdict::kSafe;
    violation += r.verdict == FencingVerdict::kViolation;
    inconclusive += r.verdict == FencingVerdict::kInconclusive;
    out += f.path + ": fencing " + std::string(FencingVerdictName(r.verdict)) + " (" +
           Plural(c.errors, "error") + ", " + Plural(c.warnings, "warning") + "; " +
           Plural(r.locks, "lock") + ", " + Plural(r.resources, "resource") + ", " +
           Plural(r.grants, "grant") + ", " + Plural(r.writes, "write") + "; " +
           ClockLine(options) + ")\n";
    size_t n = 0;
    for (const Violation& v : r.violations) {
      out += "\n[" + std::to_string(++n) + "] " + v.id + ": " +
             std::string(SeverityName(v.severity)) + ", " + std::string(CertaintyName(v.certainty));
      if (v.margin_ms) out += " (explained away by " + Number(*v.margin_ms) + " ms of skew)";
      if (!v.lock.empty()) out += "; lock " + v.lock;
      if (!v.resource.empty()) out += "; resource " + v.resource;
      if (!v.clients.empty()) out += "; clients " + Join(v.clients);
      if (!v.tokens.empty()) {
        std::vector<std::string> t;
        for (int64_t x : v.tokens) t.push_back(std::to_string(x));
        out += "; tokens " + Join(t);
      }
      out += "\n    " + v.message + "\n";
      for (const TimelineEvent& e : v.timeline) {
        out += "      line " + std::to_string(e.line);
        if (e.time) out += "  t=" + Seconds(*e.time) + "s";
        if (!e.node.empty()) out += "@" + e.node;
        out += "  " + e.process + " " + e.type + " " + e.f + " " + CompactJson(e.value);
        if (!e.error.is_nil()) out += " error " + CompactJson(e.error);
        if (!e.note.empty()) out += "  <- " + e.note;
        out += "\n";
      }
    }
    for (const std::string& note : r.notes) out += "note: " + note + "\n";
    out += "\n";
  }
  out += Plural(files.size(), "file") + ": " + std::to_string(safe) + " safe, " +
         std::to_string(violation) + " with a violation, " + std::to_string(inconclusive) +
         " inconclusive, " + std::to_string(unusable) + " unusable\n";
  return ValidUtf8(out);
}

ReportVerdict FencingReportVerdict(FencingVerdict v) {
  switch (v) {
    case FencingVerdict::kSafe: return ReportVerdict::kValid;
    case FencingVerdict::kViolation: return ReportVerdict::kInvalid;
    case FencingVerdict::kInconclusive: return ReportVerdict::kUnknown;
  }
  return ReportVerdict::kUnknown;
}

ReportVerdict ViolationVerdict(const Violation& v) {
  if (v.severity == Severity::kWarning) return ReportVerdict::kValid;
  return v.certainty == Certainty::kCertain ? ReportVerdict::kInvalid : ReportVerdict::kUnknown;
}

std::vector<uint32_t> ViolationLines(const Violation& v) {
  std::vector<uint32_t> lines;
  for (const TimelineEvent& e : v.timeline) {
    if (e.line) lines.push_back(e.line);
  }
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  return lines;
}

namespace {

Envelope MakeEnvelope(const std::vector<FencingFileReport>& files, const ReportOptions& report) {
  Envelope env;
  env.analysis = "fencing";
  env.options = &report;
  for (const FencingFileReport& f : files) {
    env.inputs.push_back(f.path);
    env.summary.Add(f.path,
                    f.status.ok() ? FencingReportVerdict(f.result->verdict) : ReportVerdict::kError,
                    f.history);
  }
  return env;
}

// The report options with the fencing model and, unless the caller listed them, the clock
// bounds the verdicts depend on.
ReportOptions WithClock(const ReportOptions& report, const FencingOptions& options) {
  ReportOptions o = report;
  o.model_id = "fencing";
  if (o.options.empty()) {
    o.options = {{"clock_skew_ms", Value::Float(options.clock_skew_ms)},
                 {"clock_drift_ppm", Value::Float(options.clock_drift_ppm)}};
  }
  return o;
}

}  // namespace

std::string RenderFencingJson(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options, const ReportOptions& report) {
  const ReportOptions ro = WithClock(report, options);
  const Envelope env = MakeEnvelope(files, ro);
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  WriteJsonEnvelope(w, env);
  w.Key("files");
  w.StartArray();
  for (const FencingFileReport& f : files) {
    w.StartObject();
    w.Key("path");
    WriteJsonString(w, f.path);
    if (!f.status.ok()) {
      w.Key("verdict");
      w.String("error");
      w.Key("error");
      w.StartObject();
      w.Key("code");
      WriteJsonString(w, StatusCodeName(f.status.code()));
      w.Key("message");
      WriteJsonString(w, f.status.message());
      w.EndObject();
      w.EndObject();
      continue;
    }
    const FencingResult& r = *f.result;
    w.Key("verdict");
    WriteJsonString(w, ReportVerdictName(FencingReportVerdict(r.verdict)));
    w.Key("operations");
    w.Uint64(f.history->ops.size());
    w.Key("locks");
    w.Uint64(r.locks);
    w.Key("resources");
    w.Uint64(r.resources);
    w.Key("grants");
    w.Uint64(r.grants);
    w.Key("writes");
    w.Uint64(r.writes);
    w.Key("violations");
    w.StartArray();
    for (const Violation& v : r.violations) {
      w.StartObject();
      w.Key("verdict");
      WriteJsonString(w, ReportVerdictName(ViolationVerdict(v)));
      w.Key("id");
      WriteJsonString(w, v.id);
      w.Key("severity");
      WriteJsonString(w, SeverityName(v.severity));
      w.Key("certainty");
      WriteJsonString(w, CertaintyName(v.certainty));
      w.Key("margin_ms");
      if (v.margin_ms)
        w.Double(*v.margin_ms);
      else
        w.Null();
      w.Key("lock");
      WriteJsonString(w, v.lock);
      w.Key("resource");
      WriteJsonString(w, v.resource);
      w.Key("clients");
      w.StartArray();
      for (const std::string& c : v.clients) WriteJsonValue(w, ProcessValue(c));
      w.EndArray();
      w.Key("tokens");
      w.StartArray();
      for (int64_t t : v.tokens) w.Int64(t);
      w.EndArray();
      w.Key("message");
      WriteJsonString(w, v.message);
      w.Key("lines");
      w.StartArray();
      for (uint32_t line : ViolationLines(v)) w.Uint(line);
      w.EndArray();
      w.Key("timeline");
      w.StartArray();
      for (const TimelineEvent& e : v.timeline) {
        w.StartObject();
        w.Key("line");
        w.Uint(e.line);
        w.Key("time");
        if (e.time)
          w.Int64(*e.time);
        else
          w.Null();
        w.Key("node");
        WriteJsonString(w, e.node);
        w.Key("process");
        WriteJsonValue(w, ProcessValue(e.process));
        w.Key("type");
        WriteJsonString(w, e.type);
        w.Key("f");
        WriteJsonString(w, e.f);
        w.Key("value");
        WriteJsonValue(w, e.value);
        w.Key("error");
        WriteJsonValue(w, e.error);
        w.Key("note");
        WriteJsonString(w, e.note);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Key("notes");
    w.StartArray();
    for (const std::string& n : r.notes) WriteJsonString(w, n);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string RenderFencingEdn(const std::vector<FencingFileReport>& files,
                             const FencingOptions& options, const ReportOptions& report) {
  const ReportOptions ro = WithClock(report, options);
  const Envelope env = MakeEnvelope(files, ro);
  auto kw = [](std::string s) { return Value::Keyword(std::move(s)); };
  auto verdict_kw = [&](ReportVerdict v) { return kw(std::string(ReportVerdictName(v))); };
  std::vector<Value> file_values, failures;
  for (const FencingFileReport& f : files) {
    if (!f.status.ok()) {
      std::string cause(StatusCodeName(f.status.code()));
      std::replace(cause.begin(), cause.end(), ' ', '-');
      file_values.push_back(Value::Map({kw("valid?"), kw("unknown"), kw("verdict"), kw("error"),
                                        kw("file"), Value::String(f.path), kw("cause"), kw(cause),
                                        kw("error"), Value::String(f.status.message())}));
      continue;
    }
    const FencingResult& r = *f.result;
    const ReportVerdict fv = FencingReportVerdict(r.verdict);
    if (fv == ReportVerdict::kInvalid) failures.push_back(Value::String(f.path));
    std::vector<Value> violations;
    for (const Violation& v : r.violations) {
      std::vector<Value> clients, tokens, lines;
      for (const std::string& c : v.clients) clients.push_back(ProcessValue(c));
      for (int64_t t : v.tokens) tokens.push_back(Value::Int(t));
      for (uint32_t line : ViolationLines(v)) lines.push_back(Value::Int(line));
      violations.push_back(Value::Map(
          {kw("valid?"), ValidValue(ViolationVerdict(v)), kw("verdict"),
           verdict_kw(ViolationVerdict(v)), kw("id"), kw(v.id), kw("severity"),
           kw(std::string(SeverityName(v.severity))), kw("certainty"),
           kw(std::string(CertaintyName(v.certainty))), kw("margin-ms"),
           v.margin_ms ? Value::Float(*v.margin_ms) : Value(), kw("lock"), Value::String(v.lock),
           kw("resource"), Value::String(v.resource), kw("clients"),
           Value::Vector(std::move(clients)), kw("tokens"), Value::Vector(std::move(tokens)),
           kw("lines"), Value::Vector(std::move(lines)), kw("message"),
           Value::String(v.message)}));
    }
    std::vector<Value> notes;
    for (const std::string& n : r.notes) notes.push_back(Value::String(n));
    auto count = [](size_t n) { return Value::Int(static_cast<int64_t>(n)); };
    file_values.push_back(Value::Map(
        {kw("valid?"), ValidValue(fv), kw("verdict"), verdict_kw(fv), kw("file"),
         Value::String(f.path), kw("op-count"), count(f.history->ops.size()), kw("locks"),
         count(r.locks), kw("resources"), count(r.resources), kw("grants"), count(r.grants),
         kw("writes"), count(r.writes), kw("violations"), Value::Vector(std::move(violations)),
         kw("notes"), Value::Vector(std::move(notes))}));
  }
  std::vector<Value> out;
  AppendEdnEnvelope(env, out);
  out.push_back(kw("failures"));
  out.push_back(Value::Vector(std::move(failures)));
  out.push_back(kw("files"));
  out.push_back(Value::Vector(std::move(file_values)));
  return PrettyEdn(Value::Map(std::move(out))) + "\n";
}

}  // namespace fenceline::internal
