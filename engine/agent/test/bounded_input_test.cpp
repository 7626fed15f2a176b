// Hostile sizes from a charm (issue 14): 100 KB names and keys, once a stack overflow in
// std::regex, and `--file` pointing at endless or blocking files, once unbounded memory or a hang.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

const std::string long_letters(100 * 1024, 'a');

class bounded_input : public agent_fixture {
 protected:
  bounded_input() { add_relations(); }

  // A fresh file under a per-test directory, removed with the fixture.
  std::string file_with(const std::string& name, std::size_t size, char fill = 'x') {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << std::string(size, fill);
    return path.string();
  }

  std::filesystem::path dir_ = [] {
    auto d = std::filesystem::temp_directory_path() /
             ("scenario-bounded-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(d);
    return d;
  }();
  ~bounded_input() override { std::filesystem::remove_all(dir_); }
};

// ---- long names and keys --------------------------------------------------------------------

TEST_F(bounded_input, relation_get_with_a_100kb_unit_name_is_refused) {
  EXPECT_EQ(fails({"relation-get", "-r", "1", "-", long_letters + "/0x"}),
            "ERROR invalid unit name \"" + long_letters + "/0x\"\n");
  // A valid but unknown long unit reads as Juju's permission error, not a crash.
  EXPECT_NE(run({"relation-get", "-r", "1", "-", long_letters + "/0"}).exit_code, 0);
}

TEST_F(bounded_input, relation_get_on_a_relation_with_a_100kb_remote_app) {
  st.relations[0].remote_app_name = long_letters;
  st.relations[0].remote_units_data = {{0, {{"k", "v"}}}};
  EXPECT_EQ(ok_json({"relation-get", "--format=json", "-r", "1", "-", long_letters + "/0"}),
            json({{"k", "v"}}));
}

TEST_F(bounded_input, action_set_with_a_100kb_key) {
  ctx().action_name = "backup";
  ok({"action-set", long_letters + "=v"});
  ASSERT_TRUE(st.action.has_value());
  EXPECT_EQ(st.action->results.at(long_letters), "v");
  EXPECT_NE(fails({"action-set", long_letters + "-=v"}).find("must start and end"), std::string::npos);
}

TEST_F(bounded_input, secret_add_with_a_100kb_key) {
  st.leader = true;  // secret-add without --owner makes an application secret
  ok({"secret-add", long_letters + "=v"});
  EXPECT_EQ(fails({"secret-add", long_letters + "--x=v"}), "ERROR key \"" + long_letters + "--x\" not valid\n");
}

// secret-grant names its grantee with --unit, secret-revoke with --app or --unit.
TEST_F(bounded_input, secret_grant_and_revoke_with_a_100kb_app_are_refused) {
  state::secret s;
  s.id = "secret:cj5sc0ns4f2cbiqkq8a0";
  s.contents = {{1, {{"key", "v"}}}};
  s.owner = "unit";
  s.revision = 1;
  st.secrets.push_back(s);
  const std::string bad = long_letters + "-1";
  EXPECT_EQ(fails({"secret-grant", "-r", "1", "--unit", bad + "/0", s.id}),
            "ERROR unit \"" + bad + "/0\" not valid\n");
  EXPECT_EQ(fails({"secret-revoke", "--app", bad, s.id}),
            "ERROR application \"" + bad + "\" not valid\n");
}

TEST_F(bounded_input, yaml_output_of_a_100kb_all_digit_value_is_quoted) {
  const std::string digits(100 * 1024, '7');
  st.relations[0].remote_units_data = {{0, {{"n", digits}}}};
  EXPECT_EQ(ok({"relation-get", "--format=yaml", "-r", "1", "-", "remote/0"}),
            "n: \"" + digits + "\"\n");
}

// ---- --file caps ------------------------------------------------------------------------------

TEST_F(bounded_input, relation_set_file_refuses_dev_zero_at_once) {
  const std::string err = fails({"relation-set", "-r", "1", "--file", "/dev/zero"});
  EXPECT_EQ(err,
            "ERROR read /dev/zero: not a regular file (Scenario reads only regular files here)\n");
  EXPECT_EQ(st.relations[0].local_unit_data, (state::databag{{"mine", "1"}}));
}

TEST_F(bounded_input, relation_set_file_never_blocks_on_a_fifo) {
  const auto fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // No writer ever opens it: a blocking open or read would hang this test.
  EXPECT_NE(fails({"relation-set", "-r", "1", "--file", fifo}).find("not a regular file"),
            std::string::npos);
}

TEST_F(bounded_input, relation_set_file_over_16_mib_names_the_cap) {
  const auto big = file_with("big.yaml", 16 * 1024 * 1024 + 1);
  EXPECT_EQ(fails({"relation-set", "-r", "1", "--file", big}),
            "ERROR relation settings file \"" + big +
                "\" too large: 16777217 bytes (the limit is 16777216 bytes)\n");
  EXPECT_EQ(fails({"relation-set", "-r", "1", "--file", "-"}, std::string(16 * 1024 * 1024 + 1, ' ')),
            "ERROR relation settings file on stdin too large: 16777217 bytes (the limit is 16777216 "
            "bytes)\n");
}

TEST_F(bounded_input, relation_set_file_directory_is_go_s_error) {
  EXPECT_EQ(fails({"relation-set", "-r", "1", "--file", dir_.string()}),
            "ERROR read " + dir_.string() + ": is a directory\n");
}

TEST_F(bounded_input, state_set_file_over_2_mib_names_the_cap) {
  const auto big = file_with("state.yaml", 2 * 1024 * 1024 + 1);
  EXPECT_EQ(fails({"state-set", "--file", big}),
            "ERROR state file \"" + big + "\" too large: 2097153 bytes (the limit is 2097152 bytes)\n");
  EXPECT_NE(fails({"state-set", "--file", "/dev/zero"}).find("not a regular file"), std::string::npos);
  EXPECT_TRUE(ctx().controller_state.empty());
  // Under the cap it is read as before.
  const auto fine = (dir_ / "fine.yaml").string();
  std::ofstream(fine) << "k: v\n";
  ok({"state-set", "--file", fine});
  EXPECT_EQ(ctx().controller_state.at("k"), "v");
}

TEST_F(bounded_input, secret_file_caps_are_juju_s) {
  st.leader = true;
  const auto big = file_with("content.yaml", 1000 * 1000 + 1);
  EXPECT_EQ(fails({"secret-add", "--file", big}),
            "ERROR secret content in file \"" + big +
                "\" too large: 1000001 bytes (the limit is 1000000 bytes)\n");
  EXPECT_EQ(fails({"secret-add", "key#file=" + big}),
            "ERROR secret content in file \"" + big +
                "\" too large: 1000001 bytes (the limit is 1000000 bytes)\n");
  EXPECT_EQ(fails({"secret-add", "key#file=/dev/zero"}),
            "ERROR reading content for secret key \"key\": read /dev/zero: not a regular file "
            "(Scenario reads only regular files here)\n");
  EXPECT_NE(fails({"secret-add", "--file", "/dev/zero"}).find("not a regular file"), std::string::npos);
  EXPECT_TRUE(st.secrets.empty());
}

TEST_F(bounded_input, secret_set_file_is_capped_too) {
  st.secrets.push_back([] {
    state::secret s;
    s.id = "secret:cj5sc0ns4f2cbiqkq8a0";
    s.contents = {{1, {{"key", "v"}}}};
    s.owner = "unit";
    s.revision = 1;
    return s;
  }());
  EXPECT_NE(fails({"secret-set", st.secrets[0].id, "--file", "/dev/zero"}).find("not a regular file"),
            std::string::npos);
  EXPECT_EQ(st.secrets[0].contents.size(), 1u);
}

}  // namespace
}  // namespace scenario::agent::testing
