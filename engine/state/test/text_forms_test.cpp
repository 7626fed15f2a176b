// The linear matchers against the regular expressions they replace: explicit tables, every
// string over each matcher's alphabet up to a small length, random longer strings, and 100 KB
// inputs (std::regex overflowed the stack from about 20 KB). std::regex is only the oracle
// here, on inputs short enough for it.
#include <functional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/state/juju_names.hpp"
#include "engine/state/text_forms.hpp"

namespace scenario::state {
namespace {

using matcher = std::function<bool(std::string_view)>;

constexpr std::size_t long_input = 100 * 1024;

struct language {
  const char* name;
  const char* pattern;   // the regex the matcher replaces
  matcher accepts;
  std::string alphabet;  // characters that matter to the pattern, plus one that never fits
  std::size_t exhaustive_length;
};

bool yaml_int(std::string_view t) { return yaml_int_base(t) != 0; }
bool juju_version(std::string_view t) { return split_juju_version(t).has_value(); }
bool rfc3339_zoned(std::string_view t) { return split_rfc3339(t, true).has_value(); }
bool rfc3339_any(std::string_view t) { return split_rfc3339(t, false).has_value(); }

const std::vector<language>& languages() {
  static const std::vector<language> all{
      {"yaml_int", "[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+|[-+]?0o?[0-7_]+",
       yaml_int, "-+0189_xobaF", 5},
      {"is_yaml_float_form",
       "[-+]?(([0-9][0-9_]*)?\\.[0-9_]*([eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+)",
       is_yaml_float_form, "-+09_.eEx", 6},
      {"is_yaml_inf", "[-+]?\\.(inf|Inf|INF)", is_yaml_inf, "-.iInNfF", 5},
      {"is_yaml_nan", "\\.(nan|NaN|NAN)", is_yaml_nan, ".nNaA", 4},
      {"reads_back_as_non_string",
       "(|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|"
       "OFF|[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\\.("
       "inf|Inf|INF)|\\.(nan|NaN|NAN))",
       reads_back_as_non_string, "-+.09eExo8fF~", 5},
      {"is_count_range", "[0-9]+(-[0-9]*)?", is_count_range, "09-a", 6},
      {"split_juju_version", "(\\d+)\\.(\\d+)(?:\\.(\\d+)|-([a-z]+)(\\d+))?(?:\\.(\\d+))?",
       juju_version, "09.-az", 7},
      {"is_secret_id_form", "secret:(//[0-9a-f-]+/)?[0-9a-z]{20}",
       [](std::string_view t) {
         // The fixed parts make exhaustive strings useless; test the tail after the prefix.
         return is_secret_id_form("secret:" + std::string(t) + "aaaaaaaaaaaaaaaaaaa");
       },
       "/0f-gz", 6},
      {"is_uuid_form",
       "[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
       [](std::string_view t) {
         return is_uuid_form("0123abcd-ef01-2345-6789-" + std::string(t) + "01234567");
       },
       "0f-gA", 5},
      {"is_secret_content_key", "[a-z](?:-?[a-z0-9]){2,}", is_secret_content_key, "az09-_", 6},
      {"is_action_result_key", "[a-z0-9](?:[a-z0-9-.]*[a-z0-9])?", is_action_result_key,
       "a9-.A_", 6},
      {"is_custom_notice_key",
       "[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)+(/[a-z0-9]+(-[a-z0-9]+)*)+",
       is_custom_notice_key, "a9-./A", 6},
      {"split_rfc3339 (zone required)",
       "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})",
       [](std::string_view t) { return rfc3339_zoned("2024-01-02T03:04:05" + std::string(t)); },
       "09.Z+-:", 6},
      {"split_rfc3339",
       "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?",
       [](std::string_view t) { return rfc3339_any("2024-01-02T03:04:05" + std::string(t)); },
       "09.Z+-:", 6},
      {"is_valid_application_name", "[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*",
       is_valid_application_name, "az09-_", 6},
  };
  return all;
}

// The wrappers above prepend fixed text to the generated tail; the oracle must see the same.
std::string oracle_input(const language& l, const std::string& tail) {
  const std::string name = l.name;
  if (name == "is_secret_id_form") return "secret:" + tail + "aaaaaaaaaaaaaaaaaaa";
  if (name == "is_uuid_form") return "0123abcd-ef01-2345-6789-" + tail + "01234567";
  if (name.rfind("split_rfc3339", 0) == 0) return "2024-01-02T03:04:05" + tail;
  return tail;
}

TEST(TextForms, EachMatcherAcceptsExactlyItsRegexLanguage) {
  for (const auto& l : languages()) {
    // Compare the matcher on the tail with the regex on the framed text.
    const std::regex oracle(l.pattern);
    std::vector<std::string> level{""};
    const auto check = [&](const std::string& tail) {
      EXPECT_EQ(l.accepts(tail), std::regex_match(oracle_input(l, tail), oracle))
          << l.name << " disagrees with /" << l.pattern << "/ on \"" << oracle_input(l, tail)
          << "\"";
    };
    check("");
    for (std::size_t len = 1; len <= l.exhaustive_length; ++len) {
      std::vector<std::string> next;
      for (const auto& prefix : level) {
        for (char c : l.alphabet) {
          next.push_back(prefix + c);
          check(next.back());
        }
      }
      level = std::move(next);
    }
    std::mt19937 random(14);  // fixed: a failure must reproduce
    for (int i = 0; i < 5000; ++i) {
      std::string text(random() % 25, ' ');
      for (char& c : text) c = l.alphabet[random() % l.alphabet.size()];
      check(text);
    }
  }
}

TEST(TextForms, ExplicitTables) {
  struct row {
    matcher accepts;
    std::string text;
    bool expected;
  };
  const std::vector<row> rows{
      {yaml_int, "0", true},           {yaml_int, "-1_000", true},
      {yaml_int, "0x1F", true},         {yaml_int, "0b101", true},
      {yaml_int, "0o17", true},         {yaml_int, "017", true},
      {yaml_int, "08", false},          {yaml_int, "0o", false},
      {yaml_int, "", false},            {yaml_int, "+", false},
      {is_yaml_float_form, "1.5", true}, {is_yaml_float_form, ".5", true},
      {is_yaml_float_form, "1.", true}, {is_yaml_float_form, "1e5", true},
      {is_yaml_float_form, "1.e", false}, {is_yaml_float_form, "e5", false},
      {is_yaml_float_form, "08", false}, {is_yaml_inf, "-.inf", true},
      {is_yaml_inf, ".iNf", false},     {is_yaml_nan, ".NaN", true},
      {is_yaml_nan, "-.nan", false},    {reads_back_as_non_string, "", true},
      {reads_back_as_non_string, "123", true}, {reads_back_as_non_string, "1.5e3", true},
      {reads_back_as_non_string, "Off", true}, {reads_back_as_non_string, "0o7", true},
      {reads_back_as_non_string, "1_000", false}, {reads_back_as_non_string, "y", false},
      {is_count_range, "1-", true},     {is_count_range, "1-3", true},
      {is_count_range, "-3", false},    {juju_version, "3.1.6", true},
      {juju_version, "3.1-beta1.2", true}, {juju_version, "3", false},
      {juju_version, "3.1.", false},    {is_secret_id_form, "secret:cjbsdmh3t5rss58g1a40", true},
      {is_secret_id_form, "secret://ab-12/cjbsdmh3t5rss58g1a40", true},
      {is_secret_id_form, "secret:///cjbsdmh3t5rss58g1a40", false},
      {is_uuid_form, "deadbeef-0123-4567-89ab-cdef01234567", true},
      {is_uuid_form, "DEADBEEF-0123-4567-89ab-cdef01234567", false},
      {is_secret_content_key, "abc", true}, {is_secret_content_key, "a-b-c", true},
      {is_secret_content_key, "ab", false}, {is_secret_content_key, "a--bc", false},
      {is_secret_content_key, "abc-", false}, {is_action_result_key, "a", true},
      {is_action_result_key, "a-b.c", true}, {is_action_result_key, "a-", false},
      {is_custom_notice_key, "example.com/foo", true},
      {is_custom_notice_key, "a-b.c/d-e/f", true}, {is_custom_notice_key, "example/foo", false},
      {is_custom_notice_key, "example.com/", false},
      {rfc3339_zoned, "2024-01-02T03:04:05.123Z", true},
      {rfc3339_zoned, "2024-01-02T03:04:05", false}, {rfc3339_any, "2024-01-02T03:04:05", true},
      {rfc3339_any, "2024-01-02T03:04:05+01:00", true}, {rfc3339_any, "2024-01-02T03:04:05.", false},
      {is_valid_application_name, "my-app2", true}, {is_valid_application_name, "app-2", false},
      {is_valid_application_name, "a--b", false}, {is_valid_application_name, "2app", false},
      {is_valid_unit_name, "my-app/0", true}, {is_valid_unit_name, "my-app/", false},
      {is_valid_unit_name, "my-app/1/2", false}, {is_valid_unit_name, "app-2/0", false},
  };
  for (const auto& r : rows) EXPECT_EQ(r.accepts(r.text), r.expected) << "\"" << r.text << "\"";
}

// Inputs far beyond what std::regex survived: each matcher answers, and answers right.
TEST(TextForms, HundredKilobyteInputs) {
  const std::string letters(long_input, 'a');
  const std::string digits(long_input, '7');
  EXPECT_TRUE(is_valid_application_name(letters));
  EXPECT_FALSE(is_valid_application_name(letters + "-"));
  EXPECT_TRUE(is_valid_unit_name(letters + "/" + digits));
  EXPECT_TRUE(is_secret_content_key(letters));
  EXPECT_TRUE(is_action_result_key(letters));
  EXPECT_EQ(yaml_int_base(digits), 10);
  EXPECT_TRUE(is_yaml_float_form(digits + "." + digits));
  EXPECT_TRUE(reads_back_as_non_string(digits));
  EXPECT_FALSE(reads_back_as_non_string(digits + "x"));
  EXPECT_TRUE(is_count_range(digits + "-" + digits));
  auto version = split_juju_version(digits + "." + digits);
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->major.size(), long_input);
  EXPECT_TRUE(is_secret_id_form("secret://" + letters + "/aaaaaaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(is_secret_id_form("secret://" + std::string(long_input, 'g') + "/aaaaaaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(is_uuid_form(letters));
  EXPECT_TRUE(is_custom_notice_key(letters + ".com/" + letters));
  EXPECT_FALSE(split_rfc3339("2024-01-02T03:04:05." + digits, true).has_value());
  EXPECT_TRUE(split_rfc3339("2024-01-02T03:04:05." + digits + "Z", true).has_value());
}

TEST(TextForms, SplitsKeepTheRegexGroups) {
  auto v = split_juju_version("3.1-beta2.7");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->major, "3");
  EXPECT_EQ(v->minor, "1");
  EXPECT_EQ(v->patch, "");
  EXPECT_EQ(v->tag, "beta");
  EXPECT_EQ(v->tag_number, "2");
  EXPECT_EQ(v->build, "7");
  v = split_juju_version("2.9.42");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->patch, "42");  // the third number is the patch, not the build
  EXPECT_EQ(v->build, "");
  auto t = split_rfc3339("2024-01-02T03:04:05.120+05:30", false);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->year, "2024");
  EXPECT_EQ(t->second, "05");
  EXPECT_EQ(t->fraction, ".120");
  EXPECT_EQ(t->zone, "+05:30");
}

}  // namespace
}  // namespace scenario::state
