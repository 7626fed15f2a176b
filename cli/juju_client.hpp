// Runs the `juju` command for snapshot and state-apply. Which `juju`: the --juju option, else
// the SCENARIO_JUJU environment variable, else `juju` on PATH (docs/cli.md).
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace scenario::cli {

struct process_result {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
};

// Runs argv (argv[0] looked up on PATH) with `stdin_data` on its stdin; never throws for the
// child's failure, only when it cannot be started (std::runtime_error naming the program).
process_result run_process(const std::vector<std::string>& argv, std::string_view stdin_data = {});

// A `juju` call that failed: the message names the command and quotes its stderr.
struct juju_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A unit name, "<app>/<number>".
struct unit_name {
  std::string app;
  int number = 0;
  std::string text() const { return app + "/" + std::to_string(number); }
  // Where the unit agent keeps the charm: /var/lib/juju/agents/unit-<app>-<n>/charm.
  std::string charm_dir() const;
};
// Parses "app/0"; throws std::invalid_argument naming the expected form.
unit_name parse_unit_name(std::string_view text);

class juju_client {
 public:
  // `juju_program`: empty picks SCENARIO_JUJU, else "juju". `model`: empty for the current one.
  juju_client(std::string juju_program, std::string model);

  const std::string& program() const { return program_; }
  const std::string& model() const { return model_; }
  // `juju <args...> [-m MODEL] --format json`, parsed. `in_model`: false for commands that take
  // no model (`juju models`).
  nlohmann::json json_command(std::vector<std::string> args, bool in_model = true) const;
  // `juju exec [-m MODEL] --unit U -- <tool argv, shell-quoted>`: the tool's stdout. Throws
  // juju_error when it fails.
  std::string exec(const unit_name& unit, const std::vector<std::string>& tool_argv) const;
  // `juju ssh [-m MODEL] [--container C] U <argv, shell-quoted>` with stdin; the raw result.
  process_result ssh(const unit_name& unit, const std::string& container,
                     const std::vector<std::string>& argv, std::string_view stdin_data = {}) const;
  // `juju scp [-m MODEL] [--container C] U:REMOTE LOCAL` (and the other way round).
  void scp_from(const unit_name& unit, const std::string& container, const std::string& remote,
                const std::filesystem::path& local) const;
  void scp_to(const unit_name& unit, const std::string& container,
              const std::filesystem::path& local, const std::string& remote) const;

 private:
  process_result call(std::vector<std::string> args, std::string_view stdin_data = {}) const;
  std::string checked(std::vector<std::string> args) const;
  std::vector<std::string> model_args() const;
  std::string program_;
  std::string model_;
};

}  // namespace scenario::cli
