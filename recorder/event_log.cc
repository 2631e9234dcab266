#include "recorder/event_log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fenceline/parse.h"

namespace fenceline::record {

Nanos MonotonicNow() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Nanos{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string JsonString(std::string_view s) {
  // RapidJSON's writer does the escaping, as it does for every other JSON fenceline writes.
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(sb.GetString(), sb.GetSize());
}

std::string JsonInt(int64_t i) { return std::to_string(i); }
std::string JsonNull() { return "null"; }

std::string JsonObject(std::initializer_list<std::pair<std::string_view, std::string>> members) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : members) {
    if (!first) out += ',';
    first = false;
    out += JsonString(k);
    out += ':';
    out += v;
  }
  out += '}';
  return out;
}

std::string JsonArray(std::initializer_list<std::string> items) {
  std::string out = "[";
  bool first = true;
  for (const auto& v : items) {
    if (!first) out += ',';
    first = false;
    out += v;
  }
  out += ']';
  return out;
}

EventLog::~EventLog() {
  if (fd_ >= 0) close(fd_);
}

Status EventLog::Open(const std::string& path) {
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return IoError(path + ": cannot create log: " + std::strerror(errno));
  return OkStatus();
}

Nanos EventLog::Append(const Record& record) {
  Nanos now = MonotonicNow();
  AppendAt(record, now);
  return now;
}

void EventLog::AppendAt(const Record& record, Nanos time) {
  // Appends only: GCC 12 reports a false -Wrestrict for "literal" + std::string temporaries.
  std::string line = "{\"process\":";
  line += record.process;
  line += ",\"type\":";
  line += JsonString(record.type);
  line += ",\"f\":";
  line += JsonString(record.f);
  if (!record.value.empty()) {
    line += ",\"value\":";
    line += record.value;
  }
  line += ",\"time\":";
  line += std::to_string(time);
  if (!record.error.empty()) {
    line += ",\"error\":";
    line += JsonString(record.error);
  }
  for (const auto& [k, v] : record.extra) {
    line += ',';
    line += JsonString(k);
    line += ':';
    line += v;
  }
  line += "}\n";
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return;
  // One write per line with O_APPEND; a short write only happens on a full disk, where the
  // merge then reports the torn line.
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

namespace {

struct Line {
  Nanos time;
  size_t file;
  size_t index;
  rapidjson::Document doc;
};

std::string Text(const rapidjson::Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return sb.GetString();
}

const rapidjson::Value* Member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::string StringMember(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = Member(obj, name);
  return v != nullptr && v->IsString() ? v->GetString() : "";
}

std::optional<int64_t> IntMember(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = Member(obj, name);
  if (v == nullptr || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

// See MergeLogs(): gives each service change's records the least of its known upper bounds,
// then makes each service log's times non-decreasing from its end backwards.
// `lease_owner` maps a lease link to the owning process's JSON text.
void TightenServiceRecordTimes(std::vector<Line>& lines,
                               const std::map<std::string, std::string>& lease_owner) {
  // (process JSON, token) -> completion time of the acquire that got it / the release of it.
  std::map<std::pair<std::string, int64_t>, Nanos> acquired, released;
  // One change of the service -> its records: etcd's revision groups an end and the grant it
  // let through; without one, every record is a change of its own.
  std::map<std::pair<size_t, int64_t>, std::vector<Line*>> changes;
  std::map<size_t, std::vector<Line*>> by_file;  // service records, in their log's order
  for (Line& l : lines) {
    const rapidjson::Value* value = Member(l.doc, "value");
    std::optional<int64_t> token = value != nullptr ? IntMember(*value, "token") : std::nullopt;
    std::string f = StringMember(l.doc, "f");
    std::string type = StringMember(l.doc, "type");
    if (!StringMember(l.doc, "source").empty()) {
      std::optional<int64_t> rev = IntMember(l.doc, "revision");
      int64_t key = rev ? *rev : -1 - static_cast<int64_t>(l.index);
      changes[{l.file, key}].push_back(&l);
      by_file[l.file].push_back(&l);
      continue;
    }
    if (!token || type != "ok" || (f != "acquire" && f != "release")) continue;
    const rapidjson::Value* p = Member(l.doc, "process");
    if (p == nullptr) continue;
    auto& m = f == "acquire" ? acquired : released;
    auto [it, fresh] = m.try_emplace({Text(*p), *token}, l.time);
    if (!fresh && l.time < it->second) it->second = l.time;
  }
  for (auto& [key, records] : changes) {
    Nanos bound = records.front()->time;
    for (Line* r : records) {
      bound = std::min(bound, r->time);
      const rapidjson::Value* value = Member(r->doc, "value");
      if (value == nullptr) continue;
      std::optional<int64_t> token = IntMember(*value, "token");
      std::string client = StringMember(*value, "client");
      auto owner = client.rfind("lease:", 0) == 0 ? lease_owner.find(client.substr(6))
                                                  : lease_owner.end();
      if (!token || owner == lease_owner.end()) continue;
      std::string f = StringMember(r->doc, "f");
      const auto& m = f == "grant" ? acquired : released;
      if (f != "grant" && f != "revoke") continue;
      auto it = m.find({owner->second, *token});
      if (it != m.end()) bound = std::min(bound, it->second);
    }
    for (Line* r : records) r->time = bound;
  }
  // A service reports its changes in the order they happened, so a change that came before
  // another one happened by the time that one did.
  for (auto& [file, records] : by_file) {
    for (size_t i = records.size() - 1; i-- > 0;) {
      records[i]->time = std::min(records[i]->time, records[i + 1]->time);
    }
    for (Line* r : records) r->doc["time"].SetInt64(r->time);
  }
}

}  // namespace

StatusOr<MergeStats> MergeLogs(const std::vector<std::string>& inputs, const std::string& output) {
  std::vector<Line> lines;
  std::map<std::string, std::string> lease_owner;  // lease hex -> process JSON text
  for (size_t f = 0; f < inputs.size(); ++f) {
    std::ifstream in(inputs[f]);
    if (!in) return IoError(inputs[f] + ": cannot read log");
    std::string text;
    size_t line_no = 0;
    while (std::getline(in, text)) {
      ++line_no;
      if (text.empty()) continue;
      Line l{0, f, lines.size(), rapidjson::Document()};
      l.doc.Parse(text.c_str(), text.size());
      std::string where = inputs[f] + ":" + std::to_string(line_no) + ": ";
      if (l.doc.HasParseError() || !l.doc.IsObject()) {
        return InternalError(where + "recorder wrote a line that is not a JSON object");
      }
      auto t = l.doc.FindMember("time");
      if (t == l.doc.MemberEnd() || !t->value.IsInt64()) {
        return InternalError(where + "recorder wrote an event without an integer time");
      }
      l.time = t->value.GetInt64();
      auto lease = l.doc.FindMember("lease");
      auto proc = l.doc.FindMember("process");
      if (lease != l.doc.MemberEnd() && lease->value.IsString() && proc != l.doc.MemberEnd()) {
        lease_owner[lease->value.GetString()] = Text(proc->value);
      }
      lines.push_back(std::move(l));
    }
  }
  TightenServiceRecordTimes(lines, lease_owner);
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.file != b.file) return a.file < b.file;
    return a.index < b.index;
  });

  std::string tmp = output + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return IoError(output + ": cannot write history");
    for (Line& l : lines) {
      auto value = l.doc.FindMember("value");
      if (value != l.doc.MemberEnd() && value->value.IsObject()) {
        auto client = value->value.FindMember("client");
        if (client != value->value.MemberEnd() && client->value.IsString()) {
          std::string c = client->value.GetString();
          if (c.rfind("lease:", 0) == 0) {
            auto owner = lease_owner.find(c.substr(6));
            if (owner != lease_owner.end()) {
              rapidjson::Document p;
              p.Parse(owner->second.c_str());
              client->value.CopyFrom(p, l.doc.GetAllocator());
            }
          }
        }
      }
      rapidjson::StringBuffer sb;
      rapidjson::Writer<rapidjson::StringBuffer> w(sb);
      l.doc.Accept(w);
      out << sb.GetString() << '\n';
    }
    out.flush();
    if (!out) return IoError(output + ": write failed");
  }
  // The history is read back with fenceline's own parser before it is put in place, so a
  // history the checker would refuse (a completion without its invoke, a process with two
  // open operations) is the recorder's bug, reported here, never a file in the user's hands.
  ParseOptions parse;
  parse.format = InputFormat::kJsonLines;
  if (StatusOr<History> h = ParseHistoryFile(tmp, parse); !h.ok()) {
    std::remove(tmp.c_str());
    return InternalError("the recorded history is not one fenceline accepts (a recorder bug): " +
                         h.status().message());
  }
  if (std::rename(tmp.c_str(), output.c_str()) != 0) {
    std::remove(tmp.c_str());
    return IoError(output + ": cannot rename the history into place: " + std::strerror(errno));
  }
  return MergeStats{lines.size(), inputs.size()};
}

}  // namespace fenceline::record
