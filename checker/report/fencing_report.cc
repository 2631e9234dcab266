// Fencing reports (see the header). RapidJSON writes the JSON, and the compact JSON of values in
// the text report, so strings are escaped one way everywhere.
#include "checker/report/fencing_report.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "checker/report/json_value.h"

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
  for (const FencingFileReport& f : files) {
    if (!f.status.ok()) {
      out += f.path + ": could not check: " + f.status.message() + "\n\n";
      continue;
    }
    const FencingResult& r = *f.result;
    const Counts c = Count(r);
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
  return out;
}

std::string RenderFencingJson(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("schema_version");
  w.Int(1);
  w.Key("model");
  w.String("fencing");
  w.Key("clock_skew_ms");
  w.Double(options.clock_skew_ms);
  w.Key("clock_drift_ppm");
  w.Double(options.clock_drift_ppm);
  w.Key("files");
  w.StartArray();
  for (const FencingFileReport& f : files) {
    w.StartObject();
    w.Key("path");
    w.String(f.path);
    if (!f.status.ok()) {
      w.Key("error");
      w.StartObject();
      w.Key("code");
      w.String(std::string(StatusCodeName(f.status.code())));
      w.Key("message");
      w.String(f.status.message());
      w.EndObject();
      w.EndObject();
      continue;
    }
    const FencingResult& r = *f.result;
    w.Key("verdict");
    w.String(std::string(FencingVerdictName(r.verdict)));
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
      w.Key("id");
      w.String(v.id);
      w.Key("severity");
      w.String(std::string(SeverityName(v.severity)));
      w.Key("certainty");
      w.String(std::string(CertaintyName(v.certainty)));
      w.Key("margin_ms");
      if (v.margin_ms)
        w.Double(*v.margin_ms);
      else
        w.Null();
      w.Key("lock");
      w.String(v.lock);
      w.Key("resource");
      w.String(v.resource);
      w.Key("clients");
      w.StartArray();
      for (const std::string& c : v.clients) w.String(c);
      w.EndArray();
      w.Key("tokens");
      w.StartArray();
      for (int64_t t : v.tokens) w.Int64(t);
      w.EndArray();
      w.Key("message");
      w.String(v.message);
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
        w.String(e.node);
        w.Key("process");
        w.String(e.process);
        w.Key("type");
        w.String(e.type);
        w.Key("f");
        w.String(e.f);
        w.Key("value");
        WriteJsonValue(w, e.value);
        w.Key("error");
        WriteJsonValue(w, e.error);
        w.Key("note");
        w.String(e.note);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Key("notes");
    w.StartArray();
    for (const std::string& n : r.notes) w.String(n);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string RenderFencingEdn(const std::vector<FencingFileReport>& files,
                             const FencingOptions& /*options*/) {
  std::string out;
  for (const FencingFileReport& f : files) {
    out += "{:path " + Value::String(f.path).ToEdn();
    if (!f.status.ok()) {
      out += " :valid? :unknown :error " + Value::String(f.status.message()).ToEdn() + "}\n";
      continue;
    }
    const FencingResult& r = *f.result;
    out += std::string(" :valid? ") + (r.verdict == FencingVerdict::kSafe        ? "true"
                                       : r.verdict == FencingVerdict::kViolation ? "false"
                                                                                 : ":unknown");
    out += " :violations [";
    bool first = true;
    for (const Violation& v : r.violations) {
      if (!first) out += " ";
      first = false;
      std::vector<Value> clients, tokens, lines;
      for (const std::string& c : v.clients) clients.push_back(Value::String(c));
      for (int64_t t : v.tokens) tokens.push_back(Value::Int(t));
      for (const TimelineEvent& e : v.timeline) lines.push_back(Value::Int(e.line));
      out += "{:id :" + v.id + " :severity :" + std::string(SeverityName(v.severity)) +
             " :certainty :" + std::string(CertaintyName(v.certainty)) + " :margin-ms " +
             (v.margin_ms ? Number(*v.margin_ms) : "nil") + " :lock " +
             Value::String(v.lock).ToEdn() + " :resource " + Value::String(v.resource).ToEdn() +
             " :clients " + Value::Vector(clients).ToEdn() + " :tokens " +
             Value::Vector(tokens).ToEdn() + " :lines " + Value::Vector(lines).ToEdn() +
             " :message " + Value::String(v.message).ToEdn() + "}";
    }
    out += "]}\n";
  }
  return out;
}

}  // namespace fenceline::internal
