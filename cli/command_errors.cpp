#include "cli/command_errors.hpp"

#include <iostream>
#include <stdexcept>

#include <CLI/CLI.hpp>

namespace scenario::cli {

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
