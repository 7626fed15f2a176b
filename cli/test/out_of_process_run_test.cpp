#include "cli/out_of_process_run.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

namespace scenario::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path shell_charm = fs::path(SCENARIO_SOURCE_DIR) / "examples" / "shell-charm";

run_request shell_charm_request(json state, json event) {
  run_request request;
  request.charm_root = shell_charm;
  request.state = std::move(state);
  request.event = std::move(event);
  request.hook_tool = SCENARIO_HOOK_TOOL_PATH;
  request.timeout = std::chrono::seconds(30);
  return request;
}

// A fresh TMPDIR per test, so a test can see that a run leaves nothing in it.
class OutOfProcessRun : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "scenario-cli-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    tmp_ = pattern;
    ::setenv("TMPDIR", tmp_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("TMPDIR");
    fs::remove_all(tmp_);
  }
  bool tmp_is_empty() const { return fs::is_empty(tmp_); }

  // A charm root whose dispatch is `script`.
  fs::path charm_with_dispatch(const std::string& script) {
    const fs::path root = tmp_ / "charm-src";
    fs::create_directories(root);
    std::ofstream(root / "metadata.yaml") << "name: scripted\n";
    const fs::path dispatch = root / "dispatch";
    std::ofstream(dispatch) << "#!/bin/sh\n" << script << "\n";
    fs::permissions(dispatch, fs::perms::owner_all);
    return root;
  }

  fs::path tmp_;
};

TEST_F(OutOfProcessRun, ShellCharmSetsStatusThroughHookToolPrograms) {
  auto outcome = run_out_of_process(shell_charm_request({{"config", {{"greeting", "hi"}}}}, {{"name", "start"}}));
  EXPECT_EQ(outcome.charm_exit_code, 0) << outcome.charm_stderr;
  EXPECT_EQ(outcome.state["status"]["unit"]["name"], "active");
  EXPECT_EQ(outcome.state["status"]["unit"]["message"], "hi from shell-charm/0");
  ASSERT_FALSE(outcome.state["juju_log"].empty());
  EXPECT_EQ(outcome.state["juju_log"][0]["message"], "handling start");
}

TEST_F(OutOfProcessRun, ShellCharmWritesRelationData) {
  json relation = {{"endpoint", "db"}, {"relation_id", 1}, {"remote_app_name", "postgresql"},
                   {"remote_app_data", {{"host", "10.0.0.7"}}}, {"remote_units_data", {{"0", json::object()}}}};
  json state = {{"relations", {relation}}};
  auto outcome = run_out_of_process(shell_charm_request(state, {{"name", "db_relation_changed"}, {"relation_id", 1}}));
  EXPECT_EQ(outcome.charm_exit_code, 0) << outcome.charm_stderr;
  EXPECT_EQ(outcome.state["relations"][0]["local_unit_data"]["url"], "http://10.0.0.7:8080/");
  EXPECT_EQ(outcome.state["status"]["unit"]["message"], "database at 10.0.0.7");
}

TEST_F(OutOfProcessRun, CharmExitCodeAndStreamsAreReported) {
  auto outcome = run_out_of_process(shell_charm_request(json::object(), {{"name", "fail"}}));
  EXPECT_EQ(outcome.charm_exit_code, 3);
  EXPECT_EQ(outcome.charm_stderr, "asked to fail\n");
  EXPECT_TRUE(tmp_is_empty());
}

TEST_F(OutOfProcessRun, MalformedStateIsInvalidInput) {
  try {
    run_out_of_process(shell_charm_request({{"leader", "yes"}}, {{"name", "start"}}));
    FAIL() << "a State with leader: \"yes\" ran";
  } catch (const run_failure& e) {
    EXPECT_EQ(e.status, run_exit::invalid_input);
    EXPECT_NE(std::string(e.what()).find("leader"), std::string::npos) << e.what();
  }
}

TEST_F(OutOfProcessRun, MissingDispatchHasItsOwnExitCode) {
  const fs::path root = tmp_ / "no-dispatch";
  fs::create_directories(root);
  std::ofstream(root / "metadata.yaml") << "name: empty\n";
  auto request = shell_charm_request(json::object(), {{"name", "start"}});
  request.charm_root = root;
  try {
    run_out_of_process(request);
    FAIL() << "a charm without dispatch ran";
  } catch (const run_failure& e) {
    EXPECT_EQ(e.status, run_exit::no_dispatch);
    EXPECT_NE(std::string(e.what()).find("hooks/start"), std::string::npos) << e.what();
  }
}

bool process_is_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  const auto state = line.substr(line.rfind(')') + 2, 1);
  return state == "Z" || state == "X";  // a zombie waits only for its (new) parent to reap it
}

// The process whose pid the charm wrote to `pid_file` is gone (within a second: SIGKILL is
// delivered asynchronously).
bool background_process_ended(const fs::path& pid_file) {
  pid_t background = 0;
  std::ifstream(pid_file) >> background;
  if (background <= 0) return false;
  for (int i = 0; i < 100 && !process_is_gone(background); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return process_is_gone(background);
}

TEST_F(OutOfProcessRun, HangingCharmIsKilledWithEverythingItStarted) {
  const fs::path pid_file = tmp_ / "background.pid";
  auto request = shell_charm_request(json::object(), {{"name", "start"}});
  request.charm_root = charm_with_dispatch("sleep 300 & echo $! > " + pid_file.string() + "\nsleep 300");
  request.timeout = std::chrono::milliseconds(500);
  const auto started = std::chrono::steady_clock::now();
  try {
    run_out_of_process(request);
    FAIL() << "a hanging charm finished";
  } catch (const run_failure& e) {
    EXPECT_EQ(e.status, run_exit::timed_out);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_TRUE(background_process_ended(pid_file));
  fs::remove_all(request.charm_root);
  fs::remove(pid_file);
  EXPECT_TRUE(tmp_is_empty());
}

TEST_F(OutOfProcessRun, BackgroundProcessesDoNotOutliveASuccessfulRun) {
  const fs::path pid_file = tmp_ / "background.pid";
  auto request = shell_charm_request(json::object(), {{"name", "start"}});
  request.charm_root = charm_with_dispatch("sleep 300 >/dev/null 2>&1 & echo $! > " + pid_file.string());
  auto outcome = run_out_of_process(request);
  EXPECT_EQ(outcome.charm_exit_code, 0);
  EXPECT_TRUE(background_process_ended(pid_file));
}

TEST_F(OutOfProcessRun, AProcessThatLeftTheGroupHoldingStdoutDoesNotHangTheRun) {
  const fs::path pid_file = tmp_ / "escaped.pid";
  auto request = shell_charm_request(json::object(), {{"name", "start"}});
  request.charm_root = charm_with_dispatch("setsid sleep 300 & echo $! > " + pid_file.string() + "\necho done");
  const auto started = std::chrono::steady_clock::now();
  auto outcome = run_out_of_process(request);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(outcome.charm_stdout, "done\n");
  pid_t escaped = 0;
  std::ifstream(pid_file) >> escaped;
  if (escaped > 0) ::kill(escaped, SIGKILL);  // out of the run's reach by design (setsid)
}

TEST_F(OutOfProcessRun, HookToolOutputReachesTheCharmUnchanged) {
  auto request = shell_charm_request(json::object(), {{"name", "start"}});
  request.charm_root = charm_with_dispatch("status-set active ok\nis-leader");
  auto outcome = run_out_of_process(request);
  EXPECT_EQ(outcome.charm_exit_code, 0) << outcome.charm_stderr;
  EXPECT_EQ(outcome.charm_stdout, "False\n");
  EXPECT_EQ(outcome.state["status"]["unit"]["name"], "active");
}

TEST_F(OutOfProcessRun, ToolFailuresStdinAndRelativePathsPassThrough) {
  json relation = {{"endpoint", "db"}, {"relation_id", 1}, {"remote_app_name", "postgresql"}};
  auto request = shell_charm_request({{"relations", {relation}}}, {{"name", "start"}});
  request.charm_root = charm_with_dispatch(
      "printf 'mode: from-stdin\\n' | relation-set -r 1 --file -\n"
      "cd \"$(mktemp -d)\" && printf 'size: from-a-relative-path\\n' > settings.yaml\n"
      "relation-set -r 1 --file settings.yaml\n"
      "relation-get -r 99 - 2>&1 && exit 9\n"
      "echo \"exit=$?\"");
  std::ofstream(request.charm_root / "metadata.yaml") << "name: scripted\nrequires:\n  db:\n    interface: sql\n";
  auto outcome = run_out_of_process(request);
  EXPECT_EQ(outcome.charm_exit_code, 0) << outcome.charm_stderr;
  EXPECT_EQ(outcome.state["relations"][0]["local_unit_data"]["mode"], "from-stdin");
  EXPECT_EQ(outcome.state["relations"][0]["local_unit_data"]["size"], "from-a-relative-path");
  EXPECT_NE(outcome.charm_stdout.find("ERROR"), std::string::npos) << outcome.charm_stdout;
  EXPECT_NE(outcome.charm_stdout.find("exit=2"), std::string::npos) << outcome.charm_stdout;
}

}  // namespace
}  // namespace scenario::cli
