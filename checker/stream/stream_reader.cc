#include "checker/stream/stream_reader.h"

#include <algorithm>

#include "checker/parse/formats.h"
#include "checker/parse/input_reader.h"

namespace fenceline::internal {
namespace {

constexpr size_t kChunk = size_t{1} << 20;

// CheckTextBytes counts lines from the start of the text it is given; a chunk starts at line
// `first_line` of the input.
Status Renumber(const Status& s, std::string_view name, uint32_t first_line) {
  const std::string& m = s.message();
  const std::string prefix = std::string(name) + ":";
  if (first_line <= 1 || m.compare(0, prefix.size(), prefix) != 0) return s;
  size_t end = prefix.size();
  uint64_t line = 0;
  while (end < m.size() && m[end] >= '0' && m[end] <= '9') {
    line = line * 10 + static_cast<uint64_t>(m[end] - '0');
    ++end;
  }
  if (end == prefix.size()) return s;
  return Status(s.code(), prefix + std::to_string(line + first_line - 1) + m.substr(end));
}

}  // namespace

Status ReadJsonLinesStream(const std::string& path, std::string_view name,
                           const StreamReadOptions& options,
                           const std::function<Status(Event)>& sink, uint64_t& events) {
  events = 0;
  InputFile in;
  FENCELINE_RETURN_IF_ERROR(in.Open(path, name));

  std::string buf;
  uint32_t next_line = 1;  // the input line buf starts with
  bool eof = false, started = false, format_known = false;
  auto counting_sink = [&](Event e) {
    ++events;
    return sink(std::move(e));
  };
  // Parses buf[0, end): whole lines.
  auto parse = [&](size_t end) -> Status {
    std::string_view chunk(buf.data(), end);
    StatusOr<size_t> checked = CheckTextBytes(chunk, 0, true, name);
    if (!checked.ok()) return Renumber(checked.status(), name, next_line);
    FENCELINE_RETURN_IF_ERROR(ParseJsonLinesEvents(chunk, name, next_line, counting_sink));
    next_line += static_cast<uint32_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    buf.erase(0, end);
    return OkStatus();
  };
  while (!eof) {
    const size_t old = buf.size();
    buf.resize(old + kChunk);
    StatusOr<size_t> got = in.Read(buf.data() + old, kChunk);
    if (!got.ok()) return got.status();
    buf.resize(old + *got);
    if (*got == 0) eof = true;
    if (!started) {
      if (buf.size() < 4 && !eof) continue;
      started = true;
      if (HasCompressedMagic(buf)) {
        return Unsupported(std::string(name) +
                           ": --stream reads uncompressed JSON Lines; decompress into a pipe "
                           "(zcat FILE | fenceline check --stream -) or drop --stream");
      }
      // A byte order mark is read as three spaces, as ParseHistoryFile does.
      if (buf.compare(0, 3, "\xEF\xBB\xBF") == 0) buf.replace(0, 3, "   ");
    }
    if (!format_known) {
      // The format is told by the first meaningful line, once it is whole.
      SniffResult sniff = Sniff(buf);
      const bool whole = eof || (!sniff.empty && buf.find('\n', sniff.at) != std::string::npos);
      if (!whole) continue;
      format_known = true;
      InputFormat format = options.format == InputFormat::kAuto ? sniff.format : options.format;
      if (options.format == InputFormat::kAuto && !sniff.empty && !sniff.refusal.empty()) {
        return ParseError(WhereInText(buf, sniff.at, name) + sniff.refusal);
      }
      if (!sniff.empty && format != InputFormat::kJsonLines) {
        return Unsupported(std::string(name) + ": --stream reads JSON Lines, and this input is " +
                           std::string(InputFormatName(format)) +
                           " (check it without --stream)");
      }
    }
    const size_t last = buf.rfind('\n');
    if (last != std::string::npos) FENCELINE_RETURN_IF_ERROR(parse(last + 1));
    if (options.max_line_bytes > 0 && buf.size() > options.max_line_bytes) {
      return IoError(std::string(name) + ":" + std::to_string(next_line) +
                     ":1: line longer than " + std::to_string(options.max_line_bytes) + " bytes");
    }
  }
  if (!buf.empty()) FENCELINE_RETURN_IF_ERROR(parse(buf.size()));
  return OkStatus();
}

}  // namespace fenceline::internal
