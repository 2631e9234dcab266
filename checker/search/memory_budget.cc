#include "checker/search/memory_budget.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace fenceline::internal {

bool MemoryBudget::TryReserve(size_t bytes) {
  size_t cur = used_.load(std::memory_order_relaxed);
  do {
    // used_ <= limit_ always holds, so the subtraction cannot wrap.
    if (bytes > limit_ - cur) return false;
  } while (!used_.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
  return true;
}

bool MemoryAccount::Reserve(size_t bytes) {
  if (!budget_.TryReserve(bytes)) {
    contended_ = held_ <= budget_.alone_limit() && bytes <= budget_.alone_limit() - held_;
    return false;
  }
  held_ += bytes;
  return true;
}

void MemoryAccount::Release(size_t bytes) {
  bytes = std::min(bytes, held_);
  held_ -= bytes;
  budget_.Release(bytes);
}

bool MemoryAccount::Track(size_t& slot, size_t bytes) {
  if (bytes > slot) {
    if (!Reserve(bytes - slot)) return false;
  } else {
    Release(slot - bytes);
  }
  slot = bytes;
  return true;
}

size_t DefaultMemoryBudgetBytes() {
  size_t physical = 0;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0) physical = static_cast<size_t>(pages) * static_cast<size_t>(page);
  // A container's limit is lower than the machine's memory, and passing it gets the process
  // killed rather than refused: cgroup v2 says "max" or a number of bytes.
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  std::string limit;
  if (cgroup >> limit && !limit.empty() && limit != "max" &&
      limit.find_first_not_of("0123456789") == std::string::npos && limit.size() < 20) {
    const size_t bytes = std::stoull(limit);
    if (bytes > 0 && (physical == 0 || bytes < physical)) physical = bytes;
  }
  if (physical == 0) return size_t{4} << 30;
  return physical / 2;
}

}  // namespace fenceline::internal
