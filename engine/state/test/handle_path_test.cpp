#include "engine/state/handle_path.hpp"

#include <gtest/gtest.h>

namespace scenario::state {
namespace {

void expect_parts(std::string_view path, std::string_view parent, std::string_view kind,
                  std::string_view key) {
  const auto parts = parse_handle_path(path);
  ASSERT_TRUE(parts) << path;
  EXPECT_EQ(parts->parent, parent) << path;
  EXPECT_EQ(parts->kind, kind) << path;
  EXPECT_EQ(parts->key, key) << path;
}

TEST(handle_path, splits_parent_kind_and_key) {
  expect_parts("MyCharm/on/db_relation_changed[7]", "MyCharm/on", "db_relation_changed", "7");
  expect_parts("StoredStateData[_stored]", "", "StoredStateData", "_stored");
  // The key is inside the last brackets; the parent keeps its own.
  expect_parts("MyCharm/lib[x]/StoredStateData[a/b]", "MyCharm/lib[x]", "StoredStateData", "a/b");
  expect_parts("MyCharm/Kind[]", "MyCharm", "Kind", "");
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
