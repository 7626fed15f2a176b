#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

using misc_tools = agent_fixture;

TEST_F(misc_tools, is_leader) {
  EXPECT_EQ(ok_json({"is-leader", "--format=json"}), json(false));
  st.leader = true;
  EXPECT_EQ(ok_json({"is-leader", "--format=json"}), json(true));
  EXPECT_EQ(ok({"is-leader"}), "True\n");
}

TEST_F(misc_tools, unit_get_addresses) {
  EXPECT_EQ(ok({"unit-get", "private-address"}), "192.0.2.0\n");
  state::network n;
  n.name = "juju-info";
  n.bind_addresses = {{"eth0", {{"", "10.0.0.5", "10.0.0.0/24", ""}}, ""}};
  n.ingress_addresses = {"1.2.3.4"};
  st.networks.push_back(n);
  EXPECT_EQ(ok_json({"unit-get", "--format=json", "private-address"}), json("10.0.0.5"));
  EXPECT_EQ(ok({"unit-get", "public-address"}), "1.2.3.4\n");
  EXPECT_EQ(fails({"unit-get", "zone"}), "ERROR unknown setting \"zone\"\n");
  EXPECT_EQ(fails({"unit-get"}), "ERROR no setting specified\n");
}

TEST_F(misc_tools, goal_state_counts_planned_units) {
  add_relations();  // peer app/1 and remote/0, remote/1
  st.planned_units = 3;
  auto gs = ok_json({"goal-state", "--format=json"});
  ASSERT_EQ(gs["units"].size(), 3u);
  for (const auto& [name, u] : gs["units"].items()) {
    EXPECT_EQ(u["status"], "active") << name;
    EXPECT_EQ(u["since"], "2024-01-01 00:00:00Z");
  }
  EXPECT_TRUE(gs["units"].contains("app/0"));
  EXPECT_TRUE(gs["units"].contains("app/1"));
  EXPECT_EQ(gs["relations"]["db"]["remote"]["status"], "joined");
  EXPECT_TRUE(gs["relations"]["db"].contains("remote/1"));
  // fewer planned units than known peers: the extra ones are dying (ops does not count them)
  st.planned_units = 1;
  gs = ok_json({"goal-state", "--format=json"});
  EXPECT_EQ(gs["units"]["app/0"]["status"], "active");
  EXPECT_EQ(gs["units"]["app/1"]["status"], "dying");
  EXPECT_NE(ok({"goal-state"}).find("units:"), std::string::npos);  // YAML by default
}

TEST_F(misc_tools, leader_settings) {
  EXPECT_EQ(fails({"leader-set", "a=1"}),
            "ERROR cannot write leadership settings: cannot write settings: not the leader\n");
  st.leader = true;
  ok({"leader-set", "a=1", "b=2"});
  ok({"leader-set", "b="});
  EXPECT_EQ(ok_json({"leader-get", "--format=json"}), json({{"a", "1"}}));
  EXPECT_EQ(ok({"leader-get", "a"}), "1\n");
  EXPECT_EQ(ok({"leader-get", "zzz"}), "");
  EXPECT_NE(fails({"leader-set", "novalue"}).find("expected \"key=value\""), std::string::npos);
}

TEST_F(misc_tools, credential_get_needs_trust_and_cloud_spec) {
  auto err = fails({"credential-get", "--format=json"});
  EXPECT_NE(err.find("permission denied"), std::string::npos) << err;
  ctx().app_trusted = true;
  EXPECT_NE(fails({"credential-get", "--format=json"}).find("cloud_spec"), std::string::npos);
  ctx().cloud_spec = json{{"type", "lxd"}, {"name", "localhost"}, {"credential", {{"auth-type", "certificate"}}}};
  EXPECT_EQ(ok_json({"credential-get", "--format=json"})["name"], "localhost");
}

TEST_F(misc_tools, controller_state_round_trip_ops_storage_form) {
  // ops' JujuStorage: state-set --file - with YAML literal blocks; state-get <key> prints them back
  const std::string doc = "\"StoredStateData[_stored]\": |\n  {event_count: 5}\n";
  ok({"state-set", "--file", "-"}, doc);
  EXPECT_EQ(ok({"state-get", "StoredStateData[_stored]"}), "{event_count: 5}\n");
  EXPECT_EQ(ok({"state-get", "missing"}), "");  // ops turns '' into KeyError
  EXPECT_EQ(fails({"state-get", "--strict", "missing"}), "ERROR \"missing\" not found\n");
}

TEST_F(misc_tools, controller_state_json_and_key_values) {
  ok({"state-set", "--file", "-", "b=arg"}, R"({"a": "1", "b": "file"})");
  EXPECT_EQ(ok_json({"state-get", "--format=json"}), json({{"a", "1"}, {"b", "arg"}}));
  ok({"state-delete", "a"});
  EXPECT_EQ(ctx().controller_state, (std::map<std::string, std::string>{{"b", "arg"}}));
}

// Follows juju/juju internal/worker/uniter/runner/jujuc/state-get.go: a missing key without
// --strict writes GetCharmStateValue's "" through cmd.Output (juju/cmd output.go), so JSON and
// YAML print `""` and smart prints nothing.
TEST_F(misc_tools, state_get_missing_key_prints_empty_string_per_format) {
  EXPECT_EQ(ok({"state-get", "missing", "--format=json"}), "\"\"\n");
  EXPECT_EQ(ok({"state-get", "missing", "--format=yaml"}), "\"\"\n");
  EXPECT_EQ(ok({"state-get", "missing"}), "");
}

// Follows juju/juju internal/worker/uniter/runner/jujuc/state-delete.go: Run returns nil for an
// empty key, so state-delete without a key (or with "") deletes nothing and exits 0; a second
// argument fails cmd.CheckEmpty.
TEST_F(misc_tools, state_delete_without_key_is_a_no_op) {
  ok({"state-set", "a=1"});
  EXPECT_EQ(ok({"state-delete"}), "");
  EXPECT_EQ(ok({"state-delete", ""}), "");
  EXPECT_EQ(ctx().controller_state, (std::map<std::string, std::string>{{"a", "1"}}));
  auto r = run({"state-delete", "a", "b"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR unrecognized args: [\"b\"]\n");
}

// Follows the SetFlags of juju/juju internal/worker/uniter/runner/jujuc/{status-set,
// application-version-set,action-set,action-log,action-fail,secret-add,state-set,state-delete,
// storage-add}.go (secret-set shares secret-add's secretUpsertCommand): none adds cmd.Output's
// --format, so gnuflag refuses it and juju/cmd exits 2. ops (2.4 to 3.9) never sends --format to
// these tools.
TEST_F(misc_tools, format_refused_by_tools_that_do_not_define_it) {
  // Flags are parsed before anything runs, so no action or secret needs to exist.
  const std::vector<std::vector<std::string>> calls = {
      {"status-set", "active", "--format=json"},
      {"application-version-set", "--format=json", "1.0"},
      {"action-set", "a=b", "--format=json"},
      {"action-log", "--format=json", "hi"},
      {"action-fail", "--format=json"},
      {"secret-add", "--format=json", "k=v"},
      {"secret-set", "--format=json", "secret:abc", "k=v"},
      {"state-set", "--format=json", "a=b"},
      {"state-delete", "--format=json", "a"},
      {"storage-add", "--format=json", "data"},
  };
  for (const auto& argv : calls) {
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 2) << argv[0];
    EXPECT_EQ(r.stderr_text, "ERROR flag provided but not defined: --format\n") << argv[0];
    EXPECT_EQ(r.stdout_text, "") << argv[0];
  }
  // The tools that write output keep it (cmd.Output.AddFlags).
  EXPECT_EQ(ok({"state-get", "--format=json"}), "{}\n");
  EXPECT_EQ(ok({"is-leader", "--format=json"}), "false\n");
}

TEST_F(misc_tools, application_version_set_keeps_previous) {
  st.status.workload_version = "1.0";
  ok({"application-version-set", "--", "2.0"});
  EXPECT_EQ(st.status.workload_version, "2.0");
  EXPECT_EQ(st.status.previous_workload_version, "1.0");
  EXPECT_EQ(fails({"application-version-set"}), "ERROR no version specified\n");
}

TEST_F(misc_tools, juju_reboot) {
  ok({"juju-reboot"});
  EXPECT_EQ(ctx().reboot_requested, "after-hook");
  ok({"juju-reboot", "--now"});
  EXPECT_EQ(ctx().reboot_requested, "now");
  ctx().action_name = "do";
  EXPECT_EQ(fails({"juju-reboot"}), "ERROR juju-reboot is not supported when running an action.\n");
}

TEST_F(misc_tools, resource_get) {
  st.resources = {{"model", "/tmp/model.bin"}};
  EXPECT_EQ(ok({"resource-get", "model"}), "/tmp/model.bin\n");
  EXPECT_NE(fails({"resource-get", "other"}).find("resource \"other\" not found"), std::string::npos);
  EXPECT_EQ(fails({"resource-get"}), "ERROR missing required resource name\n");
}

TEST_F(misc_tools, tools_a_state_cannot_hold_fail_saying_so) {
  for (const char* tool : {"add-metric", "pod-spec-get", "pod-spec-set", "k8s-spec-set",
                           "k8s-raw-set", "payload-register", "payload-unregister",
                           "payload-status-set"}) {
    EXPECT_TRUE(is_hook_tool(tool)) << tool;  // so ops' call reaches the engine
    auto r = run({tool, "x"});
    EXPECT_EQ(r.exit_code, 1) << tool;
    EXPECT_EQ(r.stderr_text.rfind(std::string("ERROR ") + tool + " is not simulated: ", 0), 0u)
        << r.stderr_text;
  }
  EXPECT_NE(fails({"add-metric", "users=3"}).find("patch the charm's add_metrics call"),
            std::string::npos);
}

TEST_F(misc_tools, unknown_tool_and_path_argv0) {
  auto r = run({"no-such-tool"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(ok({"/usr/bin/is-leader", "--format=json"}), "false\n");
  EXPECT_TRUE(is_hook_tool("relation-get"));
  EXPECT_FALSE(is_hook_tool("bogus"));
}

}  // namespace
}  // namespace scenario::agent::testing

namespace scenario::agent::testing {
namespace {

TEST_F(misc_tools, malformed_settings_file_fails_the_call_only) {
  auto err = fails({"state-set", "--file", "-"}, "[1]: x\n");
  EXPECT_NE(err.find("yaml"), std::string::npos) << err;
  err = fails({"state-set", "--file", "-"}, "{not yaml");
  EXPECT_NE(err.find("ERROR"), std::string::npos) << err;
  EXPECT_NE(fails({"state-set", "--file", "/nonexistent/file.yaml"}).find("no such file"), std::string::npos);
  EXPECT_TRUE(ctx().controller_state.empty());
}

// Follows juju/cmd cmd.go (Main): a flag-parse or Init error is a command-line error, exit 2
// (handleCommandError); an error from Run is exit 1. Both print "ERROR <message>" on stderr.
TEST_F(misc_tools, command_line_errors_exit_2_and_run_time_errors_exit_1) {
  for (const std::vector<std::string>& argv : {std::vector<std::string>{"is-leader", "--bogus"},
                                               std::vector<std::string>{"status-set", "sleeping"},
                                               std::vector<std::string>{"config-get", "--all", "k"}}) {
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 2) << argv[0] << ": " << r.stderr_text;
    EXPECT_EQ(r.stderr_text.rfind("ERROR ", 0), 0u) << r.stderr_text;
  }
  st.leader = false;
  auto r = run({"leader-set", "k=v"});
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  EXPECT_EQ(r.stderr_text.rfind("ERROR ", 0), 0u) << r.stderr_text;
}

}  // namespace
}  // namespace scenario::agent::testing
