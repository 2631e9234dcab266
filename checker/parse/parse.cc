#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "checker/parse/formats.h"
#include "fenceline/parse.h"

namespace fenceline {
namespace {

// Reads a whole file or stream. The text is about as large as the operations parsed from it,
// so holding it keeps reading within a small multiple of the history's own memory.
StatusOr<std::string> ReadAll(const std::string& path) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    if (err == ENOENT) return NotFound(path + ": no such file");
    return IoError(path + ": cannot open: " + std::strerror(err));
  }
  std::string text;
  // Regular files: read into one buffer of the right size, not a string that keeps doubling.
  if (f != stdin && std::fseek(f, 0, SEEK_END) == 0) {
    long size = std::ftell(f);
    if (size > 0) text.reserve(static_cast<size_t>(size));
    std::rewind(f);
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  bool failed = std::ferror(f) != 0;
  int err = errno;
  if (f != stdin) std::fclose(f);
  if (failed) return IoError(path + ": read failed: " + std::strerror(err));
  return text;
}

}  // namespace

StatusOr<History> ParseHistoryText(std::string_view text, std::string_view name,
                                   const ParseOptions& options) {
  InputFormat format = options.format == InputFormat::kAuto ? SniffFormat(text.substr(0, 4096))
                                                            : options.format;
  HistoryBuilder builder{std::string(name)};
  // About two lines an operation in every format.
  builder.Reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) / 2 + 1);
  switch (format) {
    case InputFormat::kJsonLines:
    case InputFormat::kAuto:
      FENCELINE_RETURN_IF_ERROR(internal::ParseJsonLines(text, name, builder));
      break;
    case InputFormat::kEdn:
      FENCELINE_RETURN_IF_ERROR(internal::ParseEdnHistory(text, name, builder));
      break;
    case InputFormat::kJepsenLog:
      FENCELINE_RETURN_IF_ERROR(internal::ParseJepsenLog(text, name, builder));
      break;
  }
  return builder.Finish();
}

StatusOr<Value> ParseValueText(std::string_view text, std::string_view name) {
  if (text == "nil") return Value();
  return internal::ParseJsonValue(text, name);
}

StatusOr<History> ParseHistoryFile(const std::string& path, const ParseOptions& options) {
  FENCELINE_ASSIGN_OR_RETURN(std::string text, ReadAll(path));
  return ParseHistoryText(text, path == "-" ? "<stdin>" : path, options);
}

}  // namespace fenceline
