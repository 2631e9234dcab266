# Warnings for our own targets only (linked PRIVATE), never for dependencies' headers.
add_library(fenceline_warnings INTERFACE)
target_compile_options(fenceline_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast
  $<$<BOOL:${FENCELINE_WERROR}>:-Werror>)
