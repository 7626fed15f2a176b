// The exec lifecycle without sockets: requests go through dispatch() (api.cpp's route table),
// websockets are fake streams and time is a clock the test advances.
#include <gtest/gtest.h>

#include <list>
#include <memory>
#include <variant>

#include "engine/pebble/exec_session.hpp"
#include "engine/pebble/test/api_calls.hpp"

namespace scenario::pebble::api_test {
namespace {

// Records what the exec session sends; `unread` stands for bytes waiting in the socket.
class fake_stream : public exec_stream {
 public:
  struct message {
    bool binary;
    std::string data;
    bool operator==(const message&) const = default;
  };
  void send(bool binary, std::string data) override { sent.push_back({binary, std::move(data)}); }
  std::size_t unread_bytes() override { return unread; }
  std::vector<message> sent;
  std::size_t unread = 0;
};

// Time moves only when the test says so; due calls run in deadline order.
class manual_clock : public exec_clock {
 public:
  std::unique_ptr<timer> after(std::chrono::steady_clock::duration delay,
                               std::function<void()> fire) override {
    auto t = std::make_unique<manual_timer>();
    pending_.push_back({now_ + delay, std::move(fire), t->live});
    return t;
  }

  void advance(std::chrono::steady_clock::duration by) {
    now_ += by;
    while (true) {
      auto due = pending_.end();
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->at <= now_ && (due == pending_.end() || it->at < due->at)) due = it;
      }
      if (due == pending_.end()) return;
      auto entry = std::move(*due);
      pending_.erase(due);
      if (*entry.live) entry.fire();
    }
  }

 private:
  struct manual_timer : timer {
    ~manual_timer() override { *live = false; }
    std::shared_ptr<bool> live = std::make_shared<bool>(true);
  };
  struct entry {
    std::chrono::steady_clock::duration at;
    std::function<void()> fire;
    std::shared_ptr<bool> live;
  };
  std::chrono::steady_clock::duration now_{};
  std::list<entry> pending_;
};

// The run: its session until the test lets go of it.
class fake_run : public run_access {
 public:
  explicit fake_run(session& s) : s_(s) {}
  bool with_session(const std::function<void(session&)>& use) override {
    if (released) return false;
    use(s_);
    return true;
  }
  bool released = false;

 private:
  session& s_;
};

const fake_stream::message end_of_output{false, R"({"command":"end"})"};

class ExecSession : public ::testing::Test {
 protected:
  ExecSession() : s_(container_), run_(s_), execs_(run_, clock_) {
    container_.exec_mock = {mock({"ls"}, 3, "out", "err")};
  }

  outcome send_request(std::string method, std::string path, std::string body = "",
                       std::map<std::string, std::string> query = {}, bool websocket = false) {
    request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.body = std::move(body);
    r.websocket = websocket;
    return dispatch(s_, execs_, r, [this](response answer) { replies_.push_back(std::move(answer)); });
  }

  // POST /v1/exec of `command`; returns {task id, change id}.
  std::pair<std::string, std::string> start(std::vector<std::string> command, bool split_stderr) {
    auto result = send_request("POST", "/v1/exec",
                               json{{"command", command}, {"split-stderr", split_stderr}}.dump());
    const auto& r = std::get<response>(result);
    EXPECT_EQ(r.status, 202) << r.body;
    auto body = json::parse(r.body);
    return {body["result"]["task-id"].get<std::string>(), body["change"].get<std::string>()};
  }

  // The websocket route's answer, attached to a fake stream when it asks for an upgrade.
  std::shared_ptr<fake_stream> connect(const std::string& task_id, const std::string& websocket_id) {
    auto result = send_request("GET", "/v1/tasks/" + task_id + "/websocket/" + websocket_id, "", {},
                               /*websocket=*/true);
    auto* upgrade = std::get_if<websocket_upgrade>(&result);
    if (!upgrade) {
      ADD_FAILURE() << "no upgrade: " << std::get<response>(result).body;
      return nullptr;
    }
    EXPECT_EQ(upgrade->task_id, task_id);
    EXPECT_EQ(upgrade->websocket_id, websocket_id);
    auto stream = std::make_shared<fake_stream>();
    execs_.attach(task_id, websocket_id, stream);
    execs_.stream_opened(task_id, websocket_id);
    return stream;
  }

  json change(const std::string& id) { return call(s_, "GET", "/v1/changes/" + id).body["result"]; }

  state::container container_;
  session s_;
  manual_clock clock_;
  fake_run run_;
  exec_session execs_;
  std::vector<response> replies_;
};

TEST_F(ExecSession, SplitStderrSendsEachStreamItsOutputAndStdinEndFinishesTheChange) {
  auto [task, change_id] = start({"ls", "-l"}, true);
  EXPECT_TRUE(execs_.ran());
  EXPECT_EQ(change(change_id)["status"], "Doing");
  auto control = connect(task, "control");
  auto stdio = connect(task, "stdio");
  EXPECT_TRUE(stdio->sent.empty());  // the output waits for both I/O streams
  auto stderr_stream = connect(task, "stderr");
  EXPECT_EQ(stdio->sent, (std::vector<fake_stream::message>{{true, "out"}, end_of_output}));
  EXPECT_EQ(stderr_stream->sent, (std::vector<fake_stream::message>{{true, "err"}, end_of_output}));
  EXPECT_TRUE(control->sent.empty());

  execs_.stream_message(task, "stdio", true, "in");
  execs_.stream_message(task, "stdio", true, "put");
  EXPECT_EQ(change(change_id)["status"], "Doing");  // nobody waits yet: stdin may go on
  execs_.stream_message(task, "stdio", false, R"({"command":"end"})");
  auto done = change(change_id);
  EXPECT_EQ(done["status"], "Done");
  EXPECT_EQ(done["ready"], true);
  EXPECT_EQ(done["tasks"][0]["data"]["exit-code"], 3);
  ASSERT_EQ(container_.exec_history.size(), 1u);
  EXPECT_EQ(container_.exec_history[0].stdin_text, "input");
  EXPECT_EQ(container_.exec_history[0].command, (std::vector<std::string>{"ls", "-l"}));
  EXPECT_EQ(execs_.stdin_progress(), 3u);
}

TEST_F(ExecSession, WithoutSplitStderrBothOutputsShareStdio) {
  auto [task, change_id] = start({"ls"}, false);
  auto stdio = connect(task, "stdio");
  EXPECT_EQ(stdio->sent, (std::vector<fake_stream::message>{{true, "outerr"}, end_of_output}));
  execs_.stream_closed(task, "stdio");  // closing stdio ends stdin, like closing a pipe
  EXPECT_EQ(change(change_id)["status"], "Done");
}

TEST_F(ExecSession, AWaitIsHeldUntilTheGraceAfterTheLastStdinThenAnswered) {
  auto [task, change_id] = start({"ls"}, false);
  connect(task, "stdio");
  auto held = send_request("GET", "/v1/changes/" + change_id + "/wait");
  EXPECT_TRUE(std::holds_alternative<reply_later>(held));
  clock_.advance(exec_stdin_grace - std::chrono::milliseconds(1));
  execs_.stream_message(task, "stdio", true, "late");  // restarts the grace period
  clock_.advance(exec_stdin_grace - std::chrono::milliseconds(1));
  EXPECT_TRUE(replies_.empty());
  clock_.advance(std::chrono::milliseconds(1));
  ASSERT_EQ(replies_.size(), 1u);
  auto body = json::parse(replies_[0].body);
  EXPECT_EQ(replies_[0].status, 200);
  EXPECT_EQ(body["result"]["status"], "Done");
  EXPECT_EQ(body["result"]["tasks"][0]["data"]["exit-code"], 3);
  EXPECT_EQ(container_.exec_history[0].stdin_text, "late");
  // Finished: a later wait is answered at once by the changes endpoint.
  auto later = send_request("GET", "/v1/changes/" + change_id + "/wait");
  EXPECT_EQ(std::get<response>(later).status, 200);
}

TEST_F(ExecSession, AWaitTimesOutWith504AndUnconnectedStreamsFailTheChange) {
  auto [task, change_id] = start({"ls"}, true);
  EXPECT_EQ(std::get<response>(send_request("GET", "/v1/changes/" + change_id + "/wait", "",
                                            {{"timeout", "soon"}}))
                .status,
            400);
  send_request("GET", "/v1/changes/" + change_id + "/wait", "", {{"timeout", "100ms"}});
  clock_.advance(std::chrono::milliseconds(100));
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_EQ(replies_[0].status, 504);
  EXPECT_EQ(json::parse(replies_[0].body)["result"]["message"], "timed out waiting for change after 100ms");

  clock_.advance(exec_connect_timeout);
  auto failed = change(change_id);
  EXPECT_EQ(failed["status"], "Error");
  EXPECT_EQ(failed["err"],
            "cannot perform the following tasks:\n- Execute command \"ls\" (exec " + task +
                ": timeout waiting for websocket connections: context deadline exceeded)");
  EXPECT_EQ(replies_.size(), 1u);  // the timed-out wait is not answered twice
}

TEST_F(ExecSession, TheWebsocketRouteRefusesLikePebble) {
  auto [task, change_id] = start({"ls"}, false);
  auto refused = [&](const std::string& path, bool websocket) {
    auto result = send_request("GET", path, "", {}, websocket);
    const auto& r = std::get<response>(result);
    return std::make_pair(r.status, json::parse(r.body)["result"]["message"].get<std::string>());
  };
  EXPECT_EQ(refused("/v1/tasks/9/websocket/stdio", true),
            std::make_pair(404, std::string("cannot find task \"9\"")));
  EXPECT_EQ(refused("/v1/tasks/" + task + "/websocket/stderr", true),
            std::make_pair(404, "cannot find stderr websocket for task \"" + task + "\""));
  EXPECT_EQ(refused("/v1/tasks/" + task + "/websocket/stdio", false).first, 400);
  connect(task, "stdio");
  EXPECT_EQ(refused("/v1/tasks/" + task + "/websocket/stdio", true),
            std::make_pair(500, std::string("websocket \"stdio\" already connected")));
  execs_.stream_closed(task, "stdio");
  EXPECT_EQ(refused("/v1/tasks/" + task + "/websocket/control", true).first, 404);  // finished
}

TEST_F(ExecSession, RefusedExecsRecordNothing) {
  auto unknown = send_request("POST", "/v1/exec", json{{"command", {"rm"}}}.dump());
  EXPECT_EQ(std::get<response>(unknown).status, 400);
  auto empty = send_request("POST", "/v1/exec", json{{"command", json::array()}}.dump());
  EXPECT_EQ(json::parse(std::get<response>(empty).body)["result"]["message"], "must specify command");
  EXPECT_TRUE(container_.exec_history.empty());
  EXPECT_TRUE(call(s_, "GET", "/v1/changes", nullptr, {{"select", "all"}}).body["result"].empty());
}

TEST_F(ExecSession, WaitersOfARunThatIsOverAreToldSo) {
  auto [task, change_id] = start({"ls"}, false);
  connect(task, "stdio");
  send_request("GET", "/v1/changes/" + change_id + "/wait");
  run_.released = true;
  execs_.stream_message(task, "stdio", false, R"({"command":"end"})");
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_EQ(replies_[0].status, 500);
  EXPECT_EQ(json::parse(replies_[0].body)["result"]["message"], "the run this container belonged to is over");
}

TEST_F(ExecSession, StdinProgressWaitsForUnreadBytesAndCloseDropsEverything) {
  auto [task, change_id] = start({"ls"}, false);
  auto stdio = connect(task, "stdio");
  stdio->unread = 10;
  EXPECT_EQ(execs_.stdin_progress(), std::nullopt);
  stdio->unread = 0;
  EXPECT_EQ(execs_.stdin_progress(), 0u);
  send_request("GET", "/v1/changes/" + change_id + "/wait", "", {{"timeout", "1s"}});

  execs_.close();
  clock_.advance(std::chrono::seconds(10));  // no grace, timeout or deadline fires
  execs_.stream_message(task, "stdio", true, "ignored");
  EXPECT_TRUE(replies_.empty());
  EXPECT_EQ(container_.exec_history[0].stdin_text, "");
  EXPECT_EQ(change(change_id)["status"], "Doing");
  EXPECT_TRUE(std::holds_alternative<response>(send_request("GET", "/v1/changes/" + change_id + "/wait")));
}

TEST(ExecRoutes, WithoutATransportExecIsRefused) {
  state::container c;
  session s(c);
  auto r = call(s, "POST", "/v1/exec", {{"command", {"ls"}}});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body["result"]["message"], "exec needs the Pebble server's websockets");
  EXPECT_EQ(call(s, "GET", "/v1/tasks/1/websocket/stdio").status, 500);
}

}  // namespace
}  // namespace scenario::pebble::api_test
