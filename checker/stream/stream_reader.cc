#include "checker/stream/stream_reader.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "checker/parse/edn_history.h"
#include "checker/parse/formats.h"
#include "checker/parse/input_reader.h"

namespace fenceline::internal {
namespace {

constexpr size_t kChunk = size_t{1} << 20;

// Whether the EDN element opening at text[at] ('[' or '(') holds events rather than being a
// tuple (as the whole-file reader tells them apart); nullopt if the text does not reach far
// enough yet.
std::optional<bool> OpensEventVector(std::string_view text, size_t at, bool eof) {
  size_t i = at + 1;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ';') {
      const size_t nl = text.find('\n', i);
      if (nl == std::string_view::npos) break;
      i = nl + 1;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      ++i;
    } else if (c == '#') {
      if (i + 1 >= text.size()) break;
      return text[i + 1] != '{' && text[i + 1] != '_';
    } else {
      return c == '{' || c == '[' || c == '(' || c == ']' || c == ')';
    }
  }
  if (eof) return false;
  return std::nullopt;
}

}  // namespace

size_t EdnCutter::Scan(std::string_view text) {
  for (size_t i = scanned_; i < text.size(); ++i) {
    const char c = text[i];
    if (in_comment_) {
      if (c == '\n') {
        in_comment_ = false;
        if (depth_ == 0 && !dangling_) last_cut_ = i + 1;
      }
      continue;
    }
    if (escaped_) {
      escaped_ = false;
      continue;
    }
    if (in_string_) {
      if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
      continue;
    }
    switch (c) {
      case '"': in_string_ = true; break;
      case '\\': escaped_ = true; break;  // a character literal: \" \( \;
      case ';': in_comment_ = true; break;
      case '[': case '(': case '{': ++depth_; break;
      case ']': case ')': case '}':
        if (depth_ > 0 && --depth_ == 0) dangling_ = false;
        break;
      case '#':
        // #{ is a set (a bracket, counted when its '{' comes), #" a regex (a string); a tag or
        // a discard applies to an element that may start on a later line. The byte after '#'
        // decides, so a '#' at the end waits for it.
        if (depth_ == 0 && i + 1 == text.size()) {
          scanned_ = i;
          return last_cut_;
        }
        if (depth_ == 0 && text[i + 1] != '{' && text[i + 1] != '"') dangling_ = true;
        break;
      case '\n':
        if (depth_ == 0 && !dangling_) last_cut_ = i + 1;
        break;
      default: break;
    }
  }
  scanned_ = text.size();
  return last_cut_;
}

void EdnCutter::Consumed(size_t n) {
  scanned_ -= n;
  last_cut_ -= n;
}

Status ReadHistoryStream(const std::string& path, std::string_view name,
                         const StreamReadOptions& options,
                         const std::function<Status(Event)>& sink, StreamReadStats& stats) {
  stats = StreamReadStats();
  std::string buf;
  uint32_t next_line = 1;  // the input line buf starts with
  // The decoder says only that the deadline passed; the position is ours to name.
  auto named = [&](const Status& s) {
    if (s.code() != StatusCode::kDeadlineExceeded) return s;
    return DeadlineReached(name, next_line, options.deadline_cause, "reading the input");
  };
  DecodedInput in;
  if (Status opened = in.Open(path, name, options.deadline); !opened.ok()) return named(opened);
  stats.encoding = std::string(in.encoding());

  bool eof = false, started = false, format_known = false;
  InputFormat format = InputFormat::kAuto;
  std::string first_at;  // "name:line:col: " of the first meaningful byte
  PositionalErrorRule rule;
  EdnCutter cutter;
  SkippedLines skipped;
  auto counting_sink = [&](Event e) {
    ++stats.events;
    return sink(std::move(e));
  };
  // buf[0, checked_to) holds no NUL byte and is valid UTF-8: checked as it arrives, as the
  // whole-file reader checks it, so that a source with no line end (/dev/zero) is refused at its
  // first bad byte instead of being buffered up to the line limit (it once never ended).
  size_t checked_to = 0;
  const bool timed = options.deadline != std::chrono::steady_clock::time_point::max();
  // Parses buf[0, end): whole lines, or whole EDN elements.
  auto parse = [&](size_t end) -> Status {
    std::string_view chunk(buf.data(), end);
    StatusOr<size_t> checked = CheckTextBytes(chunk, 0, true, name, next_line);
    if (!checked.ok()) return checked.status();
    switch (format) {
      case InputFormat::kJsonLines:
        FENCELINE_RETURN_IF_ERROR(ParseJsonLinesEvents(chunk, name, next_line, counting_sink));
        break;
      case InputFormat::kJepsenLog:
        FENCELINE_RETURN_IF_ERROR(
            ParseJepsenLogEvents(chunk, name, next_line, rule, skipped, counting_sink));
        break;
      case InputFormat::kEdn:
        FENCELINE_RETURN_IF_ERROR(ParseEdnEvents(chunk, name, next_line, rule, counting_sink));
        cutter.Consumed(end);
        break;
      case InputFormat::kAuto:  // nothing meaningful: blanks (and comments) only
        break;
    }
    next_line += static_cast<uint32_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    buf.erase(0, end);
    checked_to -= std::min(checked_to, end);
    return OkStatus();
  };
  while (!eof) {
    const size_t old = buf.size();
    buf.resize(old + kChunk);
    StatusOr<size_t> got = in.Read(buf.data() + old, kChunk);
    if (!got.ok()) return named(got.status());
    buf.resize(old + *got);
    if (*got == 0) eof = true;
    {
      StatusOr<size_t> ok_to = CheckTextBytes(buf, checked_to, eof, name, next_line);
      if (!ok_to.ok()) return ok_to.status();
      checked_to = *ok_to;
    }
    // A source that is always readable (a device, a file growing without a line end) is
    // never waited for, so the deadline is looked at here too, once a chunk.
    if (timed && !eof && std::chrono::steady_clock::now() >= options.deadline) {
      return DeadlineReached(name, next_line, options.deadline_cause, "reading the input");
    }
    // What was left in buf is one line (one EDN element) not yet ended.
    if (options.max_line_bytes > 0 && old > options.max_line_bytes) {
      return IoError(std::string(name) + ":" + std::to_string(next_line) + ":1: " +
                     (format == InputFormat::kEdn ? "EDN element" : "line") + " longer than " +
                     std::to_string(options.max_line_bytes) + " bytes");
    }
    if (!started) {
      if (buf.size() < 3 && !eof) continue;
      started = true;
      // A byte order mark is read as three spaces, as ParseHistoryFile does.
      if (buf.compare(0, 3, "\xEF\xBB\xBF") == 0) buf.replace(0, 3, "   ");
    }
    if (!format_known) {
      // The format is told by the first meaningful line, once it is whole.
      SniffResult sniff = Sniff(buf);
      const bool whole = eof || (!sniff.empty && buf.find('\n', sniff.at) != std::string::npos);
      if (!whole) continue;
      if (!sniff.empty && options.format == InputFormat::kAuto && !sniff.refusal.empty()) {
        return ParseError(WhereInText(buf, sniff.at, name) + "not a known history format: " +
                          sniff.refusal + " (formats: json-lines, edn, jepsen-log; docs/formats.md)");
      }
      format = options.format == InputFormat::kAuto ? sniff.format : options.format;
      if (sniff.empty && options.format == InputFormat::kAuto) format = InputFormat::kAuto;
      if (format == InputFormat::kEdn && !sniff.empty &&
          (buf[sniff.at] == '[' || buf[sniff.at] == '(')) {
        const std::optional<bool> vector = OpensEventVector(buf, sniff.at, eof);
        if (!vector) continue;
        if (*vector) {
          return Unsupported(WhereInText(buf, sniff.at, name) +
                             "--stream reads EDN histories of one event an element (Jepsen's "
                             "history.edn, one op map a line); this one is a single vector of "
                             "events (check it without --stream)");
        }
      }
      format_known = true;
      stats.format = format;
      first_at = WhereInText(buf, sniff.empty ? 0 : sniff.at, name);
    }
    // 0: no cut yet (rfind's npos + 1 wraps to 0).
    const size_t cut = format == InputFormat::kEdn ? cutter.Scan(buf) : buf.rfind('\n') + 1;
    if (cut > 0) FENCELINE_RETURN_IF_ERROR(parse(cut));
  }
  if (!buf.empty()) FENCELINE_RETURN_IF_ERROR(parse(buf.size()));
  stats.skipped_lines = skipped.count;
  stats.first_skipped_line = skipped.first_line;
  if (stats.events == 0 && !options.allow_empty) {
    return NoEventsError(name, first_at, skipped.count);  // the whole-file check's refusal
  }
  return OkStatus();
}

}  // namespace fenceline::internal
