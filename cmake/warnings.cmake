# Warnings for our own targets only (linked PRIVATE), never for dependencies' headers.
add_library(fenceline_warnings INTERFACE)
target_compile_options(fenceline_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast
  # GCC 12 at -O3 reports maybe-uninitialized on values that are initialized (through
  # std::optional and inlined lambdas) and restrict overlaps inside std::string's operator+
  # (GCC bug 105329); those stay warnings, not errors.
  $<$<BOOL:${FENCELINE_WERROR}>:-Werror -Wno-error=maybe-uninitialized -Wno-error=restrict>)
