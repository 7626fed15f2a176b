#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/pebble/api.hpp"
#include "engine/pebble/test/api_calls.hpp"

namespace scenario::pebble::api_test {
namespace {

state::container with_checks() {
  return with_base_layer(
      {{"checks",
        {{"alive", {{"override", "replace"}, {"level", "alive"}, {"tcp", {{"port", 8080}}}}},
         {"ready", {{"override", "replace"}, {"level", "ready"}, {"threshold", 5}, {"http", {{"url", "http://x/"}}}}},
         {"other", {{"override", "replace"}, {"exec", {{"command", "true"}}}}}}}});
}

state::check_info info(std::string name, std::string status, int failures) {
  state::check_info i;
  i.name = std::move(name);
  i.status = std::move(status);
  i.failures = failures;
  return i;
}

TEST(ApiChecks, ListsPlanChecksMergedWithCheckInfos) {
  auto c = with_checks();
  c.check_infos.push_back(info("ready", "down", 7));
  session s(c);
  auto r = call(s, "GET", "/v1/checks");
  ASSERT_EQ(r.status, 200);
  auto result = r.body["result"];
  ASSERT_EQ(result.size(), 3u);
  EXPECT_EQ(result[0]["name"], "alive");
  EXPECT_EQ(result[0]["level"], "alive");
  EXPECT_EQ(result[0]["status"], "up");
  EXPECT_EQ(result[0]["threshold"], 3);
  EXPECT_FALSE(result[0].contains("failures"));
  EXPECT_TRUE(result[0].contains("change-id"));  // running checks have a change, as in Pebble
  EXPECT_EQ(result[1]["name"], "other");
  EXPECT_FALSE(result[1].contains("level"));
  EXPECT_EQ(result[2]["status"], "down");
  EXPECT_EQ(result[2]["failures"], 7);
  EXPECT_EQ(result[2]["threshold"], 5);
}

TEST(ApiChecks, FiltersByLevelAndNames) {
  auto c = with_checks();
  session s(c);
  auto r = call(s, "GET", "/v1/checks", nullptr, {{"level", "ready"}});
  ASSERT_EQ(r.body["result"].size(), 1u);
  EXPECT_EQ(r.body["result"][0]["name"], "ready");
  r = call(s, "GET", "/v1/checks", nullptr, {{"names", "alive,other"}});
  EXPECT_EQ(r.body["result"].size(), 2u);
  r = call(s, "GET", "/v1/checks", nullptr, {{"level", "sideways"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["result"]["message"], "level must be \"alive\" or \"ready\"");
}

TEST(ApiChecks, StartAndStopChecks) {
  auto c = with_checks();
  session s(c);
  auto r = call(s, "POST", "/v1/checks", {{"action", "stop"}, {"checks", {"alive", "other"}}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["result"]["changed"], (json{"alive", "other"}));
  auto list = call(s, "GET", "/v1/checks", nullptr, {{"names", "alive"}});
  EXPECT_EQ(list.body["result"][0]["status"], "inactive");
  EXPECT_FALSE(list.body["result"][0].contains("change-id"));
  ASSERT_FALSE(c.check_infos.empty());
  EXPECT_EQ(c.check_infos[0].status, "inactive");
  // stopping again changes nothing
  r = call(s, "POST", "/v1/checks", {{"action", "stop"}, {"checks", {"alive"}}});
  EXPECT_TRUE(r.body["result"]["changed"].is_null());
  r = call(s, "POST", "/v1/checks", {{"action", "start"}, {"checks", {"alive"}}});
  EXPECT_EQ(r.body["result"]["changed"], (json{"alive"}));
  EXPECT_EQ(c.check_infos[0].status, "up");
  r = call(s, "POST", "/v1/checks", {{"action", "start"}, {"checks", {"zz", "nope"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["result"]["message"], "cannot start checks: cannot find checks in plan: nope, zz");
  r = call(s, "POST", "/v1/checks", {{"action", "start"}});
  EXPECT_EQ(r.body["result"]["message"], "must specify checks for start action");
}

TEST(ApiHealth, UnhealthyWhenAMatchingCheckIsDown) {
  auto c = with_checks();
  session s(c);
  auto r = call(s, "GET", "/v1/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["result"]["healthy"], true);
  c.check_infos.push_back(info("ready", "down", 5));
  r = call(s, "GET", "/v1/health");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.body["result"]["healthy"], false);
  r = call(s, "GET", "/v1/health", nullptr, {{"level", "alive"}});
  EXPECT_EQ(r.body["result"]["healthy"], true);
}

state::notice notice(std::string id, std::string type, std::string key, std::string when) {
  state::notice n;
  n.id = std::move(id);
  n.type = std::move(type);
  n.key = std::move(key);
  n.first_occurred = n.last_occurred = n.last_repeated = std::move(when);
  return n;
}

TEST(ApiNotices, ListAndFilter) {
  state::container c;
  c.notices.push_back(notice("1", "custom", "example.com/a", "2024-01-01T00:00:02Z"));
  c.notices.push_back(notice("2", "custom", "example.com/b", "2024-01-01T00:00:01Z"));
  c.notices.push_back(notice("3", "change-update", "7", "2024-01-01T00:00:03Z"));
  c.notices[0].last_data = {{"k", "v"}};
  c.notices[0].repeat_after = 3600;
  session s(c);
  auto r = call(s, "GET", "/v1/notices");
  ASSERT_EQ(r.status, 200);
  auto result = r.body["result"];
  ASSERT_EQ(result.size(), 3u);
  EXPECT_EQ(result[0]["id"], "2");  // ordered by last-repeated
  EXPECT_EQ(result[1]["id"], "1");
  EXPECT_EQ(result[1]["last-data"], (json{{"k", "v"}}));
  EXPECT_EQ(result[1]["repeat-after"], "1h0m0s");
  EXPECT_EQ(result[1]["occurrences"], 1);
  EXPECT_EQ(result[1]["first-occurred"], "2024-01-01T00:00:02Z");
  EXPECT_FALSE(result[0].contains("last-data"));
  r = call(s, "GET", "/v1/notices", nullptr, {{"types", "custom"}});
  EXPECT_EQ(r.body["result"].size(), 2u);
  r = call(s, "GET", "/v1/notices", nullptr, {{"types", "custom,bogus"}, {"keys", "example.com/a"}});
  ASSERT_EQ(r.body["result"].size(), 1u);
  EXPECT_EQ(r.body["result"][0]["id"], "1");
  r = call(s, "GET", "/v1/notices", nullptr, {{"after", "2024-01-01T00:00:01.5Z"}});
  EXPECT_EQ(r.body["result"].size(), 2u);
  r = call(s, "GET", "/v1/notices", nullptr, {{"after", "yesterday"}});
  EXPECT_EQ(r.status, 400);
}

TEST(ApiNotices, GetById) {
  state::container c;
  c.notices.push_back(notice("1", "custom", "example.com/a", ""));
  session s(c);
  auto r = call(s, "GET", "/v1/notices/1");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["result"]["key"], "example.com/a");
  EXPECT_FALSE(r.body["result"]["last-repeated"].get<std::string>().empty());  // empty time filled in
  r = call(s, "GET", "/v1/notices/9");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["result"]["message"], "cannot find notice with ID \"9\"");
}

TEST(ApiNotices, AddCreatesThenRepeats) {
  state::container c;
  c.notices.push_back(notice("4", "custom", "example.com/old", "2024-01-01T00:00:00Z"));
  session s(c);
  auto r = call(s, "POST", "/v1/notices", {{"action", "add"}, {"type", "custom"}, {"key", "example.com/new"}, {"data", {{"a", "b"}}}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["result"]["id"], "5");
  ASSERT_EQ(c.notices.size(), 2u);
  EXPECT_EQ(c.notices[1].key, "example.com/new");
  EXPECT_EQ(c.notices[1].last_data.at("a"), "b");
  EXPECT_EQ(c.notices[1].occurrences, 1);
  r = call(s, "POST", "/v1/notices", {{"action", "add"}, {"type", "custom"}, {"key", "example.com/old"}});
  EXPECT_EQ(r.body["result"]["id"], "4");
  EXPECT_EQ(c.notices[0].occurrences, 2);
  EXPECT_NE(c.notices[0].last_occurred, "2024-01-01T00:00:00Z");
  EXPECT_EQ(c.notices[0].first_occurred, "2024-01-01T00:00:00Z");
}

// Follows Pebble v1.19.0's internals/daemon/api_notices.go (v1PostNotices), the version
// /v1/system-info reports: the key's form is checked before its length, with this wording.
TEST(ApiNotices, AddRejectsBadRequests) {
  state::container c;
  session s(c);
  auto r = call(s, "POST", "/v1/notices", {{"action", "add"}, {"type", "custom"}, {"key", "no-domain"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["result"]["message"], "invalid key \"no-domain\" (must be in \"example.com/path\" format)");
  EXPECT_EQ(call(s, "GET", "/v1/system-info").body["result"]["version"], "1.19.0");
  const std::string long_invalid(300, 'A');
  r = call(s, "POST", "/v1/notices", {{"action", "add"}, {"type", "custom"}, {"key", long_invalid}});
  EXPECT_EQ(r.body["result"]["message"],
            "invalid key \"" + long_invalid + "\" (must be in \"example.com/path\" format)");
  const std::string long_valid = "example.com/" + std::string(250, 'a');
  r = call(s, "POST", "/v1/notices", {{"action", "add"}, {"type", "custom"}, {"key", long_valid}});
  EXPECT_EQ(r.body["result"]["message"], "key must be 256 bytes or less");
  r = call(s, "POST", "/v1/notices", {{"action", "add"}, {"type", "warning"}, {"key", "example.com/a"}});
  EXPECT_EQ(r.body["result"]["message"], "invalid type \"warning\" (can only add \"custom\" notices)");
  r = call(s, "POST", "/v1/notices", {{"action", "remove"}, {"type", "custom"}, {"key", "example.com/a"}});
  EXPECT_EQ(r.body["result"]["message"], "invalid action \"remove\"");
  r = call(s, "POST", "/v1/notices",
           {{"action", "add"}, {"type", "custom"}, {"key", "example.com/a"}, {"repeat-after", "soon"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(c.notices.empty());
}

// Issue 14: the key regex ran before the size check, in the server thread, and overflowed the
// stack on long keys. The size is checked first now.
TEST(ApiNotices, AddRefusesALongKeyByItsSize) {
  state::container c;
  session s(c);
  for (const std::string& key : {std::string(100 * 1024, 'a') + ".com/k",
                                 "example.com/" + std::string(245, 'k')}) {
    auto r = call(s, "POST", "/v1/notices", {{"action", "add"}, {"type", "custom"}, {"key", key}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body["result"]["message"], "key must be 256 bytes or less");
  }
  // A long key of the wrong form is refused for its form first, as Pebble does.
  auto bad = call(s, "POST", "/v1/notices",
                  {{"action", "add"}, {"type", "custom"}, {"key", std::string(100 * 1024, '-')}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["result"]["message"].get<std::string>().rfind("invalid key \"---", 0), 0u);
  const std::string longest = "example.com/" + std::string(244, 'k');  // exactly 256 bytes
  auto r = call(s, "POST", "/v1/notices", {{"action", "add"}, {"type", "custom"}, {"key", longest}});
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(c.notices.size(), 1u);
  EXPECT_EQ(c.notices[0].key, longest);
}

}  // namespace
}  // namespace scenario::pebble::api_test
