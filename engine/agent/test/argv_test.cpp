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

namespace scenario::agent {
namespace {

TEST(argv, bool_flags_take_go_spellings) {
  const std::vector<flag_spec> flags{{"application", 0, false}};
  EXPECT_TRUE(flag_bool(parse_args({"--application"}, flags), "application"));
  EXPECT_TRUE(flag_bool(parse_args({"--application=True"}, flags), "application"));
  EXPECT_TRUE(flag_bool(parse_args({"--application=1"}, flags), "application"));
  EXPECT_FALSE(flag_bool(parse_args({"--application=false"}, flags), "application"));
  EXPECT_FALSE(flag_bool(parse_args({"--application=F"}, flags), "application"));
  EXPECT_FALSE(flag_bool(parse_args({}, flags), "application"));
  EXPECT_THROW(parse_args({"--application=yes"}, flags), usage_error);
}

TEST(argv, smart_format_rules) {
  auto s = parse_args({}, {});
  EXPECT_EQ(format_output(true, s), "True\n");
  EXPECT_EQ(format_output(false, s), "False\n");
  EXPECT_EQ(format_output(42, s), "42\n");
  EXPECT_EQ(format_output(nullptr, s), "");
  EXPECT_EQ(format_output(nlohmann::json({"a", "b"}), s), "a\nb\n");
  EXPECT_EQ(format_output(nlohmann::json::array(), s), "");
  EXPECT_EQ(format_output("ends\n", s), "ends\n");
  EXPECT_EQ(format_output(nlohmann::json{{"k", "v"}}, s), "k: v\n");
}

TEST(argv, yaml_quotes_strings_that_would_change_type) {
  auto y = parse_args({"--format", "yaml"}, {});
  EXPECT_EQ(format_output(nlohmann::json{{"n", "123"}, {"b", "true"}, {"s", "text"}, {"e", ""}}, y),
            "b: \"true\"\ne: \"\"\nn: \"123\"\ns: text\n");
}

TEST(argv, json_format_survives_invalid_utf8) {
  auto j = parse_args({"--format=json"}, {});
  EXPECT_EQ(format_output(std::string("a\xff"), j), "\"a\xEF\xBF\xBD\"\n");
}

TEST(argv, unknown_format_and_missing_value) {
  EXPECT_THROW(format_output("x", parse_args({"--format=xml"}, {})), usage_error);
  EXPECT_THROW(parse_args({"--format"}, {}), usage_error);
}

}  // namespace
}  // namespace scenario::agent
