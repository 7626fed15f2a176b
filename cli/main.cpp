// `scenario`: Scenario's command line. Each subcommand registers itself (cli/commands.hpp) and
// exits from its own callback with its documented exit code (docs/cli.md).
#include <csignal>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  // A closed stdout (e.g. `scenario run ... | head`) must not kill the run before it cleans up.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "Scenario: state-transition tests for Juju charms.\n\n"
      "Example:\n"
      "  scenario run --charm-root ./mycharm --event start --state in.json --out out.json\n"
      "  scenario snapshot webapp/0 --format pytest > test_webapp_snapshot.py\n"
      "  scenario state-apply webapp/0 state.json\n",
      "scenario"};
  app.require_subcommand(1);
  scenario::cli::add_run_command(app);
  scenario::cli::add_snapshot_command(app);
  scenario::cli::add_state_apply_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a subcommand's own exit code, its messages already printed
  } catch (const CLI::ParseError& e) {
    // Help and version are successes; every other command-line mistake is exit code 2.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return 0;
}
