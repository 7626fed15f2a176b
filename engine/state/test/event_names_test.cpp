#include "engine/state/event_names.hpp"

#include <gtest/gtest.h>

namespace scenario::state {
namespace {

TEST(event_names, splits_suffixed_names) {
  auto rel = parse_event_name("my_db_relation_departed");
  EXPECT_EQ(rel.kind, event_kind::relation);
  EXPECT_EQ(rel.prefix, "my_db");
  EXPECT_EQ(rel.suffix, "_relation_departed");
  EXPECT_EQ(parse_event_name("web-server-pebble-ready").prefix, "web_server");
  EXPECT_EQ(parse_event_name("data_storage_detaching").kind, event_kind::storage);
  EXPECT_EQ(parse_event_name("backup_action").kind, event_kind::action);
}

TEST(event_names, lifecycle_secret_and_custom) {
  EXPECT_EQ(parse_event_name("update-status").kind, event_kind::lifecycle);
  EXPECT_EQ(parse_event_name("secret_remove").kind, event_kind::secret);
  auto custom = parse_event_name("database_ready");
  EXPECT_EQ(custom.kind, event_kind::custom);
  EXPECT_TRUE(custom.prefix.empty());
  // A bare suffix names no entity, so it is not a relation event.
  EXPECT_EQ(parse_event_name("_relation_changed").kind, event_kind::custom);
}

TEST(event_names, converts_between_ops_and_juju_spellings) {
  EXPECT_EQ(underscored("my-db-relation"), "my_db_relation");
  EXPECT_EQ(dashed("update_status"), "update-status");
  EXPECT_EQ(dashed(underscored("web-server")), "web-server");
}

TEST(event_names, only_collect_metrics_runs_in_the_restricted_context) {
  EXPECT_TRUE(runs_in_restricted_context("collect_metrics"));
  EXPECT_TRUE(runs_in_restricted_context("collect-metrics"));
  EXPECT_FALSE(runs_in_restricted_context("start"));
  EXPECT_FALSE(runs_in_restricted_context("update_status"));
}

TEST(event_names, secret_changed_goes_to_consumers_the_other_secret_events_to_the_owner) {
  EXPECT_FALSE(secret_event_goes_to_owner("secret_changed"));
  EXPECT_FALSE(secret_event_goes_to_owner("secret-changed"));
  EXPECT_TRUE(secret_event_goes_to_owner("secret_rotate"));
  EXPECT_TRUE(secret_event_goes_to_owner("secret_expired"));
  EXPECT_TRUE(secret_event_goes_to_owner("secret_remove"));
}

}  // namespace
}  // namespace scenario::state
