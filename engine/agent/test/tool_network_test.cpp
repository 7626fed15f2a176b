#include "engine/agent/test/agent_fixture.hpp"
#include "engine/agent/tool_network.hpp"

namespace scenario::agent::testing {
namespace {

class network_tools : public agent_fixture {
 protected:
  network_tools() {
    add_relations();
    state::network n;
    n.name = "db";
    n.bind_addresses = {{"ens3", {{"db.local", "10.1.2.3", "10.1.2.0/24", ""}}, "aa:bb:cc:dd:ee:ff"}};
    n.ingress_addresses = {"10.9.9.9"};
    n.egress_subnets = {"10.1.2.0/24"};
    st.networks.push_back(n);
  }
};

TEST_F(network_tools, explicit_network_json_shape_ops_parses) {
  const json expected = {
      {"bind-addresses",
       {{{"mac-address", "aa:bb:cc:dd:ee:ff"},
         {"interface-name", "ens3"},
         {"addresses", {{{"hostname", "db.local"}, {"value", "10.1.2.3"}, {"cidr", "10.1.2.0/24"}}}}}}},
      {"egress-subnets", {"10.1.2.0/24"}},
      {"ingress-addresses", {"10.9.9.9"}}};
  EXPECT_EQ(ok_json({"network-get", "--format=json", "db"}), expected);            // ops 3.8
  EXPECT_EQ(ok_json({"network-get", "db", "-r", "1", "--format=json"}), expected);  // ops 2.4
}

TEST_F(network_tools, scenario_3_1_display_keeps_its_own_shape) {
  // ops-scenario 3.1's Network.hook_tool_output_fmt(): `address` as given, mac-address only when
  // set, empty lists kept; the hook tool prints Juju's form of the same network.
  state::network n = st.networks[0];
  n.bind_addresses[0].mac_address = "";
  n.bind_addresses[0].addresses[0].address = "legacy";
  n.egress_subnets.clear();
  const json expected = {
      {"bind-addresses",
       {{{"interface-name", "ens3"},
         {"addresses",
          {{{"hostname", "db.local"}, {"value", "10.1.2.3"}, {"cidr", "10.1.2.0/24"}, {"address", "legacy"}}}}}}},
      {"egress-subnets", json::array()},
      {"ingress-addresses", {"10.9.9.9"}}};
  EXPECT_EQ(network_get_output(n, network_display::scenario_3_1), expected);
  st.networks[0] = n;
  const json juju = ok_json({"network-get", "--format=json", "db"});
  EXPECT_EQ(network_get_output(n, network_display::juju_json), juju);
  EXPECT_FALSE(juju.contains("egress-subnets"));
  EXPECT_EQ(juju["bind-addresses"][0]["mac-address"], "");
}

TEST_F(network_tools, declared_bindings_get_the_default_network) {
  for (const char* binding : {"web", "peers", "admin", "juju-info"}) {
    auto out = ok_json({"network-get", "--format=json", binding});
    EXPECT_EQ(out["bind-addresses"][0]["interface-name"], "eth0") << binding;
    EXPECT_EQ(out["bind-addresses"][0]["addresses"][0]["value"], "192.0.2.0");
    EXPECT_EQ(out["bind-addresses"][0]["addresses"][0]["cidr"], "192.0.2.0/24");
    EXPECT_EQ(out["ingress-addresses"], json({"192.0.2.0"}));
    EXPECT_EQ(out["egress-subnets"], json({"192.0.2.0/24"}));
  }
}

TEST_F(network_tools, single_attribute_flags) {
  EXPECT_EQ(ok({"network-get", "db", "--ingress-address"}), "10.9.9.9\n");
  EXPECT_EQ(ok({"network-get", "db", "--bind-address"}), "10.1.2.3\n");
  EXPECT_EQ(ok_json({"network-get", "db", "--egress-subnets", "--format=json"}), json({"10.1.2.0/24"}));
  EXPECT_EQ(ok_json({"network-get", "db", "--bind-address", "--ingress-address", "--format=json"}),
            json({{"bind-address", "10.1.2.3"}, {"ingress-address", "10.9.9.9"}}));
  EXPECT_EQ(ok({"network-get", "db", "--primary-address"}), "10.1.2.3\n");
  EXPECT_EQ(fails({"network-get", "db", "--primary-address", "--bind-address"}),
            "ERROR --primary-address must be the only flag specified\n");
}

TEST_F(network_tools, yaml_output_keeps_legacy_keys) {
  auto out = ok({"network-get", "db", "--format=yaml"});
  EXPECT_NE(out.find("interfacename: ens3"), std::string::npos) << out;
  EXPECT_NE(out.find("address: 10.1.2.3"), std::string::npos) << out;
}

TEST_F(network_tools, unknown_binding_fails) {
  EXPECT_EQ(fails({"network-get", "--format=json", "nope"}),
            "ERROR no network config found for binding \"nope\"\n");
}

TEST_F(network_tools, unknown_relation_id_is_relation_not_found) {
  auto err = fails({"network-get", "--format=json", "-r", "42", "db"});
  EXPECT_NE(err.find("relation not found"), std::string::npos) << err;
}

TEST_F(network_tools, argument_errors) {
  EXPECT_EQ(fails({"network-get"}), "ERROR no arguments specified\n");
  EXPECT_EQ(fails({"network-get", ""}), "ERROR no binding name specified\n");
  EXPECT_NE(fails({"network-get", "db", "web"}).find("unrecognized args"), std::string::npos);
}

}  // namespace
}  // namespace scenario::agent::testing
