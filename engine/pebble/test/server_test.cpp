// Real socket round trips against pebble::server: a small Beast client speaks HTTP/1.1 and
// websockets over the unix socket the server hands out, as ops' Pebble client does.
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/pebble/asio_names.hpp"
#include "engine/pebble/exec.hpp"
#include "engine/pebble/server.hpp"
#include "engine/pebble/http_target.hpp"
#include "engine/pebble/test/api_calls.hpp"

namespace scenario::pebble {
namespace {

using namespace asio_names;
using json = nlohmann::json;

// A private socket directory per test.
class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pbl-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct reply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  bool keep_alive = false;
  json envelope() const { return json::parse(body); }
};

// One HTTP/1.1 connection (kept alive across requests).
class client {
 public:
  explicit client(const std::filesystem::path& socket) : sock_(ioc_) {
    sock_.connect(net::local::stream_protocol::endpoint(socket.string()));
  }

  reply send(http::verb method, const std::string& target, const std::string& body = "",
             const std::string& content_type = "application/json") {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "localhost");
    req.set(http::field::accept, "application/json");
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.prepare_payload();
    http::write(sock_, req);
    http::response<http::string_body> res;
    http::read(sock_, buf_, res);
    return reply{res.result_int(), std::string(res[http::field::content_type]), res.body(),
                 res.keep_alive()};
  }
  reply get(const std::string& target) { return send(http::verb::get, target); }
  reply post(const std::string& target, const json& body) {
    return send(http::verb::post, target, body.dump());
  }

 private:
  net::io_context ioc_;
  unix_socket sock_;
  beast::flat_buffer buf_;
};

// One exec websocket, connected the way websocket-client does it for ops.
class ws_client {
 public:
  ws_client(const std::filesystem::path& socket, const std::string& task_id,
            const std::string& id)
      : ws_(ioc_) {
    ws_.next_layer().connect(net::local::stream_protocol::endpoint(socket.string()));
    ws_.handshake("localhost", "/v1/tasks/" + task_id + "/websocket/" + id);
  }
  void send_binary(const std::string& data) {
    ws_.binary(true);
    ws_.write(net::buffer(data));
  }
  void send_text(const std::string& data) {
    ws_.text(true);
    ws_.write(net::buffer(data));
  }
  // Reads binary frames until the {"command":"end"} text frame; returns the bytes read.
  std::string read_until_end() {
    std::string out;
    for (;;) {
      beast::flat_buffer buf;
      ws_.read(buf);
      std::string frame = beast::buffers_to_string(buf.data());
      if (ws_.got_text()) {
        auto cmd = json::parse(frame);
        if (cmd.value("command", "") == "end") return out;
        continue;
      }
      out += frame;
    }
  }
  void shutdown() {
    beast::error_code ec;
    ws_.next_layer().shutdown(unix_socket::shutdown_both, ec);
    ws_.next_layer().close(ec);
  }

 private:
  net::io_context ioc_;
  websocket::stream<unix_socket> ws_;
};

std::size_t open_fd_count() {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

// The descriptor count once the server thread has closed what a detach handed it (detach
// closes a run's connections on that thread without waiting).
std::size_t settled_fd_count() {
  std::size_t last = open_fd_count();
  for (int i = 0; i < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::size_t now = open_fd_count();
    if (now == last) return now;
    last = now;
  }
  return last;
}

// The CPUs thread `tid` may run on (0: the calling thread).
cpu_set_t cpus_of(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(tid, sizeof set, &set), 0);
  return set;
}

std::vector<pid_t> thread_ids() {
  std::vector<pid_t> ids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    ids.push_back(static_cast<pid_t>(std::stoi(entry.path().filename().string())));
  }
  return ids;
}

state::container workload(bool can_connect = true) {
  state::container c;
  c.name = "workload";
  c.can_connect = can_connect;
  return c;
}

using api_test::mock;

json exec_body(std::vector<std::string> cmd, bool split_stderr = true) {
  return json{{"command", cmd},   {"service-context", nullptr}, {"environment", json::object()},
              {"working-dir", nullptr}, {"timeout", nullptr},   {"user-id", nullptr},
              {"user", nullptr},  {"group-id", nullptr},        {"group", nullptr},
              {"split-stderr", split_stderr}};
}

// ---- request decoding ----

TEST(ServerHttp, SplitTargetDecodesPathAndQuery) {
  std::string path;
  std::map<std::string, std::string> query;
  split_target("/v1/files?action=read&path=%2Fetc%2Fmy+file%3F", path, query);
  EXPECT_EQ(path, "/v1/files");
  EXPECT_EQ(query.at("action"), "read");
  EXPECT_EQ(query.at("path"), "/etc/my file?");

  query.clear();
  split_target("/v1/checks?names=a&names=b&level=", path, query);
  EXPECT_EQ(query.at("names"), "a,b");
  EXPECT_EQ(query.at("level"), "");

  query.clear();
  split_target("/v1/changes/12/wait", path, query);
  EXPECT_EQ(path, "/v1/changes/12/wait");
  EXPECT_TRUE(query.empty());
  EXPECT_EQ(url_decode("100%", false), "100%");  // a stray '%' stays as it is
  auto parts = path_parts("/v1/tasks/3/websocket/stdio");
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_EQ(parts[2], "3");
  EXPECT_EQ(parts[4], "stdio");
}

// ---- exec pieces without sockets ----

TEST(ExecMock, ExactMatchWinsThenLongestPrefix) {
  std::vector<state::exec_output> mocks = {mock({"git"}, 1, "git"),
                                           mock({"git", "status"}, 2, "status"),
                                           mock({"git", "status", "-s"}, 3, "short"),
                                           mock({"ls", "-l"}, 4, "ls")};
  EXPECT_EQ(match_exec_mock(mocks, {"git", "status", "-s"})->return_code, 3);
  EXPECT_EQ(match_exec_mock(mocks, {"git", "status", "--porcelain"})->return_code, 2);
  EXPECT_EQ(match_exec_mock(mocks, {"git", "log"})->return_code, 1);
  EXPECT_EQ(match_exec_mock(mocks, {"ls"}), nullptr);  // a mock longer than the argv never matches
  EXPECT_EQ(match_exec_mock(mocks, {"gitx"}), nullptr);
  mocks.push_back(mock({}, 9, "anything"));
  EXPECT_EQ(match_exec_mock(mocks, {"whoami"})->return_code, 9);
}

// Follows Pebble's internals/daemon/api_exec.go (v1PostExec: a command exec.LookPath cannot find
// is a 400 `cannot find executable "x"`), canonical/pebble v1.32.1: a program no mock knows is
// missing from the container; an unmocked argv of a known program gets Scenario's explanation.
TEST(ExecMock, UnmatchedCommandIsRefusedWithPebblesWordingAndTheMocks) {
  state::container c = workload();
  c.exec_mock = {mock({"ls"}, 0, ""), mock({"cat", "/etc/hosts"}, 0, "")};
  exec_outcome o = resolve_exec(c, {"rm", "-rf", "/"});
  EXPECT_FALSE(o.matched);
  EXPECT_EQ(o.refusal.rfind("cannot find executable \"rm\" (scenario: no exec mock", 0), 0u) << o.refusal;
  EXPECT_NE(o.refusal.find(R"(["rm","-rf","/"])"), std::string::npos) << o.refusal;
  EXPECT_NE(o.refusal.find(R"(["cat","/etc/hosts"])"), std::string::npos) << o.refusal;
  EXPECT_NE(o.refusal.find("workload"), std::string::npos) << o.refusal;
  o = resolve_exec(c, {"cat", "/etc/passwd"});
  EXPECT_FALSE(o.matched);
  EXPECT_EQ(o.refusal.rfind("scenario: no exec mock in container \"workload\" matches the command "
                            "[\"cat\",\"/etc/passwd\"]", 0), 0u) << o.refusal;
}

TEST(ExecRequest, ParsesOpsBodyAndRejectsLikePebble) {
  json body = exec_body({"echo", "hi"});
  body["environment"] = {{"A", "1"}};
  body["working-dir"] = "/srv";
  body["timeout"] = "10.500s";
  body["user"] = "postgres";
  body["group-id"] = 70;
  exec_request r = parse_exec_request(body.dump());
  EXPECT_EQ(r.command, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(r.environment.at("A"), "1");
  EXPECT_EQ(r.working_dir, "/srv");
  ASSERT_TRUE(r.timeout);
  EXPECT_DOUBLE_EQ(*r.timeout, 10.5);
  EXPECT_EQ(r.user, "postgres");
  EXPECT_EQ(r.group_id, 70);
  EXPECT_TRUE(r.split_stderr);

  EXPECT_THROW(parse_exec_request(exec_body({}).dump()), bad_exec_request);
  json bad_timeout = exec_body({"x"});
  bad_timeout["timeout"] = "soon";
  try {
    parse_exec_request(bad_timeout.dump());
    FAIL() << "expected bad_exec_request";
  } catch (const bad_exec_request& e) {
    EXPECT_STREQ(e.what(), "invalid timeout: time: invalid duration \"soon\"");
  }
  EXPECT_THROW(parse_exec_request("{"), bad_exec_request);
}

// Follows Go's time.ParseDuration / Duration.String (the shared engine/state/go_duration), which
// Pebble's api_changes.go uses for ?timeout= and its "timed out waiting for change after" text.
TEST(ExecRequest, GoDurations) {
  EXPECT_DOUBLE_EQ(*parse_go_duration("4.000s"), 4.0);
  EXPECT_DOUBLE_EQ(*parse_go_duration("1m30s"), 90.0);
  EXPECT_DOUBLE_EQ(*parse_go_duration("250ms"), 0.25);
  EXPECT_DOUBLE_EQ(*parse_go_duration("0"), 0.0);
  EXPECT_FALSE(parse_go_duration("5"));
  EXPECT_FALSE(parse_go_duration("s"));
  EXPECT_EQ(format_go_duration(4.0), "4s");
  EXPECT_EQ(format_go_duration(0.5), "500ms");
  EXPECT_EQ(format_go_duration(90.0), "1m30s");
  EXPECT_FALSE(parse_go_duration("1..5s"));
  EXPECT_DOUBLE_EQ(*parse_go_duration("5\xC2\xB5s"), 5e-6);
}

// ---- transport ----

class ServerTest : public ::testing::Test {
 protected:
  temp_dir dir_;
  std::mutex mu_;
};

TEST_F(ServerTest, ServesJsonEnvelopeOverUnixSocket) {
  state::container c = workload();
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(path.parent_path(), dir_.path());

  client cl(path);
  reply r = cl.get("/v1/system-info");
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.envelope()["type"], "sync");
  EXPECT_TRUE(r.envelope()["result"].contains("version")) << r.body;

  reply missing = cl.get("/v1/no-such-endpoint?x=1");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.envelope()["type"], "error");
  EXPECT_EQ(missing.envelope()["status-code"], 404);
}

TEST_F(ServerTest, ABodyOverItsEndpointsCapIsRefusedBeforeItIsRead) {
  state::container c = workload();
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  // Only the header is sent: a server that buffered the announced body would wait for it.
  net::io_context ioc;
  unix_socket sock(ioc);
  sock.connect(net::local::stream_protocol::endpoint(path.string()));
  http::request<http::empty_body> req{http::verb::post, "/v1/layers", 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::content_type, "application/json");
  req.content_length(max_json_body + 1);
  http::request_serializer<http::empty_body> header(req);
  http::write_header(sock, header);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(sock, buf, res);
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_FALSE(res.keep_alive());
  auto body = json::parse(res.body());
  EXPECT_EQ(body["status"], "Request Entity Too Large");
  EXPECT_EQ(body["result"]["message"],
            "request body too large: POST /v1/layers accepts at most 16777216 bytes");
}

TEST_F(ServerTest, PushBodiesMayBeFarLargerThanJsonBodies) {
  EXPECT_EQ(max_request_body("POST", "/v1/files"), max_push_body);
  EXPECT_EQ(max_request_body("POST", "/v1/layers"), max_json_body);
  EXPECT_EQ(max_request_body("GET", "/v1/files"), max_json_body);
  state::container c = workload();
  server srv(dir_.path());
  client cl(srv.attach(c, mu_));
  const std::string boundary = "0123456789abcdef0123456789abcdef";
  const std::string content(max_json_body + 1024, 'x');
  std::string body = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n"
                     R"({"action":"write","files":[{"path":"/big"}]})"
                     "\r\n--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"/big\"\r\n\r\n" +
                     content + "\r\n--" + boundary + "--\r\n";
  reply r = cl.send(http::verb::post, "/v1/files", body, "multipart/form-data; boundary=" + boundary);
  EXPECT_EQ(r.status, 200u) << r.body;
  std::lock_guard lock(mu_);
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].content.size(), content.size());
}

TEST_F(ServerTest, AttachWhileHoldingTheMutexDoesNotDeadlock) {
  // runtime::run attaches lazily from inside its own locked section.
  state::container c = workload();
  server srv(dir_.path());
  std::filesystem::path path;
  {
    std::lock_guard lock(mu_);
    path = srv.attach(c, mu_);
  }
  client cl(path);
  EXPECT_EQ(cl.get("/v1/system-info").status, 200u);
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  state::container c = workload();
  server srv(dir_.path());
  client cl(srv.attach(c, mu_));
  for (int i = 0; i < 50; ++i) {
    reply r = cl.get(i % 2 ? "/v1/system-info" : "/v1/nope");
    ASSERT_EQ(r.status, i % 2 ? 200u : 404u) << "request " << i;
    EXPECT_TRUE(r.keep_alive);
  }
}

TEST_F(ServerTest, TwoContainersGetTwoSocketsEachWithItsOwnState) {
  state::container a = workload();
  state::container b = workload();
  b.name = "sidecar";
  a.exec_mock = {mock({"whoami"}, 0, "a\n")};
  b.exec_mock = {mock({"whoami"}, 0, "b\n")};
  server srv(dir_.path());
  auto pa = srv.attach(a, mu_);
  auto pb = srv.attach(b, mu_);
  EXPECT_NE(pa, pb);
  EXPECT_NE(pb.filename().string().find("sidecar"), std::string::npos);
  client ca(pa), cb(pb);
  EXPECT_EQ(ca.post("/v1/exec", exec_body({"whoami"})).status, 202u);
  std::lock_guard lock(mu_);
  EXPECT_EQ(a.exec_history.size(), 1u);
  EXPECT_EQ(b.exec_history.size(), 0u);
}

TEST_F(ServerTest, CannotConnectMeansNoSocket) {
  state::container c = workload(/*can_connect=*/false);
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THROW(client cl(path), boost::system::system_error);
}

TEST_F(ServerTest, DetachClosesConnectionsAndServesNobodyUntilTheNextAttach) {
  state::container c = workload();
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  ASSERT_EQ(cl.get("/v1/system-info").status, 200u);
  srv.detach(mu_);
  EXPECT_THROW(cl.get("/v1/system-info"), boost::system::system_error);
  // The socket stays for the next run, but a connection made between runs is closed unanswered.
  client between(path);
  EXPECT_THROW(between.get("/v1/system-info"), boost::system::system_error);
}

TEST_F(ServerTest, TheNextRunReusesTheSocketAndSeesOnlyItsOwnContainer) {
  state::container first = workload();
  first.exec_mock = {mock({"whoami"}, 0, "first\n")};
  state::container second = workload();
  second.exec_mock = {mock({"whoami"}, 0, "second\n")};
  server srv(dir_.path());
  auto path = srv.attach(first, mu_);
  {
    client cl(path);
    ASSERT_EQ(cl.post("/v1/exec", exec_body({"whoami"})).status, 202u);
  }
  srv.detach(mu_);
  std::mutex second_mu;
  EXPECT_EQ(srv.attach(second, second_mu), path);
  client cl(path);
  ASSERT_EQ(cl.post("/v1/exec", exec_body({"whoami"})).status, 202u);
  srv.detach(second_mu);
  EXPECT_EQ(first.exec_history.size(), 1u);
  EXPECT_EQ(second.exec_history.size(), 1u);
}

TEST_F(ServerTest, RunsAttachedAtOnceGetTheirOwnSocketsAndDetachAlone) {
  state::container mine = workload();
  state::container theirs = workload();  // same container name, another run
  std::mutex their_mu;
  server srv(dir_.path());
  auto my_path = srv.attach(mine, mu_);
  auto their_path = srv.attach(theirs, their_mu);
  EXPECT_NE(my_path, their_path);
  srv.detach(mu_);
  client cl(their_path);
  EXPECT_EQ(cl.get("/v1/system-info").status, 200u);
  srv.detach(their_mu);
}

TEST_F(ServerTest, AttachDetachThousandTimesLeaksNoFdsAndReusesOneSocket) {
  server srv(dir_.path());
  state::container c = workload();
  // Warm up once so lazily opened descriptors (epoll, eventfd) are already counted.
  {
    auto p = srv.attach(c, mu_);
    client cl(p);
    cl.get("/v1/system-info");
    srv.detach(mu_);
  }
  std::size_t before = settled_fd_count();
  for (int i = 0; i < 1000; ++i) {
    auto p = srv.attach(c, mu_);
    if (i % 10 == 0) {
      client cl(p);
      ASSERT_EQ(cl.get("/v1/system-info").status, 200u) << "run " << i;
    }
    srv.detach(mu_);
  }
  EXPECT_EQ(settled_fd_count(), before);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(ServerTest, ARunsContainerAndMutexMayGoTheMomentDetachReturns) {
  // A client still sending requests while its run detaches must never reach the run's
  // container or mutex afterwards (they are freed at once here); it gets answers or a closed
  // connection. Run under ThreadSanitizer/ASan this is the use-after-free check.
  server srv(dir_.path());
  const json layer = {{"action", "add"}, {"label", "l"}, {"format", "yaml"},
                      {"combine", true}, {"layer", "summary: x\n"}};
  for (int i = 0; i < 100; ++i) {
    auto c = std::make_unique<state::container>(workload());
    auto run_mu = std::make_unique<std::mutex>();
    auto path = srv.attach(*c, *run_mu);
    std::atomic<bool> stop = false;
    std::atomic<int> answered = 0;
    std::thread charm([&] {
      try {
        client cl(path);
        while (!stop) {
          auto status = cl.post("/v1/layers", layer).status;
          ASSERT_TRUE(status == 200u || status == 500u) << status;
          ++answered;
        }
      } catch (const boost::system::system_error&) {  // the connection was closed: expected
      }
    });
    while (answered == 0 && i % 2 == 0) std::this_thread::yield();  // half mid-stream
    srv.detach(*run_mu);
    c.reset();
    run_mu.reset();
    stop = true;
    charm.join();
  }
}

TEST_F(ServerTest, DetachClosesConnectionsStillOpenAndLeaksNothingWithExecs) {
  server srv(dir_.path());
  state::container c = workload();
  c.exec_mock = {mock({"true"}, 0, "")};
  auto warm = [&] {
    auto p = srv.attach(c, mu_);
    client cl(p);
    cl.get("/v1/system-info");
    srv.detach(mu_);
  };
  warm();
  std::size_t before = settled_fd_count();
  for (int i = 0; i < 100; ++i) {
    auto p = srv.attach(c, mu_);
    client open_across_detach(p);  // the server side must close this one itself
    ASSERT_EQ(open_across_detach.get("/v1/system-info").status, 200u);
    if (i % 2 == 0) {
      ASSERT_EQ(open_across_detach.post("/v1/exec", exec_body({"true"})).status, 202u);
    }
    srv.detach(mu_);
    EXPECT_THROW(open_across_detach.get("/v1/system-info"), boost::system::system_error);
  }
  {
    // A request on the reused socket is queued behind the closes detach posted.
    auto p = srv.attach(c, mu_);
    client cl(p);
    ASSERT_EQ(cl.get("/v1/system-info").status, 200u);
  }
  srv.detach(mu_);
  EXPECT_EQ(settled_fd_count(), before);
}

TEST_F(ServerTest, DestroyingTheServerRemovesItsSockets) {
  state::container c = workload();
  {
    server srv(dir_.path());
    ASSERT_TRUE(std::filesystem::exists(srv.attach(c, mu_)));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(ServerTest, ServersComeAndGoWithoutLeakingThreadsOrFds) {
  std::size_t before = open_fd_count();
  for (int i = 0; i < 50; ++i) {
    state::container c = workload();
    server srv(dir_.path());
    client cl(srv.attach(c, mu_));
    ASSERT_EQ(cl.get("/v1/system-info").status, 200u);
  }
  EXPECT_EQ(open_fd_count(), before);
}

TEST_F(ServerTest, CpuSharePinsCallerAndServerThreadToTheCallersCpuUntilTheLastShareEnds) {
  const cpu_set_t caller_before = cpus_of(0);
  if (CPU_COUNT(&caller_before) < 2) GTEST_SKIP() << "needs a thread allowed on 2+ CPUs";
  const auto before = thread_ids();
  state::container c = workload();
  server srv(dir_.path());
  client cl(srv.attach(c, mu_));
  ASSERT_EQ(cl.get("/v1/system-info").status, 200u);  // the server thread is running
  pid_t server_thread = 0;
  for (pid_t id : thread_ids()) {
    if (std::find(before.begin(), before.end(), id) == before.end()) server_thread = id;
  }
  ASSERT_NE(server_thread, 0);
  const cpu_set_t server_before = cpus_of(server_thread);
  {
    auto share = srv.share_cpu_with_caller();
    ASSERT_TRUE(share.active());
    const cpu_set_t caller = cpus_of(0);
    ASSERT_EQ(CPU_COUNT(&caller), 1);
    EXPECT_TRUE(CPU_ISSET(sched_getcpu(), &caller));
    const cpu_set_t server_cpus = cpus_of(server_thread);
    EXPECT_TRUE(CPU_EQUAL(&server_cpus, &caller));
    EXPECT_EQ(cl.get("/v1/system-info").status, 200u);  // still served on the shared CPU
    {
      auto second = srv.share_cpu_with_caller();
      EXPECT_TRUE(second.active());
    }
    const cpu_set_t after_second = cpus_of(server_thread);
    EXPECT_TRUE(CPU_EQUAL(&after_second, &caller)) << "a share still lives: the server stays";
    auto moved = std::move(share);  // a moved share ends once, where it ends up
    EXPECT_FALSE(share.active());
    EXPECT_TRUE(moved.active());
  }
  const cpu_set_t caller_after = cpus_of(0);
  const cpu_set_t server_after = cpus_of(server_thread);
  EXPECT_TRUE(CPU_EQUAL(&caller_after, &caller_before));
  EXPECT_TRUE(CPU_EQUAL(&server_after, &server_before));
}

TEST_F(ServerTest, MissingSocketDirIsAnActionableError) {
  server srv(dir_.path() / "nope");
  state::container c = workload();
  try {
    srv.attach(c, mu_);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

// ---- exec ----

struct exec_started {
  std::string change_id;
  std::string task_id;
};

exec_started start_exec(client& cl, const json& body) {
  reply r = cl.post("/v1/exec", body);
  EXPECT_EQ(r.status, 202u) << r.body;
  json env = r.envelope();
  EXPECT_EQ(env["type"], "async");
  return {env["change"].get<std::string>(), env["result"]["task-id"].get<std::string>()};
}

json wait_change(client& cl, const std::string& change_id) {
  reply r = cl.get("/v1/changes/" + change_id + "/wait?timeout=4.000s");
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.envelope()["result"];
}

TEST_F(ServerTest, ExecFullFlowWithStdinAndSplitStderr) {
  state::container c = workload();
  c.exec_mock = {mock({"cat"}, 0, "out-bytes\n", "err-bytes\n")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);

  json body = exec_body({"cat", "-n"});
  body["environment"] = {{"LANG", "C"}};
  body["working-dir"] = "/tmp";
  body["timeout"] = "3.000s";
  body["user"] = "root";
  auto ex = start_exec(cl, body);

  ws_client control(path, ex.task_id, "control");
  ws_client stdio(path, ex.task_id, "stdio");
  ws_client err(path, ex.task_id, "stderr");
  stdio.send_binary("line one\n");
  stdio.send_binary(std::string("bin\0ary", 7));
  stdio.send_text(R"({"command":"end"})");
  EXPECT_EQ(stdio.read_until_end(), "out-bytes\n");
  EXPECT_EQ(err.read_until_end(), "err-bytes\n");

  json change = wait_change(cl, ex.change_id);
  EXPECT_EQ(change["id"], ex.change_id);
  EXPECT_EQ(change["kind"], "exec");
  EXPECT_EQ(change["status"], "Done");
  EXPECT_EQ(change["ready"], true);
  ASSERT_EQ(change["tasks"].size(), 1u);
  EXPECT_EQ(change["tasks"][0]["id"], ex.task_id);
  EXPECT_EQ(change["tasks"][0]["data"]["exit-code"], 0);

  std::lock_guard lock(mu_);
  ASSERT_EQ(c.exec_history.size(), 1u);
  const auto& rec = c.exec_history[0];
  EXPECT_EQ(rec.command, (std::vector<std::string>{"cat", "-n"}));
  EXPECT_EQ(rec.environment.at("LANG"), "C");
  EXPECT_EQ(rec.working_dir, "/tmp");
  EXPECT_EQ(rec.user, "root");
  ASSERT_TRUE(rec.timeout);
  EXPECT_DOUBLE_EQ(*rec.timeout, 3.0);
  EXPECT_EQ(rec.stdin_text, std::string("line one\nbin\0ary", 16));
  EXPECT_EQ(rec.return_code, 0);
}

TEST_F(ServerTest, ExecNonZeroExitAndCombinedStderr) {
  state::container c = workload();
  c.exec_mock = {mock({"false"}, 3, "partial\n", "boom\n")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  auto ex = start_exec(cl, exec_body({"false"}, /*split_stderr=*/false));
  ws_client control(path, ex.task_id, "control");
  ws_client stdio(path, ex.task_id, "stdio");
  stdio.send_text(R"({"command":"end"})");
  EXPECT_EQ(stdio.read_until_end(), "partial\nboom\n");
  json change = wait_change(cl, ex.change_id);
  EXPECT_EQ(change["status"], "Done");  // a failing command is not a failed change
  EXPECT_EQ(change["tasks"][0]["data"]["exit-code"], 3);
  EXPECT_FALSE(change.contains("err"));
}

TEST_F(ServerTest, ExecWaitWithoutStdinEndStillCompletes) {
  // ops' exec().wait_output() with no stdin never ends stdin: the wait must not hang.
  state::container c = workload();
  c.exec_mock = {mock({"ls"}, 0, "a b\n")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  auto ex = start_exec(cl, exec_body({"ls"}));
  ws_client control(path, ex.task_id, "control");
  ws_client stdio(path, ex.task_id, "stdio");
  ws_client err(path, ex.task_id, "stderr");
  auto t0 = std::chrono::steady_clock::now();
  json change = wait_change(cl, ex.change_id);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(change["tasks"][0]["data"]["exit-code"], 0);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_EQ(stdio.read_until_end(), "a b\n");
  EXPECT_EQ(err.read_until_end(), "");
}

TEST_F(ServerTest, ExecStdinSentAfterTheExitIsStillRecorded) {
  state::container c = workload();
  c.exec_mock = {mock({"tee"}, 0, "")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  auto ex = start_exec(cl, exec_body({"tee"}, /*split_stderr=*/false));
  ws_client control(path, ex.task_id, "control");
  ws_client stdio(path, ex.task_id, "stdio");
  EXPECT_EQ(wait_change(cl, ex.change_id)["tasks"][0]["data"]["exit-code"], 0);
  stdio.send_binary("late ");
  stdio.send_binary("input");
  srv.detach_all();
  std::lock_guard lock(mu_);
  ASSERT_EQ(c.exec_history.size(), 1u);
  EXPECT_EQ(c.exec_history[0].stdin_text, "late input");
}

TEST_F(ServerTest, ExecUnmatchedCommandIsA400BeforeAnyChange) {
  state::container c = workload();
  c.exec_mock = {mock({"ls"}, 0, "")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  reply r = cl.post("/v1/exec", exec_body({"helm", "install"}));
  EXPECT_EQ(r.status, 400u) << r.body;
  json env = r.envelope();
  EXPECT_EQ(env["type"], "error");
  const std::string message = env["result"]["message"];
  EXPECT_EQ(message.rfind("cannot find executable \"helm\"", 0), 0u) << message;
  EXPECT_NE(message.find(R"(["ls"])"), std::string::npos) << message;
  EXPECT_EQ(cl.get("/v1/changes?select=all").envelope()["result"].size(), 0u);
  std::lock_guard lock(mu_);
  EXPECT_TRUE(c.exec_history.empty());
}

TEST_F(ServerTest, ExecPrefixMatchOverTheSocket) {
  state::container c = workload();
  c.exec_mock = {mock({"git"}, 1, "git\n"), mock({"git", "status"}, 0, "clean\n")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  auto ex = start_exec(cl, exec_body({"git", "status", "--short"}));
  ws_client control(path, ex.task_id, "control");
  ws_client stdio(path, ex.task_id, "stdio");
  ws_client err(path, ex.task_id, "stderr");
  stdio.shutdown();  // closing stdio ends stdin too
  json change = wait_change(cl, ex.change_id);
  EXPECT_EQ(change["tasks"][0]["data"]["exit-code"], 0);
  EXPECT_EQ(err.read_until_end(), "");
}

TEST_F(ServerTest, ExecBadRequestsAndUnknownWebsockets) {
  state::container c = workload();
  c.exec_mock = {mock({"x"}, 0, "")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  reply r = cl.post("/v1/exec", exec_body({}));
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.envelope()["result"]["message"], "must specify command");
  EXPECT_THROW(ws_client(path, "99", "stdio"), boost::system::system_error);
  auto ex = start_exec(cl, exec_body({"x"}, /*split_stderr=*/false));
  EXPECT_THROW(ws_client(path, ex.task_id, "stderr"), boost::system::system_error);
  EXPECT_THROW(ws_client(path, ex.task_id, "bogus"), boost::system::system_error);
  // The pending exec is visible through handle()'s changes endpoint.
  reply pending = cl.get("/v1/changes/" + ex.change_id);
  EXPECT_EQ(pending.status, 200u) << pending.body;
  EXPECT_EQ(pending.envelope()["result"]["ready"], false);
}

TEST_F(ServerTest, ExecServiceContextMergesTheServiceConfig) {
  state::container c = workload();
  c.layers.emplace_back(
      "base", json{{"services",
                    {{"srv",
                      {{"override", "replace"},
                       {"command", "/bin/srv"},
                       {"environment", {{"A", "svc"}, {"B", "svc"}}},
                       {"user", "app"},
                       {"working-dir", "/app"}}}}}});
  c.exec_mock = {mock({"env"}, 0, "")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  json body = exec_body({"env"});
  body["service-context"] = "srv";
  body["environment"] = {{"B", "req"}};
  start_exec(cl, body);
  body["service-context"] = "nope";
  reply bad = cl.post("/v1/exec", body);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.envelope()["result"]["message"], "context service \"nope\" not found");
  std::lock_guard lock(mu_);
  ASSERT_EQ(c.exec_history.size(), 1u);  // a refused exec is not recorded
  const auto& rec = c.exec_history[0];
  EXPECT_EQ(rec.environment, (std::map<std::string, std::string>{{"A", "svc"}, {"B", "req"}}));
  EXPECT_EQ(rec.user, "app");
  EXPECT_EQ(rec.working_dir, "/app");
}

TEST_F(ServerTest, WaitOnUnstartedExecTimesOutWith504) {
  state::container c = workload();
  c.exec_mock = {mock({"x"}, 0, "")};
  server srv(dir_.path());
  auto path = srv.attach(c, mu_);
  client cl(path);
  auto ex = start_exec(cl, exec_body({"x"}));
  reply r = cl.get("/v1/changes/" + ex.change_id + "/wait?timeout=0.100s");
  EXPECT_EQ(r.status, 504u);
  // internals/daemon/api_changes.go formats the timeout with Go's Duration.String: 100ms.
  EXPECT_EQ(r.envelope()["result"]["message"], "timed out waiting for change after 100ms");
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(cl.get("/v1/system-info").status, 200u);  // the connection is still usable
}

TEST_F(ServerTest, DetachDuringExecIsSafe) {
  state::container c = workload();
  c.exec_mock = {mock({"sleep"}, 0, "")};
  std::filesystem::path path;
  {
    server srv(dir_.path());
    path = srv.attach(c, mu_);
    client cl(path);
    auto ex = start_exec(cl, exec_body({"sleep", "10"}));
    ws_client control(path, ex.task_id, "control");
    ws_client stdio(path, ex.task_id, "stdio");
    stdio.send_binary("partial");
    srv.detach_all();  // the stdin already sent is drained into the record first
    EXPECT_THROW(stdio.read_until_end(), boost::system::system_error);
  }
  EXPECT_EQ(c.exec_history.size(), 1u);
  EXPECT_EQ(c.exec_history[0].stdin_text, "partial");
}

}  // namespace
}  // namespace scenario::pebble
