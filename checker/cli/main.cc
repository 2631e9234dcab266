#include <iostream>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "checker/cli/commands.h"

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  // --memory-limit is held against what the searches charge, so resident memory must follow
  // what they free. glibc raises its mmap threshold to the size of each big block freed, after
  // which a finished partition's memo tables (tens of MiB) stay in its thread's heap while the
  // next partition, on another thread, charges fresh ones: four hard partitions on two threads
  // under a 64 MiB limit peaked at 105 MiB. Fixed thresholds: blocks of 4 MiB or more are mapped
  // on their own and given back when freed (64 MiB peak); free heap tops are kept up to 32 MiB,
  // since trimming at glibc's 128 KiB default (what a fixed mmap threshold would also fix) cost
  // the corpus batch, with its many small searches, 6x its system time.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = fenceline::cli::RunMain(args, std::cout, std::cerr);
  std::cout.flush();
  return code;
}
