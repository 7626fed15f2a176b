// The `scenario` command line.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Scenario: state-transition testing for Juju charms", "scenario"};
  app.require_subcommand(1);
  scenario::cli::add_snapshot_command(app);
  scenario::cli::add_state_apply_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
