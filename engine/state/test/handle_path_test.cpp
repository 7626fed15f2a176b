#include "engine/state/handle_path.hpp"

#include <gtest/gtest.h>

namespace scenario::state {
namespace {

TEST(handle_path, splits_parent_kind_and_key) {
  auto deferred = parse_handle_path("MyCharm/on/db_relation_changed[7]");
  ASSERT_TRUE(deferred);
  EXPECT_EQ(deferred->parent, "MyCharm/on");
  EXPECT_EQ(deferred->kind, "db_relation_changed");
  EXPECT_EQ(deferred->key, "7");

  auto top = parse_handle_path("StoredStateData[_stored]");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->parent, "");
  EXPECT_EQ(top->kind, "StoredStateData");
  EXPECT_EQ(top->key, "_stored");

  // The key is inside the last brackets; the parent keeps its own.
  auto nested = parse_handle_path("MyCharm/lib[x]/StoredStateData[a/b]");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->parent, "MyCharm/lib[x]");
  EXPECT_EQ(nested->kind, "StoredStateData");
  EXPECT_EQ(nested->key, "a/b");

  auto empty_key = parse_handle_path("MyCharm/Kind[]");
  ASSERT_TRUE(empty_key);
  EXPECT_EQ(empty_key->key, "");
}

TEST(handle_path, rejects_handles_without_kind_and_key) {
  EXPECT_FALSE(parse_handle_path(""));
  EXPECT_FALSE(parse_handle_path("MyCharm/on/start"));    // no key
  EXPECT_FALSE(parse_handle_path("MyCharm/on/start[1"));  // unclosed
  EXPECT_FALSE(parse_handle_path("[1]"));                 // no kind
  EXPECT_FALSE(parse_handle_path("MyCharm/[1]"));
}

TEST(handle_path, numbers_only_numeric_keys) {
  EXPECT_EQ(handle_number("MyCharm/on/start[12]"), 12);
  EXPECT_EQ(handle_number("start[0]"), 0);
  EXPECT_FALSE(handle_number("MyCharm/on/start[]"));
  EXPECT_FALSE(handle_number("MyCharm/on/start[-1]"));
  EXPECT_FALSE(handle_number("MyCharm/StoredStateData[_stored]"));
  EXPECT_FALSE(handle_number("MyCharm/on/start[99999999999999999999]"));  // would overflow
}

}  // namespace
}  // namespace scenario::state
