// Memory a parsed history keeps per operation (issue 11: at most 100 bytes). Reads a history
// file with ParseHistoryFile and prints one JSON line: heap bytes the History holds once the
// file's text is gone (the allocator's in-use count after parsing minus before, mallinfo2),
// divided by the operations, plus sizeof(Operation) and sizeof(Value) for reference and the
// process's peak RSS (which includes the text held while parsing).
// Usage: history_memory_bench FILE
#include <malloc.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>

#include "fenceline/parse.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: history_memory_bench FILE\n");
    return 2;
  }
  const size_t before = mallinfo2().uordblks + mallinfo2().hblkhd;
  fenceline::StatusOr<fenceline::History> h = fenceline::ParseHistoryFile(argv[1]);
  if (!h.ok()) {
    std::fprintf(stderr, "%s\n", h.status().message().c_str());
    return 2;
  }
  const size_t after = mallinfo2().uordblks + mallinfo2().hblkhd;
  const size_t ops = h->ops.size();
  const size_t kept = after > before ? after - before : 0;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "{\"bench\":\"history/bytes_kept_per_op\",\"ops\":%zu,\"heap_mib\":%.1f,"
      "\"bytes_per_op\":%.1f,\"sizeof_operation\":%zu,\"sizeof_value\":%zu,"
      "\"peak_rss_mib\":%ld}\n",
      ops, static_cast<double>(kept) / (1024.0 * 1024.0),
      ops ? static_cast<double>(kept) / static_cast<double>(ops) : 0.0,
      sizeof(fenceline::Operation), sizeof(fenceline::Value), usage.ru_maxrss / 1024);
  return 0;
}
