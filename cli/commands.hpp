// The `scenario` command's subcommands, one registration function each (cli/main.cpp calls them).
#pragma once

#include <CLI/CLI.hpp>

namespace scenario::cli {

void add_run_command(CLI::App& app);  // cli/run_command.cpp
void add_snapshot_command(CLI::App& app);
void add_state_apply_command(CLI::App& app);

}  // namespace scenario::cli
