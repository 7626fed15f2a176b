// The hook tools a charm finds on PATH under `scenario run`: one program, installed under each
// tool's name. It forwards its name, arguments and (when the tool reads it) stdin to the run's
// engine over the unix socket named by SCENARIO_HOOK_TOOL_SOCKET, then prints the engine's
// stdout and stderr and exits with its exit code, as the tool would under a Juju unit agent.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/tool_protocol.hpp"

namespace {

// Juju's tools fail this way when no unit agent answers; ours name the cause.
int fail(const std::string& tool, const std::string& why) {
  std::cerr << "ERROR " << tool << ": " << why << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace scenario::cli;
  std::string tool = argc > 0 ? argv[0] : "hook-tool";
  if (const auto slash = tool.rfind('/'); slash != std::string::npos) tool.erase(0, slash + 1);

  const char* socket_path = std::getenv(tool_socket_variable);
  if (socket_path == nullptr || *socket_path == '\0') {
    return fail(tool, std::string(tool_socket_variable) +
                          " is not set: this program is a hook tool for charms run by `scenario run`");
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (std::strlen(socket_path) >= sizeof address.sun_path) {
    return fail(tool, std::string("the socket path is too long for a unix socket: ") + socket_path);
  }
  std::strcpy(address.sun_path, socket_path);

  tool_request request;
  request.argv.assign(argv, argv + argc);
  request.argv[0] = tool;
  try {
    if (reads_stdin(request.argv)) request.stdin_data = read_to_end(STDIN_FILENO);
    if (char* cwd = ::getcwd(nullptr, 0); cwd != nullptr) {
      request.cwd = cwd;
      std::free(cwd);
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(tool, std::string("socket: ") + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      return fail(tool, std::string("cannot reach the run's engine at ") + socket_path + ": " +
                            std::strerror(errno) + " (the run is over, or this is not its charm)");
    }
    write_all(fd, encode_request(request));
    const tool_reply reply = read_reply(fd);
    ::close(fd);
    write_all(STDOUT_FILENO, reply.stdout_text);
    write_all(STDERR_FILENO, reply.stderr_text);
    return reply.exit_code;
  } catch (const protocol_error& e) {
    return fail(tool, e.what());
  }
}
