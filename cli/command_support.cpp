#include "cli/command_support.hpp"

#include <iostream>
#include <stdexcept>

#include <CLI/CLI.hpp>

namespace scenario::cli {

void add_unit_options(CLI::App& cmd, std::string& unit, std::string& model, std::string& juju) {
  cmd.add_option("UNIT", unit, "The unit, e.g. webapp/0")->required();
  cmd.add_option("-m,--model", model, "The model (default: the current one)");
  cmd.add_option("--juju", juju, "The juju command to run (default: $SCENARIO_JUJU, else juju)");
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
