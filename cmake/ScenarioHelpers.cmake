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
