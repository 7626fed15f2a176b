#include "cli/juju_formats.hpp"

#include <gtest/gtest.h>

#include "cli/juju_client.hpp"

namespace scenario::cli {
namespace {

spec::charm_spec webapp_spec() {
  return spec::spec_from_yaml(
      "name: webapp\nrequires:\n  db: {interface: pgsql}\npeers:\n  cluster: {interface: cluster}\n",
      "options:\n  port: {type: int, default: 8080}\n  name: {type: string}\n  debug: {type: boolean}\n", "");
}

state::state sample_state() {
  state::state s;
  s.unit_id = 1;
  s.leader = true;
  s.model.name = "dev";
  s.status.app = {"active", "serving"};
  s.status.unit = {"maintenance", ""};
  s.status.workload_version = "1.2";
  state::relation db;
  db.endpoint = "db";
  db.relation_id = 3;
  db.remote_app_name = "postgresql";
  db.remote_app_data = {{"host", "10.0.0.9"}};
  db.remote_units_data = {{0, {{"ingress-address", "10.0.0.9"}, {"role", "primary"}}}, {2, {}}};
  db.local_unit_data = {{"want", "x"}};
  state::relation peers;
  peers.kind = state::relation_kind::peer;
  peers.endpoint = "cluster";
  peers.relation_id = 4;
  peers.remote_units_data = {{0, {{"seen", "yes"}}}};
  s.relations = {db, peers};
  s.config = {{"port", 9000}};
  return s;
}

TEST(JujuFormats, StatusRoundTrips) {
  const auto spec = webapp_spec();
  const auto s = sample_state();
  const json status = status_json({unit_view{"webapp", &s, &spec}}, "3.4.0", "12:00:00Z");
  EXPECT_EQ(status["model"]["type"], "caas");
  EXPECT_EQ(status["applications"]["webapp"]["units"]["webapp/1"]["leader"], true);
  EXPECT_FALSE(status["applications"]["webapp"]["units"]["webapp/1"]["workload-status"].contains("message"));
  const auto facts = status_from_status(status, "webapp", "webapp/1");
  EXPECT_EQ(facts.status.app, s.status.app);
  EXPECT_EQ(facts.status.unit, s.status.unit);
  EXPECT_EQ(facts.status.workload_version, "1.2");
  EXPECT_EQ(facts.endpoints, (std::vector<std::string>{"cluster", "db"}));
  EXPECT_EQ(facts.juju_version, "3.4.0");
  EXPECT_THROW(status_from_status(status, "webapp", "webapp/7"), juju_error);
}

TEST(JujuFormats, ShowUnitGivesRemoteSideOfEachRelation) {
  const auto spec = webapp_spec();
  const auto s = sample_state();
  const json shown = show_unit_json(unit_view{"webapp", &s, &spec});
  const json& db = shown["webapp/1"]["relation-info"][0];
  EXPECT_EQ(db["related-units"]["postgresql/0"]["data"]["role"], "primary");
  EXPECT_EQ(db["local-unit"]["data"]["want"], "x");
  const auto relations = relations_from_show_unit(shown, "webapp/1", spec, false);
  ASSERT_EQ(relations.size(), 2u);
  EXPECT_EQ(relations[0].interface, "pgsql");
  EXPECT_EQ(relations[0].remote_app_name, "postgresql");
  EXPECT_EQ(relations[0].remote_app_data, s.relations[0].remote_app_data);
  // Juju's own keys are dropped unless asked for.
  EXPECT_EQ(relations[0].remote_units_data.at(0), (state::databag{{"role", "primary"}}));
  EXPECT_EQ(relations_from_show_unit(shown, "webapp/1", spec, true)[0].remote_units_data,
            s.relations[0].remote_units_data);
  EXPECT_EQ(relations[1].kind, state::relation_kind::peer);
  EXPECT_EQ(relations[1].remote_units_data, s.relations[1].remote_units_data);
}

TEST(JujuFormats, ASubordinatesContainerRelationIsSubordinate) {
  const auto spec = spec::spec_from_yaml(
      "name: logger\nsubordinate: true\nrequires:\n  host: {interface: juju-info, scope: container}\n", "", "");
  const json shown = json::parse(R"({"logger/0": {"relation-info": [{"relation-id": 5, "endpoint": "host",
      "related-endpoint": "juju-info", "application-data": {},
      "related-units": {"web/3": {"in-scope": true, "data": {"k": "v"}}}}]}})");
  const auto relations = relations_from_show_unit(shown, "logger/0", spec, false);
  ASSERT_EQ(relations.size(), 1u);
  EXPECT_EQ(relations[0].kind, state::relation_kind::subordinate);
  EXPECT_EQ(relations[0].remote_app_name, "web");
  EXPECT_EQ(relations[0].remote_units_data, (std::map<int, state::databag>{{3, {{"k", "v"}}}}));
}

TEST(JujuFormats, ShowUnitLeavesOutRelationsWithNothingToShow) {
  const auto spec = webapp_spec();
  state::state s;
  state::relation empty;
  empty.endpoint = "db";
  empty.relation_id = 1;
  s.relations = {empty};
  EXPECT_FALSE(show_unit_json(unit_view{"webapp", &s, &spec})["webapp/0"].contains("relation-info"));
}

TEST(JujuFormats, ConfigKeepsValuesAndTypes) {
  const auto spec = webapp_spec();
  const auto s = sample_state();
  const json config = config_json(unit_view{"webapp", &s, &spec});
  EXPECT_EQ(config["settings"]["port"]["source"], "user");
  EXPECT_EQ(config["settings"]["name"]["source"], "unset");
  EXPECT_EQ(config_from_config(config), (json{{"port", 9000}}));
  // Older Juju printed values as text.
  const json text{{"settings", {{"n", {{"type", "int"}, {"value", "7"}, {"source", "user"}}},
                                 {"b", {{"type", "boolean"}, {"value", "true"}, {"source", "user"}}}}}};
  EXPECT_EQ(config_from_config(text), (json{{"n", 7}, {"b", true}}));
  const json bad{{"settings", {{"n", {{"type", "int"}, {"value", "seven"}, {"source", "user"}}}}}};
  EXPECT_THROW(config_from_config(bad), juju_error);
}

TEST(JujuFormats, ModelsPickTheCurrentOrNamedModel) {
  state::model_info m;
  m.name = "dev";
  m.uuid = "11111111-2222-4333-8444-555555555555";
  m.type = "lxd";
  const json models = models_json(m);
  EXPECT_EQ(model_from_models(models, ""), m);
  EXPECT_EQ(model_from_models(models, "dev"), m);
  EXPECT_THROW(model_from_models(models, "prod"), juju_error);
  // Before model-type, only the provider type told Kubernetes models apart.
  json old = models;
  old["models"][0].erase("model-type");
  old["models"][0]["type"] = "kubernetes";
  EXPECT_EQ(model_from_models(old, "").type, "kubernetes");
}

TEST(JujuFormats, NetworkGetAnswerBecomesANetwork) {
  const json answer = json::parse(R"({"bind-addresses": [{"mac-address": "aa", "interface-name": "eth0",
      "addresses": [{"hostname": "", "value": "10.1.1.1", "cidr": "10.1.1.0/24"}]}],
      "egress-subnets": ["10.1.1.0/24"], "ingress-addresses": ["10.1.1.1"]})");
  const auto n = network_from_network_get(answer, "db");
  EXPECT_EQ(n.name, "db");
  ASSERT_EQ(n.bind_addresses.size(), 1u);
  EXPECT_EQ(n.bind_addresses[0].interface_name, "eth0");
  EXPECT_EQ(n.bind_addresses[0].addresses[0].value, "10.1.1.1");
  EXPECT_EQ(n.ingress_addresses, std::vector<std::string>{"10.1.1.1"});
}

TEST(JujuFormats, UnitNamesAreParsedOrRefused) {
  const auto u = parse_unit_name("my-app/12");
  EXPECT_EQ(u.app, "my-app");
  EXPECT_EQ(u.number, 12);
  EXPECT_EQ(u.charm_dir(), "/var/lib/juju/agents/unit-my-app-12/charm");
  EXPECT_THROW(parse_unit_name("my-app"), std::invalid_argument);
  EXPECT_THROW(parse_unit_name("my-app/x"), std::invalid_argument);
  EXPECT_THROW(parse_unit_name("/0"), std::invalid_argument);
}

}  // namespace
}  // namespace scenario::cli
