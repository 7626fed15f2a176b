#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

using log_tools = agent_fixture;

TEST_F(log_tools, records_level_and_message) {
  ok({"juju-log", "--log-level", "WARNING", "--", "disk", "almost", "full"});
  ok({"juju-log", "-l", "debug", "--", "-dash"});
  ok({"juju-log", "plain"});
  ok({"juju-log", "--debug", "dbg"});
  ok({"juju-log", "--log-level=TRACE", "--", "{\"security\": 1}"});
  ok({"juju-log", "-l", "WARN", "w"});
  ok({"juju-log", "-l", "nonsense", "n"});
  ASSERT_EQ(st.juju_log.size(), 7u);
  EXPECT_EQ(st.juju_log[0].level, "WARNING");
  EXPECT_EQ(st.juju_log[0].message, "disk almost full");
  EXPECT_EQ(st.juju_log[2].level, "INFO");
  EXPECT_EQ(st.juju_log[2].message, "plain");
  EXPECT_EQ(st.juju_log[3].level, "DEBUG");
  EXPECT_EQ(st.juju_log[4].level, "TRACE");
  EXPECT_EQ(st.juju_log[4].message, "{\"security\": 1}");
  EXPECT_EQ(st.juju_log[5].level, "WARNING");
  EXPECT_EQ(st.juju_log[6].level, "INFO");
}

TEST_F(log_tools, flag_looking_message_without_double_dash_is_usage_error) {
  auto r = run({"juju-log", "-x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(st.juju_log.empty());
}

TEST_F(log_tools, needs_a_message) {
  EXPECT_EQ(fails({"juju-log", "--log-level", "INFO"}), "ERROR no message specified\n");
  EXPECT_EQ(fails({"juju-log", "--log-level"}), "ERROR flag needs an argument: --log-level\n");
}

}  // namespace
}  // namespace scenario::agent::testing
