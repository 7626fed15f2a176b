#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

class relation_tools : public agent_fixture {
 protected:
  relation_tools() { add_relations(); }
};

TEST_F(relation_tools, relation_ids_lists_endpoint_ids) {
  state::relation second;
  second.endpoint = "db";
  second.relation_id = 7;
  st.relations.push_back(second);
  EXPECT_EQ(ok_json({"relation-ids", "db", "--format=json"}), json({"db:1", "db:7"}));
  EXPECT_EQ(ok_json({"relation-ids", "--format=json", "web"}), json::array());
  EXPECT_EQ(ok({"relation-ids", "db"}), "db:1\ndb:7\n");
}

// Follows juju/juju internal/worker/uniter/runner/jujuc/relation-ids.go: the ids are sorted as
// strings (sort.Strings), and with none it writes an empty []string through juju/cmd output.go:
// nothing in smart format, `[]` in JSON and YAML.
TEST_F(relation_tools, relation_ids_sorted_as_strings_and_empty_per_format) {
  for (int id : {10, 2}) {
    state::relation r;
    r.endpoint = "db";
    r.relation_id = id;
    st.relations.push_back(r);
  }
  EXPECT_EQ(ok_json({"relation-ids", "db", "--format=json"}), json({"db:1", "db:10", "db:2"}));
  EXPECT_EQ(ok({"relation-ids", "db"}), "db:1\ndb:10\ndb:2\n");
  EXPECT_EQ(ok({"relation-ids", "web"}), "");
  EXPECT_EQ(ok({"relation-ids", "web", "--format=json"}), "[]\n");
  EXPECT_EQ(ok({"relation-ids", "web", "--format=yaml"}), "[]\n");
}

// Follows juju/juju internal/worker/uniter/runner/context/cache.go: RelationCache.MemberNames,
// which relation-list.go prints, sorts the unit names as strings (sort.Strings).
TEST_F(relation_tools, relation_list_sorted_as_strings) {
  st.relations[0].remote_units_data[10] = {};
  st.relations[0].remote_units_data[2] = {};
  EXPECT_EQ(ok_json({"relation-list", "-r", "1", "--format=json"}),
            json({"remote/0", "remote/1", "remote/10", "remote/2"}));
  EXPECT_EQ(ok({"relation-list", "-r", "1"}), "remote/0\nremote/1\nremote/10\nremote/2\n");
}

// Follows juju/juju internal/worker/uniter/runner/context/context.go (HookContext.RelationIds
// skips the relation marked broken) and contextfactory.go (getContextRelations never marks a
// peer relation broken), which Juju does from 3.4 on; before 3.4 it is listed. Hook tools read
// the leading numbers of the version (3.4-beta1 as 3.4.0; the checker reports on the text).
TEST_F(relation_tools, relation_ids_omits_the_broken_relation_from_juju_3_4) {
  ev.name = "db_relation_broken";
  ev.relation_id = 1;
  const std::vector<std::pair<std::string, json>> listed_on_version{
      {"3.3.9", json({"db:1"})}, {"3", json({"db:1"})},          {"3.4.0", json::array()},
      {"3.4-beta1", json::array()}, {"3.6.1", json::array()}, {"4", json::array()},
  };
  for (const auto& [version, listed] : listed_on_version) {
    ctx().juju_version = version;
    EXPECT_EQ(ok_json({"relation-ids", "--format=json"}), listed) << version;
  }
  EXPECT_NE(fails({"relation-ids", "a", "b"}).find("unrecognized args"), std::string::npos);
  EXPECT_TRUE(ctx().divergences.empty());
}

TEST_F(relation_tools, relation_ids_keeps_a_broken_peer_relation_on_juju_3_4) {
  ev.name = "peers_relation_broken";
  ev.relation_id = 2;
  ctx().juju_version = "3.6.1";
  EXPECT_EQ(ok_json({"relation-ids", "--format=json"}), json({"peers:2"}));
}

TEST_F(relation_tools, relation_ids_without_endpoint_outside_relation_hook) {
  EXPECT_EQ(fails({"relation-ids"}), "ERROR no endpoint name specified\n");
}

TEST_F(relation_tools, relation_list_accepts_plain_and_endpoint_ids) {
  EXPECT_EQ(ok_json({"relation-list", "-r", "1", "--format=json"}), json({"remote/0", "remote/1"}));
  EXPECT_EQ(ok_json({"relation-list", "--format=json", "-r", "db:1"}), json({"remote/0", "remote/1"}));
  EXPECT_EQ(ok_json({"relation-list", "--relation=1", "--format=json"}), json({"remote/0", "remote/1"}));
}

TEST_F(relation_tools, relation_list_app_prints_remote_app_name) {
  EXPECT_EQ(ok_json({"relation-list", "--format=json", "--app", "-r", "db:1"}), json("remote"));
  EXPECT_EQ(ok_json({"relation-list", "-r", "2", "--app", "--format=json"}), json("app"));
}

TEST_F(relation_tools, relation_list_peers_never_lists_this_unit) {
  st.relations[1].remote_units_data[0] = {};  // this unit, wrongly listed among peers
  EXPECT_EQ(ok_json({"relation-list", "-r", "peers:2", "--format=json"}), json({"app/1"}));
}

TEST_F(relation_tools, relation_list_departed_hook_omits_departing_unit) {
  ev.name = "db_relation_departed";
  ev.relation_id = 1;
  ev.relation_remote_unit_id = 1;
  EXPECT_EQ(ok_json({"relation-list", "--format=json"}), json({"remote/0"}));
  // its data stays readable for the life of the relation
  EXPECT_EQ(ok_json({"relation-get", "--format=json", "-", "remote/1"}), json({{"u1", "one"}}));
}

TEST_F(relation_tools, relation_list_broken_hook_lists_nobody) {
  ev.name = "db_relation_broken";
  ev.relation_id = 1;
  EXPECT_EQ(ok_json({"relation-list", "--format=json"}), json::array());
}

TEST_F(relation_tools, unknown_relation_is_relation_not_found) {
  for (const char* tool : {"relation-list", "relation-get", "relation-set", "relation-model-get"}) {
    auto err = fails({tool, "-r", "99", "--format=json"});
    EXPECT_NE(err.find("relation not found"), std::string::npos) << tool << ": " << err;
  }
  // endpoint:id with the wrong endpoint is not that relation
  EXPECT_NE(fails({"relation-list", "-r", "web:1"}).find("relation not found"), std::string::npos);
  EXPECT_NE(fails({"relation-list", "-r", "x"}).find("invalid relation id"), std::string::npos);
}

TEST_F(relation_tools, relation_tools_need_a_relation_outside_relation_hooks) {
  EXPECT_EQ(fails({"relation-list"}), "ERROR no relation id specified\n");
  EXPECT_EQ(fails({"relation-get", "-", "remote/0"}), "ERROR no relation id specified\n");
  EXPECT_EQ(fails({"relation-set", "a=b"}), "ERROR no relation id specified\n");
}

TEST_F(relation_tools, relation_get_ops_2_and_3_argv_forms) {
  // ops 2.4: flags interspersed, --format last
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "-", "remote/0", "--format=json"}), json({{"u0", "zero"}}));
  // ops 3.8: --format first, endpoint:id
  EXPECT_EQ(ok_json({"relation-get", "--format=json", "-r", "db:1", "-", "remote/1"}), json({{"u1", "one"}}));
  EXPECT_EQ(ok_json({"relation-get", "--format=json", "-r", "db:1", "--app", "-", "remote"}),
            json({{"remote-app-key", "r"}}));
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "-", "remote", "--app", "--format=json"}),
            json({{"remote-app-key", "r"}}));
}

TEST_F(relation_tools, relation_get_single_key) {
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "u0", "remote/0", "--format=json"}), json("zero"));
  EXPECT_EQ(ok({"relation-get", "-r", "1", "u0", "remote/0"}), "zero\n");
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "missing", "remote/0", "--format=json"}), json(nullptr));
  EXPECT_EQ(ok({"relation-get", "-r", "1", "missing", "remote/0"}), "");
}

TEST_F(relation_tools, relation_get_own_unit_bag_has_the_keys_juju_writes) {
  // The endpoint's binding has no State network: the default one (192.0.2.0 in 192.0.2.0/24).
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "-", "app/0", "--format=json"}),
            json({{"mine", "1"},
                  {"private-address", "192.0.2.0"},
                  {"ingress-address", "192.0.2.0"},
                  {"egress-subnets", "192.0.2.0/24"}}));
  EXPECT_EQ(ok({"relation-get", "-r", "1", "ingress-address", "app/0"}), "192.0.2.0\n");
  // From the State's network for the binding, when there is one; the State's own keys win.
  state::network db;
  db.name = "db";
  db.bind_addresses = {{"eth1", {{"", "10.1.2.3", "10.1.2.0/24", ""}}, ""}};
  db.ingress_addresses = {"10.9.9.9"};
  db.egress_subnets = {"10.1.2.0/24", "10.1.3.0/24"};
  st.networks.push_back(db);
  st.relations[0].local_unit_data["private-address"] = "set-by-test";
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "-", "app/0", "--format=json"}),
            json({{"mine", "1"},
                  {"private-address", "set-by-test"},
                  {"ingress-address", "10.9.9.9"},
                  {"egress-subnets", "10.1.2.0/24,10.1.3.0/24"}}));
  // Only reads see them: the State's databag is not changed.
  EXPECT_EQ(st.relations[0].local_unit_data,
            (state::databag{{"mine", "1"}, {"private-address", "set-by-test"}}));
}

TEST_F(relation_tools, relation_get_own_app_bag_needs_leadership_on_regular_relations) {
  auto err = fails({"relation-get", "-r", "1", "--app", "-", "app", "--format=json"});
  EXPECT_EQ(err, "ERROR permission denied\n");
  // peers may read their own app bag without leadership
  EXPECT_EQ(ok_json({"relation-get", "-r", "2", "--app", "-", "app", "--format=json"}),
            json({{"peer-app", "p"}}));
  st.leader = true;
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "--app", "-", "app", "--format=json"}),
            json({{"app-key", "a"}}));
  // --app with a unit name means that unit's application
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "--app", "-", "app/0", "--format=json"}),
            json({{"app-key", "a"}}));
}

TEST_F(relation_tools, relation_get_peer_unit_bag) {
  EXPECT_EQ(ok_json({"relation-get", "-r", "2", "-", "app/1", "--format=json"}), json({{"peer1", "x"}}));
}

TEST_F(relation_tools, relation_get_unrelated_unit_or_app_is_denied) {
  EXPECT_EQ(fails({"relation-get", "-r", "1", "-", "remote/9"}), "ERROR permission denied\n");
  EXPECT_EQ(fails({"relation-get", "-r", "1", "-", "other/0"}), "ERROR permission denied\n");
  EXPECT_EQ(fails({"relation-get", "-r", "1", "--app", "-", "other"}), "ERROR permission denied\n");
}

TEST_F(relation_tools, relation_get_app_name_without_app_flag) {
  EXPECT_EQ(fails({"relation-get", "-r", "1", "-", "remote"}),
            "ERROR expected unit name, got application name \"remote\"\n");
  EXPECT_EQ(fails({"relation-get", "-r", "1", "-", "Bad!"}), "ERROR invalid unit name \"Bad!\"\n");
}

TEST_F(relation_tools, relation_get_defaults_from_hook) {
  ev.name = "db_relation_changed";
  ev.relation_id = 1;
  ev.relation_remote_unit_id = 1;
  EXPECT_EQ(ok_json({"relation-get", "--format=json"}), json({{"u1", "one"}}));
  EXPECT_EQ(ok_json({"relation-get", "--format=json", "--app"}), json({{"remote-app-key", "r"}}));
  ev.relation_remote_unit_id.reset();  // app-level relation-changed: the app is the default
  EXPECT_EQ(ok_json({"relation-get", "--format=json", "-"}), json({{"remote-app-key", "r"}}));
}

TEST_F(relation_tools, relation_get_without_target_outside_hook) {
  EXPECT_EQ(fails({"relation-get", "-r", "1"}), "ERROR no unit or application specified\n");
  EXPECT_EQ(fails({"relation-get", "-r", "1", "--app"}), "ERROR no unit or application specified\n");
  EXPECT_NE(fails({"relation-get", "-r", "1", "-", "remote/0", "extra"}).find("unrecognized args"),
            std::string::npos);
}

TEST_F(relation_tools, relation_set_json_file_from_stdin_ops_3) {
  ok({"relation-set", "-r", "db:1", "--file", "-"}, R"({"a": "1", "mine": ""})");
  EXPECT_EQ(st.relations[0].local_unit_data, (state::databag{{"a", "1"}}));
}

TEST_F(relation_tools, relation_set_yaml_file_from_stdin_ops_2) {
  ok({"relation-set", "-r", "1", "--file", "-"}, "b: two\n");
  EXPECT_EQ(st.relations[0].local_unit_data, (state::databag{{"b", "two"}, {"mine", "1"}}));
}

TEST_F(relation_tools, relation_set_key_value_args_override_file) {
  ok({"relation-set", "-r", "1", "--file", "-", "k=arg", "empty="}, "k: file\nother: o\n");
  EXPECT_EQ(st.relations[0].local_unit_data, (state::databag{{"k", "arg"}, {"mine", "1"}, {"other", "o"}}));
  EXPECT_NE(fails({"relation-set", "-r", "1", "novalue"}).find("expected \"key=value\""), std::string::npos);
  EXPECT_NE(fails({"relation-set", "-r", "1", "a=1", "a=2"}).find("more than once"), std::string::npos);
}

TEST_F(relation_tools, relation_set_bad_yaml_fails) {
  auto err = fails({"relation-set", "-r", "1", "--file", "-"}, "a: [1, 2]\n");
  EXPECT_NE(err.find("yaml"), std::string::npos);
  EXPECT_EQ(st.relations[0].local_unit_data, (state::databag{{"mine", "1"}}));
}

TEST_F(relation_tools, relation_set_app_needs_leadership) {
  EXPECT_EQ(fails({"relation-set", "-r", "1", "--app", "--file", "-"}, R"({"x": "y"})"),
            "ERROR cannot write relation settings\n");
  EXPECT_EQ(st.relations[0].local_app_data, (state::databag{{"app-key", "a"}}));
  st.leader = true;
  ok({"relation-set", "-r", "db:1", "--app", "--file", "-"}, R"({"x": "y", "app-key": ""})");
  EXPECT_EQ(st.relations[0].local_app_data, (state::databag{{"x", "y"}}));
  EXPECT_EQ(st.relations[0].remote_app_data, (state::databag{{"remote-app-key", "r"}}));
}

TEST_F(relation_tools, relation_model_get_defaults_to_this_model) {
  EXPECT_EQ(ok_json({"relation-model-get", "--format=json", "-r", "db:1"}), json({{"uuid", st.model.uuid}}));
  st.relations[0].remote_model_uuid = "11111111-2222-4333-8444-555555555555";
  EXPECT_EQ(ok_json({"relation-model-get", "-r", "1", "--format=json"})["uuid"],
            "11111111-2222-4333-8444-555555555555");
}

TEST_F(relation_tools, unknown_flag_is_usage_error) {
  auto r = run({"relation-get", "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR flag provided but not defined: --bogus\n");
}

// ---- compatible mode (what ops-scenario 3.1 answered) --------------------------------------

TEST_F(relation_tools, compatible_broken_relation_is_listed_with_its_units) {
  strict = false;
  ev.name = "db_relation_broken";
  ev.relation_id = 1;
  ctx().juju_version = "3.4.0";
  EXPECT_EQ(ok_json({"relation-ids", "db", "--format=json"}), json({"db:1"}));
  EXPECT_EQ(ok_json({"relation-list", "-r", "1", "--format=json"}), json({"remote/0", "remote/1"}));
  ASSERT_EQ(ctx().divergences.size(), 2u);
  EXPECT_NE(ctx().divergences[0].find("Juju 3.4.0 (3.4 and later) leaves relation 1 out"),
            std::string::npos);
}

// Before 3.4 Juju lists the broken relation too, so a default run agrees with Juju there and
// reports only relation-list's divergence.
TEST_F(relation_tools, compatible_broken_relation_before_juju_3_4_is_no_divergence) {
  strict = false;
  ev.name = "db_relation_broken";
  ev.relation_id = 1;
  EXPECT_EQ(ok_json({"relation-ids", "db", "--format=json"}), json({"db:1"}));
  EXPECT_TRUE(ctx().divergences.empty());
}

TEST_F(relation_tools, compatible_non_leader_reads_own_app_databag) {
  strict = false;
  st.leader = false;
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "--app", "-", "app", "--format=json"}),
            json({{"app-key", "a"}}));
  ASSERT_EQ(ctx().divergences.size(), 1u);
  EXPECT_NE(ctx().divergences[0].find("non-leader"), std::string::npos);
}

TEST_F(relation_tools, compatible_names_juju_refuses_are_read_when_the_state_gave_them) {
  st.relations[0].remote_app_name = "remote_app";
  strict = false;
  EXPECT_EQ(ok_json({"relation-get", "-r", "1", "-", "remote_app/0", "--format=json"}),
            json({{"u0", "zero"}}));
  EXPECT_NE(fails({"relation-get", "-r", "1", "-", "other_app/0"}).find("invalid unit name"),
            std::string::npos);
}

TEST_F(relation_tools, strict_refuses_names_juju_refuses) {
  st.relations[0].remote_app_name = "remote_app";
  EXPECT_NE(fails({"relation-get", "-r", "1", "-", "remote_app/0"}).find("invalid unit name"),
            std::string::npos);
  EXPECT_TRUE(ctx().divergences.empty());
}

}  // namespace
}  // namespace scenario::agent::testing
