// Jepsen's history.txt and jepsen.log lines:
//   [prefix] process  type  f  value [error]
// separated by tabs (history.txt, most logs) or runs of spaces (some logs), e.g.
//   INFO  jepsen.util - 2	:invoke	:cas	[3 0]
// A line is an event iff it holds one of the type keywords :invoke :ok :fail :info as a
// token of its own (after a space or tab, before a space, tab or the line's end); the token
// before it is the process and everything before that is a log prefix. Every other line is
// log output: skipped and counted, so the caller can report them (and refuse a "log" that
// holds no event at all). The fields after the type are EDN and read with EdnReader, so a
// value may hold spaces ([3 0], {:a 1}) whatever the separator.
#include <cctype>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checker/parse/edn_history.h"
#include "checker/parse/edn_reader.h"
#include "checker/parse/formats.h"
#include "checker/parse/line_chunks.h"
#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline::internal {
namespace {

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Finds the first type-keyword token in line [begin, end). Returns its offset and sets
// `type`, or returns npos.
size_t FindTypeToken(std::string_view text, size_t begin, size_t end, EventType& type) {
  const char* base = text.data();
  size_t i = begin;
  while (i < end) {
    const void* hit = std::memchr(base + i, ':', end - i);
    if (hit == nullptr) return std::string_view::npos;
    const size_t at = static_cast<size_t>(static_cast<const char*>(hit) - base);
    i = at + 1;
    if (at > begin && !IsBlank(base[at - 1])) continue;
    size_t e = at + 1;
    while (e < end && !IsBlank(base[e])) ++e;
    if (EventTypeFromName(text.substr(at + 1, e - at - 1), type)) return at;
  }
  return std::string_view::npos;
}

bool IsKeywordToken(std::string_view t) {
  if (t.size() < 2 || t[0] != ':') return false;
  for (char c : t.substr(1)) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '?' ||
          c == '!' || c == '*' || c == '.' || c == '/')) {
      return false;
    }
  }
  return true;
}

bool IsProcessToken(std::string_view t) {
  if (IsKeywordToken(t)) return true;
  if (!t.empty() && t[0] == '-') t.remove_prefix(1);
  return !t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos;
}

// A line with no type token may still have an event's shape, tab-separated as Jepsen writes
// them: process, then two keywords (`2\t:invok\t:read\tnil`). Such a line is a damaged
// event, not log output, so skipping it would lose an operation. Returns the offset of the
// keyword in the type position, or npos.
size_t FindMistypedEvent(std::string_view text, size_t begin, size_t end) {
  const std::string_view line = text.substr(begin, end - begin);
  size_t tab = line.find('\t');
  while (tab != std::string_view::npos) {
    size_t ps = tab;
    while (ps > 0 && !IsBlank(line[ps - 1])) --ps;
    const size_t type_at = tab + 1;
    const size_t type_end = line.find('\t', type_at);
    if (type_end != std::string_view::npos && IsProcessToken(line.substr(ps, tab - ps)) &&
        IsKeywordToken(line.substr(type_at, type_end - type_at))) {
      size_t f_end = type_end + 1;
      while (f_end < line.size() && !IsBlank(line[f_end])) ++f_end;
      if (IsKeywordToken(line.substr(type_end + 1, f_end - type_end - 1))) return begin + type_at;
    }
    tab = line.find('\t', tab + 1);
  }
  return std::string_view::npos;
}

}  // namespace

Status ParseJepsenLog(std::string_view text, std::string_view name, HistoryBuilder& builder) {
  SkippedLines ignored;
  return ParseJepsenLog(text, name, builder, ignored);
}

namespace {

// Reads the lines of text[range_begin, range_end), the first being line `first_line`, into
// `out`. The positional error rule, which depends on earlier lines, is left to the caller.
// Past `deadline` (looked at every EdnReader::kDeadlineStride EDN elements, so that one very
// long line cannot outlast it: the chunk reader looks only between chunks): kDeadlineExceeded
// at the line it is reading.
Status ParseJepsenLogRange(std::string_view text, size_t range_begin, size_t range_end,
                           uint32_t first_line, std::string_view name, std::vector<Event>& out,
                           SkippedLines& skipped,
                           std::chrono::steady_clock::time_point deadline =
                               std::chrono::steady_clock::time_point::max(),
                           std::string_view deadline_cause = {}) {
  EdnReader r(text, name);
  r.SetLineStart(range_begin, first_line);
  if (deadline != std::chrono::steady_clock::time_point::max()) {
    r.set_deadline(deadline, deadline_cause);
  }
  uint32_t line_no = first_line - 1;
  size_t line_begin = range_begin;
  while (line_begin < range_end) {
    size_t next = text.find('\n', line_begin);
    if (next == std::string_view::npos || next > range_end) next = range_end;
    size_t line_end = next;
    if (line_end > line_begin && text[line_end - 1] == '\r') --line_end;
    const size_t begin = line_begin;
    line_begin = next + 1;
    ++line_no;

    EventType type;
    const size_t type_at = FindTypeToken(text, begin, line_end, type);
    if (type_at == std::string_view::npos) {
      if (const size_t bad = FindMistypedEvent(text, begin, line_end); bad != std::string_view::npos) {
        return r.Expected(bad, "an event type (:invoke, :ok, :fail or :info) after the process");
      }
      // Blank lines are not log output worth counting.
      if (text.substr(begin, line_end - begin).find_first_not_of(" \t") != std::string_view::npos) {
        if (skipped.count++ == 0) skipped.first_line = line_no;
      }
      continue;
    }

    // The process is the token just before the type.
    size_t pe = type_at;
    while (pe > begin && IsBlank(text[pe - 1])) --pe;
    size_t ps = pe;
    while (ps > begin && !IsBlank(text[ps - 1])) --ps;
    if (ps == pe) {
      return r.ErrorAt(type_at, "expected a process before :" +
                                    std::string(EventTypeName(type)) + ", got start of line");
    }
    Event ev;
    ev.type = type;
    r.set_offset(ps);
    r.LimitTo(pe);
    {
      Status s = r.Read(ev.process);
      if (s.code() == StatusCode::kDeadlineExceeded) return s;
      if (!s.ok() || r.offset() != pe ||
          !(ev.process.is_int() || ev.process.is_keyword() || ev.process.is_string())) {
        r.Unlimit();
        return r.ErrorAt(ps, "expected a process (an integer, keyword or string) before :" +
                                 std::string(EventTypeName(type)) + ", got '" +
                                 std::string(text.substr(ps, pe - ps)) + "'");
      }
    }
    r.LimitTo(line_end);
    r.set_offset(type_at + 1 + EventTypeName(type).size());
    const std::string after = "after :" + std::string(EventTypeName(type));

    FENCELINE_ASSIGN_OR_RETURN(bool more, r.SkipToElementOnLine());
    if (!more) return r.Expected(r.offset(), "a function keyword " + after);
    std::string_view f;
    FENCELINE_RETURN_IF_ERROR(r.ReadKeywordView(f, "as the function " + after));
    ev.f.assign(f);

    FENCELINE_ASSIGN_OR_RETURN(more, r.SkipToElementOnLine());
    if (!more) return r.Expected(r.offset(), "a value after :" + ev.f);
    FENCELINE_RETURN_IF_ERROR(r.Read(ev.value));

    FENCELINE_ASSIGN_OR_RETURN(more, r.SkipToElementOnLine());
    if (more) {
      FENCELINE_RETURN_IF_ERROR(r.Read(ev.error));
      FENCELINE_ASSIGN_OR_RETURN(more, r.SkipToElementOnLine());
      if (more) return r.Expected(r.offset(), "end of line after the error");
    }
    r.Unlimit();
    ev.pos = r.PosAt(ps);
    out.push_back(std::move(ev));
  }
  return OkStatus();
}

}  // namespace

Status ParseJepsenLog(std::string_view text, std::string_view name, HistoryBuilder& builder,
                      SkippedLines& skipped, const ChunkOptions& chunks) {
  TextLineSource source(text);
  return ParseJepsenLog(source, name, builder, skipped, chunks);
}

Status ParseJepsenLog(LineSource& source, std::string_view name, HistoryBuilder& builder,
                      SkippedLines& skipped, const ChunkOptions& chunks) {
  auto parse = [&](std::string_view text, size_t begin, size_t end, uint32_t first_line,
                   ChunkResult& out) {
    out.status = ParseJepsenLogRange(text, begin, end, first_line, name, out.events, out.skipped,
                                     chunks.deadline, chunks.deadline_cause);
  };
  PositionalErrorRule rule;
  auto fixup = [&rule](Event& ev) {
    rule.Apply(ev);
    SplitIndependentTuple(ev);
  };
  return ParseLineChunks(source, name, chunks, parse, fixup, builder, skipped);
}

Status ParseJepsenLogEvents(std::string_view text, std::string_view name, uint32_t first_line,
                            PositionalErrorRule& rule, SkippedLines& skipped,
                            const std::function<Status(Event)>& sink) {
  std::vector<Event> events;
  SkippedLines here;
  const Status parsed =
      ParseJepsenLogRange(text, 0, text.size(), first_line, name, events, here);
  if (here.count > 0 && skipped.count == 0) skipped.first_line = here.first_line;
  skipped.count += here.count;
  // The fix-ups ParseJepsenLog applies, in the same (input) order.
  for (Event& e : events) {
    rule.Apply(e);
    SplitIndependentTuple(e);
    FENCELINE_RETURN_IF_ERROR(sink(std::move(e)));
  }
  return parsed;
}

}  // namespace fenceline::internal
