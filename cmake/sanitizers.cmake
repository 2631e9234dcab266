# The one global setting: sanitizers apply to every target, dependencies' inline code included.
if(FENCELINE_SANITIZE)
  add_compile_options(-fsanitize=${FENCELINE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${FENCELINE_SANITIZE})
  if(FENCELINE_SANITIZE MATCHES "undefined" AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Debian's RapidJSON 1.1.0 computes an offset on a null pointer in internal/stack.h:117
    # (Stack::Push on an empty stack, fixed upstream after 1.1.0); one function suppressed,
    # by name, in cmake/ubsan.supp. GCC's UBSan does not check that case.
    add_compile_options(-fsanitize-blacklist=${PROJECT_SOURCE_DIR}/cmake/ubsan.supp)
  endif()
endif()

# libFuzzer targets (tests/fuzz/): clang only. Everything is built with coverage feedback
# (fuzzer-no-link) and ASan + UBSan; the fuzz binaries link libFuzzer's main.
if(FENCELINE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "FENCELINE_FUZZ=ON needs clang (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  if(NOT FENCELINE_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
                        -fsanitize-blacklist=${PROJECT_SOURCE_DIR}/cmake/ubsan.supp)
    add_link_options(-fsanitize=address,undefined)
  endif()
endif()

# Any sanitizer on (the fuzz build is ASan + UBSan too): tests/ compiles with FENCELINE_SANITIZED,
# and skips the assertions on a process's peak RSS, which the sanitizer's shadow memory and
# quarantine make meaningless; verdicts, messages and wall-time bounds are still asserted.
if(FENCELINE_SANITIZE OR FENCELINE_FUZZ)
  set(FENCELINE_SANITIZED ON)
else()
  set(FENCELINE_SANITIZED OFF)
endif()
