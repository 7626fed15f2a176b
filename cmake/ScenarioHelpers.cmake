# Shared build settings for every target of ours.
function(scenario_target_defaults target)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # GCC 12 reports std::string copies as overlapping at -O3 (a known false positive).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(SCENARIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# scenario_add_library(<layer> SOURCES ... DEPENDS ...): one static library per engine layer.
function(scenario_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  scenario_target_defaults(${name})
  target_link_libraries(${name} PUBLIC ${ARG_DEPENDS})
endfunction()

# scenario_add_test(<name> SOURCES ... DEPENDS ...): one GoogleTest executable, registered with ctest.
function(scenario_add_test name)
  if(NOT SCENARIO_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  scenario_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} GTest::gtest GTest::gtest_main GTest::gmock)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST)
endfunction()

# Instruments everything built after this call (engine, tests, fuzz targets) for the options on.
# Recovery is off so that a UBSan report fails the test or the fuzz run instead of scrolling by.
function(scenario_enable_sanitizers)
  set(_scenario_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined
                               -fno-omit-frame-pointer)
  if(SCENARIO_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      message(FATAL_ERROR "SCENARIO_FUZZ needs clang (libFuzzer): configure with CC=clang-14 CXX=clang++-14")
    endif()
    # The libraries get coverage instrumentation; only the fuzz targets link libFuzzer's main.
    add_compile_options(${_scenario_sanitize_flags} -fsanitize=fuzzer-no-link)
    add_link_options(${_scenario_sanitize_flags})
  elseif(SCENARIO_SANITIZE)
    add_compile_options(${_scenario_sanitize_flags})
    # GCC's flow analysis sees through ASan's instrumentation badly and reports
    # maybe-uninitialized inside libstdc++ (std::function in <regex>): false positives.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      add_compile_options(-Wno-maybe-uninitialized)
    endif()
    add_link_options(${_scenario_sanitize_flags})
  endif()
endfunction()

# scenario_add_fuzzer(<name> SOURCES ... DEPENDS ...): one libFuzzer executable.
function(scenario_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  scenario_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()
