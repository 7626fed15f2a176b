// One run of a charm as a separate process, through its real `dispatch` (or hooks/<hook>), the
// way a Juju unit agent runs it: runtime::run makes the State, the JUJU_* environment and the
// unit-state store; the charm gets the hook tools on PATH (the shim, answered over a unix
// socket by run::call_tool) and its containers' Pebble sockets at /charm/containers/<name>/.
#pragma once

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scenario::cli {

// `scenario run`'s exit codes (docs/cli.md). Each failure before or around the charm has its own.
enum class run_exit : int {
  charm_succeeded = 0,
  charm_failed = 1,         // the charm exited non-zero; the output is still written
  usage = 2,                // bad command line
  invalid_input = 3,        // malformed or inconsistent State/Event, bad charm metadata
  no_dispatch = 4,          // the charm root has neither dispatch nor hooks/<hook>, or it is not executable
  timed_out = 5,            // the charm ran past --timeout; its process group was killed
  environment = 6,          // the run could not be set up (temp dir, sockets, /charm/containers)
  interrupted = 130,        // SIGINT/SIGTERM/SIGHUP: the charm's process group was killed
};

// A run that could not produce an output State. `kind` names the failure for programs
// (e.g. "inconsistent-scenario", "state-validation", "metadata", "no-dispatch", "timeout").
struct run_failure : std::runtime_error {
  run_failure(run_exit status, std::string kind, const std::string& message,
              std::vector<std::string> problems = {})
      : std::runtime_error(message), status(status), kind(std::move(kind)), problems(std::move(problems)) {}
  run_exit status;
  std::string kind;
  std::vector<std::string> problems;  // inconsistent-scenario: each problem
  std::string charm_stdout;           // timed_out / interrupted: what the charm printed so far
  std::string charm_stderr;
};

struct run_request {
  std::filesystem::path charm_root;
  nlohmann::json state;  // docs/state-format.md
  nlohmann::json event;
  std::string app_name;  // empty: the charm's name
  std::string juju_version = "3.0";
  // Owner of StoredState entries whose owner_path is null (ops: the charm class's name).
  std::string charm_class;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  bool strict = false;
  bool skip_consistency_checks = false;
  std::filesystem::path hook_tool;  // the shim executable, installed under each tool's name
};

struct run_outcome {
  nlohmann::json state;  // the output State
  int charm_exit_code = 0;
  std::string charm_stdout;
  std::string charm_stderr;
  std::vector<std::string> warnings;
  std::vector<std::string> divergences;
};

// Throws run_failure for everything but the charm's own exit code.
run_outcome run_out_of_process(const run_request& request);

// Where the Pebble sockets must appear for ops (and any Pebble client in the charm).
inline constexpr const char* charm_containers_dir = "/charm/containers";

}  // namespace scenario::cli
