// The `scenario` subcommands. main.cpp builds the CLI11 app and registers each one.
#pragma once

#include <CLI/CLI.hpp>

namespace scenario::cli {

// `scenario snapshot UNIT`: reads a unit's State through the `juju` command (snapshot_command.cpp).
void add_snapshot_command(CLI::App& app);
// `scenario state-apply UNIT STATE`: pushes a State onto a unit (state_apply_command.cpp).
void add_state_apply_command(CLI::App& app);

}  // namespace scenario::cli
