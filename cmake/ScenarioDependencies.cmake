# What our binaries link, found in one place. Every target (the engine's layers, the Python
# module, command-line programs) links these through the scenario::deps:: targets, so the choice
# between shared and self-contained linking is made here once.

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

# scenario_static_archive(<variable> <file name> DEBIAN <package>): the path of a static archive.
function(scenario_static_archive variable file)
  cmake_parse_arguments(ARG "" "DEBIAN" "" ${ARGN})
  find_library(${variable} NAMES ${file})
  if(NOT ${variable})
    message(FATAL_ERROR
      "${file} was not found: SCENARIO_STATIC_DEPS links it into our binaries. Install the Debian "
      "package ${ARG_DEBIAN} (`bash scripts/system-deps.sh`), or configure with "
      "-DSCENARIO_STATIC_DEPS=OFF to link the shared library instead.")
  endif()
endfunction()

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
  if(EXISTS ${PROJECT_SOURCE_DIR}/cli/CMakeLists.txt)
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

  if(SCENARIO_STATIC_DEPS)
    # fmt is header-only; yaml-cpp and SQLite come from Debian's static archives (built as PIC);
    # the C++ runtime is linked in, so a binary needs nothing newer than the C library.
    target_link_libraries(scenario_deps_fmt INTERFACE fmt::fmt-header-only)
    scenario_static_archive(SCENARIO_YAML_CPP_ARCHIVE libyaml-cpp.a DEBIAN libyaml-cpp-dev)
    get_target_property(yaml_includes yaml-cpp INTERFACE_INCLUDE_DIRECTORIES)
    target_include_directories(scenario_deps_yaml_cpp SYSTEM INTERFACE ${yaml_includes})
    target_link_libraries(scenario_deps_yaml_cpp INTERFACE ${SCENARIO_YAML_CPP_ARCHIVE})
    scenario_static_archive(SCENARIO_SQLITE3_ARCHIVE libsqlite3.a DEBIAN libsqlite3-dev)
    get_target_property(sqlite_includes ${sqlite_target} INTERFACE_INCLUDE_DIRECTORIES)
    target_include_directories(scenario_deps_sqlite3 SYSTEM INTERFACE ${sqlite_includes})
    target_link_libraries(scenario_deps_sqlite3 INTERFACE ${SCENARIO_SQLITE3_ARCHIVE}
                                                          Threads::Threads ${CMAKE_DL_LIBS} m)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      add_link_options(-static-libstdc++ -static-libgcc)
    endif()
    # What is linked in stays private to each binary: another extension module in the same
    # process may carry its own yaml-cpp or SQLite.
    add_link_options("$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,MODULE_LIBRARY>:LINKER:--exclude-libs,ALL>")
  else()
    target_link_libraries(scenario_deps_fmt INTERFACE fmt::fmt)
    target_link_libraries(scenario_deps_yaml_cpp INTERFACE yaml-cpp)
    target_link_libraries(scenario_deps_sqlite3 INTERFACE ${sqlite_target})
  endif()
  add_library(scenario::deps::fmt ALIAS scenario_deps_fmt)
  add_library(scenario::deps::yaml_cpp ALIAS scenario_deps_yaml_cpp)
  add_library(scenario::deps::sqlite3 ALIAS scenario_deps_sqlite3)
endfunction()
