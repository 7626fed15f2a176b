#include "engine/agent/argv.hpp"

#include <gtest/gtest.h>

namespace scenario::agent {
namespace {

TEST(argv, flags_between_positionals) {
  auto a = parse_args({"-r", "3", "-", "app", "--app", "--format=json"},
                      {{"relation", 'r', true}, {"app", 0, false}});
  EXPECT_EQ(a.positional, (std::vector<std::string>{"-", "app"}));
  EXPECT_EQ(a.get("relation"), "3");
  EXPECT_TRUE(a.has("app"));
  EXPECT_EQ(a.get("format"), "json");
}

TEST(argv, unknown_flag_is_usage_error) {
  EXPECT_THROW(parse_args({"--bogus"}, {}), usage_error);
}

TEST(argv, double_dash_ends_flags) {
  auto a = parse_args({"--log-level", "INFO", "--", "-not-a-flag"}, {{"log-level", 'l', true}});
  EXPECT_EQ(a.positional, (std::vector<std::string>{"-not-a-flag"}));
}

TEST(argv, format_output_json_and_smart) {
  auto a = parse_args({"--format=json"}, {});
  EXPECT_EQ(format_output(nlohmann::json{{"a", "b"}}, a), "{\"a\":\"b\"}\n");
  auto s = parse_args({}, {});
  EXPECT_EQ(format_output("hello", s), "hello\n");
}

}  // namespace
}  // namespace scenario::agent
