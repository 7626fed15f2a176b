# What our binaries link, found in one place. Every target (the engine's layers, the Python
# module, command-line programs) links these through the scenario::deps:: targets, so how a
# dependency is linked is decided here once.

# scenario_require(<find_package arguments...> DEBIAN <package>): find_package, or stop with one
# message naming the Debian package that provides it and the script that installs them all.
macro(scenario_require name)
  cmake_parse_arguments(_scenario_require "" "DEBIAN" "" ${ARGN})
  find_package(${name} ${_scenario_require_UNPARSED_ARGUMENTS} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR
      "${name} was not found. Install the Debian package ${_scenario_require_DEBIAN}: "
      "`bash scripts/system-deps.sh` installs every package the build needs "
      "(or `sudo apt-get install ${_scenario_require_DEBIAN}`).")
  endif()
endmacro()

function(scenario_find_dependencies)
  scenario_require(nlohmann_json 3.10 DEBIAN nlohmann-json3-dev)
  scenario_require(yaml-cpp DEBIAN libyaml-cpp-dev)
  scenario_require(fmt DEBIAN libfmt-dev)
  scenario_require(SQLite3 DEBIAN libsqlite3-dev)
  scenario_require(Threads DEBIAN libc6-dev)
  scenario_require(Boost 1.74 CONFIG DEBIAN libboost-dev)
  if(SCENARIO_BUILD_TESTS)
    scenario_require(GTest DEBIAN "libgtest-dev libgmock-dev")
  endif()
  # The `scenario` command line (cli/) parses its arguments with CLI11.
  if(SCENARIO_BUILD_CLI)
    scenario_require(CLI11 CONFIG DEBIAN libcli11-dev)
  endif()

  add_library(scenario_deps_fmt INTERFACE)
  add_library(scenario_deps_yaml_cpp INTERFACE)
  add_library(scenario_deps_sqlite3 INTERFACE)
  # CMake >= 3.30 names the target SQLite3::SQLite3 and deprecates SQLite::SQLite3.
  if(TARGET SQLite3::SQLite3)
    set(sqlite_target SQLite3::SQLite3)
  else()
    set(sqlite_target SQLite::SQLite3)
  endif()

  # A wheel carries the shared libraries it links (auditwheel repair copies them in, see
  # scripts/wheel.sh); fmt's header-only form leaves one fewer to carry. yaml-cpp and SQLite cannot
  # be linked statically: Debian's archives of them are not position-independent.
  if(SCENARIO_FMT_HEADER_ONLY)
    target_link_libraries(scenario_deps_fmt INTERFACE fmt::fmt-header-only)
  else()
    target_link_libraries(scenario_deps_fmt INTERFACE fmt::fmt)
  endif()
  target_link_libraries(scenario_deps_yaml_cpp INTERFACE yaml-cpp)
  target_link_libraries(scenario_deps_sqlite3 INTERFACE ${sqlite_target})
  add_library(scenario::deps::fmt ALIAS scenario_deps_fmt)
  add_library(scenario::deps::yaml_cpp ALIAS scenario_deps_yaml_cpp)
  add_library(scenario::deps::sqlite3 ALIAS scenario_deps_sqlite3)
endfunction()
