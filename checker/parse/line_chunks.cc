#include "checker/parse/line_chunks.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <utility>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/task_arena.h>

#include "checker/parse/input_reader.h"
#include "checker/parse/parse_memory.h"

namespace fenceline::internal {
namespace {

struct Chunk {
  SourceChunk lines;
  ChunkResult result;
};

// What a parse of `source` stopping now was doing.
std::string_view Doing(const LineSource& source) {
  return source.all_read() ? "parsing" : "reading the input";
}

// Step 3 for one chunk. Returns false once parsing must stop.
// `memory` (may be null) is charged with each event; `doing` words its refusal.
bool Deliver(Chunk& c, const SerialFixup& fixup, ParseMemory* memory, std::string_view doing,
             HistoryBuilder& builder, SkippedLines& skipped, Status& first_error) {
  for (Event& e : c.result.events) {
    if (fixup) fixup(e);
    Status s = memory != nullptr ? memory->ChargeEvent(e, doing) : OkStatus();
    if (s.ok()) s = builder.Add(std::move(e));
    if (!s.ok()) {
      first_error = std::move(s);
      return false;
    }
  }
  if (c.result.skipped.count > 0) {
    if (skipped.count == 0) skipped.first_line = c.result.skipped.first_line;
    skipped.count += c.result.skipped.count;
  }
  if (!c.result.status.ok()) {
    first_error = std::move(c.result.status);
    return false;
  }
  // The events are moved from: destroyed now, their vector and the chunk's text kept for the
  // slot's next chunk (a fresh megabyte a chunk is page faults, about a tenth of the parse).
  c.result.events.clear();
  c.result.status = Status();
  c.result.skipped = SkippedLines();
  c.lines.owned.clear();
  return true;
}

}  // namespace

StatusOr<bool> TextLineSource::Next(size_t chunk_bytes, SourceChunk& c) {
  if (pos_ >= text_.size()) return false;
  c.text = text_;
  c.begin = pos_;
  c.first_line = line_;
  size_t end = text_.size();
  if (text_.size() - pos_ > chunk_bytes) {
    const size_t from = pos_ + chunk_bytes;
    const void* nl = std::memchr(text_.data() + from, '\n', text_.size() - from);
    if (nl != nullptr) end = static_cast<size_t>(static_cast<const char*>(nl) - text_.data());
  }
  c.end = end;
  // ParseCheckedText has refused texts of UINT32_MAX lines or more, so this cannot wrap.
  line_ += static_cast<uint32_t>(CountNewlines(text_.data() + pos_, end - pos_)) +
           (end < text_.size() ? 1 : 0);
  pos_ = end < text_.size() ? end + 1 : end;
  return true;
}

uint64_t CountLines(std::string_view text, int threads) {
  auto count = [&](size_t b, size_t e) {
    return CountNewlines(text.data() + b, e - b);
  };
  constexpr size_t kGrain = size_t{4} << 20;
  if (threads == 1 || text.size() < 2 * kGrain) return count(0, text.size());
  auto run = [&] {
    return tbb::parallel_reduce(
        tbb::blocked_range<size_t>(0, text.size(), kGrain), uint64_t{0},
        [&](const tbb::blocked_range<size_t>& r, uint64_t n) { return n + count(r.begin(), r.end()); },
        [](uint64_t a, uint64_t b) { return a + b; });
  };
  if (threads <= 0) return run();
  tbb::task_arena arena(threads);
  return arena.execute(run);
}

Status ParseLineChunks(LineSource& source, std::string_view name, const ChunkOptions& options,
                       const ChunkParser& parse, const SerialFixup& fixup,
                       HistoryBuilder& builder, SkippedLines& skipped) {
  const size_t chunk_bytes = options.chunk_bytes != 0 ? options.chunk_bytes : kDefaultChunkBytes;
  const bool timed = options.deadline != std::chrono::steady_clock::time_point::max();
  Status first_error, input_error;
  bool late = false;
  uint32_t late_line = 0;
  std::string_view late_doing;
  // Decided before the first chunk, so that the message does not depend on how far the reading
  // had got when the delivery, on another thread, ran out.
  const std::string_view memory_doing = Doing(source);
  auto past_deadline = [&] {
    if (!timed || std::chrono::steady_clock::now() < options.deadline) return false;
    late = true;
    late_line = source.next_line();
    late_doing = Doing(source);
    return true;
  };
  // Cuts the next chunk; false at the end or on the input's error (kept in input_error).
  auto cut = [&](Chunk& c) {
    StatusOr<bool> more = source.Next(chunk_bytes, c.lines);
    if (!more.ok()) {
      input_error = more.status();
      return false;
    }
    return *more;
  };
  auto finish = [&]() -> Status {
    if (!input_error.ok()) return input_error;
    if (!first_error.ok()) {
      // The input's own error further on stands first, as when it was read whole beforehand;
      // but a budget's stop (a long line's deadline, the memory limit) reads no further.
      if (first_error.code() != StatusCode::kDeadlineExceeded &&
          first_error.code() != StatusCode::kResourceExhausted) {
        FENCELINE_RETURN_IF_ERROR(source.Drain());
      }
      return first_error;
    }
    if (late) {
      return DeadlineReached(name, late_line, options.deadline_cause, late_doing);
    }
    return OkStatus();
  };
  auto run_parse = [&](Chunk& c) {
    parse(c.lines.text, c.lines.begin, c.lines.end, c.lines.first_line, c.result);
  };

  const int threads = options.threads > 0 ? options.threads
                                          : tbb::this_task_arena::max_concurrency();
  const uint64_t size = source.size_hint();
  if (threads <= 1 || (size != 0 && size <= chunk_bytes)) {
    // One chunk at a time on this thread: the same steps, without a pipeline.
    Chunk c;
    while (!past_deadline() && cut(c)) {
      run_parse(c);
      if (!Deliver(c, fixup, options.memory, memory_doing, builder, skipped, first_error)) break;
    }
    return finish();
  }

  // A chunk is in flight from its cut to its delivery; tokens bound how many, so slot i % n is
  // free again when chunk i is cut.
  const size_t tokens = static_cast<size_t>(threads) * 3;
  std::vector<Chunk> slots(tokens);
  size_t cuts = 0;
  std::atomic<bool> stop{false};
  auto run = [&] {
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, Chunk*>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> Chunk* {
              Chunk* c = &slots[cuts % tokens];
              if (stop.load(std::memory_order_relaxed) || past_deadline() || !cut(*c)) {
                fc.stop();
                return nullptr;
              }
              ++cuts;
              return c;
            }) &
            tbb::make_filter<Chunk*, Chunk*>(tbb::filter_mode::parallel,
                                             [&](Chunk* c) {
                                               if (!stop.load(std::memory_order_relaxed)) run_parse(*c);
                                               return c;
                                             }) &
            tbb::make_filter<Chunk*, void>(tbb::filter_mode::serial_in_order, [&](Chunk* c) {
              // Chunks after the first error are cut and maybe parsed, never delivered.
              if (stop.load(std::memory_order_relaxed)) {
                c->result = ChunkResult();
                return;
              }
              if (!Deliver(*c, fixup, options.memory, memory_doing, builder, skipped,
                           first_error)) {
                stop.store(true);
              }
            }));
  };
  if (options.threads > 0) {
    tbb::task_arena arena(options.threads);
    arena.execute(run);
  } else {
    run();
  }
  return finish();
}

}  // namespace fenceline::internal
