// The exec lifecycle of one container for one run, without sockets or HTTP (mirrors Pebble's
// cmdstate). The transport reports websocket events and runs timers; everything an exec does
// and answers is decided here, so tests drive it with a fake stream and a fake clock.
//
// POST /v1/exec records the call, registers a "Doing" change and answers 202 with the task id.
// Once the client has opened the I/O streams ("stdio", and "stderr" when split-stderr), the
// mock's output is sent followed by {"command":"end"} on each stream. The "process" exits when
// the charm ends stdin ({"command":"end"} or closing the stdio stream) or, if the charm never
// ends stdin, shortly after it starts waiting on the change (a mock cannot tell whether the
// command reads stdin; ops' wait_output() without stdin never closes it). The change is then
// Done with the exit code in the task data, and the requests waiting on it are answered.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/pebble/api.hpp"

namespace scenario::pebble {

// One websocket of an exec task as the exec session uses it; the transport implements it.
class exec_stream {
 public:
  virtual ~exec_stream() = default;
  // Queues one message, sent in order: binary carries output bytes, text an I/O command.
  virtual void send(bool binary, std::string data) = 0;
  // Bytes the client has sent that the transport has not handed over yet.
  virtual std::size_t unread_bytes() = 0;
};

// Delayed calls on the thread that drives the exec session; the transport implements it.
class exec_clock {
 public:
  // Destroying a timer cancels it: its call never runs afterwards.
  class timer {
   public:
    virtual ~timer() = default;
  };
  virtual ~exec_clock() = default;
  [[nodiscard]] virtual std::unique_ptr<timer> after(std::chrono::steady_clock::duration delay,
                                                     std::function<void()> fire) = 0;
};

// The run's session as exec reaches it outside a request: `use` runs with the run's lock held,
// or not at all (false) once the run has let go of its container.
class run_access {
 public:
  virtual ~run_access() = default;
  virtual bool with_session(const std::function<void(session&)>& use) = 0;
};

// How long after the charm starts waiting on an exec whose stdin it has not ended the mock
// "process" keeps running while stdin still trickles in. ops sends stdin given to exec() from a
// thread started before wait(), so it is usually in flight already. Stdin arriving later is
// still recorded (the server drains what is in flight on detach), so this only orders completion.
inline constexpr auto exec_stdin_grace = std::chrono::milliseconds(5);
// Pebble's cmdstate connectTimeout: the I/O websockets must connect within this.
inline constexpr auto exec_connect_timeout = std::chrono::seconds(5);

class exec_session {
 public:
  // `run` and `clock` must outlive the exec session. Not thread-safe: one thread drives it
  // (the server's io thread), except ran(), which any thread may call.
  exec_session(run_access& run, exec_clock& clock);
  ~exec_session();
  exec_session(const exec_session&) = delete;
  exec_session& operator=(const exec_session&) = delete;

  // POST /v1/exec, with the run's lock held (`s` is the run's session).
  response start(session& s, const request& r);

  // GET /v1/tasks/{task_id}/websocket/{websocket_id}: Pebble's refusal, or nullopt when the
  // transport may upgrade the connection and attach() it.
  std::optional<response> websocket_refusal(const std::string& task_id,
                                            const std::string& websocket_id) const;
  // Reserves the stream for a connection websocket_refusal() accepted (its handshake pending).
  void attach(const std::string& task_id, const std::string& websocket_id,
              std::shared_ptr<exec_stream> stream);
  // The events of an attached stream, as the transport sees them.
  void stream_opened(const std::string& task_id, const std::string& websocket_id);
  void stream_message(const std::string& task_id, const std::string& websocket_id, bool binary,
                      std::string_view data);
  void stream_closed(const std::string& task_id, const std::string& websocket_id);

  // GET /v1/changes/{change_id}/wait, with the run's lock held: nullopt unless the change is a
  // running exec; otherwise Pebble's answer to a bad timeout, or reply_later: `reply` is called
  // once the exec finishes (or the timeout passes).
  std::optional<outcome> wait(const std::string& change_id, const request& r, reply_fn reply);

  // How far the exec stdin the charm sent has been handled: the number of stdin events so far,
  // or nullopt while bytes still wait unread in a running exec's stdio stream.
  std::optional<std::uint64_t> stdin_progress();
  // Whether an exec has started (any thread): detaching must then drain its stdin.
  bool ran() const { return ran_.load(); }
  // Drops every exec, its timers, streams and waiting requests (unanswered); later events are ignored.
  void close();

 private:
  struct task;
  task* find(const std::string& task_id) const;
  void open_io(task& t);
  void stdin_data(task& t, std::string_view data);
  void end_stdin(task& t);
  void arm_grace(task& t);
  void complete(task& t, std::optional<int> exit_code, const std::string& error);

  run_access& run_;
  exec_clock& clock_;
  std::map<std::string, std::unique_ptr<task>> tasks_;  // by task id
  std::map<std::string, std::string> task_of_change_;   // change id -> task id
  int next_task_id_ = 1;
  std::uint64_t stdin_events_ = 0;  // stdin data and ends handled
  std::atomic<bool> ran_ = false;
  bool closed_ = false;
};

}  // namespace scenario::pebble
