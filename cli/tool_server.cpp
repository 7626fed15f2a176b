#include "cli/tool_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace scenario::cli {

namespace {

std::system_error socket_error(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}

}  // namespace

tool_server::tool_server(std::filesystem::path socket_path, handler answer)
    : path_(std::move(socket_path)), answer_(std::move(answer)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path_.string();
  if (text.size() >= sizeof address.sun_path) {
    throw std::system_error(std::make_error_code(std::errc::filename_too_long),
                            "the hook-tool socket path " + text +
                                " is too long for a unix socket; set TMPDIR to a shorter directory");
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw socket_error("socket");
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 || ::listen(fd_, 64) != 0) {
    auto error = socket_error("listening on " + text);
    ::close(fd_);
    throw error;
  }
}

tool_server::~tool_server() {
  if (fd_ >= 0) ::close(fd_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

int tool_server::serve_pending() {
  int served = 0;
  for (;;) {
    const int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) {
      if (errno == EINTR) continue;
      return served;  // EAGAIN: none left (other errors: the shim sees its connection fail)
    }
    serve(connection);
    ::close(connection);
    ++served;
  }
}

void tool_server::serve(int connection) {
  // A shim sends its whole request at once; one that stalls must not stall the run forever.
  const timeval limit{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  tool_reply reply;
  try {
    reply = answer_(read_request(connection));
  } catch (const protocol_error& e) {
    reply = {1, "", std::string("ERROR scenario: bad hook-tool request: ") + e.what() + "\n"};
  }
  try {
    write_all(connection, encode_reply(reply));
  } catch (const protocol_error&) {
    // The shim is gone (killed, or timed out); nothing is waiting for the answer.
  }
}

}  // namespace scenario::cli
