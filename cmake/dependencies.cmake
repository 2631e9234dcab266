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

if(FENCELINE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(FENCELINE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
