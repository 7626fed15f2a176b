// The secret-* hook tools, driven with the argv ops 2.4.1 and ops 3.x send.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/agent/agent.hpp"

namespace scenario::agent {
namespace {

using json = nlohmann::json;
using content = std::map<std::string, std::string>;

// A Juju-shaped id as a State would carry it, plus its bare form.
const std::string id_a = "secret:cj5sc0ns4f2cbiqkq8a0";
const std::string core_a = "cj5sc0ns4f2cbiqkq8a0";
const std::string id_b = "secret:cj5sc0ns4f2cbiqkq8b0";
const std::string model_uuid = "00000000-0000-4000-8000-000000000000";

state::secret make_secret(const std::string& id, std::map<int, content> contents,
                          std::optional<std::string> owner, int revision) {
  state::secret s;
  s.id = id;
  s.contents = std::move(contents);
  s.owner = std::move(owner);
  s.revision = revision;
  return s;
}

// id_a with revisions 1 ("old") and 2 ("new") under "key", owned by `owner` (nullopt: another
// app's secret, granted to `granted`), the unit tracking `revision`.
state::secret old_and_new(std::optional<std::string> owner, int revision,
                          std::optional<std::string> granted = std::nullopt) {
  auto s = make_secret(id_a, {{1, {{"key", "old"}}}, {2, {{"key", "new"}}}}, std::move(owner), revision);
  s.granted = std::move(granted);
  return s;
}

// hook_context grows fields other tool families own; only the first four matter here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
// Strict: these tests are about Juju's rules (the compatible mode has its own tests).
hook_context make_context(const spec::charm_spec& spec, state::state& st, const state::event& ev,
                          bool strict = true) {
  hook_context ctx{spec, st, ev, "myapp"};
  ctx.strict = strict;
  return ctx;
}
#pragma GCC diagnostic pop

class secret_tools : public ::testing::Test {
 protected:
  secret_tools() : ctx(make_context(spec, st, ev)) {
    spec.name = "myapp";
    st.unit_id = 0;
    state::relation db;
    db.endpoint = "db";
    db.relation_id = 1;
    db.remote_app_name = "remote";
    state::relation peers;
    peers.kind = state::relation_kind::peer;
    peers.endpoint = "peers";
    peers.relation_id = 2;
    st.relations = {db, peers};
  }

  tool_result run(std::vector<std::string> argv) { return run_tool(ctx, argv, ""); }

  // Runs a tool that must succeed and returns its stdout.
  std::string ok(std::vector<std::string> argv) {
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.stderr_text, "");
    return r.stdout_text;
  }

  state::secret* find(const std::string& id) {
    for (auto& s : st.secrets) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }

  // Writes `text` to a temp file, as ops 3.x does for every secret value.
  std::string temp_file(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() /
               ("secret_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    files_.push_back(dir);
    return path.string();
  }

  ~secret_tools() override {
    for (const auto& d : files_) std::filesystem::remove_all(d);
  }

  spec::charm_spec spec;
  state::state st;
  state::event ev;
  hook_context ctx;

 private:
  std::vector<std::filesystem::path> files_;
};

// ---- secret-add --------------------------------------------------------------------------

TEST_F(secret_tools, add_ops3_form_reads_file_values_and_makes_revision_1) {
  const std::string f = temp_file("password", "s3cr=t\nline2");
  const std::string out = ok({"secret-add", "--label", "db-pass", "--description", "the db",
                              "--owner", "unit", "password#file=" + f});
  ASSERT_EQ(out.substr(0, 7), "secret:");
  ASSERT_EQ(out.back(), '\n');
  const std::string uri = out.substr(0, out.size() - 1);
  ASSERT_EQ(st.secrets.size(), 1u);
  const auto& s = st.secrets[0];
  EXPECT_EQ(s.id, uri);
  EXPECT_EQ(s.owner, "unit");
  EXPECT_EQ(s.revision, 1);
  EXPECT_EQ(s.contents, (std::map<int, content>{{1, {{"password", "s3cr=t\nline2"}}}}));
  EXPECT_EQ(s.label, "db-pass");
  EXPECT_EQ(s.description, "the db");
  EXPECT_FALSE(s.granted.has_value());
}

TEST_F(secret_tools, add_ops2_form_key_value_defaults_to_application_owner) {
  st.leader = true;
  ok({"secret-add", "username=admin", "token=abc=="});
  ASSERT_EQ(st.secrets.size(), 1u);
  EXPECT_EQ(st.secrets[0].owner, "app");
  EXPECT_EQ(st.secrets[0].contents.at(1), (content{{"username", "admin"}, {"token", "abc=="}}));
}

TEST_F(secret_tools, add_application_secret_needs_leadership) {
  st.leader = false;
  auto r = run({"secret-add", "--owner", "application", "key=value"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR this unit is not the leader\n");
  EXPECT_TRUE(st.secrets.empty());
  // A unit secret needs no leadership.
  ok({"secret-add", "--owner", "unit", "key=value"});
  EXPECT_EQ(st.secrets.size(), 1u);
}

TEST_F(secret_tools, add_ids_are_unique_xid_shaped_and_deterministic) {
  const std::string first = ok({"secret-add", "--owner", "unit", "key=one"});
  const std::string second = ok({"secret-add", "--owner", "unit", "key=two"});
  EXPECT_NE(first, second);
  const std::string core = first.substr(7, first.size() - 8);
  EXPECT_EQ(core.size(), 20u);
  EXPECT_EQ(core.find_first_not_of("0123456789abcdefghijklmnopqrstuv"), std::string::npos);
  EXPECT_EQ(ctx.secrets_added, 2);

  // The same unit and model produce the same ids in another run.
  state::state other;
  state::event ev2;
  hook_context ctx2 = make_context(spec, other, ev2);
  EXPECT_EQ(run_tool(ctx2, {"secret-add", "--owner", "unit", "key=x"}, "").stdout_text, first);
}

TEST_F(secret_tools, add_skips_ids_already_in_the_state) {
  const std::string first = ok({"secret-add", "--owner", "unit", "key=one"});
  // Another run whose State already holds that id must not reuse it.
  state::state other;
  other.secrets.push_back(make_secret(first.substr(0, first.size() - 1), {{1, {{"key", "v"}}}},
                                      "unit", 1));
  state::event ev2;
  hook_context ctx2 = make_context(spec, other, ev2);
  const auto r = run_tool(ctx2, {"secret-add", "--owner", "unit", "key=x"}, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.stdout_text, first);
}

TEST_F(secret_tools, add_base64_values_are_decoded) {
  ok({"secret-add", "--owner", "unit", "cert#base64=aGVsbG8gd29ybGQ="});
  EXPECT_EQ(st.secrets.at(0).contents.at(1), (content{{"cert", "hello world"}}));
  auto bad = run({"secret-add", "--owner", "unit", "cert#base64=***"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.stderr_text.find("not valid base64"), std::string::npos);
}

TEST_F(secret_tools, add_rejects_bad_content) {
  auto r = run({"secret-add", "--owner", "unit"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR missing secret value or filename\n");
  r = run({"secret-add", "--owner", "unit", "Key=value"});
  EXPECT_EQ(r.stderr_text, "ERROR key \"Key\" not valid\n");
  r = run({"secret-add", "--owner", "unit", "ab=value"});  // keys need 3+ characters
  EXPECT_EQ(r.stderr_text, "ERROR key \"ab\" not valid\n");
  r = run({"secret-add", "--owner", "unit", "novalue"});
  EXPECT_EQ(r.stderr_text, "ERROR key value \"novalue\" not valid\n");
  r = run({"secret-add", "--owner", "unit", "key="});  // Juju cannot take an empty value on argv
  EXPECT_EQ(r.stderr_text, "ERROR key value \"key=\" not valid\n");
  r = run({"secret-add", "--owner", "unit", "key#file=/nonexistent/secret-file"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("reading content for secret key \"key\""), std::string::npos);
  EXPECT_TRUE(st.secrets.empty());
}

TEST_F(secret_tools, add_reads_a_yaml_file_of_values) {
  const std::string f = temp_file("values.yaml", "username: admin\npassword: hunter2\n");
  ok({"secret-add", "--owner", "unit", "--file", f});
  EXPECT_EQ(st.secrets.at(0).contents.at(1),
            (content{{"username", "admin"}, {"password", "hunter2"}}));
}

TEST_F(secret_tools, add_validates_and_normalizes_metadata) {
  ok({"secret-add", "--owner", "unit", "--expire", "2030-01-02T03:04:05+02:00", "--rotate",
      "monthly", "key=value"});
  EXPECT_EQ(st.secrets.at(0).expire, "2030-01-02T01:04:05Z");
  EXPECT_EQ(st.secrets.at(0).rotate, "monthly");

  ok({"secret-add", "--owner", "unit", "--expire", "2030-01-02T03:04:05", "key=value"});
  EXPECT_EQ(st.secrets.at(1).expire, "2030-01-02T03:04:05Z");

  ok({"secret-add", "--owner", "unit", "--expire", "24h", "key=value"});
  const std::string& in_a_day = *st.secrets.at(2).expire;
  EXPECT_EQ(in_a_day.size(), 20u);
  EXPECT_GT(in_a_day, "2026-01-01T00:00:00Z");  // relative to now, so in the future

  auto r = run({"secret-add", "--owner", "unit", "--expire", "soon", "key=value"});
  EXPECT_EQ(r.stderr_text, "ERROR expire time or duration \"soon\" not valid\n");
  r = run({"secret-add", "--owner", "unit", "--expire", "-1h", "key=value"});
  EXPECT_EQ(r.stderr_text, "ERROR negative expire duration \"-1h\" not valid\n");
  // Go's time.ParseDuration rules (src/time/format.go), shared with Pebble: "1..5s" is refused.
  r = run({"secret-add", "--owner", "unit", "--expire", "1..5s", "key=value"});
  EXPECT_EQ(r.stderr_text, "ERROR expire time or duration \"1..5s\" not valid\n");
  r = run({"secret-add", "--owner", "unit", "--rotate", "fortnightly", "key=value"});
  EXPECT_EQ(r.stderr_text, "ERROR rotate policy \"fortnightly\" not valid\n");
  r = run({"secret-add", "--owner", "model", "key=value"});
  EXPECT_EQ(r.stderr_text, "ERROR secret owner \"model\" not valid\n");
  EXPECT_EQ(st.secrets.size(), 3u);
}

TEST_F(secret_tools, add_label_must_be_unique_among_owned_secrets) {
  ok({"secret-add", "--owner", "unit", "--label", "creds", "key=one"});
  auto r = run({"secret-add", "--owner", "unit", "--label", "creds", "key=two"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR secret with label \"creds\" already exists\n");
  EXPECT_EQ(st.secrets.size(), 1u);
}

TEST_F(secret_tools, add_then_get_in_the_same_hook) {
  const std::string out = ok({"secret-add", "--owner", "unit", "key=value"});
  const std::string uri = out.substr(0, out.size() - 1);
  EXPECT_EQ(json::parse(ok({"secret-get", "--format=json", uri})), (json{{"key", "value"}}));
}

// ---- secret-get --------------------------------------------------------------------------

TEST_F(secret_tools, get_owner_by_id_both_argv_forms) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v1"}}}}, "unit", 1));
  // ops 3.x: --format=json first; ops 2.4.1: --format=json last.
  EXPECT_EQ(ok({"secret-get", "--format=json", id_a}), "{\"key\":\"v1\"}\n");
  EXPECT_EQ(ok({"secret-get", id_a, "--format=json"}), "{\"key\":\"v1\"}\n");
  // A single key, plain and base64.
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "v1\n");
  EXPECT_EQ(ok({"secret-get", id_a, "key#base64", "--format=json"}), "\"djE=\"\n");
  auto r = run({"secret-get", id_a, "missing"});
  EXPECT_EQ(r.stderr_text, "ERROR secret key \"missing\" not found\n");
}

TEST_F(secret_tools, get_accepts_every_uri_form) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1));
  EXPECT_EQ(ok({"secret-get", core_a, "key"}), "v\n");
  EXPECT_EQ(ok({"secret-get", "secret://" + model_uuid + "/" + core_a, "key"}), "v\n");
}

// Follows juju/juju internal/worker/uniter/runner/jujuc/secret-get.go (Init): whatever
// secrets.ParseURI refuses is reported as `secret URI "<arg>" not valid` (errors.NotValidf), a
// usage error.
TEST_F(secret_tools, get_malformed_uri_wording) {
  for (const std::string& bad : {"http://x/" + core_a, "secret://not-a-uuid/" + core_a, std::string("secret:a/b")}) {
    auto r = run({"secret-get", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_EQ(r.stderr_text, "ERROR secret URI \"" + bad + "\" not valid\n");
  }
}

// Follows juju/juju internal/worker/uniter/runner/jujuc/secret-get.go (SetFlags): its cmd.Output
// offers yaml, the default, and json; smart is refused by the flag parser (exit 2).
TEST_F(secret_tools, get_formats_yaml_default_json_and_no_smart) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "123"}, {"other", "x"}}}}, "unit", 1));
  EXPECT_EQ(ok({"secret-get", id_a}), "key: \"123\"\nother: x\n");
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "\"123\"\n");
  EXPECT_EQ(ok({"secret-get", id_a, "key", "--format=yaml"}), "\"123\"\n");
  EXPECT_EQ(ok({"secret-get", id_a, "key", "--format=json"}), "\"123\"\n");
  auto r = run({"secret-get", id_a, "--format=smart"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR invalid value \"smart\" for flag --format: unknown format \"smart\"\n");
  EXPECT_EQ(r.stdout_text, "");
}

TEST_F(secret_tools, get_matches_free_ids_from_scenario_3_1_states) {
  // ops 2.4.1 canonicalises "foo" to "secret:foo", ops 3.x to "secret://<model>/foo".
  st.secrets.push_back(make_secret("foo", {{0, {{"key", "public"}}}}, "unit", 0));
  EXPECT_EQ(ok({"secret-get", "secret:foo", "key"}), "public\n");
  EXPECT_EQ(ok({"secret-get", "secret://" + model_uuid + "/foo", "key"}), "public\n");
}

TEST_F(secret_tools, get_unknown_secret_is_not_found) {
  auto r = run({"secret-get", "--format=json", id_a});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR secret \"" + core_a + "\" not found\n");
  r = run({"secret-get", "--format=json", "--label", "nope"});
  EXPECT_EQ(r.stderr_text, "ERROR consumer label \"nope\" not found\n");
}

TEST_F(secret_tools, get_usage_errors) {
  auto r = run({"secret-get"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR require either a secret URI or label\n");
  r = run({"secret-get", id_a, "--peek", "--refresh"});
  EXPECT_EQ(r.stderr_text, "ERROR specify one of --peek or --refresh but not both\n");
  r = run({"secret-get", id_a, "key", "extra"});
  EXPECT_EQ(r.stderr_text, "ERROR unrecognized args: [\"extra\"]\n");
}

TEST_F(secret_tools, get_consumer_without_grant_is_denied) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, std::nullopt, 1));
  auto r = run({"secret-get", "--format=json", id_a});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR permission denied\n");
  st.secrets[0].granted = "unit";
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "v\n");
}

TEST_F(secret_tools, get_consumer_tracks_peeks_and_refreshes) {
  st.secrets.push_back(old_and_new(std::nullopt, 1, "app"));
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "old\n");
  EXPECT_EQ(ok({"secret-get", id_a, "key", "--peek"}), "new\n");
  EXPECT_EQ(st.secrets[0].revision, 1);  // --peek does not move tracking
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "old\n");
  EXPECT_EQ(ok({"secret-get", id_a, "key", "--refresh"}), "new\n");
  EXPECT_EQ(st.secrets[0].revision, 2);
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "new\n");
}

TEST_F(secret_tools, get_first_read_pins_the_latest_revision) {
  st.secrets.push_back(old_and_new(std::nullopt, 0, "unit"));
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "new\n");
  EXPECT_EQ(st.secrets[0].revision, 2);
}

TEST_F(secret_tools, get_default_format_is_yaml) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"password", "hunter2"}}}}, "unit", 1));
  EXPECT_EQ(ok({"secret-get", id_a}), "password: hunter2\n");
}

TEST_F(secret_tools, get_peek_on_first_read_still_pins) {
  // With no revision tracked yet, Juju creates the consumer record at the latest revision.
  st.secrets.push_back(old_and_new(std::nullopt, 7, "unit"));
  EXPECT_EQ(ok({"secret-get", id_a, "key", "--peek"}), "new\n");
  EXPECT_EQ(st.secrets[0].revision, 2);
}

TEST_F(secret_tools, add_accepts_python_isoformat_expiry_from_ops_2) {
  ok({"secret-add", "--owner", "unit", "--expire", "2030-01-02T03:04:05.250000+00:00",
      "key=value"});
  EXPECT_EQ(st.secrets.at(0).expire, "2030-01-02T03:04:05.25Z");
}

TEST_F(secret_tools, get_owner_sees_latest_before_juju_3_3_1) {
  st.secrets.push_back(old_and_new("unit", 1));
  ctx.juju_version = "3.1.6";
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "new\n");
  EXPECT_EQ(st.secrets[0].revision, 1);
}

TEST_F(secret_tools, get_owner_tracks_from_juju_3_3_1_and_in_3_1_7) {
  st.secrets.push_back(old_and_new("unit", 1));
  for (const std::string v : {"3.1.7", "3.3.1", "3.6.0"}) {
    st.secrets[0].revision = 1;
    ctx.juju_version = v;
    EXPECT_EQ(ok({"secret-get", id_a, "key"}), "old\n") << v;
    EXPECT_EQ(ok({"secret-get", id_a, "key", "--peek"}), "new\n") << v;
    EXPECT_EQ(ok({"secret-get", id_a, "key", "--refresh"}), "new\n") << v;
    EXPECT_EQ(st.secrets[0].revision, 2) << v;
  }
}

TEST_F(secret_tools, get_app_secret_readable_by_non_leader_unit) {
  st.leader = false;
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "app", 1));
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "v\n");
}

TEST_F(secret_tools, get_by_label_and_label_attach) {
  auto s = make_secret(id_a, {{1, {{"key", "v"}}}}, std::nullopt, 1);
  s.granted = "unit";
  st.secrets.push_back(s);
  // Giving both id and label records the label on this unit's view of the secret.
  ok({"secret-get", "--format=json", id_a, "--label", "their-creds"});
  EXPECT_EQ(st.secrets[0].label, "their-creds");
  EXPECT_EQ(json::parse(ok({"secret-get", "--format=json", "--label", "their-creds"})),
            (json{{"key", "v"}}));
}

TEST_F(secret_tools, get_by_label_prefers_owned_secret) {
  auto consumed = make_secret(id_b, {{1, {{"key", "theirs"}}}}, std::nullopt, 1);
  consumed.granted = "unit";
  consumed.label = "same";
  auto owned = make_secret(id_a, {{1, {{"key", "mine"}}}}, "unit", 1);
  owned.label = "same";
  st.secrets = {consumed, owned};
  EXPECT_EQ(json::parse(ok({"secret-get", "--format=json", "--label", "same"})),
            (json{{"key", "mine"}}));
  // As in Juju, the first positional is always the secret URI, never a key.
  EXPECT_EQ(run({"secret-get", "--label", "same", "key"}).stderr_text,
            "ERROR secret \"key\" not found\n");
}

// ---- secret-set --------------------------------------------------------------------------

TEST_F(secret_tools, set_ops3_form_makes_a_new_revision) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v1"}}}}, "unit", 1));
  const std::string f = temp_file("key", "v2");
  // ops 3.x always sends --owner application, which Juju ignores on secret-set.
  ok({"secret-set", "--label", "mine", "--description", "d", "--rotate", "daily", "--owner",
      "application", id_a, "key#file=" + f});
  const auto& s = st.secrets[0];
  EXPECT_EQ(s.contents, (std::map<int, content>{{1, {{"key", "v1"}}}, {2, {{"key", "v2"}}}}));
  EXPECT_EQ(s.owner, "unit");
  EXPECT_EQ(s.label, "mine");
  EXPECT_EQ(s.description, "d");
  EXPECT_EQ(s.rotate, "daily");
  EXPECT_EQ(s.revision, 1);  // the owner's own tracking does not move
}

TEST_F(secret_tools, set_ops2_form_and_metadata_only) {
  st.leader = true;
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v1"}}}}, "app", 1));
  ok({"secret-set", id_a, "key=v2"});
  EXPECT_EQ(st.secrets[0].contents.size(), 2u);
  ok({"secret-set", id_a, "--expire", "2031-05-06T07:08:09Z"});
  EXPECT_EQ(st.secrets[0].contents.size(), 2u);
  EXPECT_EQ(st.secrets[0].expire, "2031-05-06T07:08:09Z");
}

TEST_F(secret_tools, set_with_unchanged_content_makes_no_revision) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v1"}}}}, "unit", 1));
  ok({"secret-set", id_a, "key=v1"});
  EXPECT_EQ(st.secrets[0].contents.size(), 1u);
}

TEST_F(secret_tools, set_refusals) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, std::nullopt, 1));
  st.secrets[0].granted = "unit";
  st.secrets.push_back(make_secret(id_b, {{1, {{"key", "v"}}}}, "app", 1));
  // A secret the unit may not manage: queued, refused at commit (see the tests at the end).
  st.leader = false;
  ok({"secret-set", id_a, "key=new"});
  ok({"secret-set", id_b, "key=new"});
  EXPECT_EQ(ctx.refused_at_commit.size(), 2u);
  auto r = run({"secret-set", "secret:cj5sc0ns4f2cbiqkq8c0", "key=new"});
  EXPECT_EQ(r.stderr_text, "ERROR secret \"cj5sc0ns4f2cbiqkq8c0\" not found\n");
  r = run({"secret-set"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR missing secret URI\n");
  EXPECT_EQ(st.secrets[0].contents.size(), 1u);
  EXPECT_EQ(st.secrets[1].contents.size(), 1u);
}

TEST_F(secret_tools, set_label_must_stay_unique) {
  auto a = make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1);
  auto b = make_secret(id_b, {{1, {{"key", "v"}}}}, "unit", 1);
  b.label = "taken";
  st.secrets = {a, b};
  auto r = run({"secret-set", id_a, "--label", "taken"});
  EXPECT_EQ(r.stderr_text, "ERROR secret with label \"taken\" already exists\n");
  ok({"secret-set", id_b, "--label", "taken"});  // re-setting its own label is fine
}

// ops 3.x on Juju < 3.6 reads content and metadata before every secret-set.
TEST_F(secret_tools, read_modify_write_cycle_of_ops_3_on_old_juju) {
  ctx.juju_version = "3.5.4";
  auto s = make_secret(id_a, {{1, {{"key", "v1"}}}}, "unit", 1);
  s.label = "mine";
  s.description = "desc";
  st.secrets.push_back(s);
  const auto current = json::parse(ok({"secret-get", "--format=json", id_a, "--peek"}));
  const auto info = json::parse(ok({"secret-info-get", "--format=json", id_a}));
  EXPECT_EQ(current, (json{{"key", "v1"}}));
  EXPECT_EQ(info[core_a]["description"], "desc");
  const std::string f = temp_file("key", "v1");
  ok({"secret-set", "--label", "mine", "--description", "desc", "--rotate", "hourly", "--owner",
      "application", id_a, "key#file=" + f});
  EXPECT_EQ(st.secrets[0].contents.size(), 1u);
  EXPECT_EQ(st.secrets[0].rotate, "hourly");
}

// ---- secret-info-get ---------------------------------------------------------------------

TEST_F(secret_tools, info_get_shape_ops_parses) {
  auto s = make_secret(id_a, {{1, {{"key", "v1"}}}, {3, {{"key", "v3"}}}}, "unit", 1);
  s.label = "mine";
  s.description = "the db";
  s.rotate = "weekly";
  s.expire = "2030-01-01T00:00:00Z";
  st.secrets.push_back(s);
  const json expected{{core_a,
                       {{"revision", 3},
                        {"label", "mine"},
                        {"owner", "unit"},
                        {"description", "the db"},
                        {"rotation", "weekly"},
                        {"expiry", "2030-01-01T00:00:00Z"}}}};
  EXPECT_EQ(json::parse(ok({"secret-info-get", "--format=json", id_a})), expected);  // ops 3.x
  EXPECT_EQ(json::parse(ok({"secret-info-get", id_a, "--format=json"})), expected);  // ops 2.4.1
  EXPECT_EQ(json::parse(ok({"secret-info-get", "--format=json", "--label", "mine"})), expected);
}

TEST_F(secret_tools, info_get_minimal_fields) {
  st.leader = true;
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "app", 1));
  EXPECT_EQ(json::parse(ok({"secret-info-get", "--format=json", id_a})),
            (json{{core_a, {{"revision", 1}, {"label", ""}, {"owner", "application"}}}}));
}

TEST_F(secret_tools, info_get_only_for_secrets_this_unit_manages) {
  auto consumed = make_secret(id_a, {{1, {{"key", "v"}}}}, std::nullopt, 1);
  consumed.granted = "unit";
  st.secrets.push_back(consumed);
  st.secrets.push_back(make_secret(id_b, {{1, {{"key", "v"}}}}, "app", 1));
  auto r = run({"secret-info-get", "--format=json", id_a});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR secret \"" + core_a + "\" not found\n");
  st.leader = false;
  r = run({"secret-info-get", "--format=json", id_b});
  EXPECT_EQ(r.stderr_text, "ERROR secret \"cj5sc0ns4f2cbiqkq8b0\" not found\n");
  st.leader = true;
  ok({"secret-info-get", "--format=json", id_b});
  r = run({"secret-info-get", "--format=json", "--label", "nope"});
  EXPECT_EQ(r.stderr_text, "ERROR secret \"nope\" not found\n");
}

TEST_F(secret_tools, info_get_usage_errors) {
  auto r = run({"secret-info-get", "--format=json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR require either a secret URI or label\n");
  r = run({"secret-info-get", id_a, "--label", "x"});
  EXPECT_EQ(r.stderr_text, "ERROR specify either a secret URI or label but not both\n");
}

// ---- secret-grant / secret-revoke --------------------------------------------------------

TEST_F(secret_tools, grant_ops3_and_ops2_forms) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1));
  ok({"secret-grant", "--relation", "1", "--unit", "remote/0", id_a});  // ops 3.x
  EXPECT_EQ(st.secrets[0].remote_grants,
            (std::map<int, std::vector<std::string>>{{1, {"remote/0"}}}));
  ok({"secret-grant", id_a, "--relation", "1", "--unit", "remote/1"});  // ops 2.4.1
  EXPECT_EQ(st.secrets[0].remote_grants.at(1), (std::vector<std::string>{"remote/0", "remote/1"}));
  ok({"secret-grant", id_a, "--relation", "1", "--unit", "remote/1"});  // repeat: no-op
  EXPECT_EQ(st.secrets[0].remote_grants.at(1).size(), 2u);
}

TEST_F(secret_tools, grant_application_and_endpoint_form) {
  st.leader = true;
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "app", 1));
  ok({"secret-grant", "-r", "db:1", id_a});  // ops >= 3.7.1 sends endpoint:id
  EXPECT_EQ(st.secrets[0].remote_grants.at(1), (std::vector<std::string>{"remote"}));
  // A unit grant under an application grant changes nothing.
  ok({"secret-grant", "-r", "1", "--unit", "remote/3", id_a});
  EXPECT_EQ(st.secrets[0].remote_grants.at(1), (std::vector<std::string>{"remote"}));
  // On a peer relation the grantee is this application.
  ok({"secret-grant", "-r", "2", id_a});
  EXPECT_EQ(st.secrets[0].remote_grants.at(2), (std::vector<std::string>{"myapp"}));
}

TEST_F(secret_tools, grant_application_after_unit_grant_is_refused) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1));
  ok({"secret-grant", "-r", "1", "--unit", "remote/0", id_a});
  auto r = run({"secret-grant", "-r", "1", id_a});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text,
            "ERROR any unit level grants need to be revoked before granting access to the "
            "corresponding application\n");
}

TEST_F(secret_tools, grant_defaults_to_the_hook_relation) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1));
  auto r = run({"secret-grant", id_a});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR no relation id specified\n");
  ev.name = "db_relation_joined";
  ev.relation_id = 1;
  ok({"secret-grant", id_a});
  EXPECT_EQ(st.secrets[0].remote_grants.at(1), (std::vector<std::string>{"remote"}));
}

TEST_F(secret_tools, grant_refusals) {
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1));
  auto consumed = make_secret(id_b, {{1, {{"key", "v"}}}}, std::nullopt, 1);
  consumed.granted = "unit";
  st.secrets.push_back(consumed);
  auto r = run({"secret-grant", "-r", "9", id_a});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR invalid value \"9\" for flag --relation: relation not found\n");
  r = run({"secret-grant", "-r", "peers:1", id_a});  // endpoint does not match relation 1
  EXPECT_NE(r.stderr_text.find("relation not found"), std::string::npos);
  r = run({"secret-grant", "-r", "x", id_a});
  EXPECT_EQ(r.stderr_text, "ERROR invalid value \"x\" for flag --relation: invalid relation id\n");
  r = run({"secret-grant", "-r", "1", "--unit", "other/0", id_a});
  EXPECT_EQ(r.stderr_text,
            "ERROR cannot specify unit \"other/0\" in relation to application \"remote\"\n");
  r = run({"secret-grant", "-r", "1", "--unit", "remote", id_a});
  EXPECT_EQ(r.stderr_text, "ERROR unit \"remote\" not valid\n");
  r = run({"secret-grant", "-r", "1", id_b});  // not ours to grant
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR secret \"cj5sc0ns4f2cbiqkq8b0\" not found\n");
  r = run({"secret-grant", "-r", "1"});
  EXPECT_EQ(r.stderr_text, "ERROR missing secret URI\n");
  EXPECT_TRUE(st.secrets[0].remote_grants.empty());
}

TEST_F(secret_tools, grant_app_secret_needs_leadership) {
  st.leader = false;
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "app", 1));
  // A non-leader does not see its application's secrets' metadata.
  auto r = run({"secret-grant", "-r", "1", id_a});
  EXPECT_EQ(r.stderr_text, "ERROR secret \"" + core_a + "\" not found\n");
  EXPECT_TRUE(st.secrets[0].remote_grants.empty());
}

TEST_F(secret_tools, revoke_both_forms_and_cleanup) {
  auto s = make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1);
  s.remote_grants = {{1, {"remote", "remote/0"}}};
  st.secrets.push_back(s);
  ok({"secret-revoke", "--relation", "1", "--unit", "remote/0", id_a});  // ops 3.x
  EXPECT_EQ(st.secrets[0].remote_grants.at(1), (std::vector<std::string>{"remote"}));
  ok({"secret-revoke", id_a, "--relation", "1"});  // ops 2.4.1
  EXPECT_TRUE(st.secrets[0].remote_grants.empty());
}

TEST_F(secret_tools, revoke_by_app_or_unit_without_relation) {
  auto s = make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1);
  s.remote_grants = {{1, {"remote"}}, {2, {"myapp/1"}}};
  st.secrets.push_back(s);
  ok({"secret-revoke", id_a, "--app", "remote"});
  ok({"secret-revoke", id_a, "--unit", "myapp/1"});
  EXPECT_TRUE(st.secrets[0].remote_grants.empty());
}

TEST_F(secret_tools, revoke_refusals) {
  auto consumed = make_secret(id_a, {{1, {{"key", "v"}}}}, std::nullopt, 1);
  consumed.granted = "unit";
  st.secrets.push_back(consumed);
  auto app_owned = make_secret(id_b, {{1, {{"key", "v"}}}}, "app", 1);
  app_owned.remote_grants = {{1, {"remote"}}};
  st.secrets.push_back(app_owned);
  st.leader = false;
  ok({"secret-revoke", id_a, "-r", "1"});
  ok({"secret-revoke", id_b, "-r", "1"});
  EXPECT_EQ(ctx.refused_at_commit.size(), 2u);
  EXPECT_EQ(st.secrets[1].remote_grants.at(1), (std::vector<std::string>{"remote"}));
  auto r = run({"secret-revoke", id_b});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR missing relation or application or unit\n");
  r = run({"secret-revoke", id_b, "-r", "1", "--app", "remote"});
  EXPECT_EQ(r.stderr_text, "ERROR do not specify both relation and app\n");
  r = run({"secret-revoke", id_b, "--app", "remote", "--unit", "remote/0"});
  EXPECT_EQ(r.stderr_text, "ERROR specify only one of application or unit\n");
  r = run({"secret-revoke", id_b, "--app", "Bad_App"});
  EXPECT_EQ(r.stderr_text, "ERROR application \"Bad_App\" not valid\n");
}

// ---- secret-remove -----------------------------------------------------------------------

TEST_F(secret_tools, remove_revision_then_last_revision_deletes) {
  st.secrets.push_back(
      make_secret(id_a, {{1, {{"key", "v1"}}}, {2, {{"key", "v2"}}}}, "unit", 2));
  ok({"secret-remove", id_a, "--revision", "1"});
  ASSERT_EQ(st.secrets.size(), 1u);
  EXPECT_EQ(st.secrets[0].contents.count(1), 0u);
  auto r = run({"secret-remove", id_a, "--revision", "1"});
  EXPECT_EQ(r.stderr_text, "ERROR secret \"" + core_a + "\" revision 1 not found\n");
  ok({"secret-remove", id_a, "--revision=2"});
  EXPECT_TRUE(st.secrets.empty());
}

TEST_F(secret_tools, remove_whole_secret) {
  st.leader = true;
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "app", 1));
  st.secrets.push_back(make_secret(id_b, {{1, {{"key", "v"}}}}, "unit", 1));
  ok({"secret-remove", id_a});
  ASSERT_EQ(st.secrets.size(), 1u);
  EXPECT_EQ(st.secrets[0].id, id_b);
  auto r = run({"secret-get", id_a});
  EXPECT_EQ(r.stderr_text, "ERROR secret \"" + core_a + "\" not found\n");
}

TEST_F(secret_tools, remove_refusals) {
  auto consumed = make_secret(id_a, {{1, {{"key", "v"}}}}, std::nullopt, 1);
  consumed.granted = "unit";
  st.secrets.push_back(consumed);
  st.secrets.push_back(make_secret(id_b, {{1, {{"key", "v"}}}}, "app", 1));
  st.leader = false;
  ok({"secret-remove", id_a});
  ok({"secret-remove", id_b});
  EXPECT_EQ(st.secrets.size(), 2u);
  auto r = run({"secret-remove", id_b, "--revision", "one"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR invalid value \"one\" for flag --revision: parse error\n");
  EXPECT_EQ(run({"secret-remove"}).stderr_text, "ERROR missing secret URI\n");
  EXPECT_EQ(run({"secret-remove", "secret:cj5sc0ns4f2cbiqkq8c0"}).stderr_text,
            "ERROR secret \"cj5sc0ns4f2cbiqkq8c0\" not found\n");
  EXPECT_EQ(st.secrets.size(), 2u);
}

// ---- secret-ids --------------------------------------------------------------------------

TEST_F(secret_tools, ids_lists_what_this_unit_manages) {
  auto consumed = make_secret("secret:cj5sc0ns4f2cbiqkq8c0", {{1, {{"key", "v"}}}},
                              std::nullopt, 1);
  consumed.granted = "unit";
  st.secrets = {make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1),
                make_secret(id_b, {{1, {{"key", "v"}}}}, "app", 1), consumed};
  st.leader = false;
  EXPECT_EQ(json::parse(ok({"secret-ids", "--format=json"})), (json{core_a}));
  st.leader = true;
  EXPECT_EQ(json::parse(ok({"secret-ids", "--format=json"})),
            (json{core_a, "cj5sc0ns4f2cbiqkq8b0"}));
}

TEST_F(secret_tools, ids_with_nothing_owned_prints_null) {
  EXPECT_EQ(ok({"secret-ids", "--format=json"}), "null\n");
  EXPECT_EQ(ok({"secret-ids"}), "");
  auto r = run({"secret-ids", "extra"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(secret_tools, all_secret_tools_are_registered) {
  for (const char* name : {"secret-add", "secret-get", "secret-set", "secret-info-get",
                           "secret-grant", "secret-revoke", "secret-remove", "secret-ids"}) {
    EXPECT_TRUE(is_hook_tool(name)) << name;
  }
  // argv[0] may be a path (ops 2.4.1 resolves tools with shutil.which).
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, "unit", 1));
  EXPECT_EQ(ok({"/var/lib/juju/tools/unit-myapp-0/secret-get", id_a, "key"}), "v\n");
}

// ---- compatible mode (ops-scenario 3.1's secrets) ----------------------------------------

TEST_F(secret_tools, compatible_consumer_reads_without_grant_and_reports_it) {
  ctx.strict = false;
  st.secrets.push_back(make_secret(id_a, {{1, {{"key", "v"}}}}, std::nullopt, 1));
  EXPECT_EQ(ok({"secret-get", id_a, "key"}), "v\n");
  ASSERT_EQ(ctx.divergences.size(), 1u);
  EXPECT_NE(ctx.divergences[0].find("neither owns nor was granted"), std::string::npos);
  EXPECT_NE(ctx.divergences[0].find("strict mode answers as Juju does"), std::string::npos);
}

TEST_F(secret_tools, compatible_secret_add_numbers_the_first_revision_0) {
  ctx.strict = false;
  const std::string id = ok({"secret-add", "--owner", "unit", "key=value"});
  ASSERT_EQ(st.secrets.size(), 1u);
  EXPECT_EQ(st.secrets[0].revision, 0);
  EXPECT_EQ(st.secrets[0].contents.count(0), 1u);
  ok({"secret-set", id.substr(0, id.size() - 1), "key=other"});
  EXPECT_EQ(st.secrets[0].contents.rbegin()->first, 1);  // the next revision follows
  EXPECT_NE(ctx.divergences.at(0).find("revision 1"), std::string::npos);
}

// ---- changes refused at commit --------------------------------------------------------------

// Follows juju/juju internal/worker/uniter/runner/context/context.go (UpdateSecret, RemoveSecret,
// RevokeSecret queue a change to a secret outside the unit's SecretMetadata; Flush sends it with
// CommitHookChanges, which the controller refuses): the tool exits 0, the State is unchanged,
// and the refusal is recorded for the run to fail the hook.
TEST_F(secret_tools, managing_a_secret_the_unit_may_not_manage_is_refused_at_commit) {
  auto consumed = make_secret(id_a, {{1, {{"key", "v"}}}}, std::nullopt, 1);
  consumed.granted = "unit";
  consumed.remote_grants = {{1, {"remote"}}};
  st.secrets.push_back(consumed);
  const auto before = st.secrets;
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"secret-set", id_a, "key=new", "--label", "mine"},
        std::vector<std::string>{"secret-revoke", id_a, "--app", "remote"},
        std::vector<std::string>{"secret-remove", id_a}}) {
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << argv[0];
    EXPECT_EQ(r.stdout_text + r.stderr_text, "") << argv[0];
  }
  EXPECT_EQ(st.secrets, before);
  EXPECT_EQ(ctx.refused_at_commit,
            (std::vector<std::string>{"secret-set " + core_a + ": permission denied",
                                      "secret-revoke " + core_a + ": permission denied",
                                      "secret-remove " + core_a + ": permission denied"}));
}

TEST_F(secret_tools, a_leader_managing_its_application_secret_is_not_refused) {
  st.leader = true;
  st.secrets.push_back(make_secret(id_b, {{1, {{"key", "v"}}}}, "app", 1));
  ok({"secret-set", id_b, "key=new"});
  EXPECT_EQ(st.secrets[0].contents.size(), 2u);
  EXPECT_TRUE(ctx.refused_at_commit.empty());
}

}  // namespace
}  // namespace scenario::agent
