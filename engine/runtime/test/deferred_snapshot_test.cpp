#include "engine/runtime/deferred_snapshot.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/state/errors.hpp"
#include "engine/state/json_codec.hpp"

namespace scenario::runtime {
namespace {

using state::json;

state::state sample_state() {
  return state::state_from_json(json::parse(R"({
    "relations": [
      {"kind": "regular", "endpoint": "db", "relation_id": 1, "remote_app_name": "pg",
       "remote_units_data": {"3": {}, "7": {}}},
      {"kind": "peer", "endpoint": "cluster", "relation_id": 2, "remote_units_data": {"1": {}}}
    ],
    "containers": [{"name": "web", "notices": [{"id": "4", "type": "custom", "key": "a.com/b"}]}],
    "secrets": [{"id": "secret:x", "contents": {"1": {}, "5": {}}, "owner": "app", "label": "l"}],
    "storages": [{"name": "data", "index": 2, "location": "/srv"}]
  })"));
}

json snapshot(const json& event) { return deferred_snapshot(sample_state(), state::event_from_json(event)); }

TEST(deferred_snapshot, relation_events_name_the_remote_app_unit_and_departing_unit) {
  EXPECT_EQ(snapshot({{"name", "db_relation_changed"}, {"relation_id", 1}, {"relation_remote_unit_id", 7}}),
            json::parse(R"({"relation_name": "db", "relation_id": 1, "app_name": "pg", "unit_name": "pg/7"})"));
  EXPECT_EQ(snapshot({{"name", "db_relation_departed"},
                      {"relation_id", 1},
                      {"relation_remote_unit_id", 3},
                      {"relation_departed_unit_id", 7}})["departing_unit"],
            "pg/7");
  EXPECT_FALSE(snapshot({{"name", "db_relation_broken"}, {"relation_id", 1}, {"relation_remote_unit_id", 3}})
                   .contains("unit_name"));
  // the run completes a peer event's app and unit (only it knows this app's name)
  EXPECT_EQ(snapshot({{"name", "cluster_relation_changed"}, {"relation_id", 2}}),
            json::parse(R"({"relation_name": "cluster", "relation_id": 2})"));
}

TEST(deferred_snapshot, workload_secret_and_storage_events) {
  EXPECT_EQ(snapshot({{"name", "web_pebble_custom_notice"}, {"container", "web"}, {"notice_id", "4"}}),
            json::parse(R"({"container_name": "web", "notice_id": "4", "notice_type": "custom",
                            "notice_key": "a.com/b"})"));
  EXPECT_EQ(snapshot({{"name", "secret_remove"}, {"secret_id", "secret:x"}}),
            json::parse(R"({"id": "secret:x", "label": "l", "revision": 5})"));
  EXPECT_FALSE(snapshot({{"name", "secret_rotate"}, {"secret_id", "secret:x"}}).contains("revision"));
  EXPECT_EQ(snapshot({{"name", "data_storage_attached"}, {"storage_name", "data"}, {"storage_index", 2}}),
            json::parse(R"({"storage_name": "data", "storage_index": 2, "storage_location": "/srv"})"));
  EXPECT_EQ(snapshot({{"name", "start"}}), json::object());
}

state::deferred_event deferred_peer_event(const std::string& name, int number) {
  return {"MyCharm/on/" + name + "[" + std::to_string(number) + "]", "MyCharm", "_on_cluster",
          {{"relation_name", "cluster"}, {"relation_id", 2}}};
}

TEST(complete_peer_snapshots, peer_events_get_this_app_and_its_first_peer) {
  auto st = sample_state();
  st.relations[1].remote_units_data = {{2, {}}, {1, {}}};
  st.deferred = {deferred_peer_event("cluster_relation_changed", 1),
                 deferred_peer_event("cluster_relation_broken", 2),
                 deferred_peer_event("cluster_relation_departed", 3),
                 deferred_peer_event("cluster_relation_departed", 4),
                 deferred_peer_event("cluster_relation_joined", 5),
                 deferred_peer_event("db_relation_changed", 6)};
  st.deferred[3].snapshot_data["unit_name"] = "app/2";  // the departing unit is the one named
  st.deferred[4].snapshot_data["app_name"] = "other";   // a snapshot that names its app stays
  st.deferred[5].snapshot_data["relation_id"] = 1;      // not a peer relation: stays
  const auto given = st.deferred;
  complete_peer_snapshots(st, "app");

  EXPECT_EQ(st.deferred[0].snapshot_data, json::parse(R"({"relation_name": "cluster", "relation_id": 2,
                                                          "app_name": "app", "unit_name": "app/1"})"));
  EXPECT_EQ(st.deferred[1].snapshot_data,
            json::parse(R"({"relation_name": "cluster", "relation_id": 2, "app_name": "app"})"));
  EXPECT_EQ(st.deferred[2].snapshot_data["departing_unit"], "app/1");
  EXPECT_EQ(st.deferred[3].snapshot_data["departing_unit"], "app/2");
  EXPECT_EQ(st.deferred[3].snapshot_data["unit_name"], "app/2");
  EXPECT_EQ(st.deferred[4].snapshot_data, given[4].snapshot_data);
  EXPECT_EQ(st.deferred[5].snapshot_data, given[5].snapshot_data);
}

TEST(complete_peer_snapshots, a_peer_relation_without_peers_names_only_the_app) {
  auto st = sample_state();
  st.relations[1].remote_units_data.clear();
  st.deferred = {deferred_peer_event("cluster_relation_departed", 1)};
  complete_peer_snapshots(st, "app");
  EXPECT_EQ(st.deferred[0].snapshot_data,
            json::parse(R"({"relation_name": "cluster", "relation_id": 2, "app_name": "app"})"));
}

TEST(deferred_snapshot, an_object_missing_from_the_state_is_named) {
  try {
    snapshot({{"name", "db_relation_changed"}, {"relation_id", 9}});
    FAIL() << "expected state_validation_error";
  } catch (const state_validation_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("db_relation_changed is a relation event; pass relation="));
  }
}

}  // namespace
}  // namespace scenario::runtime
