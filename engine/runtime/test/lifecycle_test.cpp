#include <gtest/gtest.h>

#include "engine/runtime/lifecycle.hpp"
#include "engine/state/errors.hpp"

namespace scenario::runtime {
namespace {

std::vector<std::string> names(const std::vector<state::event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.name);
  return out;
}

state::state two_relations_one_storage(bool leader) {
  state::state st;
  st.leader = leader;
  state::relation db;
  db.endpoint = "my-db";
  db.relation_id = 3;
  db.remote_units_data = {{0, {}}, {1, {}}};
  state::relation peers;
  peers.endpoint = "replicas";
  peers.kind = state::relation_kind::peer;
  peers.relation_id = 4;
  st.relations = {db, peers};
  state::storage data;
  data.name = "data";
  st.storages.push_back(data);
  return st;
}

TEST(lifecycle, deploy_order_for_leader_and_follower) {
  EXPECT_EQ(names(lifecycle_events(two_relations_one_storage(true), lifecycle::deploy)),
            (std::vector<std::string>{"data_storage_attached", "install", "my_db_relation_created",
                                      "replicas_relation_created", "leader_elected",
                                      "config_changed", "start"}));
  auto follower = lifecycle_events(two_relations_one_storage(false), lifecycle::deploy);
  EXPECT_EQ(follower[4].name, "leader_settings_changed");
  EXPECT_EQ(follower[2].relation_id, 3);
}

TEST(lifecycle, upgrade_order) {
  EXPECT_EQ(names(lifecycle_events(state::state{}, lifecycle::upgrade)),
            (std::vector<std::string>{"upgrade_charm", "config_changed", "start"}));
}

TEST(lifecycle, teardown_departs_each_unit_then_breaks) {
  auto events = lifecycle_events(two_relations_one_storage(true), lifecycle::teardown);
  EXPECT_EQ(names(events),
            (std::vector<std::string>{"my_db_relation_departed", "my_db_relation_departed",
                                      "my_db_relation_broken", "replicas_relation_broken",
                                      "data_storage_detaching", "stop", "remove"}));
  EXPECT_EQ(events[1].relation_remote_unit_id, 1);
  EXPECT_EQ(events[1].relation_departed_unit_id, 1);
}

TEST(lifecycle, settle_removes_departed_units_broken_relations_and_detached_storage) {
  auto st = two_relations_one_storage(true);
  auto events = lifecycle_events(st, lifecycle::teardown);
  st = settle_after(st, events[0]);
  EXPECT_EQ(st.relations[0].remote_units_data.count(0), 0u);
  EXPECT_EQ(st.relations[0].remote_units_data.count(1), 1u);
  st = settle_after(st, events[2]);
  ASSERT_EQ(st.relations.size(), 1u);
  EXPECT_EQ(st.relations[0].endpoint, "replicas");
  st = settle_after(st, events[4]);
  EXPECT_TRUE(st.storages.empty());
}

TEST(lifecycle, unknown_name_says_the_choices) {
  try {
    lifecycle_from_name("scale");
    FAIL();
  } catch (const scenario::error& e) {
    EXPECT_NE(std::string(e.what()).find("'deploy', 'upgrade' or 'teardown'"), std::string::npos);
  }
}

}  // namespace
}  // namespace scenario::runtime
