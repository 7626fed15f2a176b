#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

using status_tools = agent_fixture;

TEST_F(status_tools, status_get_unit_forms) {
  st.status.unit = {"active", "ok"};
  // ops 3.8 form
  EXPECT_EQ(ok_json({"status-get", "--include-data", "--format=json", "--application=false"}),
            json({{"status", "active"}, {"message", "ok"}, {"status-data", json::object()}}));
  // ops 2.4 form
  EXPECT_EQ(ok_json({"status-get", "--include-data", "--application=False", "--format=json"}),
            json({{"status", "active"}, {"message", "ok"}, {"status-data", json::object()}}));
  EXPECT_EQ(ok({"status-get"}), "active\n");
  EXPECT_EQ(ok_json({"status-get", "--format=json"}), json({{"status", "active"}}));
}

TEST_F(status_tools, status_get_application_needs_leadership) {
  auto err = fails({"status-get", "--include-data", "--format=json", "--application=true"});
  EXPECT_NE(err.find("not the leader"), std::string::npos) << err;
  st.leader = true;
  st.status.app = {"blocked", "need db"};
  st.status.unit = {"waiting", ""};
  EXPECT_EQ(ok_json({"status-get", "--include-data", "--format=json", "--application=True"}),
            json({{"application-status",
                   {{"status", "blocked"},
                    {"message", "need db"},
                    {"status-data", json::object()},
                    {"units", {{"app/0", {{"status", "waiting"}, {"message", ""}, {"status-data", json::object()}}}}}}}}));
  EXPECT_EQ(ok({"status-get", "--application"}), "blocked\n");
}

TEST_F(status_tools, status_get_bad_bool_and_args) {
  EXPECT_EQ(run({"status-get", "--application=maybe"}).exit_code, 2);
  EXPECT_NE(fails({"status-get", "extra"}).find("unrecognized args"), std::string::npos);
}

TEST_F(status_tools, status_set_unit_records_history) {
  st.status.unit = {"maintenance", "starting"};
  ok({"status-set", "--application=False", "active", "--", "all good"});
  ok({"status-set", "--application=False", "blocked", "no db"});  // ops 2.4: no --
  EXPECT_EQ(st.status.unit, (state::entity_status{"blocked", "no db"}));
  ASSERT_EQ(st.status.unit_history.size(), 2u);
  EXPECT_EQ(st.status.unit_history[0], (state::entity_status{"maintenance", "starting"}));
  EXPECT_EQ(st.status.unit_history[1], (state::entity_status{"active", "all good"}));
  EXPECT_TRUE(st.status.app_history.empty());
}

TEST_F(status_tools, status_set_message_is_optional) {
  ok({"status-set", "waiting"});
  EXPECT_EQ(st.status.unit, (state::entity_status{"waiting", ""}));
}

TEST_F(status_tools, status_set_application_needs_leadership) {
  EXPECT_EQ(fails({"status-set", "--application=True", "active", "--", "x"}),
            "ERROR this unit is not the leader\n");
  EXPECT_EQ(st.status.app.name, "unknown");
  st.leader = true;
  ok({"status-set", "--application=True", "active", "--", "x"});
  EXPECT_EQ(st.status.app, (state::entity_status{"active", "x"}));
  ASSERT_EQ(st.status.app_history.size(), 1u);
  EXPECT_EQ(st.status.app_history[0].name, "unknown");
}

TEST_F(status_tools, status_set_refuses_unsettable_statuses) {
  for (const char* bad : {"error", "unknown", "bogus"}) {
    auto r = run({"status-set", bad, "msg"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.stderr_text, std::string("ERROR invalid status \"") + bad +
                                 "\", expected one of [maintenance blocked waiting active]\n");
  }
  EXPECT_EQ(fails({"status-set"}), "ERROR invalid args, require <status> [message]\n");
  EXPECT_NE(fails({"status-set", "active", "a", "b"}).find("unrecognized args"), std::string::npos);
  EXPECT_TRUE(st.status.unit_history.empty());
}

}  // namespace
}  // namespace scenario::agent::testing
