// A charm spec, a State, an Event and a hook_context over them, for hook-tool tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/agent/agent.hpp"

namespace scenario::agent::testing {

using nlohmann::json;

class agent_fixture : public ::testing::Test {
 protected:
  agent_fixture() {
    spec.name = "app";
    spec.relations = {{"db", "mysql", spec::relation_role::requires_, "global", std::nullopt, false},
                      {"peers", "app-peers", spec::relation_role::peers, "global", std::nullopt, false},
                      {"web", "http", spec::relation_role::provides, "global", std::nullopt, false}};
    spec.extra_bindings = {"admin"};
  }

  // The hook context, made on first use (spec/state/event may be tweaked before that). Strict
  // unless `strict` is cleared first: most tests are about Juju's rules.
  hook_context& ctx() {
    if (!ctx_) {
      ctx_ = std::make_unique<hook_context>(hook_context{spec, st, ev, "app"});
      ctx_->strict = strict;
    }
    return *ctx_;
  }

  tool_result run(const std::vector<std::string>& argv, std::string_view stdin_data = "") {
    return run_tool(ctx(), argv, stdin_data);
  }

  // Runs a tool that must succeed and returns its stdout.
  std::string ok(const std::vector<std::string>& argv, std::string_view stdin_data = "") {
    auto r = run(argv, stdin_data);
    EXPECT_EQ(r.exit_code, 0) << "stderr: " << r.stderr_text;
    EXPECT_EQ(r.stderr_text, "");
    return r.stdout_text;
  }

  json ok_json(const std::vector<std::string>& argv, std::string_view stdin_data = "") {
    return json::parse(ok(argv, stdin_data));
  }

  // Runs a tool that must fail and returns its stderr.
  std::string fails(const std::vector<std::string>& argv, std::string_view stdin_data = "") {
    auto r = run(argv, stdin_data);
    EXPECT_NE(r.exit_code, 0) << "stdout: " << r.stdout_text;
    EXPECT_EQ(r.stdout_text, "");
    return r.stderr_text;
  }

  // A regular relation db:1 with remote units remote/0 and remote/1, and a peer relation
  // peers:2 with app/1.
  void add_relations() {
    state::relation db;
    db.endpoint = "db";
    db.relation_id = 1;
    db.remote_app_name = "remote";
    db.local_unit_data = {{"mine", "1"}};
    db.local_app_data = {{"app-key", "a"}};
    db.remote_app_data = {{"remote-app-key", "r"}};
    db.remote_units_data = {{0, {{"u0", "zero"}}}, {1, {{"u1", "one"}}}};
    st.relations.push_back(db);
    state::relation peers;
    peers.kind = state::relation_kind::peer;
    peers.endpoint = "peers";
    peers.relation_id = 2;
    peers.local_app_data = {{"peer-app", "p"}};
    peers.remote_units_data = {{1, {{"peer1", "x"}}}};
    st.relations.push_back(peers);
  }

  spec::charm_spec spec;
  state::state st;
  state::event ev;
  bool strict = true;

 private:
  std::unique_ptr<hook_context> ctx_;
};

}  // namespace scenario::agent::testing
