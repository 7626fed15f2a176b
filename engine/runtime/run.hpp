// One run: consistency check -> environment (JUJU_*) -> the charm dispatches (driven by the
// caller: Python in-process, or the CLI out-of-process) -> output State.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/agent/agent.hpp"
#include "engine/pebble/server.hpp"
#include "engine/runtime/hook_env.hpp"
#include "engine/spec/spec.hpp"
#include "engine/state/state.hpp"

namespace scenario::runtime {

struct run_options {
  std::string app_name;                 // empty: the spec's name
  std::string juju_version = "3.0";
  std::filesystem::path charm_dir;      // JUJU_CHARM_DIR; holds .unit-state.db
  // Owner of StoredState entries with no owner_path. May be empty when the caller cannot know
  // it (an out-of-process charm in any language); the store then refuses such an entry.
  std::string charm_class_name;
  bool skip_consistency_checks = false;
  // Hand ops the unit-state database as an image (unit_state_image()) to open in memory, and
  // take its final image in finish(), instead of writing and reading charm_dir/.unit-state.db.
  bool unit_state_in_memory = false;
  // Where storages with no location of their own are mounted (see agent::hook_context).
  std::filesystem::path storage_root;
  // Keep the thread that calls pebble_socket() and the Pebble server thread on one CPU from the
  // first served container until finish() (see pebble::server::cpu_share). For in-process
  // runs, where that thread is the charm's; an out-of-process charm is another process.
  bool share_cpu_with_pebble = false;
  // Juju's and Pebble's rules bind where ops-scenario 3.1 was laxer; otherwise the run behaves
  // as 3.1 did there and reports each case in divergences().
  bool strict = false;
};

// A run owns a mutable copy of the input State. Not thread-safe except that the Pebble server
// thread may serve the run's containers concurrently with tool calls (under the run's mutex).
class run {
 public:
  // Checks consistency (throws inconsistent_scenario_error listing every problem), computes
  // the environment and writes the unit-state store. `pebble` may be null when no container
  // is served (e.g. CLI dry runs); it must outlive the run.
  run(const spec::charm_spec& spec, state::state input, state::event event, run_options options,
      pebble::server* pebble);
  ~run();
  run(const run&) = delete;
  run& operator=(const run&) = delete;

  // The variables Juju sets for this hook (JUJU_*), to be in force while the charm runs.
  const std::map<std::string, std::string>& environment() const { return env_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Where this run, not being strict, did what ops-scenario 3.1 did instead of what Juju or
  // Pebble would: each names the rule, the field or call, and what strict mode does. Each
  // message once, in the order they arose.
  std::vector<std::string> divergences();

  // ops' Pebble client behaves unlike ops-scenario 3.1's mock in places the Python adapter can
  // bridge. For such a case (`kind`; `subject` names the call), returns the divergence to
  // report and records it when the run is not strict; nullopt under strict mode (leave ops
  // as it is). Kinds: "exec-output-after-wait". Throws for an unknown kind.
  std::optional<std::string> client_divergence(std::string_view kind, std::string_view subject);

  // Why the hook fails when Juju commits its changes, if it does: a change the hook queued that
  // the controller refuses (a secret the unit may not manage; see agent::hook_context::
  // refused_at_commit). Juju then fails the hook and keeps none of its changes
  // (internal/worker/uniter/runner/context/context.go, Flush -> CommitHookChanges). Only
  // meaningful once the charm returned without error: a failed hook commits nothing.
  std::optional<std::string> commit_failure();

  // One hook-tool invocation.
  agent::tool_result call_tool(const std::vector<std::string>& argv, std::string_view stdin_data);

  // The socket serving `container` (started on first use); empty if the container is unknown.
  std::string pebble_socket(const std::string& container);

  // Where ops keeps its unit-state database: <charm_dir>/.unit-state.db.
  std::filesystem::path unit_state_path() const;
  // With unit_state_in_memory: the database ops starts the run with.
  const std::string& unit_state_image() const { return unit_state_image_; }

  // Reads the store back and returns the output State. Call once, after the charm is done.
  // With unit_state_in_memory, `final_image` is the database as ops left it (none: ops never
  // opened it, so it is as the run began). The Framework's own stored state (owner_path "":
  // ops' event counter) is in it only when the input State had some: without it, the next run
  // rebuilds the counter from the deferred events (store::unit_state_image).
  state::state finish(std::optional<std::string_view> final_image = std::nullopt);

 private:
  const spec::charm_spec& spec_;
  state::state state_;
  state::event event_;
  run_options options_;
  pebble::server* pebble_;
  std::mutex mutex_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> sockets_;
  std::vector<std::string> warnings_;
  std::vector<std::string> divergences_;
  void resolve_remote_unit(const classified_event& classified);
  void list_deferred_as_3_1_did();  // the checker's, the run's, Pebble's (under mutex_)
  std::string unit_state_image_;
  std::unique_ptr<agent::hook_context> hook_;
  bool finished_ = false;
  bool input_shows_framework_state_ = false;
  pebble::server::cpu_share cpu_share_;  // last: ends before the run's other members go
};

}  // namespace scenario::runtime
