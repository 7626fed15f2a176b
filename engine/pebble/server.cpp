// The transport of the Pebble double: one io_context thread serves every attached container's
// unix socket. It reads HTTP requests (targets decoded by http_target.cpp), hands them to
// dispatch() (api.cpp's route table) under the container's run lock, and carries out what the
// route asks: write the response, upgrade to a websocket and attach it to an exec stream
// (exec_session.cpp runs the exec), or keep the connection for a later reply. It also keeps the
// connections and timers of each run and shuts them down on detach; cpu_sharing.cpp places the
// thread.
#include "engine/pebble/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "engine/pebble/api.hpp"
#include "engine/pebble/api_detail.hpp"
#include "engine/pebble/asio_names.hpp"
#include "engine/pebble/cpu_sharing.hpp"
#include "engine/pebble/exec_session.hpp"
#include "engine/pebble/http_target.hpp"
#include "engine/state/errors.hpp"

namespace scenario::pebble {

namespace {

using namespace asio_names;

// detach_all waits at most this long for stdin already sent by the charm to be read.
constexpr auto detach_drain_limit = std::chrono::milliseconds(200);
// How long a listener waits after a failed accept (e.g. no descriptors left) before the next.
constexpr auto accept_retry_delay = std::chrono::milliseconds(10);
// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t max_socket_path = 107;

// ---- timers ----

// exec_clock on the io_context. A timer's call runs only while the timer lives: destroying it
// also stops a call already queued by an expiry.
class asio_clock : public exec_clock {
 public:
  explicit asio_clock(net::io_context& ioc) : ioc_(ioc) {}

  std::unique_ptr<timer> after(std::chrono::steady_clock::duration delay,
                               std::function<void()> fire) override {
    auto t = std::make_unique<asio_timer>(ioc_);
    t->wait.expires_after(delay);
    t->wait.async_wait([live = t->live, fire = std::move(fire)](beast::error_code ec) {
      if (!ec && *live) fire();
    });
    return t;
  }

 private:
  struct asio_timer : timer {
    explicit asio_timer(net::io_context& ioc) : wait(ioc) {}
    ~asio_timer() override { *live = false; }
    net::steady_timer wait;
    std::shared_ptr<bool> live = std::make_shared<bool>(true);
  };
  net::io_context& ioc_;
};

// ---- connection bookkeeping ----

class closable {
 public:
  virtual ~closable() = default;
  virtual void close() = 0;
};

// One attached container for one run: its session, its execs and live connections. Served
// through a listener, which outlives it.
struct endpoint : run_access {
  endpoint(exec_clock& clock, state::container& c, std::mutex& m, layer_cache& layers,
           session_options options)
      : session(c, &layers, options), execs(*this, clock), mu(m) {}

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

  bool with_session(const std::function<void(pebble::session&)>& use) override {
    auto lock = lock_run();
    if (!lock) return false;
    use(session);
    return true;
  }

  // What the route table makes of `r`, under the run's lock.
  outcome serve(const request& r, reply_fn reply) {
    auto lock = lock_run();
    if (!lock) return detail::run_over();
    return dispatch(session, execs, r, std::move(reply));
  }

  pebble::session session;  // guarded by mu
  exec_session execs;       // io thread only (ran(): any thread)
  std::mutex& mu;  // guards session and its container; reached only through lock_run()
  std::mutex released_mu;
  bool released = false;  // guarded by released_mu
  bool detached = false;  // io thread only: connections closed, exec work dropped
  std::atomic<int> open_conns = 0;  // connections alive (see open_conn_mark)
  std::vector<std::weak_ptr<closable>> conns;

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

// ---- websockets: an exec task's streams ----

class ws_conn : public closable, public exec_stream, public std::enable_shared_from_this<ws_conn> {
 public:
  ws_conn(unix_socket sock, std::shared_ptr<endpoint> ep, websocket_upgrade stream)
      : ws_(std::move(sock)), ep_(std::move(ep)), open_(*ep_), stream_(std::move(stream)) {
    ws_.read_message_max(0);  // no limit: stdin may be large
    ws_.auto_fragment(false);
  }

  void accept(const http::request<http::string_body>& req) {
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec || self->ep_->detached) return self->close();
      self->read_next();
      self->ep_->execs.stream_opened(self->stream_.task_id, self->stream_.websocket_id);
    });
  }

  void send(bool binary, std::string data) override {
    out_.emplace_back(binary, std::move(data));
    if (!writing_) write_next();
  }

  void close() override {
    closed_ = true;
    beast::error_code ec;
    ws_.next_layer().close(ec);
  }

  std::size_t unread_bytes() override {
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
    auto& execs = ep_->execs;
    if (ec) {
      execs.stream_closed(stream_.task_id, stream_.websocket_id);
      return close();
    }
    execs.stream_message(stream_.task_id, stream_.websocket_id, ws_.got_binary(),
                         beast::buffers_to_string(buf_.data()));
    read_next();
  }

  websocket::stream<unix_socket> ws_;
  std::shared_ptr<endpoint> ep_;
  open_conn_mark open_;  // after ep_: unmarked before ep_ goes
  websocket_upgrade stream_;  // which exec stream this is
  beast::flat_buffer buf_;
  std::deque<std::pair<bool, std::string>> out_;
  bool writing_ = false;
  bool closed_ = false;
};

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
    write(detail::request_entity_too_large(fmt::format("request body too large: {} {} accepts at most {} bytes",
                                          method(), target_path(), body_cap())),
          false);
  }

  void on_read(beast::error_code ec);

  unix_socket sock_;
  std::shared_ptr<endpoint> ep_;
  open_conn_mark open_;  // after ep_: unmarked before ep_ goes
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

void http_conn::on_read(beast::error_code ec) {
  if (ec == http::error::body_limit && !ep_->detached) return refuse_too_large();
  if (ec || ep_->detached) return close();
  http::request<http::string_body> raw = parser_->release();
  request req;
  req.method = std::string(raw.method_string());
  split_target(std::string_view(raw.target().data(), raw.target().size()), req.path, req.query);
  req.content_type = std::string(raw[http::field::content_type]);
  req.websocket = websocket::is_upgrade(raw);
  req.body = std::move(raw.body());
  // A refused upgrade closes the connection: the client expected to switch protocols.
  const bool keep_alive = raw.keep_alive() && !req.websocket;

  auto reply = [self = shared_from_this(), keep_alive](response r) { self->write(r, keep_alive); };
  auto result = ep_->serve(req, std::move(reply));
  if (auto* r = std::get_if<response>(&result)) return write(*r, keep_alive);
  if (auto* upgrade = std::get_if<websocket_upgrade>(&result)) {
    auto ws = std::make_shared<ws_conn>(std::move(sock_), ep_, *upgrade);
    ep_->execs.attach(upgrade->task_id, upgrade->websocket_id, ws);
    ep_->track(ws);
    return ws->accept(raw);
  }
  // reply_later: the route keeps `reply`, and the connection reads nothing more until then.
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
  asio_clock clock{ioc};  // the exec sessions' timers
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
    ep.execs.close();
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
      auto progress = ep->execs.stdin_progress();
      if (!progress) return std::nullopt;
      events += *progress;
    }
    return events;
  }

  template <class Owns>
  void detach(const Owns& owns) {
    auto owned = owned_endpoints(owns);
    if (std::any_of(owned.begin(), owned.end(), [](const auto& ep) { return ep->execs.ran(); })) {
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
      if (ep->open_conns.load(std::memory_order_acquire) == 0 && !ep->execs.ran()) continue;
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

  auto ep = std::make_shared<endpoint>(impl_->clock, c, mu, impl_->layers, options);
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
