// The wire format between a hook-tool shim (a process the charm runs) and `scenario run`'s
// engine: one request (argv + stdin) and one reply (exit code, stdout, stderr) per connection
// on a unix socket. Length-prefixed so that any bytes pass through unchanged.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace scenario::cli {

// The variable that tells a shim where this run's engine listens.
inline constexpr const char* tool_socket_variable = "SCENARIO_HOOK_TOOL_SOCKET";

struct tool_request {
  std::vector<std::string> argv;  // argv[0] is the tool's name
  std::string stdin_data;
  // The tool's working directory: relative paths in its arguments (--file x.yaml, key#file=x)
  // mean files there, as Juju's hook tools send their directory to the unit agent.
  std::string cwd;
};

struct tool_reply {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
};

// A malformed or truncated message, or a failed read/write on the socket.
struct protocol_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string encode_request(const tool_request& request);
std::string encode_reply(const tool_reply& reply);

// Read one whole message from `fd` (blocking); throw protocol_error on EOF or bad framing.
tool_request read_request(int fd);
tool_reply read_reply(int fd);

void write_all(int fd, std::string_view data);
// Everything until EOF.
std::string read_to_end(int fd);

// Whether a tool's argv reads its stdin: "--file -" or "--file=-" (relation-set, state-set,
// secret-add/-set). Others never read it, so a shim does not consume input that is not its own.
bool reads_stdin(const std::vector<std::string>& argv);

}  // namespace scenario::cli
