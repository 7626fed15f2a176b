// The one Juju version parser, per syntax its callers choose: the checker (juju, then
// ops_scenario_3_1 for a divergence) and hook tools (leading_numbers).
#include "engine/state/juju_version.hpp"

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

namespace scenario::state {
namespace {

struct version_case {
  std::string text;
  std::optional<juju_version> juju;              // what version_syntax::juju reads
  std::optional<juju_version> ops_scenario_3_1;  // ... ops_scenario_3_1
  juju_version leading_numbers;                  // ... leading_numbers (it reads any text)
};

juju_version release(int major, int minor, int patch = 0, int build = 0) {
  return {.major = major, .minor = minor, .patch = patch, .build = build};
}
juju_version pre_release(int major, int minor, int build = 0) {
  return {.major = major, .minor = minor, .tagged = true, .build = build};
}

bool same(const juju_version& a, const juju_version& b) {
  return std::tie(a.major, a.minor, a.patch, a.tagged, a.build) ==
         std::tie(b.major, b.minor, b.patch, b.tagged, b.build);
}

std::string shown(const std::optional<juju_version>& v) {
  if (!v) return "refused";
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         (v->tagged ? " tagged" : "") + " build " + std::to_string(v->build);
}

TEST(JujuVersion, EachSyntaxAcceptsItsFormsAndReadsTheSameNumbers) {
  const std::string too_long_for_3_1 = "3." + std::string(63, '1');
  const std::vector<version_case> cases{
      // Juju's own forms: major.minor[.patch|-tagN][.build].
      {"3.0", release(3, 0), release(3, 0), release(3, 0)},
      {"2.9.44", release(2, 9, 44), release(2, 9, 44), release(2, 9, 44)},
      {"3.4.2.7", release(3, 4, 2, 7), release(3, 4, 2, 7), release(3, 4, 2)},
      {"3.1-beta1", pre_release(3, 1), pre_release(3, 1), release(3, 1)},
      {"3.1-rc2.1", pre_release(3, 1, 1), pre_release(3, 1, 1), release(3, 1)},
      // ops-scenario 3.1's dot-separated numbers: refused by Juju's form.
      {"3", std::nullopt, release(3, 0), release(3, 0)},
      {"2.9.42.1.7", std::nullopt, release(2, 9, 42), release(2, 9, 42)},
      {"3.99999999999", std::nullopt, release(3, 999999999), release(3, 999999999)},
      {too_long_for_3_1, std::nullopt, std::nullopt, release(3, 999999999)},
      // Neither: only hook tools read them, as the numbers they start with.
      {"", std::nullopt, std::nullopt, release(0, 0)},
      {"3.x", std::nullopt, std::nullopt, release(3, 0)},
      {"3.", std::nullopt, std::nullopt, release(3, 0)},
      {"3..1", std::nullopt, std::nullopt, release(3, 0)},
      {"3.4-beta", std::nullopt, std::nullopt, release(3, 4)},
      {"v3.4", std::nullopt, std::nullopt, release(0, 0)},
  };
  for (const auto& c : cases) {
    const auto juju = parse_juju_version(c.text, version_syntax::juju);
    const auto lenient = parse_juju_version(c.text, version_syntax::ops_scenario_3_1);
    const auto leading = parse_juju_version(c.text, version_syntax::leading_numbers);
    EXPECT_EQ(shown(juju), shown(c.juju)) << "juju: \"" << c.text << "\"";
    EXPECT_EQ(shown(lenient), shown(c.ops_scenario_3_1)) << "ops_scenario_3_1: \"" << c.text << "\"";
    ASSERT_TRUE(leading.has_value()) << c.text;
    EXPECT_TRUE(same(*leading, c.leading_numbers)) << "leading_numbers: \"" << c.text << "\" read as " << shown(leading);
  }
}

TEST(JujuVersion, HundredKilobyteTexts) {
  const std::string digits(100 * 1024, '7');
  EXPECT_FALSE(parse_juju_version(digits + ".0", version_syntax::juju).has_value());  // too large
  EXPECT_FALSE(parse_juju_version("3." + digits, version_syntax::ops_scenario_3_1).has_value());
  EXPECT_EQ(parse_juju_version("3." + digits, version_syntax::leading_numbers)->minor, 999999999);
  // Leading zeros keep a long number in range.
  EXPECT_EQ(parse_juju_version(std::string(100 * 1024, '0') + "3.4", version_syntax::juju)->major, 3);
}

TEST(JujuVersion, GatesFollowJujusOrder) {
  EXPECT_TRUE(release(3, 4).at_least(3, 4));
  EXPECT_TRUE(release(3, 3, 1).at_least(3, 3, 1));
  EXPECT_FALSE(release(3, 3).at_least(3, 3, 1));
  EXPECT_TRUE(release(4, 0).at_least(3, 6));
  EXPECT_FALSE(release(2, 9, 99).at_least(3, 0));
  // A pre-release sorts before the release of its major.minor, after the one before.
  EXPECT_FALSE(pre_release(3, 4).at_least(3, 4));
  EXPECT_TRUE(pre_release(3, 4).at_least(3, 3, 9));
  EXPECT_TRUE(release(3, 1, 7, 2).is_release(3, 1, 7));  // any build
  EXPECT_FALSE(release(3, 1, 8).is_release(3, 1, 7));
  EXPECT_FALSE(pre_release(3, 1).is_release(3, 1, 0));
}

}  // namespace
}  // namespace scenario::state
