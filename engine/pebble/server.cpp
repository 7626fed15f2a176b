// The socket side of the Pebble double: one io_context thread serves every attached container's
// unix socket. HTTP requests (their targets decoded by http_target.cpp) become pebble::request and go to handle() under the container's
// mutex; exec (POST /v1/exec and the task websockets) is served here, with its change registered
// in the container's session so handle()'s /v1/changes endpoints report it.
//
// Exec lifecycle (mirrors Pebble's cmdstate): POST /v1/exec records the call, registers a "Doing"
// change and answers 202 with the task id. Once the client has connected the I/O websockets
// ("stdio", and "stderr" when split-stderr), the mock's output is sent followed by
// {"command":"end"} on each stream. The "process" exits when the charm ends stdin
// ({"command":"end"} or closing the stdio websocket) or, if the charm never ends stdin, shortly
// after it starts waiting on the change (a mock cannot tell whether the command reads stdin;
// ops' wait_output() without stdin never closes it). The change is then Done with the exit code
// in the task data, and pending /v1/changes/{id}/wait requests are answered by handle().
#include "engine/pebble/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <list>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/pebble/api.hpp"
#include "engine/pebble/api_detail.hpp"
#include "engine/pebble/cpu_sharing.hpp"
#include "engine/pebble/exec.hpp"
#include "engine/pebble/http_target.hpp"
#include "engine/state/errors.hpp"

namespace scenario::pebble {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using unix_socket = net::local::stream_protocol::socket;
using unix_acceptor = net::local::stream_protocol::acceptor;
using json = nlohmann::json;

// How long after the charm starts waiting on an exec whose stdin it has not ended the mock
// "process" keeps running while stdin still trickles in. ops sends stdin given to exec() from a
// thread started before wait(), so it is usually in flight already. Stdin arriving later is
// still recorded (and detach_all drains what is in flight), so this only orders completion.
constexpr auto stdin_grace = std::chrono::milliseconds(5);
// detach_all waits at most this long for stdin already sent by the charm to be read.
constexpr auto detach_drain_limit = std::chrono::milliseconds(200);
// How long a listener waits after a failed accept (e.g. no descriptors left) before the next.
constexpr auto accept_retry_delay = std::chrono::milliseconds(10);
// Pebble's cmdstate connectTimeout: the I/O websockets must connect within this.
constexpr auto websocket_connect_timeout = std::chrono::seconds(5);
// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t max_socket_path = 107;

// Pebble's envelopes, built in api.cpp.
using detail::async_response;
using detail::bad_request;
using detail::gateway_timeout;
using detail::internal_server_error;
using detail::not_found;
using detail::request_entity_too_large;

// ---- connection bookkeeping ----

class closable {
 public:
  virtual ~closable() = default;
  virtual void close() = 0;
};

class http_conn;
class ws_conn;
struct endpoint;

// A GET /v1/changes/{id}/wait held until its exec finishes (or its timeout passes).
struct waiter {
  std::shared_ptr<http_conn> conn;
  request req;
  bool keep_alive = true;
  std::unique_ptr<net::steady_timer> timer;
  bool answered = false;
};

struct exec_task {
  explicit exec_task(net::io_context& ioc) : grace(ioc), connect_deadline(ioc) {}
  std::string task_id;
  std::string change_id;
  std::string summary;
  std::size_t history_index = 0;
  exec_outcome outcome;
  bool split_stderr = false;
  std::shared_ptr<ws_conn> control, stdio, stderr_ws;  // reserved at upgrade time
  int io_connected = 0;
  bool started = false;
  bool stdin_ended = false;
  bool done = false;
  std::list<std::shared_ptr<waiter>> waiters;
  net::steady_timer grace;
  net::steady_timer connect_deadline;
};

// One attached container for one run: its session and live connections. Served through a
// listener, which outlives it.
struct endpoint {
  endpoint(net::io_context& ioc, state::container& c, std::mutex& m, layer_cache& layers,
           session_options options)
      : ioc(ioc), session(c, &layers, options), mu(m) {}

  // The run's mutex, locked, unless the run has let go of this endpoint (then an empty lock):
  // once it has, the run, its mutex and its container may be gone. Holds `released_mu` too, so
  // that release() waits for whoever is inside.
  struct run_lock {
    std::unique_lock<std::mutex> released_guard;
    std::unique_lock<std::mutex> run;
    explicit operator bool() const { return run.owns_lock(); }
  };
  run_lock lock_run() {
    std::unique_lock guard(released_mu);
    if (released) return {};
    return {std::move(guard), std::unique_lock(mu)};
  }
  // From here on nothing touches the session, the container or `mu` (any thread).
  void release() {
    std::lock_guard guard(released_mu);
    released = true;
  }

  net::io_context& ioc;
  pebble::session session;
  std::mutex& mu;  // guards session and its container; reached only through lock_run()
  std::mutex released_mu;
  bool released = false;           // guarded by released_mu
  std::atomic<bool> ran_exec = false;  // an exec started: detaching must drain its stdin
  std::uint64_t stdin_events = 0;      // io thread only: exec stdin data and ends handled
  bool detached = false;  // io thread only: connections closed, exec work dropped
  std::atomic<int> open_conns = 0;  // connections alive (see open_conn_mark)
  std::vector<std::weak_ptr<closable>> conns;
  std::map<std::string, std::shared_ptr<exec_task>> execs;  // by task id
  std::map<std::string, std::string> exec_changes;         // change id -> task id
  int next_task_id = 1;

  void track(const std::shared_ptr<closable>& c) {
    std::erase_if(conns, [](const auto& w) { return w.expired(); });
    conns.push_back(c);
  }
};

// Counts a connection as open for its endpoint while it lives, so that detach() can tell from
// the run's thread whether the io thread holds anything of the run's still to close.
class open_conn_mark {
 public:
  explicit open_conn_mark(endpoint& ep) : ep_(ep) { ep_.open_conns.fetch_add(1, std::memory_order_relaxed); }
  ~open_conn_mark() { ep_.open_conns.fetch_sub(1, std::memory_order_release); }
  open_conn_mark(const open_conn_mark&) = delete;
  open_conn_mark& operator=(const open_conn_mark&) = delete;

 private:
  endpoint& ep_;
};

// A listening socket for one container name. It lives as long as the server, so consecutive
// runs reuse it (binding a socket and tearing it down cost more than a request); between runs
// it serves nobody and closes what connects.
struct listener {
  listener(net::io_context& ioc, std::string container, std::filesystem::path p)
      : acceptor(ioc), container(std::move(container)), path(std::move(p)) {}
  unix_acceptor acceptor;
  std::string container;
  std::filesystem::path path;
  std::shared_ptr<endpoint> current;  // guarded by server::impl::mu
};

void send_frame(const std::shared_ptr<ws_conn>& ws, bool binary, std::string data);
void on_exec_websocket_ready(const std::shared_ptr<endpoint>& ep,
                             const std::shared_ptr<exec_task>& t);
void on_stdin(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<exec_task>& t,
              std::string_view data);
void on_stdin_end(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<exec_task>& t);

// ---- websockets of an exec task ----

class ws_conn : public closable, public std::enable_shared_from_this<ws_conn> {
 public:
  ws_conn(unix_socket sock, std::shared_ptr<endpoint> ep, std::weak_ptr<exec_task> task,
          std::string id)
      : ws_(std::move(sock)),
        ep_(std::move(ep)),
        open_(*ep_),
        task_(std::move(task)),
        id_(std::move(id)) {
    ws_.read_message_max(0);  // no limit: stdin may be large
    ws_.auto_fragment(false);
  }

  void accept(http::request<http::string_body> req) {
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec || self->ep_->detached) return self->close();
      auto t = self->task_.lock();
      if (!t) return self->close();
      self->read_next();
      if (self->id_ != "control") on_exec_websocket_ready(self->ep_, t);
    });
  }

  void send(bool binary, std::string data) {
    out_.emplace_back(binary, std::move(data));
    if (!writing_) write_next();
  }

  void close() override {
    closed_ = true;
    beast::error_code ec;
    ws_.next_layer().close(ec);
  }

  // Bytes the client sent that the server has not read yet.
  std::size_t unread_bytes() {
    if (closed_) return 0;
    beast::error_code ec;
    std::size_t n = ws_.next_layer().available(ec);
    return ec ? 0 : n;
  }

 private:
  void write_next() {
    if (out_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.binary(out_.front().first);
    ws_.async_write(net::buffer(out_.front().second),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) {
                        self->writing_ = false;
                        self->out_.clear();
                        return;
                      }
                      self->out_.pop_front();
                      self->write_next();
                    });
  }

  void read_next() {
    buf_.clear();
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ep_->detached) return;
    auto t = task_.lock();
    if (ec) {
      // The client shut the websocket down: for stdio that ends stdin, like closing a pipe.
      if (t && id_ == "stdio") on_stdin_end(ep_, t);
      return close();
    }
    if (t && id_ == "stdio") {
      std::string data = beast::buffers_to_string(buf_.data());
      if (ws_.got_binary()) {
        on_stdin(ep_, t, data);
      } else {
        // Text frames are I/O commands; "end" is EOF (Pebble's wsutil). Others are ignored.
        json cmd = json::parse(data, nullptr, false);
        if (cmd.is_object() && cmd.value("command", "") == "end") on_stdin_end(ep_, t);
      }
    }
    // "control" carries signal/resize commands: a mock process has nothing to signal.
    read_next();
  }

  websocket::stream<unix_socket> ws_;
  std::shared_ptr<endpoint> ep_;
  open_conn_mark open_;  // after ep_: unmarked before ep_ goes
  std::weak_ptr<exec_task> task_;
  std::string id_;
  beast::flat_buffer buf_;
  std::deque<std::pair<bool, std::string>> out_;
  bool writing_ = false;
  bool closed_ = false;
};

void send_frame(const std::shared_ptr<ws_conn>& ws, bool binary, std::string data) {
  if (ws) ws->send(binary, std::move(data));
}

// ---- HTTP connections ----

class http_conn : public closable, public std::enable_shared_from_this<http_conn> {
 public:
  http_conn(unix_socket sock, std::shared_ptr<endpoint> ep)
      : sock_(std::move(sock)), ep_(std::move(ep)), open_(*ep_) {}

  void start() { read_next(); }

  void close() override {
    beast::error_code ec;
    sock_.close(ec);
  }

  void write(const response& r, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::content_type, r.content_type);
    res->body() = r.body;
    res->keep_alive(keep_alive);
    res->prepare_payload();
    http::async_write(sock_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec,
                                                                   std::size_t) {
                        if (ec) return self->close();
                        if (!keep_alive) {
                          beast::error_code ignored;
                          self->sock_.shutdown(unix_socket::shutdown_send, ignored);
                          return self->close();
                        }
                        self->read_next();
                      });
  }

 private:
  // The header first: the body's cap depends on the endpoint. Beast checks a Content-Length
  // against the cap only while it parses the header, so that case is checked here; a chunked
  // body is checked chunk by chunk against the cap set before the body is read.
  void read_next() {
    parser_.emplace();
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());  // none would compare below any length
    http::async_read_header(sock_, buf_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec || self->ep_->detached) return self->close();
                              const auto cap = self->body_cap();
                              if (auto length = self->parser_->content_length(); length && *length > cap)
                                return self->refuse_too_large();
                              self->parser_->body_limit(cap);
                              http::async_read(self->sock_, self->buf_, *self->parser_,
                                               [self](beast::error_code ec2, std::size_t) {
                                                 self->on_read(ec2);
                                               });
                            });
  }

  std::string_view target_path() const {
    const auto& h = parser_->get();
    std::string_view target(h.target().data(), h.target().size());
    return target.substr(0, target.find('?'));
  }
  std::string_view method() const {
    const auto& h = parser_->get();
    return {h.method_string().data(), h.method_string().size()};
  }
  std::uint64_t body_cap() const { return max_request_body(method(), target_path()); }

  // The rest of the body is never read, so the connection cannot carry another request.
  void refuse_too_large() {
    write(request_entity_too_large(fmt::format("request body too large: {} {} accepts at most {} bytes",
                                          method(), target_path(), body_cap())),
          false);
  }

  void on_read(beast::error_code ec);
  void upgrade(http::request<http::string_body> req, const std::string& path);

  unix_socket sock_;
  std::shared_ptr<endpoint> ep_;
  open_conn_mark open_;  // after ep_: unmarked before ep_ goes
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

// ---- exec ----

void complete_exec(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<exec_task>& t,
                   std::optional<int> exit_code, const std::string& error);

response detached_response() {
  return internal_server_error("the run this container belonged to is over");
}

response answer(endpoint& ep, const request& req) {
  auto lock = ep.lock_run();
  if (!lock) return detached_response();
  try {
    return handle(ep.session, req);
  } catch (const std::exception& e) {
    return internal_server_error(e.what());
  }
}

response start_exec(const std::shared_ptr<endpoint>& ep, const request& req) {
  exec_request er;
  try {
    er = parse_exec_request(req.body);
  } catch (const bad_exec_request& e) {
    return bad_request(e.what());
  }
  auto t = std::make_shared<exec_task>(ep->ioc);
  t->split_stderr = er.split_stderr;
  t->summary = exec_summary(er.command);
  ep->ran_exec = true;
  {
    auto lock = ep->lock_run();
    if (!lock) return detached_response();
    state::container& c = ep->session.container();
    if (er.service_context) {
      try {
        merge_service_context(er, ep->session.plan());
      } catch (const std::exception& e) {
        return bad_request(e.what());
      }
    }
    t->outcome = resolve_exec(c, er.command);
    // Pebble refuses a command it cannot run before any change exists: nothing ran.
    if (!t->outcome.matched) return bad_request(t->outcome.refusal);
    c.exec_history.push_back(make_exec_record(er, t->outcome.exit_code));
    t->history_index = c.exec_history.size() - 1;
    change_record change;
    change.kind = "exec";
    change.summary = t->summary;
    change.status = "Doing";
    change.ready = false;
    t->task_id = std::to_string(ep->next_task_id++);
    change.tasks = json::array({exec_task_json(t->task_id, er.command)});
    t->change_id = ep->session.add_change(std::move(change));
  }
  ep->execs[t->task_id] = t;
  ep->exec_changes[t->change_id] = t->task_id;

  t->connect_deadline.expires_after(websocket_connect_timeout);
  t->connect_deadline.async_wait([ep, w = std::weak_ptr(t)](beast::error_code ec) {
    auto t = w.lock();
    if (ec || !t || ep->detached || t->started || t->done) return;
    complete_exec(ep, t, std::nullopt,
                  fmt::format("exec {}: timeout waiting for websocket connections: context "
                              "deadline exceeded",
                              t->task_id));
  });

  json env = er.environment;
  json result = {{"task-id", t->task_id},
                 {"environment", env},
                 {"working-dir", er.working_dir ? json(*er.working_dir) : json("")}};
  return async_response(t->change_id, result);
}

void answer_waiters(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<exec_task>& t) {
  auto waiters = std::move(t->waiters);
  t->waiters.clear();
  for (auto& w : waiters) {
    if (w->answered) continue;
    w->answered = true;
    if (w->timer) w->timer->cancel();
    w->conn->write(answer(*ep, w->req), w->keep_alive);
  }
}

void complete_exec(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<exec_task>& t,
                   std::optional<int> exit_code, const std::string& error) {
  if (t->done || ep->detached) return;
  t->done = true;
  t->grace.cancel();
  t->connect_deadline.cancel();
  if (auto lock = ep->lock_run()) {
    if (change_record* ch = ep->session.find_change(t->change_id)) {
      ch->ready = true;
      ch->status = error.empty() ? "Done" : "Error";
      if (!error.empty()) {
        ch->err = fmt::format("cannot perform the following tasks:\n- {} ({})", t->summary, error);
      }
      if (ch->tasks.is_array() && !ch->tasks.empty()) {
        finish_exec_task(ch->tasks[0], exit_code, error);
      }
    }
  }
  answer_waiters(ep, t);
}

// The mock process exits once stdin is over, or stdin_grace after the last sign of stdin
// activity while the charm is already waiting for the exit code.
void arm_grace(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<exec_task>& t) {
  if (!t->started || t->done || t->waiters.empty()) return;
  t->grace.expires_after(stdin_grace);
  t->grace.async_wait([ep, w = std::weak_ptr(t)](beast::error_code ec) {
    auto t = w.lock();
    if (ec || !t || ep->detached) return;
    complete_exec(ep, t, t->outcome.exit_code, "");
  });
}

void on_exec_websocket_ready(const std::shared_ptr<endpoint>& ep,
                             const std::shared_ptr<exec_task>& t) {
  ++t->io_connected;
  if (t->started || t->done || t->io_connected < (t->split_stderr ? 2 : 1)) return;
  t->started = true;
  t->connect_deadline.cancel();
  const std::string end = R"({"command":"end"})";
  if (t->split_stderr) {
    if (!t->outcome.stdout_text.empty()) send_frame(t->stdio, true, t->outcome.stdout_text);
    send_frame(t->stdio, false, end);
    if (!t->outcome.stderr_text.empty()) send_frame(t->stderr_ws, true, t->outcome.stderr_text);
    send_frame(t->stderr_ws, false, end);
  } else {
    // One pipe for both streams, as Pebble does without split-stderr.
    std::string both = t->outcome.stdout_text + t->outcome.stderr_text;
    if (!both.empty()) send_frame(t->stdio, true, std::move(both));
    send_frame(t->stdio, false, end);
  }
  if (t->stdin_ended) return complete_exec(ep, t, t->outcome.exit_code, "");
  arm_grace(ep, t);
}

void on_stdin(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<exec_task>& t,
              std::string_view data) {
  ++ep->stdin_events;
  if (t->stdin_ended) return;
  if (auto lock = ep->lock_run()) {
    auto& history = ep->session.container().exec_history;
    if (t->history_index < history.size()) history[t->history_index].stdin_text.append(data);
  }
  arm_grace(ep, t);  // more stdin may follow: restart the grace period
}

void on_stdin_end(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<exec_task>& t) {
  ++ep->stdin_events;
  if (t->stdin_ended) return;
  t->stdin_ended = true;
  if (t->started) complete_exec(ep, t, t->outcome.exit_code, "");
}

// GET /v1/changes/{id}/wait on a running exec: hold the request until the exec finishes.
bool defer_wait(const std::shared_ptr<endpoint>& ep, const std::shared_ptr<http_conn>& conn,
                const request& req, bool keep_alive) {
  auto parts = path_parts(req.path);
  if (parts.size() != 4 || parts[0] != "v1" || parts[1] != "changes" || parts[3] != "wait")
    return false;
  auto it = ep->exec_changes.find(std::string(parts[2]));
  if (it == ep->exec_changes.end()) return false;
  auto t = ep->execs.at(it->second);
  if (t->done) return false;

  auto w = std::make_shared<waiter>();
  w->conn = conn;
  w->req = req;
  w->keep_alive = keep_alive;
  if (auto q = req.query.find("timeout"); q != req.query.end()) {
    auto seconds = parse_go_duration(q->second);
    if (!seconds || *seconds < 0) {
      conn->write(bad_request(fmt::format("invalid timeout: time: invalid duration \"{}\"",
                                                  q->second)),
                  keep_alive);
      return true;
    }
    w->timer = std::make_unique<net::steady_timer>(ep->ioc);
    w->timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(*seconds)));
    w->timer->async_wait([ep, ww = std::weak_ptr(w), seconds = *seconds](beast::error_code ec) {
      auto w = ww.lock();
      if (ec || !w || w->answered || ep->detached) return;
      w->answered = true;
      w->conn->write(gateway_timeout(fmt::format("timed out waiting for change after {}",
                                                     format_go_duration(seconds))),
                     w->keep_alive);
    });
  }
  t->waiters.push_back(std::move(w));
  arm_grace(ep, t);
  return true;
}

void http_conn::on_read(beast::error_code ec) {
  if (ec == http::error::body_limit && !ep_->detached) return refuse_too_large();
  if (ec || ep_->detached) return close();
  http::request<http::string_body> raw = parser_->release();
  request req;
  req.method = std::string(raw.method_string());
  split_target(std::string_view(raw.target().data(), raw.target().size()), req.path, req.query);
  req.content_type = std::string(raw[http::field::content_type]);
  bool keep_alive = raw.keep_alive();

  if (websocket::is_upgrade(raw)) return upgrade(std::move(raw), req.path);
  req.body = std::move(raw.body());

  if (req.method == "POST" && req.path == "/v1/exec") {
    return write(start_exec(ep_, req), keep_alive);
  }
  if (req.method == "GET" && defer_wait(ep_, shared_from_this(), req, keep_alive)) return;
  write(answer(*ep_, req), keep_alive);
}

// GET /v1/tasks/{task-id}/websocket/{control|stdio|stderr} with an Upgrade header.
void http_conn::upgrade(http::request<http::string_body> req, const std::string& path) {
  auto parts = path_parts(path);
  if (parts.size() != 5 || parts[0] != "v1" || parts[1] != "tasks" || parts[3] != "websocket") {
    return write(not_found("invalid API endpoint requested"), false);
  }
  std::string task_id(parts[2]);
  std::string ws_id(parts[4]);
  auto it = ep_->execs.find(task_id);
  if (it == ep_->execs.end()) {
    return write(not_found(fmt::format("cannot find task {}", json(task_id).dump())),
                 false);
  }
  auto t = it->second;
  std::shared_ptr<ws_conn>* slot = nullptr;
  if (ws_id == "control") slot = &t->control;
  if (ws_id == "stdio") slot = &t->stdio;
  if (ws_id == "stderr" && t->split_stderr) slot = &t->stderr_ws;
  if (!slot || t->done) {
    // Pebble forgets an execution's websockets once the process has finished.
    return write(not_found(fmt::format("cannot find {} websocket for task {}", ws_id,
                                                 json(task_id).dump())),
                 false);
  }
  if (*slot) {
    return write(
        internal_server_error(fmt::format("websocket {} already connected", json(ws_id).dump())),
        false);
  }
  auto ws = std::make_shared<ws_conn>(std::move(sock_), ep_, t, ws_id);
  *slot = ws;
  ep_->track(ws);
  ws->accept(std::move(req));
}

}  // namespace

// ---- server ----

std::uint64_t max_request_body(std::string_view method, std::string_view path) {
  return method == "POST" && path == "/v1/files" ? max_push_body : max_json_body;
}

struct server::impl {
  explicit impl(std::filesystem::path dir) : socket_dir(std::move(dir)) {}

  std::filesystem::path socket_dir;
  // Before ioc: handlers destroyed with ioc own sessions that point at it.
  layer_cache layers;  // io thread only (requests are handled there)
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> guard{ioc.get_executor()};
  std::thread thread;
  cpu_sharing cpus;  // `thread`'s CPU placement while cpu_shares live

  std::mutex mu;  // guards the members below
  std::vector<std::shared_ptr<listener>> listeners;
  std::uint64_t sockets_named = 0;

  // Runs f on the io thread and waits for it; exceptions propagate to the caller.
  template <class F>
  auto run_on_io(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    net::post(ioc, [&task] { task(); });
    return result.get();
  }

  std::shared_ptr<endpoint> current_of(const listener& l) {
    std::lock_guard lock(mu);
    return l.current;
  }

  void accept_next(const std::shared_ptr<listener>& l) {
    l->acceptor.async_accept([this, l](beast::error_code ec, unix_socket sock) {
      if (ec == net::error::operation_aborted || !l->acceptor.is_open()) return;  // closing
      if (ec) {
        // E.g. out of descriptors: the listener outlives this run, so try again shortly
        // rather than leave the container unserved for every later run.
        auto retry = std::make_shared<net::steady_timer>(ioc, accept_retry_delay);
        retry->async_wait([this, l, retry](beast::error_code) { accept_next(l); });
        return;
      }
      if (auto ep = current_of(*l)) {
        auto conn = std::make_shared<http_conn>(std::move(sock), ep);
        ep->track(conn);
        conn->start();
      }  // else no run is attached: the connection is closed as `sock` goes
      accept_next(l);
    });
  }

  // Ends `ep`'s serving (io thread): connections closed, pending exec work dropped.
  static void close_endpoint(endpoint& ep) {
    ep.detached = true;
    for (auto& w : ep.conns) {
      if (auto c = w.lock()) c->close();
    }
    ep.conns.clear();
    for (auto& [id, t] : ep.execs) {
      t->grace.cancel();
      t->connect_deadline.cancel();
      for (auto& w : t->waiters) {
        if (w->timer) w->timer->cancel();
      }
      t->waiters.clear();
      t->control.reset();
      t->stdio.reset();
      t->stderr_ws.reset();
    }
    ep.execs.clear();
    ep.exec_changes.clear();
  }

  // The endpoints `owns` selects (any thread).
  template <class Owns>
  std::vector<std::shared_ptr<endpoint>> owned_endpoints(const Owns& owns) {
    std::vector<std::shared_ptr<endpoint>> owned;
    std::lock_guard lock(mu);
    for (auto& l : listeners) {
      if (l->current && owns(*l->current)) owned.push_back(l->current);
    }
    return owned;
  }

  // Takes the endpoints `owns` selects off their listeners (any thread): from now on nothing
  // new reaches them. Returns them for release and closing.
  template <class Owns>
  std::vector<std::shared_ptr<endpoint>> take_endpoints(const Owns& owns) {
    std::vector<std::shared_ptr<endpoint>> taken;
    std::lock_guard lock(mu);
    for (auto& l : listeners) {
      if (l->current && owns(*l->current)) taken.push_back(std::exchange(l->current, nullptr));
    }
    return taken;
  }

  // How far the io thread has got with the exec stdin of the endpoints `owns` selects (io
  // thread): the number of stdin events handled, or nullopt while bytes the charm sent still
  // wait in a socket.
  template <class Owns>
  std::optional<std::uint64_t> stdin_progress(const Owns& owns) {
    std::uint64_t events = 0;
    for (auto& ep : owned_endpoints(owns)) {
      for (auto& [id, t] : ep->execs) {
        if (t->stdio && !t->stdin_ended && t->stdio->unread_bytes() > 0) return std::nullopt;
      }
      events += ep->stdin_events;
    }
    return events;
  }

  template <class Owns>
  void detach(const Owns& owns) {
    auto owned = owned_endpoints(owns);
    if (std::any_of(owned.begin(), owned.end(), [](const auto& ep) { return ep->ran_exec.load(); })) {
      // Stdin the charm already wrote belongs in exec_history. It may still be in a socket,
      // or already read but its handler queued on the io thread: wait until the io thread
      // goes a whole round with nothing unread and no new stdin handled.
      const auto deadline = std::chrono::steady_clock::now() + detach_drain_limit;
      std::optional<std::uint64_t> last;
      while (std::chrono::steady_clock::now() < deadline) {
        auto progress = run_on_io([&] { return stdin_progress(owns); });
        if (progress && last && *progress == *last) break;
        if (!progress) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        last = progress;
      }
    }
    // Let go of the run at once (the io thread never touches its container again), then close
    // its connections on the io thread without waiting for that. Usually there is nothing to
    // close (ops closes each connection once answered) and no exec ran: then the io thread is
    // left asleep, as waking it costs this thread tens of microseconds on an idle VM.
    for (auto& ep : take_endpoints(owns)) {
      ep->release();
      if (ep->open_conns.load(std::memory_order_acquire) == 0 && !ep->ran_exec) continue;
      net::post(ioc, [ep] { close_endpoint(*ep); });
    }
  }
};

server::server(std::filesystem::path socket_dir)
    : impl_(std::make_unique<impl>(std::move(socket_dir))) {
  impl_->thread = std::thread([this] {
    impl_->cpus.serve_current_thread();
    impl_->ioc.run();
  });
}

server::~server() {
  try {
    detach_all();
    impl_->run_on_io([this] {
      std::vector<std::shared_ptr<listener>> listeners;
      {
        std::lock_guard lock(impl_->mu);
        listeners.swap(impl_->listeners);
      }
      for (auto& l : listeners) {
        beast::error_code ec;
        l->acceptor.close(ec);
        std::error_code fec;
        std::filesystem::remove(l->path, fec);
      }
    });
  } catch (...) {  // never throw from a destructor; these only fail if the thread died
  }
  impl_->guard.reset();
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::filesystem::path server::attach(state::container& c, std::mutex& mu, session_options options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(impl_->socket_dir, ec)) {
    throw error("pebble-socket-dir",
                fmt::format("Pebble socket directory {} does not exist; create it before "
                            "attaching containers",
                            impl_->socket_dir.string()));
  }
  // attach() reads `c` without locking `mu`: callers attach from the thread that owns the
  // container, often while holding `mu` themselves (runtime::run does); the io thread reaches
  // `c` only through the endpoint, which it sees after this call publishes it under impl::mu.
  // Keep the name readable in the path but short enough for sun_path.
  std::string safe;
  for (char ch : c.name) safe.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
  if (safe.size() > 32) safe.resize(32);
  auto next_path = [&](std::string_view kind) {
    std::lock_guard lock(impl_->mu);
    auto path = impl_->socket_dir / fmt::format("{}-{}{}.socket", ++impl_->sockets_named, safe, kind);
    if (path.string().size() > max_socket_path) {
      throw error("pebble-socket-dir",
                  fmt::format("Pebble socket path {} is longer than the {} bytes a unix socket "
                              "address holds; use a shorter socket directory",
                              path.string(), max_socket_path));
    }
    return path;
  };
  // A container that cannot connect has no Pebble listening: ops finds no socket there and
  // raises pebble.ConnectionError, as it does when the workload container is down.
  if (!c.can_connect) return next_path("-down");

  auto ep = std::make_shared<endpoint>(impl_->ioc, c, mu, impl_->layers, options);
  {
    std::lock_guard lock(impl_->mu);
    for (auto& l : impl_->listeners) {
      if (l->container == c.name && !l->current) {
        l->current = std::move(ep);
        return l->path;
      }
    }
  }
  // First run with this container (or another run is using its listener): a new socket.
  auto path = next_path("");
  return impl_->run_on_io([&]() -> std::filesystem::path {
    std::filesystem::remove(path, ec);
    auto l = std::make_shared<listener>(impl_->ioc, c.name, path);
    beast::error_code bec;
    l->acceptor.open(net::local::stream_protocol(), bec);
    if (!bec) l->acceptor.bind(net::local::stream_protocol::endpoint(path.string()), bec);
    if (!bec) l->acceptor.listen(net::socket_base::max_listen_connections, bec);
    if (bec) {
      throw error("pebble-socket", fmt::format("cannot serve Pebble for container {:?} at {}: {}",
                                               c.name, path.string(), bec.message()));
    }
    {
      std::lock_guard lock(impl_->mu);
      l->current = std::move(ep);
      impl_->listeners.push_back(l);
    }
    impl_->accept_next(l);
    return path;
  });
}

void server::detach(const std::mutex& mu) {
  impl_->detach([&mu](const endpoint& ep) { return &ep.mu == &mu; });
}

void server::detach_all() {
  impl_->detach([](const endpoint&) { return true; });
}

struct server::cpu_share::saved {
  cpu_sharing::caller_cpus caller;
};

server::cpu_share::cpu_share() noexcept = default;

server::cpu_share::cpu_share(server* owner, std::unique_ptr<saved> s)
    : owner_(owner), saved_(std::move(s)) {}

server::cpu_share::cpu_share(cpu_share&& other) noexcept
    : owner_(other.owner_), saved_(std::move(other.saved_)) {}

server::cpu_share& server::cpu_share::operator=(cpu_share&& other) noexcept {
  if (this != &other) {
    end();
    owner_ = other.owner_;
    saved_ = std::move(other.saved_);
  }
  return *this;
}

server::cpu_share::~cpu_share() { end(); }

void server::cpu_share::end() {
  if (!saved_) return;
  owner_->impl_->cpus.end(saved_->caller);
  saved_.reset();
}

server::cpu_share server::share_cpu_with_caller() {
  auto caller = impl_->cpus.begin();
  if (!caller) return {};
  return cpu_share(this, std::make_unique<cpu_share::saved>(cpu_share::saved{*caller}));
}

}  // namespace scenario::pebble
