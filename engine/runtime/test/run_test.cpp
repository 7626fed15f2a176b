#include <sched.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/runtime/hook_env.hpp"
#include "engine/runtime/run.hpp"

namespace scenario::runtime {
namespace {

spec::charm_spec make_spec() {
  spec::charm_spec s;
  s.name = "webapp";
  spec::relation_spec db;
  db.name = "my-db";
  db.interface = "pgsql";
  spec::relation_spec peers;
  peers.name = "replicas";
  peers.interface = "peers";
  peers.role = spec::relation_role::peers;
  s.relations = {db, peers};
  spec::container_spec web;
  web.name = "web-server";
  s.containers.push_back(web);
  spec::storage_spec data;
  data.name = "data";
  data.type = "filesystem";
  s.storages.push_back(data);
  spec::action_spec show;
  show.name = "show-config";
  s.actions["show-config"] = show;
  return s;
}

state::event named(std::string name) {
  state::event e;
  e.name = std::move(name);
  return e;
}

// A relation on `endpoint` whose remote units (empty databags) are `units`.
state::relation relation_on(std::string endpoint, int id, const std::vector<int>& units,
                            std::string remote_app = "remote") {
  state::relation r;
  r.endpoint = std::move(endpoint);
  r.relation_id = id;
  r.remote_app_name = std::move(remote_app);
  for (int unit : units) r.remote_units_data[unit] = {};
  return r;
}

state::relation peer_relation_on(std::string endpoint, int id, const std::vector<int>& peers) {
  auto r = relation_on(std::move(endpoint), id, peers);
  r.kind = state::relation_kind::peer;
  return r;
}

TEST(hook_env, classifies_with_the_spec_spelling) {
  const auto spec = make_spec();
  const std::vector<std::pair<std::string, classified_event>> cases{
      {"my_db_relation_changed",
       {event_kind::relation, "my-db-relation-changed", "hooks/my-db-relation-changed", "my-db"}},
      {"web_server_pebble_ready",
       {event_kind::workload, "web-server-pebble-ready", "hooks/web-server-pebble-ready", "web-server"}},
      {"show_config_action", {event_kind::action, "show-config", "actions/show-config", "show-config"}},
      {"data_storage_attached",
       {event_kind::storage, "data-storage-attached", "hooks/data-storage-attached", "data"}},
      {"secret_changed", {event_kind::secret, "secret-changed", "hooks/secret-changed", ""}},
      {"config_changed", {event_kind::lifecycle, "config-changed", "hooks/config-changed", ""}},
  };
  for (const auto& [event, want] : cases) {
    const auto got = classify_event(spec, named(event));
    EXPECT_EQ(got.kind, want.kind) << event;
    EXPECT_EQ(got.hook_name, want.hook_name) << event;
    EXPECT_EQ(got.dispatch_path, want.dispatch_path) << event;
    EXPECT_EQ(got.entity, want.entity) << event;
  }
}

TEST(hook_env, relation_event_names_remote_unit_and_app) {
  auto spec = make_spec();
  state::state st;
  st.unit_id = 1;
  st.relations.push_back(relation_on("my-db", 7, {3, 5}, "postgresql"));
  auto ev = named("my_db_relation_departed");
  ev.relation_id = 7;
  ev.relation_remote_unit_id = 5;
  auto env = hook_environment(st, ev, classify_event(spec, ev), {"webapp", "3.4.0", "/charm"});
  EXPECT_EQ(env.at("JUJU_UNIT_NAME"), "webapp/1");
  EXPECT_EQ(env.at("JUJU_RELATION"), "my-db");
  EXPECT_EQ(env.at("JUJU_RELATION_ID"), "my-db:7");
  EXPECT_EQ(env.at("JUJU_REMOTE_APP"), "postgresql");
  EXPECT_EQ(env.at("JUJU_REMOTE_UNIT"), "postgresql/5");
  EXPECT_EQ(env.at("JUJU_DEPARTING_UNIT"), "postgresql/5");
  EXPECT_EQ(env.at("JUJU_VERSION"), "3.4.0");
}

TEST(hook_env, created_and_broken_have_no_remote_unit) {
  auto spec = make_spec();
  state::state st;
  st.relations.push_back(peer_relation_on("replicas", 2, {1}));
  auto ev = named("replicas_relation_created");
  ev.relation_id = 2;
  auto env = hook_environment(st, ev, classify_event(spec, ev), {"webapp", "3.0", "/charm"});
  EXPECT_EQ(env.count("JUJU_REMOTE_UNIT"), 0u);
  EXPECT_EQ(env.at("JUJU_REMOTE_APP"), "webapp");  // a peer's remote app is this app

  auto changed = named("replicas_relation_changed");
  changed.relation_id = 2;
  auto env2 = hook_environment(st, changed, classify_event(spec, changed), {"webapp", "3.0", "/c"});
  EXPECT_EQ(env2.at("JUJU_REMOTE_UNIT"), "webapp/1");  // the only peer
}

TEST(hook_env, secret_action_storage_and_workload_variables) {
  auto spec = make_spec();
  state::state st;
  state::secret s;
  s.id = "secret:abc";
  s.label = "creds";
  s.contents = {{1, {{"a", "b"}}}, {2, {{"a", "c"}}}};
  st.secrets.push_back(s);
  auto rm = named("secret_remove");
  rm.secret_id = "secret:abc";
  auto env = hook_environment(st, rm, classify_event(spec, rm), {"webapp", "3.0", "/c"});
  EXPECT_EQ(env.at("JUJU_SECRET_ID"), "secret:abc");
  EXPECT_EQ(env.at("JUJU_SECRET_LABEL"), "creds");
  EXPECT_EQ(env.at("JUJU_SECRET_REVISION"), "2");

  auto act = named("show_config_action");
  auto aenv = hook_environment(st, act, classify_event(spec, act), {"webapp", "3.0", "/c"});
  EXPECT_EQ(aenv.at("JUJU_ACTION_NAME"), "show-config");
  EXPECT_EQ(aenv.count("JUJU_HOOK_NAME"), 0u);

  auto stor = named("data_storage_attached");
  stor.storage_index = 2;
  auto senv = hook_environment(st, stor, classify_event(spec, stor), {"webapp", "3.0", "/c"});
  EXPECT_EQ(senv.at("JUJU_STORAGE_ID"), "data/2");

  auto ready = named("web_server_pebble_ready");
  ready.container = "web-server";
  auto wenv = hook_environment(st, ready, classify_event(spec, ready), {"webapp", "3.0", "/c"});
  EXPECT_EQ(wenv.at("JUJU_WORKLOAD_NAME"), "web-server");
}


TEST(hook_env, a_nul_in_a_variable_is_refused_naming_its_source) {
  auto spec = make_spec();
  state::state st;
  st.model.name = std::string("m\0x", 3);
  auto start = named("start");
  try {
    hook_environment(st, start, classify_event(spec, start), {"webapp", "3.0", "/c"});
    FAIL() << "no error";
  } catch (const state_validation_error& e) {
    EXPECT_NE(std::string(e.what()).find("state.model.name holds a NUL character"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("JUJU_MODEL_NAME"), std::string::npos) << e.what();
  }
}

// complete_peer_snapshots (deferred_snapshot_test.cpp) is what a run applies to its deferred events.
TEST(run, deferred_peer_events_get_this_app_and_its_first_peer) {
  const auto spec = make_spec();
  state::state st;
  st.relations.push_back(peer_relation_on("replicas", 3, {2, 1}));
  st.deferred = {{"WebappCharm/on/replicas_relation_changed[1]", "WebappCharm", "_on_peers",
                  {{"relation_name", "replicas"}, {"relation_id", 3}}}};
  run_options options;
  options.charm_class_name = "WebappCharm";
  options.unit_state_in_memory = true;
  run r(spec, st, named("update_status"), options, nullptr);

  const auto out = r.finish();  // ops never ran: the store is read back as the run built it
  ASSERT_EQ(out.deferred.size(), 1u);
  const state::json changed = {{"relation_name", "replicas"}, {"relation_id", 3},
                               {"app_name", "webapp"}, {"unit_name", "webapp/1"}};
  EXPECT_EQ(out.deferred[0].snapshot_data, changed);
}

// ops' event counter (the Framework's stored state, owner_path "") is the store's business: the
// output State shows it only when the input did, and the store rebuilds it from the deferred
// events when it is absent, so an output fed back in numbers events as before.
TEST(run, the_frameworks_stored_state_is_shown_only_when_the_input_had_it) {
  const auto spec = make_spec();
  state::state st;
  st.deferred = {{"WebappCharm/on/start[4]", "WebappCharm", "_on_start", state::json::object()}};
  st.stored_state = {{.owner_path = "WebappCharm", .content = {{"seen", 1}}}};
  run_options options;
  options.charm_class_name = "WebappCharm";
  options.unit_state_in_memory = true;
  const auto framework_state = [](const state::state& s) {
    std::vector<state::json> counters;
    for (const auto& e : s.stored_state)
      if (e.owner_path == "") counters.push_back(e.content);
    return counters;
  };

  run hidden(spec, st, named("update_status"), options, nullptr);
  EXPECT_NE(hidden.unit_state_image().find("StoredStateData[_stored]"), std::string::npos);  // in the store
  const auto out = hidden.finish();
  EXPECT_TRUE(framework_state(out).empty());
  EXPECT_EQ(out.stored_state, st.stored_state);  // the charm's own stays

  run fed_back(spec, out, named("update_status"), options, nullptr);
  EXPECT_NE(fed_back.unit_state_image().find("StoredStateData[_stored]"), std::string::npos);

  st.stored_state.push_back({.owner_path = "", .content = {{"event_count", 9}}});
  run shown(spec, st, named("update_status"), options, nullptr);
  const std::vector<state::json> given_counter{{{"event_count", 9}}};
  EXPECT_EQ(framework_state(shown.finish()), given_counter);
}

TEST(run, a_state_layer_pebble_would_refuse_is_inconsistent_before_the_charm_runs) {
  const auto spec = make_spec();
  state::state st;
  state::container web;
  web.name = "web-server";
  web.can_connect = true;
  web.layers = {{"web", {{"services", {{"nginx", {{"command", "nginx"}}}}}}}};  // no override
  st.containers.push_back(web);
  run_options options;
  options.charm_class_name = "WebappCharm";
  {
    run compatible(spec, st, named("start"), options, nullptr);  // 3.1 merged such layers
    const auto divergences = compatible.divergences();
    ASSERT_EQ(divergences.size(), 1u);
    EXPECT_NE(divergences[0].find("layer \"web\" must define \"override\""), std::string::npos);
    EXPECT_NE(divergences[0].find("strict mode makes it an error"), std::string::npos);
  }
  options.strict = true;
  try {
    run r(spec, st, named("start"), options, nullptr);
    FAIL() << "a layer without override was accepted";
  } catch (const inconsistent_scenario_error& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_NE(e.problems()[0].find("container \"web-server\": its layers make a plan Pebble "
                                   "refuses: layer \"web\" must define \"override\""),
              std::string::npos)
        << e.problems()[0];
  }
  options.skip_consistency_checks = true;  // the user's explicit choice
  EXPECT_NO_THROW(run(spec, st, named("start"), options, nullptr));
}

TEST(run, a_mount_whose_host_path_is_missing_is_refused_even_when_checks_are_skipped) {
  const auto spec = make_spec();
  state::state st;
  state::container web;
  web.name = "web-server";
  web.mounts["data"] = state::mount{"/data", "/nonexistent/scenario-mount-src"};
  st.containers.push_back(web);
  run_options options;
  options.charm_class_name = "WebappCharm";
  options.skip_consistency_checks = true;
  try {
    run r(spec, st, named("start"), options, nullptr);
    FAIL() << "a missing mount src was accepted";
  } catch (const state_validation_error& e) {
    EXPECT_STREQ(e.what(),
                 "containers[web-server].mounts['data'].src: the host path "
                 "\"/nonexistent/scenario-mount-src\" does not exist; create the directory (or file) "
                 "before the run, or point Mount(src=...) at one that exists");
  }
}

TEST(run, remote_unit_of_3_1_on_created_and_broken_unless_strict) {
  const auto spec = make_spec();
  state::state st;
  st.relations.push_back(relation_on("my-db", 1, {4, 2}, "pg"));
  run_options options;
  options.charm_class_name = "WebappCharm";
  state::event created = named("my_db_relation_created");
  created.relation_id = 1;
  {
    run compatible(spec, st, created, options, nullptr);
    EXPECT_EQ(compatible.environment().at("JUJU_REMOTE_UNIT"), "pg/2");  // the lowest, as 3.1
    EXPECT_NE(compatible.divergences().at(0).find("Juju sets no JUJU_REMOTE_UNIT"), std::string::npos);
    // 3.1's words for the choice it made, which 3.1 tests look for in the log.
    EXPECT_NE(compatible.warnings().at(0).find("remote unit ID unset, and multiple remote unit IDs "
                                               "are present"),
              std::string::npos);
  }
  options.strict = true;
  run strict(spec, st, created, options, nullptr);
  EXPECT_EQ(strict.environment().count("JUJU_REMOTE_UNIT"), 0u);
  EXPECT_TRUE(strict.divergences().empty());
}

TEST(run, three_one_log_line_is_kept_when_checks_are_skipped) {
  const auto spec = make_spec();
  state::state st;
  st.relations.push_back(relation_on("my-db", 1, {0, 1}));
  run_options options;
  options.charm_class_name = "WebappCharm";
  options.skip_consistency_checks = true;
  state::event changed = named("my_db_relation_changed");
  changed.relation_id = 1;
  run r(spec, st, changed, options, nullptr);
  ASSERT_EQ(r.warnings().size(), 1u);
  EXPECT_NE(r.warnings()[0].find("remote unit ID unset"), std::string::npos);
  EXPECT_EQ(r.environment().at("JUJU_REMOTE_UNIT").back(), '0');
}

TEST(run, compatible_deferred_events_are_listed_in_handle_order_with_a_divergence) {
  const auto spec = make_spec();
  state::state st;
  st.deferred = {{"WebappCharm/on/update_status[7]", "WebappCharm", "_on_update", state::json::object()},
                 {"WebappCharm/on/start[9]", "WebappCharm", "_on_start", state::json::object()}};
  run_options options;
  options.charm_class_name = "WebappCharm";
  options.unit_state_in_memory = true;
  run r(spec, st, named("install"), options, nullptr);
  const auto out = r.finish();
  ASSERT_EQ(out.deferred.size(), 2u);
  EXPECT_EQ(out.deferred[0].handle_path, "WebappCharm/on/start[9]");
  EXPECT_NE(r.divergences().at(0).find("state.deferred: listed in handle-path order"),
            std::string::npos);
}

TEST(run, client_divergence_is_reported_unless_strict) {
  const auto spec = make_spec();
  run_options options;
  options.charm_class_name = "WebappCharm";
  run compatible(spec, {}, named("start"), options, nullptr);
  const auto message = compatible.client_divergence("exec-output-after-wait", "ls -l");
  ASSERT_TRUE(message.has_value());
  EXPECT_NE(message->find("exec ls -l"), std::string::npos);
  EXPECT_EQ(compatible.divergences(), std::vector<std::string>{*message});
  EXPECT_THROW(compatible.client_divergence("no-such-kind", ""), error);
  options.strict = true;
  run strict(spec, {}, named("start"), options, nullptr);
  EXPECT_FALSE(strict.client_divergence("exec-output-after-wait", "ls").has_value());
}

// Follows juju/juju internal/worker/uniter/runner/context/context.go: changes to a secret the
// unit may not manage are queued by secret-set/-remove/-revoke (exit 0) and refused when Flush
// commits them, which fails the hook. Both modes: ops-scenario 3.1 failed such a run too.
TEST(run, a_secret_change_the_controller_refuses_fails_the_hook_at_commit) {
  const auto spec = make_spec();
  state::state st;
  state::secret consumed;
  consumed.id = "secret:cj5sc0ns4f2cbiqkq8a0";
  consumed.contents = {{1, {{"key", "v"}}}};
  consumed.revision = 1;
  consumed.granted = "unit";
  st.secrets = {consumed};
  for (bool strict : {false, true}) {
    run_options options;
    options.charm_class_name = "WebappCharm";
    options.strict = strict;
    run r(spec, st, named("start"), options, nullptr);
    EXPECT_FALSE(r.commit_failure().has_value());
    auto result = r.call_tool({"secret-set", consumed.id, "key=new"}, "");
    EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
    const auto failure = r.commit_failure();
    ASSERT_TRUE(failure.has_value());
    EXPECT_NE(failure->find("secret-set cj5sc0ns4f2cbiqkq8a0: permission denied"), std::string::npos)
        << *failure;
    EXPECT_NE(failure->find("cannot apply changes"), std::string::npos) << *failure;
    EXPECT_EQ(r.finish().secrets, st.secrets);  // the change is not in the output State
  }
}

int allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  return CPU_COUNT(&set);
}

TEST(run, shares_the_callers_cpu_with_pebble_from_the_first_served_container_until_finish) {
  if (allowed_cpus() < 2) GTEST_SKIP() << "needs a thread allowed on 2+ CPUs";
  const auto spec = make_spec();
  std::string tmpl = (std::filesystem::temp_directory_path() / "run-XXXXXX").string();
  const std::filesystem::path sockets = mkdtemp(tmpl.data());
  pebble::server srv(sockets);
  state::state st;
  state::container web;
  web.name = "web-server";
  web.can_connect = true;
  st.containers.push_back(web);
  run_options options;
  options.charm_class_name = "WebappCharm";
  options.unit_state_in_memory = true;
  const int before = allowed_cpus();
  {
    run r(spec, st, named("start"), options, &srv);  // option off: placement left alone
    ASSERT_FALSE(r.pebble_socket("web-server").empty());
    EXPECT_EQ(allowed_cpus(), before);
    r.finish();
  }
  options.share_cpu_with_pebble = true;
  {
    run r(spec, st, named("start"), options, &srv);
    EXPECT_EQ(allowed_cpus(), before) << "no container served yet";
    ASSERT_FALSE(r.pebble_socket("web-server").empty());
    EXPECT_EQ(allowed_cpus(), 1);
    r.finish();
    EXPECT_EQ(allowed_cpus(), before);
  }
  {
    run r(spec, st, named("start"), options, &srv);
    ASSERT_FALSE(r.pebble_socket("web-server").empty());
    EXPECT_EQ(allowed_cpus(), 1);
  }  // a run that never finished gives the CPUs back too
  EXPECT_EQ(allowed_cpus(), before);
  st.containers[0].can_connect = false;
  {
    run r(spec, st, named("start"), options, &srv);
    r.pebble_socket("web-server");
    EXPECT_EQ(allowed_cpus(), before) << "an unreachable container has no server to share with";
  }
  std::filesystem::remove_all(sockets);
}

}  // namespace
}  // namespace scenario::runtime
