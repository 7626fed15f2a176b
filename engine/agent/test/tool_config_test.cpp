#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

class config_tools : public agent_fixture {
 protected:
  config_tools() {
    spec.config["port"] = {"port", "int", 8080, ""};
    spec.config["debug"] = {"debug", "boolean", false, ""};  // falsy default is kept
    spec.config["name"] = {"name", "string", nullptr, ""};   // no default
    spec.config["ratio"] = {"ratio", "float", 0.5, ""};
  }
};

TEST_F(config_tools, all_set_or_defaulted_values) {
  st.config = {{"port", 9090}};
  EXPECT_EQ(ok_json({"config-get", "--format=json"}),
            json({{"port", 9090}, {"debug", false}, {"ratio", 0.5}}));
}

TEST_F(config_tools, all_flag_includes_nulls) {
  EXPECT_EQ(ok_json({"config-get", "--all", "--format=json"}),
            json({{"port", 8080}, {"debug", false}, {"ratio", 0.5}, {"name", nullptr}}));
  EXPECT_EQ(ok_json({"config-get", "-a", "--format=json"}).size(), 4u);
}

TEST_F(config_tools, single_key) {
  st.config = {{"name", "x"}};
  EXPECT_EQ(ok_json({"config-get", "name", "--format=json"}), json("x"));
  EXPECT_EQ(ok({"config-get", "name"}), "x\n");
  EXPECT_EQ(ok({"config-get", "debug"}), "False\n");
  EXPECT_EQ(ok({"config-get", "port"}), "8080\n");
}

TEST_F(config_tools, key_without_value_or_default_is_null) {
  EXPECT_EQ(ok({"config-get", "--format=json", "name"}), "null\n");
  EXPECT_EQ(ok({"config-get", "name"}), "");
  EXPECT_EQ(ok({"config-get", "undeclared"}), "");
}

TEST_F(config_tools, smart_output_of_all_is_yaml) {
  spec.config.clear();
  st.config = {{"a", "123"}, {"b", true}};
  EXPECT_EQ(ok({"config-get"}), "a: \"123\"\nb: true\n");
}

TEST_F(config_tools, errors) {
  EXPECT_EQ(fails({"config-get", "--all", "port"}),
            "ERROR cannot use argument --all together with key \"port\"\n");
  EXPECT_NE(fails({"config-get", "a", "b"}).find("unrecognized args"), std::string::npos);
  auto r = run({"config-get", "--format=xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("xml"), std::string::npos);
}

}  // namespace
}  // namespace scenario::agent::testing
