// The simulated Juju unit agent: every hook tool's command line (argv + stdin in; stdout,
// stderr and exit code out), applied to a mutable State with Juju's rules and error texts.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/spec/spec.hpp"
#include "engine/state/state.hpp"

namespace scenario::agent {

struct tool_result {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
};

// Everything one hook invocation's tools can see and change. Every member after the first five
// has a default initializer, so `hook_context{spec, state, event, app, version}` compiles
// under -Wmissing-field-initializers.
struct hook_context {
  const spec::charm_spec& spec;
  state::state& state;        // the output State, mutated in place
  const state::event& event;
  std::string app_name;       // normally spec.name
  std::string juju_version = "3.0";
  // Where storages with neither a State location nor a declared one are mounted, as
  // <root>/<name>/<index> (made on first use); empty: Juju's /var/lib/juju/storage/...
  std::filesystem::path storage_root{};
  std::optional<std::string> action_name{};  // set while running an action
  // Controller storage (state-get/state-set/state-delete): key -> value text.
  std::map<std::string, std::string> controller_state{};
  // Source of new secret ids, so a run is deterministic.
  int secrets_added = 0;
  // Legacy leader settings (leader-get/leader-set): one bucket per application.
  std::map<std::string, std::string> leader_settings{};
  // credential-get: whether the application was given `juju trust`, and the model's cloud spec
  // in credential-get's JSON form ({"type","name","region","endpoint","credential":{...},...}).
  bool app_trusted = false;
  std::optional<nlohmann::json> cloud_spec{};
  // juju-reboot: "" (not requested), "after-hook" or "now".
  std::string reboot_requested{};
  // storage-add requests, storage name -> total count requested. Juju provisions them after the
  // hook (storage-attached fires later), so they are not added to state.storages.
  std::map<std::string, int> storage_requests{};
  // Changes Juju queues during the hook and its controller refuses when the hook's changes are
  // committed (HookContext.Flush -> CommitHookChanges): each is "<tool> <secret id>: <error>".
  // The tool exits 0 and the change is not applied; any entry fails the hook at commit.
  std::vector<std::string> refused_at_commit{};
  // Strict mode: Juju's rules bind where ops-scenario 3.1 was laxer (e.g. reading a secret
  // without a grant). Otherwise the tool answers as 3.1 did and records a divergence.
  bool strict = false;
  std::vector<std::string> divergences{};

  std::string unit_name() const { return app_name + "/" + std::to_string(state.unit_id); }
};

// Runs one hook tool. argv[0] may be a bare name or a path; only its basename counts.
// Never throws for anything the charm did: failures come back as exit code and stderr.
tool_result run_tool(hook_context& ctx, const std::vector<std::string>& argv,
                     std::string_view stdin_data);

// Whether `name` (a basename) is a hook tool this agent implements.
bool is_hook_tool(std::string_view name);

// Every hook tool this agent implements, sorted (e.g. to install one program under each name).
std::vector<std::string> hook_tool_names();

}  // namespace scenario::agent
