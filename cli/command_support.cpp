#include "cli/command_support.hpp"

#include <iostream>
#include <stdexcept>

#include <CLI/CLI.hpp>

namespace scenario::cli {

CLI::App& add_unit_command(CLI::App& app, const std::string& name, const std::string& summary,
                           const std::string& footer, unit_target& target, std::function<int()> body) {
  CLI::App& cmd = *app.add_subcommand(name, summary);
  cmd.footer(footer);
  cmd.add_option("UNIT", target.unit, "The unit, e.g. webapp/0")->required();
  cmd.add_option("-m,--model", target.model, "The model (default: the current one)");
  cmd.add_option("--juju", target.juju, "The juju command to run (default: $SCENARIO_JUJU, else juju)");
  cmd.callback([name, body = std::move(body)] { run_reporting_errors(name, body); });
  return cmd;
}

void run_reporting_errors(const std::string& command, const std::function<int()>& body) {
  int code = 0;
  try {
    code = body();
  } catch (const std::invalid_argument& e) {
    std::cerr << "scenario " << command << ": " << e.what() << "\n";
    code = 2;
  } catch (const std::exception& e) {
    std::cerr << "scenario " << command << ": " << e.what() << "\n";
    code = 1;
  }
  if (code != 0) throw CLI::RuntimeError(code);
}

}  // namespace scenario::cli
