// How a subcommand reports failure: its name and the message on stderr, then the exit code
// (2: the command line or an input file is wrong; 1: juju or the unit failed).
#pragma once

#include <functional>
#include <string>

namespace scenario::cli {

// Runs `body` (which returns the exit code); a non-zero code ends the program through CLI11.
void run_reporting_errors(const std::string& command, const std::function<int()>& body);

}  // namespace scenario::cli
