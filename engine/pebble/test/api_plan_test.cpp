#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "engine/pebble/api.hpp"
#include "engine/pebble/test/api_calls.hpp"

namespace scenario::pebble {
namespace {

using json = nlohmann::json;

// The raw response: some tests read a reply that is not a JSON envelope.
using api_test::send;

json add_layer(session& s, const std::string& label, const std::string& yaml, bool combine = false) {
  auto resp = send(s, "POST", "/v1/layers",
                   {{"action", "add"}, {"label", label}, {"format", "yaml"}, {"layer", yaml}, {"combine", combine}});
  auto body = json::parse(resp.body);
  body["http"] = resp.status;
  return body;
}

YAML::Node plan(session& s) {
  auto resp = send(s, "GET", "/v1/plan", nullptr, {{"format", "yaml"}});
  EXPECT_EQ(resp.status, 200);
  return YAML::Load(json::parse(resp.body)["result"].get<std::string>());
}

TEST(ApiEnvelope, SystemInfoIsSyncWithVersion) {
  state::container c;
  session s(c);
  auto resp = send(s, "GET", "/v1/system-info");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.content_type, "application/json");
  auto body = json::parse(resp.body);
  EXPECT_EQ(body["type"], "sync");
  EXPECT_EQ(body["status-code"], 200);
  EXPECT_EQ(body["status"], "OK");
  EXPECT_FALSE(body["result"]["version"].get<std::string>().empty());
}

TEST(ApiEnvelope, UnknownEndpointIs404AndWrongMethodIs405) {
  state::container c;
  session s(c);
  auto resp = send(s, "GET", "/v1/nope");
  EXPECT_EQ(resp.status, 404);
  auto body = json::parse(resp.body);
  EXPECT_EQ(body["type"], "error");
  EXPECT_EQ(body["status"], "Not Found");
  EXPECT_EQ(body["result"]["message"], "invalid API endpoint requested");
  resp = send(s, "DELETE", "/v1/plan");
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(json::parse(resp.body)["result"]["message"], "method \"DELETE\" not allowed");
}

// Found by fuzz/pebble_request_fuzzer: a method that is not UTF-8 made the reply's JSON encoding
// throw out of handle(), so the charm got a 500 instead of Pebble's 405.
TEST(ApiEnvelope, RequestBytesThatAreNotUtf8AreRepliedWithReplacementCharacters) {
  state::container c;
  session s(c);
  auto resp = send(s, "G\xffT", "/v1/plan");
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(json::parse(resp.body)["result"]["message"], "method \"G\xEF\xBF\xBDT\" not allowed");
}

TEST(ApiPlan, EmptyPlanAndBadFormat) {
  state::container c;
  session s(c);
  auto resp = send(s, "GET", "/v1/plan", nullptr, {{"format", "yaml"}});
  EXPECT_EQ(json::parse(resp.body)["result"], "{}\n");
  resp = send(s, "GET", "/v1/plan", nullptr, {{"format", "json"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(json::parse(resp.body)["result"]["message"], "invalid format \"json\"");
}

TEST(ApiPlan, AddLayerStoresItAndShowsInPlan) {
  state::container c;
  session s(c);
  auto body = add_layer(s, "base", "summary: base\nservices:\n  srv:\n    override: replace\n    command: /bin/srv --port 80\n    startup: enabled\n    environment: {A: '1'}\n");
  EXPECT_EQ(body["http"], 200);
  EXPECT_EQ(body["result"], true);
  ASSERT_EQ(c.layers.size(), 1u);
  EXPECT_EQ(c.layers[0].first, "base");
  EXPECT_EQ(c.layers[0].second["services"]["srv"]["command"], "/bin/srv --port 80");
  auto p = plan(s);
  EXPECT_EQ(p["services"]["srv"]["command"].as<std::string>(), "/bin/srv --port 80");
  EXPECT_EQ(p["services"]["srv"]["startup"].as<std::string>(), "enabled");
  EXPECT_EQ(p["services"]["srv"]["environment"]["A"].as<std::string>(), "1");
}

TEST(ApiPlan, ALayerCacheSharedByRunsGivesTheSamePlansAndStillRejectsBadLayers) {
  layer_cache cache;
  const std::string yaml = "services:\n  web:\n    override: replace\n    command: run-web\n";
  state::container first, second, uncached;
  session a(first, &cache), b(second, &cache), plain(uncached);
  EXPECT_EQ(add_layer(a, "base", yaml)["http"], 200);
  EXPECT_NE(cache.find("base", yaml), nullptr);
  EXPECT_EQ(add_layer(b, "base", yaml)["http"], 200);  // served from the cache
  EXPECT_EQ(add_layer(plain, "base", yaml)["http"], 200);
  EXPECT_EQ(YAML::Dump(plan(b)), YAML::Dump(plan(plain)));
  EXPECT_EQ(second.layers, uncached.layers);

  for (int attempt = 0; attempt < 2; ++attempt) {  // a bad layer is never cached
    auto bad = add_layer(b, "broken", "services: [not, a, map");
    EXPECT_EQ(bad["http"], 400);
    EXPECT_EQ(cache.find("broken", "services: [not, a, map"), nullptr);
  }
}

TEST(ApiPlan, ALayerCacheStartsAgainWhenFullAndKeepsServing) {
  layer_cache cache;
  state::container c;
  session s(c, &cache);
  const auto yaml = [](int i) {
    return "services:\n  s" + std::to_string(i) + ":\n    override: replace\n    command: run\n";
  };
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(add_layer(s, "l" + std::to_string(i), yaml(i))["http"], 200) << i;
  }
  EXPECT_EQ(cache.find("l0", yaml(0)), nullptr);  // dropped when the cache filled up
  EXPECT_NE(cache.find("l299", yaml(299)), nullptr);
  EXPECT_EQ(c.layers.size(), 300u);
  EXPECT_TRUE(plan(s)["services"]["s0"]);  // what was parsed before the clear still counts
}

TEST(ApiPlan, MergeOverrideCombinesFieldsAndReplaceDropsThem) {
  state::container c;
  session s(c);
  add_layer(s, "one",
            "services:\n  a:\n    override: replace\n    command: /a\n    after: [b]\n    environment: {X: '1', Y: '2'}\n"
            "  b:\n    override: replace\n    command: /b\n    summary: bee\n");
  add_layer(s, "two",
            "services:\n  a:\n    override: merge\n    after: [c]\n    environment: {Y: '3'}\n"
            "  b:\n    override: replace\n    command: /b2\n  c:\n    override: merge\n    command: /c\n");
  auto p = plan(s);
  EXPECT_EQ(p["services"]["a"]["command"].as<std::string>(), "/a");
  ASSERT_EQ(p["services"]["a"]["after"].size(), 2u);
  EXPECT_EQ(p["services"]["a"]["after"][1].as<std::string>(), "c");
  EXPECT_EQ(p["services"]["a"]["environment"]["X"].as<std::string>(), "1");
  EXPECT_EQ(p["services"]["a"]["environment"]["Y"].as<std::string>(), "3");
  EXPECT_EQ(p["services"]["b"]["command"].as<std::string>(), "/b2");
  EXPECT_FALSE(p["services"]["b"]["summary"]);  // replace drops what the old layer set
  EXPECT_EQ(p["services"]["c"]["command"].as<std::string>(), "/c");  // merge onto nothing adds
}

TEST(ApiPlan, MissingOverrideIsRejectedWithPebblesText) {
  state::container c;
  session s(c);
  auto body = add_layer(s, "lbl", "services:\n  srv:\n    command: /x\n");
  EXPECT_EQ(body["http"], 400);
  EXPECT_EQ(body["result"]["message"], "layer \"lbl\" must define \"override\" for service \"srv\"");
  EXPECT_TRUE(c.layers.empty());
  body = add_layer(s, "lbl", "checks:\n  chk:\n    override: sideways\n    http: {url: 'http://x'}\n");
  EXPECT_EQ(body["result"]["message"], "layer \"lbl\" has invalid \"override\" value for check \"chk\"");
}

TEST(ApiPlan, LabelExistsWithoutCombineAndCombineMergesIntoIt) {
  state::container c;
  session s(c);
  add_layer(s, "lbl", "services:\n  srv:\n    override: replace\n    command: /x\n");
  auto body = add_layer(s, "lbl", "services:\n  srv:\n    override: replace\n    command: /y\n");
  EXPECT_EQ(body["http"], 400);
  EXPECT_EQ(body["result"]["message"], "layer \"lbl\" already exists");
  body = add_layer(s, "lbl", "services:\n  srv:\n    override: merge\n    user: alice\n", true);
  EXPECT_EQ(body["http"], 200);
  ASSERT_EQ(c.layers.size(), 1u);
  EXPECT_EQ(c.layers[0].second["services"]["srv"]["command"], "/x");
  EXPECT_EQ(c.layers[0].second["services"]["srv"]["user"], "alice");
  // combine with a new label appends a layer
  add_layer(s, "other", "services:\n  two:\n    override: replace\n    command: /2\n", true);
  ASSERT_EQ(c.layers.size(), 2u);
  EXPECT_EQ(c.layers[1].first, "other");
}

TEST(ApiPlan, ValidationErrorsOfCombinedPlan) {
  state::container c;
  session s(c);
  auto body = add_layer(s, "l", "services:\n  srv:\n    override: replace\n    summary: no command\n");
  EXPECT_EQ(body["result"]["message"], "plan must define \"command\" for service \"srv\"");
  body = add_layer(s, "l", "checks:\n  chk:\n    override: replace\n    level: sideways\n    http: {url: 'http://x'}\n");
  EXPECT_EQ(body["result"]["message"], "plan check \"chk\" level must be \"alive\" or \"ready\"");
  body = add_layer(s, "l", "checks:\n  chk:\n    override: replace\n");
  EXPECT_EQ(body["result"]["message"], "plan must specify one of \"http\", \"tcp\", or \"exec\" for check \"chk\"");
  body = add_layer(s, "l", "log-targets:\n  t:\n    override: replace\n    location: http://loki\n    services: [all]\n");
  EXPECT_EQ(body["result"]["message"], "plan must define \"type\" (\"loki\" or \"syslog\") for log target \"t\"");
  body = add_layer(s, "l", "services:\n  a:\n    override: replace\n    command: /a\n    after: [b]\n  b:\n    override: replace\n    command: /b\n    after: [a]\n");
  EXPECT_EQ(body["result"]["message"], "services in before/after loop: a, b");
  EXPECT_TRUE(c.layers.empty());
}

TEST(ApiPlan, UnknownFieldAndBadYamlAreParseErrors) {
  state::container c;
  session s(c);
  auto body = add_layer(s, "l", "services:\n  srv:\n    override: replace\n    command: /x\n    colour: red\n");
  EXPECT_EQ(body["http"], 400);
  std::string msg = body["result"]["message"];
  EXPECT_EQ(msg.rfind("cannot parse layer \"l\": yaml: unmarshal errors:", 0), 0u) << msg;
  EXPECT_NE(msg.find("field colour not found in type plan.Service"), std::string::npos) << msg;
  body = add_layer(s, "l", "services: [unclosed\n");
  EXPECT_EQ(body["http"], 400);
  EXPECT_EQ(body["result"]["message"].get<std::string>().rfind("cannot parse layer \"l\"", 0), 0u);
}

TEST(ApiPlan, RequestErrors) {
  state::container c;
  session s(c);
  auto resp = send(s, "POST", "/v1/layers", {{"action", "remove"}, {"label", "x"}, {"format", "yaml"}, {"layer", ""}});
  EXPECT_EQ(json::parse(resp.body)["result"]["message"], "invalid action \"remove\"");
  resp = send(s, "POST", "/v1/layers", {{"action", "add"}, {"label", ""}, {"format", "yaml"}, {"layer", ""}});
  EXPECT_EQ(json::parse(resp.body)["result"]["message"], "label must be set");
  request r{"POST", "/v1/layers", {}, "application/json", "{not json"};
  resp = handle(s, r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(json::parse(resp.body)["result"]["message"].get<std::string>().rfind("cannot decode request body", 0), 0u);
}

TEST(ApiPlan, BasePlanComesFirstAndLayersOverrideIt) {
  state::container c;
  c.base_plan = {{"services", {{"srv", {{"command", "/base"}, {"startup", "enabled"}}}}}};
  session s(c);
  EXPECT_EQ(plan(s)["services"]["srv"]["command"].as<std::string>(), "/base");
  add_layer(s, "l", "services:\n  srv:\n    override: merge\n    command: /layer\n");
  auto p = plan(s);
  EXPECT_EQ(p["services"]["srv"]["command"].as<std::string>(), "/layer");
  EXPECT_EQ(p["services"]["srv"]["startup"].as<std::string>(), "enabled");
}

TEST(ApiPlan, ChecksAndLogTargetsMerge) {
  state::container c;
  session s(c);
  add_layer(s, "a",
            "services:\n  srv: {override: replace, command: /srv}\n"
            "checks:\n  up:\n    override: replace\n    period: 30s\n    http: {url: 'http://localhost/a', headers: {X: '1'}}\n"
            "log-targets:\n  loki:\n    override: replace\n    type: loki\n    location: http://loki\n    services: [srv]\n");
  add_layer(s, "b",
            "checks:\n  up:\n    override: merge\n    threshold: 5\n    http: {headers: {Y: '2'}}\n"
            "log-targets:\n  loki:\n    override: merge\n    services: [-srv]\n");
  auto p = plan(s);
  EXPECT_EQ(p["checks"]["up"]["threshold"].as<int>(), 5);
  EXPECT_EQ(p["checks"]["up"]["period"].as<std::string>(), "30s");
  EXPECT_EQ(p["checks"]["up"]["http"]["url"].as<std::string>(), "http://localhost/a");
  EXPECT_EQ(p["checks"]["up"]["http"]["headers"]["Y"].as<std::string>(), "2");
  EXPECT_EQ(p["checks"]["up"]["http"]["headers"]["X"].as<std::string>(), "1");
  ASSERT_EQ(p["log-targets"]["loki"]["services"].size(), 2u);
  EXPECT_EQ(p["log-targets"]["loki"]["services"][1].as<std::string>(), "-srv");
}

TEST(ApiPlan, MalformedStateLayerIsReportedNotCrashed) {
  state::container c;
  c.name = "workload";
  c.layers.emplace_back("bad", json{{"checks", {{"chk", {{"override", "replace"}, {"period", 10}, {"tcp", {{"port", 1}}}}}}}});
  session s(c);
  auto resp = send(s, "GET", "/v1/services");
  EXPECT_EQ(resp.status, 400);  // refused, never a server error
  std::string msg = json::parse(resp.body)["result"]["message"];
  EXPECT_EQ(msg.rfind("container \"workload\" has a malformed layer or base_plan:", 0), 0u) << msg;
}

TEST(ApiPlan, ExecCheckServiceContextMustExist) {
  state::container c;
  session s(c);
  auto body = add_layer(s, "l", "checks:\n  chk:\n    override: replace\n    exec: {command: 'true', service-context: nope}\n");
  EXPECT_EQ(body["http"], 400);
  EXPECT_EQ(body["result"]["message"], "plan check \"chk\" service context specifies non-existent service \"nope\"");
}

// Follows Pebble's internals/plan/plan.go (CombineLayers caps the timeout at the period; only
// zero values are refused by Layer.Validate), canonical/pebble v1.32.1.
TEST(ApiPlan, CheckTimeoutAtLeastPeriodIsAcceptedAndPeriodAloneIsValid) {
  state::container c;
  session s(c);
  auto body = add_layer(s, "a", "checks:\n  up:\n    override: replace\n    period: 2s\n    tcp: {port: 80}\n");
  EXPECT_EQ(body["http"], 200) << body.dump();
  body = add_layer(s, "b", "checks:\n  up2:\n    override: replace\n    period: 2s\n    timeout: 5s\n    tcp: {port: 80}\n");
  EXPECT_EQ(body["http"], 200) << body.dump();
  body = add_layer(s, "c", "checks:\n  up3:\n    override: replace\n    period: 2s\n    timeout: 2s\n    tcp: {port: 80}\n");
  EXPECT_EQ(body["http"], 200) << body.dump();
  EXPECT_EQ(plan(s)["checks"]["up2"]["timeout"].as<std::string>(), "5s");  // as given, not capped in the plan
  // OptionalDuration.MarshalYAML (internals/plan/types.go) writes Go's Duration.String.
  body = add_layer(s, "e", "checks:\n  up4:\n    override: replace\n    period: 90s\n    tcp: {port: 80}\n");
  EXPECT_EQ(plan(s)["checks"]["up4"]["period"].as<std::string>(), "1m30s");
  body = add_layer(s, "f", "checks:\n  up5:\n    override: replace\n    period: 1..5s\n    tcp: {port: 80}\n");
  EXPECT_EQ(body["http"], 400);
  body = add_layer(s, "d", "checks:\n  z:\n    override: replace\n    timeout: 0s\n    tcp: {port: 80}\n");
  EXPECT_EQ(body["result"]["message"], "plan check \"z\" timeout must not be zero");
}

// Follows Pebble's internals/plan/plan.go (validServiceAction and Layer.Validate),
// canonical/pebble v1.32.1.
TEST(ApiPlan, ShutdownActionsAreValidWhereLayerValidateAllowsThem) {
  state::container c;
  session s(c);
  auto body = add_layer(s, "a",
                        "services:\n  srv:\n    override: replace\n    command: /srv\n"
                        "    on-success: failure-shutdown\n    on-failure: success-shutdown\n"
                        "    on-check-failure: {up: success-shutdown}\n");
  EXPECT_EQ(body["http"], 200) << body.dump();
  body = add_layer(s, "b", "services:\n  t:\n    override: replace\n    command: /t\n    on-success: success-shutdown\n");
  EXPECT_EQ(body["result"]["message"], "plan service \"t\" on-success action \"success-shutdown\" invalid");
  body = add_layer(s, "b", "services:\n  t:\n    override: replace\n    command: /t\n    on-failure: failure-shutdown\n");
  EXPECT_EQ(body["result"]["message"], "plan service \"t\" on-failure action \"failure-shutdown\" invalid");
  body = add_layer(s, "b",
                   "services:\n  t:\n    override: replace\n    command: /t\n    on-check-failure: {up: failure-shutdown}\n");
  EXPECT_EQ(body["result"]["message"], "plan service \"t\" on-check-failure action \"failure-shutdown\" invalid");
}

// Follows Pebble's internals/plan/plan.go (Layer.Validate: reserved label prefix, check
// startup values), canonical/pebble v1.32.1.
TEST(ApiPlan, ReservedLabelPrefixAndCheckStartupAreRefused) {
  state::container c;
  session s(c);
  auto body = add_layer(s, "pebble-mine", "services:\n  srv: {override: replace, command: /srv}\n");
  EXPECT_EQ(body["http"], 400);
  std::string msg = body["result"]["message"];
  EXPECT_EQ(msg.rfind("cannot use reserved label prefix \"pebble-\"", 0), 0u) << msg;
  EXPECT_NE(msg.find("pebble-mine"), std::string::npos) << msg;
  EXPECT_TRUE(c.layers.empty());
  body = add_layer(s, "l", "checks:\n  up:\n    override: replace\n    startup: sometimes\n    tcp: {port: 80}\n");
  EXPECT_EQ(body["result"]["message"], "plan check \"up\" startup must be \"enabled\" or \"disabled\"");
  body = add_layer(s, "l", "checks:\n  up:\n    override: replace\n    startup: disabled\n    tcp: {port: 80}\n");
  EXPECT_EQ(body["http"], 200) << body.dump();
}

// --- compatible sessions: ops-scenario 3.1's plan, with a divergence ------------------------

TEST(ApiPlanCompatible, LayersWithoutOverrideReplaceAndThePlanIsNotValidated) {
  state::container c;
  c.name = "foo";
  c.layers.emplace_back("a", json{{"services", {{"fooserv", {{"startup", "enabled"}}}}}});  // no override, no command
  std::vector<std::string> divergences;
  session s(c, nullptr, {.strict = false, .divergences = &divergences});
  auto p = plan(s);
  EXPECT_EQ(p["services"]["fooserv"]["startup"].as<std::string>(), "enabled");
  auto body = add_layer(s, "b", "services:\n  barserv:\n    startup: disabled\n");
  EXPECT_EQ(body["http"], 200);
  EXPECT_EQ(plan(s)["services"]["barserv"]["startup"].as<std::string>(), "disabled");
  ASSERT_FALSE(divergences.empty());
  EXPECT_NE(divergences[0].find("container \"foo\": Pebble refuses this plan"), std::string::npos);
  EXPECT_NE(divergences[0].find("Strict mode answers Pebble's 400"), std::string::npos);

  session strict(c);  // Pebble's rules are the default
  auto refused = send(strict, "GET", "/v1/plan", nullptr, {{"format", "yaml"}});
  EXPECT_EQ(refused.status, 400);
}

}  // namespace
}  // namespace scenario::pebble
