#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

class action_tools : public agent_fixture {
 protected:
  action_tools() {
    spec::action_spec a;
    a.name = "backup";
    a.params = {{"target", {{"type", "string"}, {"default", "/tmp"}}},
                {"level", {{"type", "integer"}, {"default", 0}}},
                {"opts", {{"type", "object"}}}};
    spec.actions["backup"] = a;
    ev.name = "backup_action";
    ev.action_params = {{"level", 3}, {"opts", {{"fast", true}, {"deep", {{"x", "y"}}}}}};
  }
  void in_action() { ctx().action_name = "backup"; }
};

TEST_F(action_tools, every_tool_refuses_outside_an_action) {
  for (std::vector<std::string> argv : std::vector<std::vector<std::string>>{
           {"action-get", "--format=json"}, {"action-set", "a=b"}, {"action-log", "--", "x"}, {"action-fail", "--", "x"}}) {
    EXPECT_EQ(fails(argv), "ERROR not running an action\n") << argv[0];
  }
  EXPECT_FALSE(st.action.has_value());
}

TEST_F(action_tools, action_get_merges_defaults) {
  in_action();
  EXPECT_EQ(ok_json({"action-get", "--format=json"}),
            json({{"target", "/tmp"}, {"level", 3}, {"opts", {{"fast", true}, {"deep", {{"x", "y"}}}}}}));
}

TEST_F(action_tools, action_get_key_paths) {
  in_action();
  EXPECT_EQ(ok({"action-get", "target"}), "/tmp\n");
  EXPECT_EQ(ok_json({"action-get", "opts.deep.x", "--format=json"}), json("y"));
  EXPECT_EQ(ok_json({"action-get", "opts.fast", "--format=json"}), json(true));
  EXPECT_EQ(ok_json({"action-get", "opts.missing.deeper", "--format=json"}), json(nullptr));
  EXPECT_EQ(ok_json({"action-get", "level.x", "--format=json"}), json(nullptr));
  EXPECT_NE(fails({"action-get", "a", "b"}).find("unrecognized args"), std::string::npos);
}

TEST_F(action_tools, action_set_builds_nested_results) {
  in_action();
  ok({"action-set", "outfile.size=10G", "foo.bar=2"});
  ok({"action-set", "foo.baz.val=3", "simple=a=b"});
  EXPECT_EQ(st.action->results,
            json({{"outfile", {{"size", "10G"}}}, {"foo", {{"bar", "2"}, {"baz", {{"val", "3"}}}}}, {"simple", "a=b"}}));
}

TEST_F(action_tools, action_set_key_rules) {
  in_action();
  EXPECT_EQ(fails({"action-set", "Bad=1"}),
            "ERROR key \"Bad\" must start and end with lowercase alphanumeric, and contain only "
            "lowercase alphanumeric, hyphens and periods\n");
  EXPECT_NE(fails({"action-set", "-lead=1"}).find("flag provided but not defined"), std::string::npos);
  EXPECT_NE(fails({"action-set", "trail-=1"}).find("must start and end"), std::string::npos);
  EXPECT_EQ(fails({"action-set", "novalue"}), "ERROR argument \"novalue\" must be of the form key...=value\n");
  for (const char* reserved : {"stdout", "stderr", "stdout-encoding", "stderr-encoding"}) {
    EXPECT_EQ(fails({"action-set", std::string(reserved) + "=x"}),
              std::string("ERROR cannot set reserved action key \"") + reserved + "\"\n");
  }
  EXPECT_EQ(fails({"action-set", "ok.stdout=x"}), "ERROR cannot set reserved action key \"stdout\"\n");
  // nothing was set by the failing calls
  EXPECT_TRUE(!st.action || st.action->results.empty());
}

TEST_F(action_tools, action_set_keys_nest_no_deeper_than_a_state_may) {
  in_action();
  auto dotted = [](int parts) {
    std::string key = "a";
    for (int i = 1; i < parts; ++i) key += ".a";
    return key + "=x";
  };
  ok({"action-set", dotted(98)});
  EXPECT_EQ(fails({"action-set", dotted(99)}),
            "ERROR key \"a...\" has more than 98 parts: results nest at most 100 levels deep\n");
  EXPECT_NE(fails({"action-set", dotted(50000)}).find("more than 98 parts"), std::string::npos);
}

TEST_F(action_tools, action_log_appends) {
  in_action();
  ok({"action-log", "--", "step 1"});
  ok({"action-log", "step", "2"});  // ops 2.4: no --
  ASSERT_TRUE(st.action);
  EXPECT_EQ(st.action->logs, (std::vector<std::string>{"step 1", "step 2"}));
  EXPECT_EQ(fails({"action-log"}), "ERROR no message specified\n");
}

TEST_F(action_tools, action_fail_message_and_default) {
  in_action();
  ok({"action-fail", "--", "broken"});
  EXPECT_EQ(st.action->failure_message, "broken");
  ok({"action-fail"});
  EXPECT_EQ(st.action->failure_message, "action failed without reason given, check action for errors");
  ok({"action-fail", "--", ""});  // what ops sends without a message
  EXPECT_EQ(st.action->failure_message, "");
  EXPECT_NE(fails({"action-fail", "a", "b"}).find("unrecognized args"), std::string::npos);
}

}  // namespace
}  // namespace scenario::agent::testing
