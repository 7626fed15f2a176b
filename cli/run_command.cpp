// `scenario run`: one event on a charm run out of process (cli/out_of_process_run.hpp). Reads
// the State JSON, prints a result document (JSON) on stdout, exits with run_exit's code.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/out_of_process_run.hpp"

namespace scenario::cli {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* hook_tool_program = "scenario-hook-tool";
constexpr const char* hook_tool_variable = "SCENARIO_HOOK_TOOL";

constexpr const char* run_summary = "Run one event on a charm out of process, as a Juju unit agent runs it";

constexpr const char* run_details =
    "\nThe charm's dispatch (or hooks/<hook>) runs as a child process with the JUJU_* environment,\n"
    "hook tools on PATH answered by Scenario's engine, and Pebble sockets in /charm/containers.\n"
    "Prints a JSON result on stdout: the output State, the charm's exit code, stdout, stderr,\n"
    "juju-log lines and divergences.\n\n"
    "Example:\n"
    "  echo '{\"config\": {\"greeting\": \"hi\"}}' > in.json\n"
    "  scenario run --charm-root examples/shell-charm --event start --state in.json --out out.json\n\n"
    "Exit codes: 0 charm succeeded, 1 charm failed, 2 usage, 3 invalid State/Event/metadata,\n"
    "4 no dispatch, 5 timeout, 6 environment, 130 interrupted (docs/cli.md).";

struct run_arguments {
  std::string charm_root;
  std::string event;
  std::string state = "-";
  std::string out;
  std::string app_name;
  std::string juju_version = "3.0";
  std::string charm_class;
  double timeout_seconds = 60;
  bool strict = false;
  bool skip_consistency_checks = false;
};

std::string read_text(const std::string& path, const char* option) {
  if (path == "-") {
    if (::isatty(STDIN_FILENO)) {
      throw run_failure(run_exit::usage, "usage",
                        fmt::format("{} -: stdin is a terminal; give a JSON file or pipe one in", option));
    }
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw run_failure(run_exit::invalid_input, "input-file",
                      fmt::format("{} {}: cannot read the file", option, path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json parse_document(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw run_failure(run_exit::invalid_input, "state-validation",
                      fmt::format("{}: not valid JSON ({}); see docs/state-format.md", what, e.what()));
  }
}

// --event is an event name ("start", "db_relation_changed"), an Event document, or @FILE.
json event_document(const std::string& value) {
  if (value.starts_with("@")) return parse_document(read_text(value.substr(1), "--event"), "--event " + value);
  if (value.starts_with("{")) return parse_document(value, "--event");
  return json{{"name", value}};
}

bool strict_from_environment() {
  const char* value = std::getenv("SCENARIO_STRICT");
  if (value == nullptr || std::string_view(value) == "0") return false;
  if (std::string_view(value) == "1") return true;
  throw run_failure(run_exit::usage, "usage",
                    fmt::format("SCENARIO_STRICT={:?}: use 1 (Juju's and Pebble's rules bind) or 0 (the "
                                "default: ops-scenario 3.1's behaviour, reporting divergences)",
                                value));
}

// The shim: SCENARIO_HOOK_TOOL, else beside this program (a build tree), else in the Python
// package this program was installed with: site-packages/scenario/_bin, seen from
// site-packages/scenario_engine.scripts/ (where `auditwheel repair` moves a wheel's programs,
// leaving a wrapper in bin/) or from <prefix>/bin (a wheel installed without repair).
fs::path find_hook_tool() {
  if (const char* given = std::getenv(hook_tool_variable); given != nullptr && *given != '\0') return given;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path dir = self.parent_path();
  if (fs::exists(dir / hook_tool_program)) return dir / hook_tool_program;
  if (const fs::path beside_package = dir.parent_path() / "scenario" / "_bin" / hook_tool_program;
      fs::exists(beside_package, ec)) {
    return beside_package;
  }
  for (const auto& python : fs::directory_iterator(dir.parent_path() / "lib", ec)) {
    for (const char* packages : {"site-packages", "dist-packages"}) {
      const fs::path candidate = python.path() / packages / "scenario" / "_bin" / hook_tool_program;
      if (fs::exists(candidate, ec)) return candidate;
    }
  }
  return {};
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    throw run_failure(run_exit::environment, "output-file", fmt::format("--out {}: cannot write the file", path));
  }
}

// Says what went wrong on stderr and as an "error" document on stdout; returns the exit code.
int execute_failed(const run_failure& failure) {
  std::cerr << "scenario run: error: " << failure.what() << "\n";
  for (const auto& p : failure.problems) std::cerr << "  - " << p << "\n";
  json error = {{"error", {{"kind", failure.kind}, {"message", failure.what()}, {"problems", failure.problems}}}};
  if (failure.status == run_exit::timed_out || failure.status == run_exit::interrupted) {
    error["stdout"] = failure.charm_stdout;
    error["stderr"] = failure.charm_stderr;
  }
  std::cout << error.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
  return static_cast<int>(failure.status);
}

int execute(const run_arguments& args) {
  try {
    run_request request;
    request.charm_root = args.charm_root;
    request.state = parse_document(read_text(args.state, "--state"), "--state " + args.state);
    request.event = event_document(args.event);
    request.app_name = args.app_name;
    request.juju_version = args.juju_version;
    request.charm_class = args.charm_class;
    request.timeout = std::chrono::milliseconds(static_cast<long long>(args.timeout_seconds * 1000));
    request.strict = args.strict || strict_from_environment();
    request.skip_consistency_checks = args.skip_consistency_checks;
    request.hook_tool = find_hook_tool();
    // Resolved before the run: the output path is relative to where `scenario` was started.
    const std::string out_path = args.out.empty() ? "" : fs::absolute(args.out).string();

    run_outcome outcome = run_out_of_process(request);
    json result = {
        {"exit_code", outcome.charm_exit_code},
        {"stdout", outcome.charm_stdout},
        {"stderr", outcome.charm_stderr},
        {"juju_log", outcome.state.value("juju_log", json::array())},
        {"warnings", outcome.warnings},
        {"divergences", outcome.divergences},
    };
    if (out_path.empty()) {
      result["state"] = outcome.state;
    } else {
      write_text(out_path, outcome.state.dump(2) + "\n");
    }
    for (const auto& d : outcome.divergences) std::cerr << "scenario run: divergence: " << d << "\n";
    // The charm's output may not be UTF-8; invalid bytes are replaced rather than refused.
    std::cout << result.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
    return outcome.charm_exit_code == 0 ? static_cast<int>(run_exit::charm_succeeded)
                                        : static_cast<int>(run_exit::charm_failed);
  } catch (const run_failure& failure) {
    return execute_failed(failure);
  } catch (const std::exception& e) {
    // Anything else is the machine's refusal (a socket, a file); still a clear message and code.
    return execute_failed(run_failure(run_exit::environment, "environment", e.what()));
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<run_arguments>();
  CLI::App* run = app.add_subcommand("run", run_summary);
  run->footer(run_details);
  run->add_option("--charm-root", args->charm_root,
                  "The charm's directory (metadata.yaml or charmcraft.yaml, dispatch or hooks/)")
      ->required();
  run->add_option("--event", args->event,
                  "An event name (start, db_relation_changed, ...), an Event JSON document, or @FILE "
                  "holding one (docs/state-format.md)")
      ->required();
  run->add_option("--state", args->state, "The input State JSON file; - reads stdin")->capture_default_str();
  run->add_option("--out", args->out, "Write the output State JSON to this file instead of into the result");
  run->add_option("--app-name", args->app_name, "The application's name (default: the charm's name)");
  run->add_option("--juju-version", args->juju_version, "JUJU_VERSION")->capture_default_str();
  run->add_option("--charm-class", args->charm_class,
                  "The charm's class name (Python charms), owner of StoredState entries with no owner_path");
  run->add_option("--timeout", args->timeout_seconds, "Seconds before the charm is killed")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 31536000.0));  // a millisecond to a year
  run->add_flag("--strict", args->strict, "Juju's and Pebble's rules bind (also SCENARIO_STRICT=1)");
  run->add_flag("--skip-consistency-checks", args->skip_consistency_checks,
                "Run even if the State is inconsistent with the charm's metadata");
  run->callback([args] {
    const int code = execute(*args);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace scenario::cli
