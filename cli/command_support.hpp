// What the subcommands that talk to a unit share: their target options and how they report
// failure (the subcommand's name and the message on stderr, then the exit code: 2 when the
// command line or an input file is wrong, 1 when juju or the unit failed).
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace scenario::cli {

// The unit a command talks to, and the juju it talks through.
struct unit_target {
  std::string unit;
  std::string model;  // empty: the current one
  std::string juju;   // empty: $SCENARIO_JUJU, else juju
};

// A subcommand `name` that talks to a unit: its summary and `footer` (examples), UNIT (required),
// -m/--model and --juju into `target`, and `body` (returning the exit code) run through
// run_reporting_errors when the command is chosen. The caller adds the command's own options.
CLI::App& add_unit_command(CLI::App& app, const std::string& name, const std::string& summary,
                           const std::string& footer, unit_target& target, std::function<int()> body);

// Runs `body` (which returns the exit code); a non-zero code ends the program through CLI11.
void run_reporting_errors(const std::string& command, const std::function<int()>& body);

}  // namespace scenario::cli
