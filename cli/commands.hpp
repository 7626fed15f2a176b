// The `scenario` command's subcommands, one registration function each (cli/main.cpp calls them).
#pragma once

#include <CLI/CLI.hpp>

namespace scenario::cli {

// `scenario run`: one run of a charm through its own dispatch, out of process (run_command.cpp).
void add_run_command(CLI::App& app);
// `scenario snapshot UNIT`: reads a unit's State through the `juju` command (snapshot_command.cpp).
void add_snapshot_command(CLI::App& app);
// `scenario state-apply UNIT STATE`: pushes a State onto a unit (state_apply_command.cpp).
void add_state_apply_command(CLI::App& app);

}  // namespace scenario::cli
