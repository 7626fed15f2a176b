// A Pebble daemon per container, served over real unix sockets by one background thread
// (Boost.Asio/Beast): the transport only. It speaks HTTP/1.1 and websockets; what a request
// means is api.cpp's route table and, for exec, exec_session.cpp.
// The thread never touches Python; it reads and writes the attached containers under a mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "engine/pebble/api.hpp"
#include "engine/state/state.hpp"

namespace scenario::pebble {

// Request bodies are read whole, so each is capped (HTTP 413 beyond the cap, before the body is
// read). ops sends file content only as the multipart body of POST /v1/files (push), which gets
// a generous cap; every other body is a small JSON document (layers, exec, notices, ...).
inline constexpr std::uint64_t max_push_body = std::uint64_t{1} << 30;  // 1 GiB
inline constexpr std::uint64_t max_json_body = std::uint64_t{16} << 20;  // 16 MiB
std::uint64_t max_request_body(std::string_view method, std::string_view path);

class server {
 public:
  // Sockets are created inside `socket_dir` (which must exist and be private to this server).
  explicit server(std::filesystem::path socket_dir);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Starts serving `c` and returns the socket path ops should connect to. `c` and `mu` must
  // stay alive until detach(mu); every request locks `mu` while it reads or changes `c`.
  // attach() itself does not lock `mu` (it may be called with `mu` held). A container with
  // can_connect false gets a path where no socket exists, so ops raises ConnectionError.
  // Sockets are reused: a later attach of a container with the same name gets the same path
  // once the earlier one is detached.
  std::filesystem::path attach(state::container& c, std::mutex& mu, session_options options = {});

  // Stops serving the containers attached with `mu` (their open connections closed), after
  // reading stdin the charm already sent to running execs. Must not be called with `mu` held:
  // it waits for the server thread, which may be waiting for that mutex.
  void detach(const std::mutex& mu);

  // detach() for every attached container.
  void detach_all();

  // While a cpu_share lives, the thread that made it and the server thread are kept on one
  // CPU: the one the caller was running on. A charm in the caller's thread talks to the server
  // request by request, each waiting on the other; across two CPUs every request must wake the
  // server's idle CPU, which on a VM costs a hypervisor exit (measured: ~0.3 ms per run with
  // five requests on a 2-vCPU VM). On one CPU a request is a plain thread switch.
  // The caller's previous CPU set is restored when the share ends, and the server thread's
  // once no share is left. Where CPU affinity cannot be read or set, the share does nothing.
  class cpu_share {
   public:
    cpu_share() noexcept;
    cpu_share(cpu_share&& other) noexcept;
    cpu_share& operator=(cpu_share&& other) noexcept;
    ~cpu_share();
    bool active() const { return saved_ != nullptr; }

   private:
    friend class server;
    struct saved;
    cpu_share(server* owner, std::unique_ptr<saved> s);
    void end();
    server* owner_ = nullptr;
    std::unique_ptr<saved> saved_;
  };
  [[nodiscard]] cpu_share share_cpu_with_caller();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace scenario::pebble
