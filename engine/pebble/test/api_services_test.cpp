#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/pebble/api.hpp"
#include "engine/pebble/test/api_calls.hpp"

namespace scenario::pebble::api_test {
namespace {

state::container two_services() {
  return with_base_layer(
      {{"services",
        {{"web", {{"override", "replace"}, {"command", "/web"}, {"startup", "enabled"}}},
         {"worker", {{"override", "replace"}, {"command", "/worker"}}}}}});
}

reply services_action(session& s, const std::string& action, std::vector<std::string> names = {}) {
  json body = {{"action", action}};
  if (!names.empty()) body["services"] = names;
  return call(s, "POST", "/v1/services", body);
}

TEST(ApiServices, ListsPlanServicesWithStartupAndStatus) {
  auto c = two_services();
  c.service_status["web"] = "active";
  session s(c);
  auto r = call(s, "GET", "/v1/services");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["result"].size(), 2u);
  EXPECT_EQ(r.body["result"][0], (json{{"name", "web"}, {"startup", "enabled"}, {"current", "active"}}));
  EXPECT_EQ(r.body["result"][1], (json{{"name", "worker"}, {"startup", "disabled"}, {"current", "inactive"}}));
  r = call(s, "GET", "/v1/services", nullptr, {{"names", "worker,nope"}});
  ASSERT_EQ(r.body["result"].size(), 1u);
  EXPECT_EQ(r.body["result"][0]["name"], "worker");
}

TEST(ApiServices, StartIsAsyncAndTheChangeIsDone) {
  auto c = two_services();
  session s(c);
  auto r = services_action(s, "start", {"worker"});
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(r.body["type"], "async");
  std::string id = r.body["change"];
  EXPECT_EQ(c.service_status["worker"], "active");
  auto w = call(s, "GET", "/v1/changes/" + id + "/wait", nullptr, {{"timeout", "4.000s"}});
  ASSERT_EQ(w.status, 200);
  EXPECT_EQ(w.body["result"]["id"], id);
  EXPECT_EQ(w.body["result"]["kind"], "start");
  EXPECT_EQ(w.body["result"]["status"], "Done");
  EXPECT_EQ(w.body["result"]["ready"], true);
  EXPECT_EQ(w.body["result"]["summary"], "Start service \"worker\"");
  EXPECT_FALSE(w.body["result"].contains("err"));
  EXPECT_TRUE(w.body["result"].contains("spawn-time"));
  EXPECT_FALSE(w.body["result"].contains("data"));
  ASSERT_EQ(w.body["result"]["tasks"].size(), 1u);
  EXPECT_EQ(w.body["result"]["tasks"][0]["kind"], "start");
  auto g = call(s, "GET", "/v1/changes/" + id);
  EXPECT_EQ(g.body["result"]["id"], id);
}

TEST(ApiServices, StartUnknownServiceIsBadRequest) {
  auto c = two_services();
  session s(c);
  auto r = services_action(s, "start", {"nope"});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["result"]["message"], "cannot start services: service \"nope\" does not exist");
  r = services_action(s, "stop", {"nope"});
  EXPECT_EQ(r.body["result"]["message"], "cannot stop services: service \"nope\" does not exist");
  EXPECT_TRUE(c.service_status.empty());
}

TEST(ApiServices, ActionArgumentErrors) {
  auto c = two_services();
  session s(c);
  EXPECT_EQ(services_action(s, "start").body["result"]["message"], "must specify services for start action");
  EXPECT_EQ(services_action(s, "replan", {"web"}).body["result"]["message"], "replan accepts no service names");
  EXPECT_EQ(services_action(s, "dance", {"web"}).body["result"]["message"], "invalid action \"dance\"");
  state::container empty;
  session s2(empty);
  auto r = services_action(s2, "autostart");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["result"]["kind"], "no-default-services");
  EXPECT_EQ(r.body["result"]["message"], "no default services");
}

TEST(ApiServices, StopRestartAndSummaries) {
  auto c = two_services();
  c.service_status = {{"web", "active"}, {"worker", "active"}};
  session s(c);
  auto r = services_action(s, "stop", {"web", "worker"});
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(c.service_status["web"], "inactive");
  EXPECT_EQ(c.service_status["worker"], "inactive");
  auto ch = call(s, "GET", "/v1/changes/" + r.body["change"].get<std::string>());
  EXPECT_EQ(ch.body["result"]["summary"], "Stop service \"web\" and 1 more");
  // stopping an inactive service is not an error
  r = services_action(s, "stop", {"web"});
  EXPECT_EQ(r.status, 202);
  r = services_action(s, "restart", {"web"});
  EXPECT_EQ(c.service_status["web"], "active");
  ch = call(s, "GET", "/v1/changes/" + r.body["change"].get<std::string>());
  EXPECT_EQ(ch.body["result"]["kind"], "restart");
  EXPECT_EQ(ch.body["result"]["tasks"].size(), 2u);
}

TEST(ApiServices, AutostartStartsEnabledServices) {
  auto c = two_services();
  session s(c);
  auto r = services_action(s, "autostart");
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(c.service_status["web"], "active");
  EXPECT_EQ(c.service_status.count("worker"), 0u);
}

TEST(ApiServices, StartPullsInRequiredServices) {
  state::container c;
  c.layers.emplace_back("l", json{{"services",
                                   {{"app", {{"override", "replace"}, {"command", "/app"}, {"requires", {"db"}}, {"after", {"db"}}}},
                                    {"db", {{"override", "replace"}, {"command", "/db"}}}}}});
  session s(c);
  auto r = services_action(s, "start", {"app"});
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(c.service_status["db"], "active");
  EXPECT_EQ(c.service_status["app"], "active");
  auto ch = call(s, "GET", "/v1/changes/" + r.body["change"].get<std::string>());
  EXPECT_EQ(ch.body["result"]["tasks"][0]["summary"], "Start service \"db\"");
  EXPECT_EQ(ch.body["result"]["tasks"][1]["summary"], "Start service \"app\"");
}

TEST(ApiServices, ReplanStartsEnabledAndRestartsChangedServices) {
  auto c = two_services();
  c.service_status = {{"worker", "active"}};
  session s(c);
  // Nothing changed for worker; web is enabled and inactive: replan starts web only.
  auto r = services_action(s, "replan");
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(c.service_status["web"], "active");
  auto ch = call(s, "GET", "/v1/changes/" + r.body["change"].get<std::string>());
  EXPECT_EQ(ch.body["result"]["summary"], "Replan service \"web\"");
  // Change worker's config: replan restarts it (stop then start).
  c.layers.emplace_back("more", json{{"services", {{"worker", {{"override", "merge"}, {"command", "/worker --v2"}}}}}});
  r = services_action(s, "replan");
  ch = call(s, "GET", "/v1/changes/" + r.body["change"].get<std::string>());
  auto tasks = ch.body["result"]["tasks"];
  ASSERT_EQ(tasks.size(), 3u);  // stop worker, start web (no-op: already running), start worker
  EXPECT_EQ(tasks[0]["summary"], "Stop service \"worker\"");
  EXPECT_EQ(c.service_status["worker"], "active");
}

// Follows Pebble's internals/overlord/servstate/manager.go (Replan: every service in the
// manager's services map, stopped ones included, is restarted when its config changed) and
// handlers.go (serviceForStart, serviceForStop: the task log lines), canonical/pebble v1.32.1.
TEST(ApiServices, ReplanStartsAStoppedServiceWhoseConfigChanged) {
  auto c = two_services();
  session s(c);
  services_action(s, "start", {"worker"});
  services_action(s, "stop", {"worker"});
  ASSERT_EQ(c.service_status["worker"], "inactive");
  // Unchanged: a stopped worker stays stopped (it is not startup: enabled).
  services_action(s, "replan");
  EXPECT_EQ(c.service_status["worker"], "inactive");
  c.layers.emplace_back("more", json{{"services", {{"worker", {{"override", "merge"}, {"command", "/worker --v2"}}}}}});
  auto r = services_action(s, "replan");
  EXPECT_EQ(c.service_status["worker"], "active");
  auto ch = call(s, "GET", "/v1/changes/" + r.body["change"].get<std::string>());
  auto tasks = ch.body["result"]["tasks"];
  ASSERT_EQ(tasks.size(), 3u) << tasks.dump();  // stop worker, start web, start worker
  EXPECT_EQ(tasks[0]["summary"], "Stop service \"worker\"");
  ASSERT_EQ(tasks[0]["log"].size(), 1u);
  const std::string line = tasks[0]["log"][0];
  EXPECT_NE(line.find(" INFO Service \"worker\" already stopped."), std::string::npos) << line;
  EXPECT_EQ(line.find("T"), 10u) << line;  // begins with an RFC 3339 time
  // web was already running after the first replan: its start task says so.
  EXPECT_EQ(tasks[1]["summary"], "Start service \"web\"");
  ASSERT_EQ(tasks[1]["log"].size(), 1u);
  EXPECT_NE(tasks[1]["log"][0].get<std::string>().find(" INFO Service \"web\" already started."),
            std::string::npos);
  EXPECT_TRUE(tasks[2]["log"].empty());
}

TEST(ApiServices, StopOfANeverStartedServiceLogsIt) {
  auto c = two_services();
  session s(c);
  auto r = services_action(s, "stop", {"worker"});
  auto ch = call(s, "GET", "/v1/changes/" + r.body["change"].get<std::string>());
  const std::string line = ch.body["result"]["tasks"][0]["log"][0];
  EXPECT_NE(line.find(" INFO Service \"worker\" has never been started."), std::string::npos) << line;
}

// Follows Pebble's internals/plan/plan.go (a service's startup is not validated) and
// servstate/manager.go (Services reports "enabled" or "disabled").
TEST(ApiServices, UnknownServiceStartupIsAcceptedAndReadAsDisabled) {
  state::container c;
  c.layers.emplace_back("base", json{{"services", {{"odd", {{"override", "replace"}, {"command", "/odd"}, {"startup", "sometimes"}}}}}});
  session s(c);
  auto r = call(s, "GET", "/v1/services");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"][0], (json{{"name", "odd"}, {"startup", "disabled"}, {"current", "inactive"}}));
  EXPECT_EQ(services_action(s, "autostart").body["result"]["message"], "no default services");
  EXPECT_EQ(s.plan()["services"]["odd"]["startup"], "sometimes");
}

TEST(ApiServices, ReplanWithNothingToDo) {
  state::container c;
  session s(c);
  auto r = services_action(s, "replan");
  ASSERT_EQ(r.status, 202);
  auto ch = call(s, "GET", "/v1/changes/" + r.body["change"].get<std::string>());
  EXPECT_EQ(ch.body["result"]["summary"], "Replan - no services");
  EXPECT_EQ(ch.body["result"]["status"], "Done");
}

TEST(ApiChanges, UnknownChangeIs404AndListFilters) {
  auto c = two_services();
  session s(c);
  auto r = call(s, "GET", "/v1/changes/42/wait");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["result"]["message"], "cannot find change with id \"42\"");
  services_action(s, "start", {"web"});
  EXPECT_EQ(call(s, "GET", "/v1/changes").body["result"].size(), 0u);  // default: in-progress
  EXPECT_EQ(call(s, "GET", "/v1/changes", nullptr, {{"select", "all"}}).body["result"].size(), 1u);
  EXPECT_EQ(call(s, "GET", "/v1/changes", nullptr, {{"select", "all"}, {"for", "worker"}}).body["result"].size(), 0u);
  EXPECT_EQ(call(s, "GET", "/v1/changes", nullptr, {{"select", "bogus"}}).status, 400);
}

TEST(ApiChanges, ErrorChangeCarriesErrAndPendingWaitTimesOut) {
  state::container c;
  session s(c);
  change_record failed;
  failed.kind = "exec";
  failed.status = "Error";
  failed.err = "cannot perform the following tasks:\n- exec command \"x\"";
  auto id = s.add_change(failed);
  auto r = call(s, "GET", "/v1/changes/" + id + "/wait");
  EXPECT_EQ(r.body["result"]["status"], "Error");
  EXPECT_EQ(r.body["result"]["err"], failed.err);
  change_record pending;
  pending.kind = "exec";
  pending.status = "Doing";
  pending.ready = false;
  id = s.add_change(pending);
  r = call(s, "GET", "/v1/changes/" + id + "/wait", nullptr, {{"timeout", "4.000s"}});
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(r.body["result"]["message"], "timed out waiting for change after 4s");
}

TEST(ApiServices, SignalsNeedRunningServices) {
  auto c = two_services();
  c.service_status["web"] = "active";
  session s(c);
  EXPECT_EQ(call(s, "POST", "/v1/signals", {{"signal", "SIGHUP"}, {"services", {"web"}}}).status, 200);
  auto r = call(s, "POST", "/v1/signals", {{"signal", "SIGHUP"}, {"services", {"worker"}}});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body["result"]["message"], "cannot send signal to \"worker\": service is not running");
  EXPECT_EQ(call(s, "POST", "/v1/signals", {{"signal", "SIGNOPE"}, {"services", {"web"}}}).status, 400);
}

}  // namespace
}  // namespace scenario::pebble::api_test
