#include "engine/consistency/checker.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace scenario::consistency {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using json = nlohmann::json;

const spec::charm_spec& test_spec() {
  static const spec::charm_spec spec = spec::spec_from_yaml(R"(
name: app
provides:
  website: {interface: http, limit: 1}
requires:
  db: {interface: pg}
  info: {interface: juju-info, scope: container}
peers:
  cluster: {interface: cl}
extra-bindings:
  admin:
storage:
  data: {type: filesystem, location: /data}
  disks: {type: block, multiple: {range: 1-3}}
resources:
  image: {type: oci-image}
  blob: {type: file, filename: b}
containers:
  work-load: {resource: image}
)",
                                                            R"(
options:
  s: {type: string}
  i: {type: int}
  f: {type: float}
  b: {type: boolean}
  sec: {type: secret}
)",
                                                            R"(
do-backup:
  params:
    target: {type: string}
    count: {type: integer}
    ratio: {type: number}
    flag: {type: boolean}
    items: {type: array}
    opts: {type: object}
    mode: {type: string, enum: [fast, slow]}
    either: {type: [string, integer]}
    odd: {type: color}
  required: [target]
strict:
  params:
    a: {type: string}
    d: {type: integer, default: 1}
  required: [d]
  additionalProperties: false
)");
  return spec;
}

state::event ev(std::string name) {
  state::event e;
  e.name = std::move(name);
  return e;
}

// Juju's rules bind: most tests here are about them.
check_result run(const state::state& st, const state::event& e, std::string version = "3.4") {
  return check(test_spec(), st, e, check_options{.juju_version = std::move(version), .strict = true});
}

// The default (compatible) mode: what ops-scenario 3.1 accepted is a divergence.
check_result run_compatible(const state::state& st, const state::event& e,
                            std::string version = "3.4") {
  return check(test_spec(), st, e, check_options{.juju_version = std::move(version)});
}

// Matches a problem list holding a message with every given fragment.
::testing::Matcher<const std::vector<std::string>&> has(const std::string& a,
                                                       const std::string& b = "") {
  return Contains(AllOf(HasSubstr(a), HasSubstr(b)));
}

state::relation rel(std::string endpoint, int id,
                    state::relation_kind kind = state::relation_kind::regular) {
  state::relation r;
  r.endpoint = std::move(endpoint);
  r.relation_id = id;
  r.kind = kind;
  r.remote_units_data[0] = {};
  return r;
}

state::state with_relations(std::vector<state::relation> relations) {
  state::state st;
  st.relations = std::move(relations);
  return st;
}

state::container ctr(std::string name) {
  state::container c;
  c.name = std::move(name);
  c.can_connect = true;
  return c;
}

const std::string good_secret_id = "secret:0123456789abcdefghij";

// --- baseline ------------------------------------------------------------------------------

TEST(checker, empty_state_and_builtin_event_are_consistent) {
  for (const char* name : {"install", "start", "stop", "remove", "update_status", "config_changed",
                           "upgrade_charm", "pre_series_upgrade", "post_series_upgrade",
                           "collect_metrics"}) {
    auto r = run({}, ev(name));
    EXPECT_THAT(r.errors, IsEmpty()) << name;
    EXPECT_THAT(r.warnings, IsEmpty()) << name;
  }
}

// --- juju version --------------------------------------------------------------------------

TEST(version, unparsable_is_an_error) {
  EXPECT_THAT(run({}, ev("start"), "3.x").errors, has("juju_version '3.x' is not a Juju version"));
  EXPECT_THAT(run({}, ev("start"), "3").errors, has("juju_version '3'"));
  EXPECT_THAT(run({}, ev("start"), "").errors, has("juju_version ''"));
}

TEST(version, accepted_forms) {
  for (const char* v : {"3.0", "2.9.44", "3.1-beta1", "3.1-rc2.1", "3.4.2.7", "4.0.0"})
    EXPECT_THAT(run({}, ev("start"), v).errors, IsEmpty()) << v;
}

// Issue 14: std::regex overflowed the stack on versions of 20 KB or more.
TEST(version, hundred_kilobyte_versions_are_refused_without_a_crash) {
  const std::string digits(100 * 1024, '7');
  EXPECT_THAT(run({}, ev("start"), digits + ".0").errors, has("is not a Juju version"));
  EXPECT_THAT(run({}, ev("start"), "3." + digits + "x").errors, has("is not a Juju version"));
  EXPECT_THAT(run_compatible({}, ev("start"), "3." + digits).errors, has("is not a Juju version"));
  // Leading zeros keep a long version in range: it parses, as std::stoi read it.
  EXPECT_THAT(run({}, ev("start"), std::string(100 * 1024, '0') + "3.4").errors, IsEmpty());
}

TEST(relations, hundred_kilobyte_remote_app_name_is_checked_without_a_crash) {
  state::state st;
  st.relations.push_back(rel("db", 1));
  st.relations.back().remote_app_name = std::string(100 * 1024, 'a');
  auto e = ev("db_relation_changed");
  e.relation_id = 1;
  EXPECT_THAT(run(st, e).errors, IsEmpty());
}

// --- containers ----------------------------------------------------------------------------

TEST(containers, state_container_not_in_metadata) {
  state::state st;
  st.containers.push_back(ctr("other"));
  EXPECT_THAT(run(st, ev("start")).errors,
              has("state.containers['other']: not declared in metadata containers"));
  st.containers = {ctr("work-load")};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(containers, underscore_and_dash_are_alike) {
  state::state st;
  st.containers.push_back(ctr("work_load"));
  state::event e = ev("work_load_pebble_ready");
  e.container = "work-load";
  EXPECT_THAT(run(st, e).errors, IsEmpty());
}

TEST(containers, duplicate_names_in_state) {
  state::state st;
  st.containers = {ctr("work-load"), ctr("work-load")};
  EXPECT_THAT(run(st, ev("start")).errors, has("state.containers: 'work-load' appears 2 times"));
}

TEST(containers, workload_event_without_container) {
  state::state st;
  st.containers = {ctr("work-load")};
  EXPECT_THAT(run(st, ev("work_load_pebble_ready")).errors,
              has("workload events need event.container", "'work_load'"));
  state::event e = ev("work_load_pebble_ready");
  e.container = "work-load";
  EXPECT_THAT(run(st, e).errors, IsEmpty());
}

TEST(containers, workload_event_container_not_in_metadata) {
  state::state st;
  state::event e = ev("ghost_pebble_ready");
  e.container = "ghost";
  EXPECT_THAT(run(st, e).errors, has("container 'ghost' is not declared in metadata containers"));
}

TEST(containers, workload_event_container_not_in_state) {
  state::event e = ev("work_load_pebble_ready");
  e.container = "work-load";
  EXPECT_THAT(run({}, e).errors, has("container 'work-load' is not in state.containers"));
}

TEST(containers, workload_event_name_mismatch) {
  state::state st;
  st.containers = {ctr("work-load")};
  state::event e = ev("other_pebble_ready");
  e.container = "work-load";
  auto errors = run(st, e).errors;
  EXPECT_THAT(errors, has("event.container is 'work-load', which does not match the event name",
                          "'work_load_pebble_ready'"));
}

TEST(containers, custom_notice_must_exist) {
  state::state st;
  st.containers = {ctr("work-load")};
  state::event e = ev("work_load_pebble_custom_notice");
  e.container = "work-load";
  EXPECT_THAT(run(st, e).errors, has("custom-notice events need event.notice_id"));
  e.notice_id = "7";
  EXPECT_THAT(run(st, e).errors, has("notice '7' is not among container 'work-load'"));
  state::notice n;
  n.id = "7";
  n.key = "example.com/k";
  st.containers[0].notices.push_back(n);
  EXPECT_THAT(run(st, e).errors, IsEmpty());
}

TEST(containers, check_events_need_known_check) {
  state::state st;
  st.containers = {ctr("work-load")};
  for (const char* name : {"work_load_pebble_check_failed", "work_load_pebble_check_recovered"}) {
    state::event e = ev(name);
    e.container = "work-load";
    EXPECT_THAT(run(st, e).errors, has("check events need event.check_name")) << name;
    e.check_name = "http";
    EXPECT_THAT(run(st, e).errors, has("check 'http' is not among container 'work-load'"));
    state::state with = st;
    state::check_info ci;
    ci.name = "http";
    with.containers[0].check_infos.push_back(ci);
    EXPECT_THAT(run(with, e).errors, IsEmpty()) << name;
  }
}

TEST(containers, repeated_exec_mock) {
  state::state st;
  st.containers = {ctr("work-load")};
  st.containers[0].exec_mock = {{{"ls", "-l"}, 0, "", ""}, {{"ls"}, 0, "", ""}};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
  st.containers[0].exec_mock.push_back({{"ls", "-l"}, 1, "", ""});
  EXPECT_THAT(run(st, ev("start")).errors,
              has("state.containers['work-load'].exec_mock: command 'ls -l'",
                  "is mocked more than once"));
}

TEST(containers, only_on_kubernetes) {
  state::state st;
  st.containers = {ctr("work-load")};
  EXPECT_THAT(run(st, ev("start")).warnings, IsEmpty());
  st.model.type = "lxd";
  EXPECT_THAT(run(st, ev("start")).warnings, has("Kubernetes models only", "'lxd'"));
}

TEST(containers, workload_event_without_pebble_warns) {
  state::state st;
  st.containers = {ctr("work-load")};
  st.containers[0].can_connect = false;
  state::event e = ev("work_load_pebble_ready");
  e.container = "work-load";
  EXPECT_THAT(run(st, e).warnings, has("can_connect=False"));
  st.containers[0].can_connect = true;
  EXPECT_THAT(run(st, e).warnings, IsEmpty());
}

TEST(containers, notice_and_check_events_need_recent_juju) {
  state::state st;
  st.containers = {ctr("work-load")};
  state::notice n;
  n.id = "1";
  st.containers[0].notices.push_back(n);
  state::check_info ci;
  ci.name = "c";
  st.containers[0].check_infos.push_back(ci);
  state::event notice = ev("work_load_pebble_custom_notice");
  notice.container = "work-load";
  notice.notice_id = "1";
  EXPECT_THAT(run(st, notice, "3.3").warnings, has("pebble-custom-notice from 3.4"));
  EXPECT_THAT(run(st, notice, "3.4").warnings, IsEmpty());
  state::event check = ev("work_load_pebble_check_failed");
  check.container = "work-load";
  check.check_name = "c";
  EXPECT_THAT(run(st, check, "3.5.4").warnings, has("check events from 3.6"));
  EXPECT_THAT(run(st, check, "3.6.0").warnings, IsEmpty());
}

// --- config --------------------------------------------------------------------------------

TEST(config, undeclared_key) {
  state::state st;
  st.config = {{"nope", "x"}};
  EXPECT_THAT(run(st, ev("start")).errors,
              has("state.config['nope']: option not declared in config.yaml options"));
  st.config = {{"s", "x"}};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(config, type_mismatches) {
  struct tc {
    const char* key;
    json bad;
    json good;
  };
  const tc cases[] = {{"s", 1, "text"},
                      {"i", "1", 3},
                      {"i", true, -2},
                      {"i", 1.5, 0},
                      {"f", "1.5", 1.5},
                      {"f", false, 2},  // an int is a fine float
                      {"b", 1, false},
                      {"b", "true", true},
                      {"sec", 5, good_secret_id},
                      {"sec", "not-a-secret", "secret://11111111-2222-3333-4444-555555555555/"
                                              "0123456789abcdefghij"}};
  for (const auto& c : cases) {
    state::state st;
    st.config = {{c.key, c.bad}};
    EXPECT_THAT(run(st, ev("start")).errors,
                has(std::string("state.config['") + c.key + "']", "has type"))
        << c.key << "=" << c.bad.dump();
    st.config = {{c.key, c.good}};
    EXPECT_THAT(run(st, ev("start")).errors, IsEmpty()) << c.key << "=" << c.good.dump();
  }
}

TEST(config, null_means_unset) {
  state::state st;
  st.config = {{"i", nullptr}};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(config, secret_type_needs_juju_3_4) {
  state::state st;
  st.config = {{"sec", good_secret_id}};
  EXPECT_THAT(run(st, ev("start"), "3.3.1").errors,
              has("state.config['sec']: option type secret needs Juju >= 3.4"));
  EXPECT_THAT(run(st, ev("start"), "3.4-beta1").errors, has("needs Juju >= 3.4"));
  EXPECT_THAT(run(st, ev("start"), "3.4.0").errors, IsEmpty());
}

TEST(config, must_be_mapping) {
  state::state st;
  st.config = json::array();
  EXPECT_THAT(run(st, ev("start")).errors, has("state.config: must be a mapping"));
}

// --- relation events -----------------------------------------------------------------------

TEST(relation_events, need_relation_id) {
  auto st = with_relations({rel("db", 1)});
  EXPECT_THAT(run(st, ev("db_relation_changed")).errors,
              has("relation events need event.relation_id"));
  state::event e = ev("db_relation_changed");
  e.relation_id = 1;
  EXPECT_THAT(run(st, e).errors, IsEmpty());
}

TEST(relation_events, relation_id_must_be_in_state) {
  auto st = with_relations({rel("db", 1)});
  state::event e = ev("db_relation_changed");
  e.relation_id = 9;
  EXPECT_THAT(run(st, e).errors, has("event.relation_id 9 is not in state.relations"));
}

TEST(relation_events, endpoint_must_match) {
  auto st = with_relations({rel("db", 1), rel("website", 2)});
  state::event e = ev("db_relation_changed");
  e.relation_id = 2;
  EXPECT_THAT(run(st, e).errors,
              has("relation 2 is on endpoint 'website', not 'db'", "'website_relation_changed'"));
}

TEST(relation_events, undeclared_endpoint_in_event_name) {
  auto st = with_relations({rel("db", 1)});
  state::event e = ev("cache_relation_joined");
  e.relation_id = 1;
  EXPECT_THAT(run(st, e).errors,
              has("endpoint 'cache' is not declared in metadata provides/requires/peers"));
}

TEST(relation_events, no_remote_units) {
  auto st = with_relations({rel("db", 1)});
  st.relations[0].remote_units_data.clear();
  for (const char* name : {"db_relation_joined", "db_relation_changed", "db_relation_departed"}) {
    state::event e = ev(name);
    e.relation_id = 1;
    EXPECT_THAT(run(st, e).errors, has("relation 1 has no remote units")) << name;
  }
  for (const char* name : {"db_relation_created", "db_relation_broken"}) {
    state::event e = ev(name);
    e.relation_id = 1;
    EXPECT_THAT(run(st, e).errors, IsEmpty()) << name;
  }
}

// The run picks the unit and logs 3.1's warning (also when checks are skipped): see run_test.
TEST(relation_events, several_remote_units_and_none_chosen_is_consistent) {
  auto st = with_relations({rel("db", 1)});
  st.relations[0].remote_units_data[3] = {};
  state::event e = ev("db_relation_changed");
  e.relation_id = 1;
  auto r = run(st, e);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, IsEmpty());
  e.relation_remote_unit_id = 3;
  r = run(st, e);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, IsEmpty());
}

TEST(relation_events, remote_unit_must_be_in_relation) {
  auto st = with_relations({rel("db", 1)});
  state::event e = ev("db_relation_departed");
  e.relation_id = 1;
  e.relation_remote_unit_id = 5;
  EXPECT_THAT(run(st, e).errors,
              has("event.relation_remote_unit_id 5 is not a remote unit of relation 1"));
  e.relation_remote_unit_id = 0;
  EXPECT_THAT(run(st, e).errors, IsEmpty());
}

TEST(relation_events, remote_unit_on_created_is_ignored_with_warning) {
  auto st = with_relations({rel("db", 1)});
  state::event e = ev("db_relation_created");
  e.relation_id = 1;
  e.relation_remote_unit_id = 0;
  EXPECT_THAT(run(st, e).warnings, has("Juju sets no remote unit on relation-created/broken"));
}

TEST(relation_events, departed_unit_only_on_departed) {
  auto st = with_relations({rel("db", 1)});
  state::event e = ev("db_relation_changed");
  e.relation_id = 1;
  e.relation_departed_unit_id = 0;
  EXPECT_THAT(run(st, e).warnings,
              has("relation_departed_unit_id is only used by relation-departed"));
  e.name = "db_relation_departed";
  EXPECT_THAT(run(st, e).warnings, IsEmpty());
}

TEST(relation_events, dashed_endpoint_names) {
  auto spec = spec::spec_from_yaml("name: a\nrequires:\n  db-admin: {interface: pg}\n", "", "");
  auto st = with_relations({rel("db-admin", 4)});
  state::event e = ev("db_admin_relation_changed");
  e.relation_id = 4;
  EXPECT_THAT(check(spec, st, e, {}).errors, IsEmpty());
}

// --- other events --------------------------------------------------------------------------

TEST(events, custom_event_warns) {
  auto r = run({}, ev("my_custom_thing"));
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, has("event 'my_custom_thing' is not a Juju event", "custom event"));
  EXPECT_THAT(run({}, ev("update_status")).warnings, IsEmpty());
}

TEST(events, dashed_name) {
  EXPECT_THAT(run({}, ev("update-status")).errors,
              has("event.name 'update-status': use the ops spelling with underscores",
                  "'update_status'"));
  EXPECT_THAT(run({}, ev("update_status")).errors, IsEmpty());
}

TEST(events, empty_name) {
  EXPECT_THAT(run({}, ev("")).errors, has("event.name: empty"));
}

TEST(events, leader_events_warn_on_wrong_leadership) {
  state::state st;
  st.leader = true;
  EXPECT_THAT(run(st, ev("leader_settings_changed")).warnings, has("non-leader units only"));
  EXPECT_THAT(run(st, ev("leader_elected")).warnings, IsEmpty());
  st.leader = false;
  EXPECT_THAT(run(st, ev("leader_elected")).warnings, has("to the new leader"));
  EXPECT_THAT(run(st, ev("leader_settings_changed")).warnings, IsEmpty());
}

TEST(events, stray_fields_warn) {
  state::event e = ev("start");
  e.action_params = {{"x", 1}};
  e.relation_remote_unit_id = 1;
  auto w = run({}, e).warnings;
  EXPECT_THAT(w, has("action_params are ignored"));
  EXPECT_THAT(w, has("relation_remote_unit_id/relation_departed_unit_id are ignored"));
}

// --- secrets -------------------------------------------------------------------------------

state::secret secret_with(std::optional<std::string> owner) {
  state::secret s;
  s.id = good_secret_id;
  s.contents[0] = {{"k", "v"}};
  s.owner = std::move(owner);
  return s;
}

TEST(secrets, event_needs_secret_id) {
  state::state st;
  st.secrets = {secret_with(std::nullopt)};
  EXPECT_THAT(run(st, ev("secret_changed")).errors, has("secret events need event.secret_id"));
  state::event e = ev("secret_changed");
  e.secret_id = good_secret_id;
  EXPECT_THAT(run(st, e).errors, IsEmpty());
}

TEST(secrets, event_secret_must_be_in_state) {
  state::event e = ev("secret_changed");
  e.secret_id = good_secret_id;
  EXPECT_THAT(run({}, e).errors, has("is not in state.secrets"));
}

TEST(secrets, need_juju_3) {
  state::state st;
  st.secrets = {secret_with("app")};
  EXPECT_THAT(run(st, ev("start"), "2.9.42").errors,
              has("state.secrets: secrets need Juju >= 3.0"));
  EXPECT_THAT(run(st, ev("start"), "3.0").errors, IsEmpty());
  state::event e = ev("secret_changed");
  e.secret_id = good_secret_id;
  st.secrets = {secret_with(std::nullopt)};
  EXPECT_THAT(run(st, e, "2.9").errors, has("secret events need Juju >= 3.0"));
}

TEST(secrets, owner_only_events) {
  for (const char* name : {"secret_expired", "secret_rotate", "secret_remove"}) {
    state::state st;
    st.leader = true;
    st.secrets = {secret_with(std::nullopt)};
    state::event e = ev(name);
    e.secret_id = good_secret_id;
    EXPECT_THAT(run(st, e).errors, has("only to the secret's owner", "set owner='app'")) << name;
    st.secrets = {secret_with("unit")};
    EXPECT_THAT(run(st, e).errors, IsEmpty()) << name;
    st.secrets = {secret_with("app")};
    EXPECT_THAT(run(st, e).errors, IsEmpty()) << name;
    st.leader = false;
    EXPECT_THAT(run(st, e).warnings, has("to the leader only")) << name;
  }
}

TEST(secrets, rotate_and_expire_need_a_policy) {
  state::state st;
  st.secrets = {secret_with("unit")};
  state::event rotate = ev("secret_rotate");
  rotate.secret_id = good_secret_id;
  state::event expired = ev("secret_expired");
  expired.secret_id = good_secret_id;
  EXPECT_THAT(run(st, rotate).warnings, has("only for secrets with a rotation policy"));
  EXPECT_THAT(run(st, expired).warnings, has("only for secrets with an expiry"));
  st.secrets[0].rotate = "daily";
  st.secrets[0].expire = "2030-01-01T00:00:00Z";
  EXPECT_THAT(run(st, rotate).warnings, IsEmpty());
  EXPECT_THAT(run(st, expired).warnings, IsEmpty());
}

TEST(secrets, changed_goes_to_consumers) {
  state::state st;
  st.secrets = {secret_with("app")};
  state::event e = ev("secret_changed");
  e.secret_id = good_secret_id;
  EXPECT_THAT(run(st, e).errors, has("secret-changed to the secret's observers, not its owner"));
}

TEST(secrets, unknown_revision_warns) {
  state::state st;
  st.secrets = {secret_with("unit")};
  state::event e = ev("secret_remove");
  e.secret_id = good_secret_id;
  e.secret_revision = 4;
  EXPECT_THAT(run(st, e).warnings, has("event.secret_revision 4 is not among"));
  e.secret_revision = 0;
  EXPECT_THAT(run(st, e).warnings, IsEmpty());
}

TEST(secrets, owner_and_grant_values) {
  state::state st;
  st.secrets = {secret_with("model")};
  st.secrets[0].granted = "everyone";
  auto errors = run(st, ev("start")).errors;
  EXPECT_THAT(errors, has(".owner: 'model' is not an owner"));
  EXPECT_THAT(errors, has(".granted: 'everyone' is not a grant"));
  st.secrets[0].owner = "unit";
  st.secrets[0].granted = "app";
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(secrets, duplicate_ids) {
  state::state st;
  st.secrets = {secret_with("unit"), secret_with("app")};
  EXPECT_THAT(run(st, ev("start")).errors, has("secret id '" + good_secret_id + "' appears 2"));
}

// --- relations in the state ----------------------------------------------------------------

TEST(relations, peer_endpoint_needs_peer_relation) {
  auto st = with_relations({rel("cluster", 1)});
  EXPECT_THAT(run(st, ev("start")).errors,
              has("endpoint is declared under peers but the relation is regular"));
  st.unit_id = 1;  // the peer in rel() is unit 0
  st.relations = {rel("cluster", 1, state::relation_kind::peer)};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(relations, peer_relation_on_non_peer_endpoint) {
  auto st = with_relations({rel("db", 1, state::relation_kind::peer)});
  EXPECT_THAT(run(st, ev("start")).errors,
              has("a PeerRelation on an endpoint that is not declared under peers"));
}

TEST(relations, subordinate_needs_container_scope_and_vice_versa) {
  auto st = with_relations({rel("db", 1, state::relation_kind::subordinate)});
  EXPECT_THAT(run(st, ev("start")).errors,
              has("a SubordinateRelation on an endpoint whose scope is 'global'"));
  st.relations = {rel("info", 1)};
  EXPECT_THAT(run(st, ev("start")).errors,
              has("endpoint has `scope: container` but the relation is regular"));
  st.relations = {rel("info", 1, state::relation_kind::subordinate)};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(relations, subordinate_has_one_remote_unit) {
  auto st = with_relations({rel("info", 1, state::relation_kind::subordinate)});
  st.relations[0].remote_units_data[1] = {};
  EXPECT_THAT(run(st, ev("start")).errors, has("exactly one remote unit (the principal), not 2"));
}

TEST(relations, undeclared_endpoint) {
  auto st = with_relations({rel("cache", 1)});
  EXPECT_THAT(run(st, ev("start")).errors,
              has("state.relations[id=1, endpoint='cache']: endpoint not declared in metadata"));
}

TEST(relations, duplicate_endpoint_names_in_metadata) {
  json meta = {{"name", "a"},
               {"requires", {{"db", {{"interface", "pg"}}}}},
               {"provides", {{"db", {{"interface", "pg"}}}}}};
  auto spec = spec::spec_from_json(meta, nullptr, nullptr);
  EXPECT_THAT(check(spec, {}, ev("start"), {}).errors,
              has("endpoint 'db' is declared 2 times across provides/requires/peers"));
  EXPECT_THAT(check(test_spec(), {}, ev("start"), {}).errors, IsEmpty());
}

TEST(relations, extra_binding_colliding_with_endpoint) {
  auto spec = spec::spec_from_yaml(
      "name: a\nrequires:\n  db: {interface: pg}\nextra-bindings:\n  db:\n", "", "");
  EXPECT_THAT(check(spec, {}, ev("start"), {}).errors,
              has("extra-binding 'db' has the name of a relation endpoint"));
}

TEST(relations, duplicate_ids) {
  auto st = with_relations({rel("db", 1), rel("website", 1)});
  EXPECT_THAT(run(st, ev("start")).errors, has("relation id 1 is used 2 times"));
  st.relations[1].relation_id = 2;
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(relations, peer_data_must_not_hold_this_unit) {
  state::state st;
  st.relations = {rel("cluster", 1, state::relation_kind::peer)};  // remote unit 0
  st.unit_id = 0;
  EXPECT_THAT(run(st, ev("start")).errors,
              has("peer data lists unit 0, which is this unit (state.unit_id)"));
  st.unit_id = 1;
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(relations, limit_exceeded_warns) {
  auto st = with_relations({rel("website", 1), rel("website", 2)});
  auto r = run(st, ev("start"));
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, has("endpoint 'website' has 2 relations but metadata limits it to 1"));
  st.relations.pop_back();
  EXPECT_THAT(run(st, ev("start")).warnings, IsEmpty());
}

TEST(relations, interface_mismatch_warns) {
  auto st = with_relations({rel("db", 1)});
  st.relations[0].interface = "mysql";
  EXPECT_THAT(run(st, ev("start")).warnings, has("interface 'mysql' differs from metadata's 'pg'"));
  st.relations[0].interface = "pg";
  EXPECT_THAT(run(st, ev("start")).warnings, IsEmpty());
}

// --- actions -------------------------------------------------------------------------------

state::event action(std::string name, json params) {
  state::event e = ev(std::move(name));
  e.action_params = std::move(params);
  return e;
}

TEST(actions, undeclared_action) {
  EXPECT_THAT(run({}, action("restore_action", json::object())).errors,
              has("action 'restore' is not declared in actions.yaml"));
  EXPECT_THAT(run({}, action("do_backup_action", {{"target", "/x"}})).errors, IsEmpty());
}

TEST(actions, undeclared_param) {
  EXPECT_THAT(run({}, action("strict_action", {{"zz", 1}})).errors,
              has("event.action_params['zz']: not declared", "additionalProperties is false"));
  auto r = run({}, action("do_backup_action", {{"target", "/x"}, {"zz", 1}}));
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, has("event.action_params['zz']: not declared", "check for a typo"));
}

TEST(actions, param_types) {
  struct tc {
    const char* param;
    json bad;
    json good;
  };
  const tc cases[] = {{"target", 1, "/x"},
                      {"count", "3", 3},
                      {"count", 1.5, 2.0},
                      {"count", true, -1},
                      {"ratio", "0.5", 1},
                      {"flag", "yes", false},
                      {"items", "a", json::array({1, 2})},
                      {"opts", json::array(), json::object({{"k", 1}})},
                      {"either", true, 5}};
  for (const auto& c : cases) {
    json bad = {{"target", "/x"}};
    bad[c.param] = c.bad;
    EXPECT_THAT(run({}, action("do_backup_action", bad)).errors,
                has(std::string("event.action_params['") + c.param + "']", "declares the param as"))
        << c.param << "=" << c.bad.dump();
    json good = {{"target", "/x"}};
    good[c.param] = c.good;
    EXPECT_THAT(run({}, action("do_backup_action", good)).errors, IsEmpty())
        << c.param << "=" << c.good.dump();
  }
}

TEST(actions, unknown_schema_type_warns) {
  auto r = run({}, action("do_backup_action", {{"target", "/x"}, {"odd", "red"}}));
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, has("unknown JSON schema type 'color'"));
}

TEST(actions, enum_values) {
  EXPECT_THAT(run({}, action("do_backup_action", {{"target", "/x"}, {"mode", "medium"}})).errors,
              has("\"medium\" is not one of"));
  EXPECT_THAT(run({}, action("do_backup_action", {{"target", "/x"}, {"mode", "fast"}})).errors,
              IsEmpty());
}

TEST(actions, required_param_missing) {
  EXPECT_THAT(run({}, action("do_backup_action", json::object())).errors,
              has("required param 'target' of action 'do-backup' is missing and has no default"));
  // `d` is required but has a default, which Juju fills in.
  EXPECT_THAT(run({}, action("strict_action", json::object())).errors, IsEmpty());
}

TEST(actions, params_must_be_mapping) {
  EXPECT_THAT(run({}, action("strict_action", json::array())).errors,
              has("event.action_params: must be a mapping"));
}

// --- storage -------------------------------------------------------------------------------

state::storage sto(std::string name, int index) {
  state::storage s;
  s.name = std::move(name);
  s.index = index;
  return s;
}

TEST(storages, undeclared) {
  state::state st;
  st.storages = {sto("cache", 0)};
  EXPECT_THAT(run(st, ev("start")).errors,
              has("state.storages['cache'/0]: not declared in metadata storage"));
  st.storages = {sto("data", 0)};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(storages, duplicates_and_multiple) {
  state::state st;
  st.storages = {sto("disks", 1), sto("disks", 1)};
  EXPECT_THAT(run(st, ev("start")).errors, has("'disks' index 1 appears 2 times"));
  st.storages = {sto("disks", 1), sto("disks", 2)};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
  st.storages = {sto("data", 0), sto("data", 1)};
  EXPECT_THAT(run(st, ev("start")).errors, has("'data' has 2 instances", "multiple"));
}

TEST(storages, events_need_storage_in_state) {
  state::state st;
  EXPECT_THAT(run(st, ev("data_storage_attached")).errors,
              has("storage 'data' index 0 is not in state.storages"));
  st.storages = {sto("data", 0)};
  EXPECT_THAT(run(st, ev("data_storage_attached")).errors, IsEmpty());
  state::event e = ev("data_storage_detaching");
  e.storage_name = "data";
  e.storage_index = 3;
  EXPECT_THAT(run(st, e).errors, has("storage 'data' index 3 is not in state.storages"));
  e.storage_index = 0;
  EXPECT_THAT(run(st, e).errors, IsEmpty());
  e.storage_name = "disks";
  EXPECT_THAT(run(st, e).errors, has("event.storage_name is 'disks', which does not match"));
}

TEST(storages, event_for_undeclared_storage) {
  EXPECT_THAT(run({}, ev("cache_storage_attached")).errors,
              has("storage 'cache' is not declared in metadata storage"));
}

// --- resources, ports, networks, stored state ----------------------------------------------

TEST(resources, undeclared_and_duplicate) {
  state::state st;
  st.resources = {{"model", "/tmp/m"}};
  EXPECT_THAT(run(st, ev("start")).errors,
              has("state.resources['model']: not declared in metadata resources"));
  st.resources = {{"blob", "/tmp/b"}, {"blob", "/tmp/c"}};
  EXPECT_THAT(run(st, ev("start")).errors, has("state.resources: 'blob' appears 2 times"));
  st.resources = {{"blob", "/tmp/b"}};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(ports, ranges_and_icmp) {
  state::state st;
  st.opened_ports = {{"tcp", 0}, {"udp", 70000}, {"icmp", 8}, {"tcp", std::nullopt},
                     {"sctp", 80}};
  auto errors = run(st, ev("start")).errors;
  EXPECT_THAT(errors, has("state.opened_ports[0]: port 0 is out of range"));
  EXPECT_THAT(errors, has("state.opened_ports[1]: port 70000 is out of range"));
  EXPECT_THAT(errors, has("state.opened_ports[2]: icmp has no port"));
  EXPECT_THAT(errors, has("state.opened_ports[3]: a tcp port needs a port number"));
  EXPECT_THAT(errors, has("state.opened_ports[4]: protocol 'sctp' is not one of"));
  st.opened_ports = {{"tcp", 1}, {"udp", 65535}, {"icmp", std::nullopt}};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

TEST(ports, range_bounds) {
  state::state st;
  st.model.type = "lxd";
  st.opened_ports = {{"tcp", 90, 80}, {"udp", 1, 65536}, {"icmp", std::nullopt, 8}};
  auto errors = run(st, ev("start")).errors;
  EXPECT_THAT(errors, has("state.opened_ports[0]: to_port 80 is below port 90"));
  EXPECT_THAT(errors, has("state.opened_ports[1]: to_port 65536 is out of range; use 1-65535"));
  EXPECT_THAT(errors, has("state.opened_ports[2]: icmp has no port range; remove to_port"));
  st.opened_ports = {{"tcp", 8000, 8002}, {"tcp", 80, 80}, {"udp", 8000, 8002}};
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

// Juju's validatePortRangeForCAAS (internal/worker/uniter/runner/context/ports.go); 3.1 had no
// ranges, so this is an error in compatible mode too.
TEST(ports, ranges_refused_on_kubernetes_models_in_both_modes) {
  state::state st;
  st.model.type = "kubernetes";
  st.opened_ports = {{"tcp", 8000, 8002}, {"tcp", 80, 80}};
  for (bool strict : {false, true}) {
    auto r = check(test_spec(), st, ev("start"), check_options{.juju_version = "3.4", .strict = strict});
    EXPECT_THAT(r.errors, has("state.opened_ports[0]: port ranges are not supported on Kubernetes models"));
    EXPECT_EQ(r.errors.size(), 1u) << "a range of one port is a single port";
  }
}

// Juju holds no overlapping ranges of a unit (checkForConflict in ports.go refuses them).
TEST(ports, overlapping_ranges) {
  state::state st;
  st.model.type = "lxd";
  st.opened_ports = {{"tcp", 8000, 8002}, {"tcp", 8002, std::nullopt}, {"udp", 8001, std::nullopt}};
  auto errors = run(st, ev("start")).errors;
  EXPECT_THAT(errors, has("state.opened_ports[1]: 8002/tcp overlaps state.opened_ports[0] (8000-8002/tcp)"));
  EXPECT_EQ(errors.size(), 1u);
}

TEST(networks, must_be_bindings) {
  state::state st;
  st.networks.push_back({});
  st.networks[0].name = "public";
  EXPECT_THAT(run(st, ev("start")).errors, has("state.networks['public']: not a binding"));
  for (const char* ok : {"db", "admin", "juju-info", "cluster"}) {
    st.networks[0].name = ok;
    EXPECT_THAT(run(st, ev("start")).errors, IsEmpty()) << ok;
  }
  st.networks.push_back(st.networks[0]);
  EXPECT_THAT(run(st, ev("start")).errors, has("state.networks: 'cluster' appears 2 times"));
}

TEST(stored_state, duplicate_entries) {
  state::state st;
  st.stored_state.resize(2);
  EXPECT_THAT(run(st, ev("start")).errors, has("'_stored' of owner the charm appears 2 times"));
  st.stored_state[1].owner_path = "MyCharm/lib";
  EXPECT_THAT(run(st, ev("start")).errors, IsEmpty());
}

// --- everything at once ---------------------------------------------------------------------

TEST(checker, reports_every_problem_at_once) {
  state::state st;
  st.config = {{"nope", 1}, {"i", "x"}};
  st.containers = {ctr("ghost")};
  st.relations = {rel("cluster", 1), rel("db", 1)};
  st.opened_ports = {{"icmp", 1}};
  st.storages = {sto("cache", 0)};
  state::event e = ev("db_relation_changed");
  auto r = check(test_spec(), st, e, check_options{.juju_version = "3.x", .strict = true});
  EXPECT_THAT(r.errors, has("juju_version '3.x'"));
  EXPECT_THAT(r.errors, has("state.config['nope']"));
  EXPECT_THAT(r.errors, has("state.config['i']"));
  EXPECT_THAT(r.errors, has("state.containers['ghost']"));
  EXPECT_THAT(r.errors, has("declared under peers"));
  EXPECT_THAT(r.errors, has("relation id 1 is used 2 times"));
  EXPECT_THAT(r.errors, has("icmp has no port"));
  EXPECT_THAT(r.errors, has("state.storages['cache'/0]"));
  EXPECT_THAT(r.errors, has("relation events need event.relation_id"));
  EXPECT_EQ(r.errors.size(), 9u);

  try {
    check_or_throw(test_spec(), st, e, check_options{.juju_version = "3.x", .strict = true});
    FAIL() << "expected inconsistent_scenario_error";
  } catch (const inconsistent_scenario_error& err) {
    EXPECT_EQ(err.problems(), r.errors);
    EXPECT_THAT(err.what(), HasSubstr("Inconsistent scenario:"));
    EXPECT_THAT(err.what(), HasSubstr("icmp has no port"));
  }
}

TEST(checker, container_plans_are_checked_by_the_plan_check_the_caller_hands_in) {
  state::state st;
  st.containers.push_back(ctr("work-load"));
  check_options options{.juju_version = "3.x", .strict = true};
  // Without a plan check, layers are not looked at.
  EXPECT_THAT(check(test_spec(), st, ev("start"), options).errors, Not(has("Pebble refuses")));
  options.container_plan_problem = [](const state::container& c) -> std::optional<std::string> {
    return c.name == "work-load" ? std::optional<std::string>("bad layer") : std::nullopt;
  };
  EXPECT_THAT(check(test_spec(), st, ev("start"), options).errors,
              has("container \"work-load\": its layers make a plan Pebble refuses: bad layer. Fix "
                  "the layers in the State"));
}

TEST(checker, check_or_throw_returns_warnings) {
  auto warnings = check_or_throw(test_spec(), {}, ev("custom_thing"), {}).warnings;
  EXPECT_THAT(warnings, has("custom event"));
  EXPECT_THAT(check_or_throw(test_spec(), {}, ev("start"), {}).warnings, IsEmpty());
}

// --- compatible mode: 3.1's shapes are divergences, not errors --------------------------------

TEST(compatible, states_3_1_accepted_are_divergences_with_the_rule) {
  state::state st;
  st.relations.push_back(rel("nope", 1));     // undeclared endpoint
  st.relations.push_back(rel("db", 2));
  st.relations.push_back(rel("db", 2));       // duplicate id
  auto peer = rel("cluster", 3, state::relation_kind::peer);
  peer.remote_units_data[st.unit_id] = {};    // lists this unit
  st.relations.push_back(peer);
  auto r = run_compatible(st, ev("start"));
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.divergences, has("endpoint=\'nope\'", "Juju relates only declared endpoints"));
  EXPECT_THAT(r.divergences, has("relation id 2 is used 2 times", "strict mode makes it an error"));
  EXPECT_THAT(r.divergences, has("which is this unit", "Juju lists only the other units"));
  auto strict = run(st, ev("start"));
  EXPECT_THAT(strict.divergences, IsEmpty());
  EXPECT_EQ(strict.errors.size(), 3u);
}

TEST(compatible, foreign_remote_unit_and_no_remote_units) {
  state::state st;
  st.relations.push_back(rel("db", 1));
  auto lonely = rel("db", 2);
  lonely.remote_units_data.clear();
  st.relations.push_back(lonely);
  auto foreign = ev("db_relation_changed");
  foreign.relation_id = 1;
  foreign.relation_remote_unit_id = 7;
  EXPECT_THAT(run_compatible(st, foreign).divergences, has("relation_remote_unit_id 7"));
  EXPECT_THAT(run(st, foreign).errors, has("relation_remote_unit_id 7"));
  auto joined = ev("db_relation_joined");
  joined.relation_id = 2;
  EXPECT_THAT(run_compatible(st, joined).divergences, has("has no remote units"));
  EXPECT_THAT(run(st, joined).errors, has("has no remote units"));
}

TEST(compatible, dotted_number_versions_are_divergences_and_gate_as_numbers) {
  auto r = run_compatible({}, ev("start"), "3");
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.divergences, has("juju_version '3'"));
  state::state with_secret;
  state::secret s;
  s.id = good_secret_id;
  s.contents[1] = {{"a", "b"}};
  with_secret.secrets.push_back(s);
  EXPECT_THAT(run_compatible(with_secret, ev("start"), "2").errors, has("secrets need Juju >= 3.0"));
  EXPECT_THAT(run_compatible(with_secret, ev("start"), "100").errors, IsEmpty());
  EXPECT_THAT(run_compatible({}, ev("start"), "3.x").errors, has("juju_version '3.x'"));
}

TEST(compatible, metadata_juju_refuses_is_a_divergence) {
  const auto spec = spec::spec_from_yaml("name: app\nrequires:\n  db: {}\n", "", "");
  EXPECT_THAT(check(spec, {}, ev("start"), {}).divergences, has("requires.db.interface"));
  EXPECT_THAT(check(spec, {}, ev("start"), {.strict = true}).errors, has("requires.db.interface"));
}

TEST(compatible, event_relation_matched_by_endpoint) {
  state::state st;
  st.relations.push_back(rel("db", 4));
  auto e = ev("db_relation_changed");
  e.relation_id = 9;  // another Relation object on the same endpoint
  auto note = match_relation_by_endpoint(test_spec(), st, e);
  ASSERT_TRUE(note.has_value());
  EXPECT_THAT(*note, HasSubstr("ran it on relation 4"));
  EXPECT_EQ(e.relation_id, 4);
  st.relations.push_back(rel("db", 5));  // two candidates: nothing is guessed
  auto ambiguous = ev("db_relation_changed");
  ambiguous.relation_id = 9;
  EXPECT_FALSE(match_relation_by_endpoint(test_spec(), st, ambiguous).has_value());
  EXPECT_EQ(ambiguous.relation_id, 9);
}

// --- areas ------------------------------------------------------------------------------------

TEST(areas, only_the_areas_asked_for_are_checked_and_the_version_still_gates) {
  state::state st;
  st.config = {{"nope", 1}};
  st.relations = {rel("undeclared", 1)};
  state::secret s;
  s.id = good_secret_id;
  st.secrets.push_back(s);
  check_options options{.juju_version = "2.9", .strict = true, .only_areas = {"config"}};
  auto r = check(test_spec(), st, ev("start"), options);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors, has("state.config['nope']"));
  options.only_areas = {"secrets"};  // the unreported version still gates secrets
  EXPECT_THAT(check(test_spec(), st, ev("start"), options).errors, has("secrets need Juju >= 3.0"));
  options.only_areas = {"colour"};
  EXPECT_THROW(check(test_spec(), st, ev("start"), options), scenario::error);
  EXPECT_EQ(checker_areas().front(), "version");
  EXPECT_EQ(checker_areas().size(), 13u);
}

}  // namespace
}  // namespace scenario::consistency
