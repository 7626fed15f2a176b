// The engine's end of the hook-tool socket: accepts shim connections and answers each with a
// handler (the run's call_tool). Driven by the caller's poll loop, so tool calls are answered
// on the thread that waits for the charm, one at a time, in the order they arrive.
#pragma once

#include <filesystem>
#include <functional>

#include "cli/tool_protocol.hpp"

namespace scenario::cli {

class tool_server {
 public:
  using handler = std::function<tool_reply(const tool_request&)>;

  // Listens on `socket_path` (which must not exist). Throws std::system_error on failure.
  tool_server(std::filesystem::path socket_path, handler answer);
  ~tool_server();  // closes and removes the socket
  tool_server(const tool_server&) = delete;
  tool_server& operator=(const tool_server&) = delete;

  const std::filesystem::path& path() const { return path_; }
  int listen_fd() const { return fd_; }  // readable when a shim is waiting
  // Answers every connection waiting now; a shim that sends a malformed request gets exit
  // code 1 and the reason on stderr. Returns how many calls were answered.
  int serve_pending();

 private:
  void serve(int connection);
  std::filesystem::path path_;
  handler answer_;
  int fd_ = -1;
};

}  // namespace scenario::cli
