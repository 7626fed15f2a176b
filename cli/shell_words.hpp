// POSIX shell quoting, both ways. `juju exec` hands its command line to a shell on the unit
// and `juju ssh` to the remote command's shell, so every argument we send is quoted, and the
// stand-in splits what it receives the way that shell would.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace scenario::cli {

// `word` as one shell word: bare when it holds only safe characters, else in single quotes.
std::string shell_quote(std::string_view word);
// The words joined by spaces, each quoted.
std::string shell_join(const std::vector<std::string>& words);
// Splits a command line into words: whitespace separates, '...' and "..." quote, backslash
// escapes. Throws std::invalid_argument for an unterminated quote or a shell operator
// (; | & < > ` $( ) that would need a real shell.
std::vector<std::string> shell_split(std::string_view line);

}  // namespace scenario::cli
