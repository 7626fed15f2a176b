// What the subcommands that talk to a unit share: their target options and how they report
// failure (the subcommand's name and the message on stderr, then the exit code: 2 when the
// command line or an input file is wrong, 1 when juju or the unit failed).
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace scenario::cli {

// UNIT (required), -m/--model and --juju.
void add_unit_options(CLI::App& cmd, std::string& unit, std::string& model, std::string& juju);

// Runs `body` (which returns the exit code); a non-zero code ends the program through CLI11.
void run_reporting_errors(const std::string& command, const std::function<int()>& body);

}  // namespace scenario::cli
