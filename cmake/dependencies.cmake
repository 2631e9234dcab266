# Every dependency comes from Debian's packages (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(TBB REQUIRED)
find_package(Boost REQUIRED COMPONENTS program_options)

# Debian's rapidjson-dev exports only an include variable; newer packages export a target.
find_package(RapidJSON QUIET CONFIG)
add_library(fenceline_rapidjson INTERFACE)
add_library(fenceline::rapidjson ALIAS fenceline_rapidjson)
if(TARGET RapidJSON)
  target_link_libraries(fenceline_rapidjson INTERFACE RapidJSON)
elseif(RapidJSON_INCLUDE_DIRS OR RAPIDJSON_INCLUDE_DIRS)
  target_include_directories(fenceline_rapidjson SYSTEM INTERFACE ${RapidJSON_INCLUDE_DIRS} ${RAPIDJSON_INCLUDE_DIRS})
else()
  find_path(FENCELINE_RAPIDJSON_DIR rapidjson/document.h REQUIRED)
  target_include_directories(fenceline_rapidjson SYSTEM INTERFACE ${FENCELINE_RAPIDJSON_DIR})
endif()
# std::string support, and SSE4.2 for whitespace skipping is not assumed (portable binaries).
target_compile_definitions(fenceline_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

# Compressed traces (.gz, .zst) are read transparently; zlib and libzstd are confined to
# checker/parse/input_reader.cc. Debian's libzstd-dev exports zstd::libzstd_shared; others may
# only ship pkg-config.
find_package(ZLIB REQUIRED)
find_package(zstd CONFIG QUIET)
add_library(fenceline_zstd INTERFACE)
add_library(fenceline::zstd ALIAS fenceline_zstd)
if(TARGET zstd::libzstd_shared)
  target_link_libraries(fenceline_zstd INTERFACE zstd::libzstd_shared)
elseif(TARGET zstd::libzstd_static)
  target_link_libraries(fenceline_zstd INTERFACE zstd::libzstd_static)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(FENCELINE_ZSTD REQUIRED IMPORTED_TARGET libzstd)
  target_link_libraries(fenceline_zstd INTERFACE PkgConfig::FENCELINE_ZSTD)
endif()

if(FENCELINE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(FENCELINE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
