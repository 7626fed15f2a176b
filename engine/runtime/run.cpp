#include "engine/runtime/run.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "engine/consistency/checker.hpp"
#include "engine/pebble/api.hpp"
#include "engine/pebble/plan.hpp"
#include "engine/runtime/deferred_snapshot.hpp"
#include "engine/runtime/hook_env.hpp"
#include "engine/state/errors.hpp"
#include "engine/state/event_names.hpp"
#include "engine/store/unit_store.hpp"

namespace scenario::runtime {

namespace {

constexpr const char* unit_state_file = ".unit-state.db";

// The container's files under a mount are the host's files under src, so src must be there
// (the codec has checked that it is absolute).
void check_mount_sources(const state::state& s) {
  for (const auto& c : s.containers) {
    for (const auto& [name, m] : c.mounts) {
      std::error_code ec;
      if (std::filesystem::exists(m.src, ec)) continue;
      throw state_validation_error(
          "invalid-state",
          fmt::format("containers[{}].mounts['{}'].src: the host path \"{}\" does not exist; create the "
                      "directory (or file) before the run, or point Mount(src=...) at one that exists",
                      c.name, name, m.src));
    }
  }
}

}  // namespace

run::run(const spec::charm_spec& spec, state::state input, state::event event, run_options options,
         pebble::server* pebble)
    : spec_(spec),
      state_(std::move(input)),
      event_(std::move(event)),
      options_(std::move(options)),
      pebble_(pebble) {
  if (options_.app_name.empty()) options_.app_name = spec_.name;
  input_shows_framework_state_ = std::ranges::any_of(state_.stored_state, store::is_framework_stored_state);
  check_mount_sources(state_);
  if (!options_.strict) {
    if (auto note = consistency::match_relation_by_endpoint(spec_, state_, event_))
      divergences_.push_back(*note);
  }
  if (!options_.skip_consistency_checks) {
    consistency::check_options check{.juju_version = options_.juju_version,
                                     .strict = options_.strict,
                                     .container_plan_problem = pebble::plan_problem};
    auto checked = consistency::check_or_throw(spec_, state_, event_, check);
    warnings_ = std::move(checked.warnings);
    divergences_.insert(divergences_.end(), checked.divergences.begin(), checked.divergences.end());
  }

  const classified_event classified = classify_event(spec_, event_);
  resolve_remote_unit(classified);
  env_ = hook_environment(state_, event_, classified,
                          {options_.app_name, options_.juju_version, options_.charm_dir.string()});

  hook_ = std::make_unique<agent::hook_context>(agent::hook_context{
      .spec = spec_,
      .state = state_,
      .event = event_,
      .app_name = options_.app_name,
      .juju_version = options_.juju_version,
      .storage_root = options_.storage_root,
  });
  hook_->strict = options_.strict;
  if (classified.kind == event_kind::action) {
    hook_->action_name = classified.entity;
    state_.action = state::action_output{};
  }

  complete_peer_snapshots(state_, options_.app_name);
  if (options_.unit_state_in_memory) {
    unit_state_image_ = store::unit_state_image(state_, options_.charm_class_name, unit_state_path());
  } else if (!options_.charm_dir.empty()) {
    store::write_unit_state(unit_state_path(), state_, options_.charm_class_name);
  }
}

void run::resolve_remote_unit(const classified_event& classified) {
  if (classified.kind != event_kind::relation || !event_.relation_id) return;
  const auto relation = std::find_if(state_.relations.begin(), state_.relations.end(),
                                     [&](const auto& r) { return r.relation_id == *event_.relation_id; });
  if (relation == state_.relations.end()) return;
  const std::string_view hook = classified.hook_name;
  const bool created_or_broken = hook.ends_with("-relation-created") || hook.ends_with("-relation-broken");
  if (created_or_broken && options_.strict) {
    event_.relation_remote_unit_id.reset();  // Juju sets no JUJU_REMOTE_UNIT there
    return;
  }
  if (!event_.relation_remote_unit_id && !relation->remote_units_data.empty()) {
    if (relation->remote_units_data.size() > 1) {
      // ops-scenario 3.1's words, which 3.1 tests look for in the log.
      warnings_.push_back(fmt::format(
          "remote unit ID unset, and multiple remote unit IDs are present; event {:?} on "
          "relation {} uses the lowest ({}). Pass remote_unit_id to the event to choose",
          event_.name, relation->relation_id, relation->remote_units_data.begin()->first));
    }
    event_.relation_remote_unit_id = relation->remote_units_data.begin()->first;
  }
  if (created_or_broken && event_.relation_remote_unit_id) {
    divergences_.push_back(fmt::format(
        "event {:?}: Juju sets no JUJU_REMOTE_UNIT on {}, so event.unit is None there; the run "
        "set unit {} as ops-scenario 3.1 did. Strict mode leaves it unset",
        event_.name, classified.hook_name, *event_.relation_remote_unit_id));
  }
}

void run::list_deferred_as_3_1_did() {
  const auto by_handle = [](const state::deferred_event& a, const state::deferred_event& b) {
    return a.handle_path < b.handle_path;
  };
  if (std::is_sorted(state_.deferred.begin(), state_.deferred.end(), by_handle)) return;
  std::stable_sort(state_.deferred.begin(), state_.deferred.end(), by_handle);
  std::lock_guard lock(mutex_);
  divergences_.push_back(
      "state.deferred: listed in handle-path order as ops-scenario 3.1 listed them, not in the "
      "order ops re-emits them (the order they were deferred in); a State fed back re-emits "
      "them in list order. Strict mode lists them in ops' order");
}

std::optional<std::string> run::client_divergence(std::string_view kind,
                                                  std::string_view subject) {
  if (kind != "exec-output-after-wait") {
    throw error("unknown-client-divergence",
                fmt::format("no client divergence named {:?}", kind));
  }
  if (options_.strict) return std::nullopt;
  std::string message = fmt::format(
      "exec {}: ops' Pebble client closes the process's output streams in wait(), so what the "
      "charm reads from stdout/stderr after wait() fails (ops 2.x) or is empty (ops 3.x); "
      "the output was kept for reading after wait() as ops-scenario 3.1's mock did. Strict "
      "mode leaves ops' client as it is; read the output before wait(), or use wait_output()",
      subject);
  std::lock_guard lock(mutex_);
  divergences_.push_back(message);
  return message;
}

std::vector<std::string> run::divergences() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> all = divergences_;
  if (hook_) all.insert(all.end(), hook_->divergences.begin(), hook_->divergences.end());
  std::vector<std::string> unique;
  for (auto& d : all)
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(std::move(d));
  return unique;
}

std::optional<std::string> run::commit_failure() {
  std::lock_guard lock(mutex_);
  if (!hook_ || hook_->refused_at_commit.empty()) return std::nullopt;
  std::string refused;
  for (const auto& r : hook_->refused_at_commit) refused += (refused.empty() ? "" : "; ") + r;
  return "Juju refuses the hook's changes when it commits them (the unit log says \"cannot apply "
         "changes: permission denied\"), so the hook fails and none of its changes are kept: " +
         refused + ". Change only secrets this unit owns (application secrets on the leader)";
}

std::filesystem::path run::unit_state_path() const { return options_.charm_dir / unit_state_file; }

run::~run() {
  if (pebble_ != nullptr && !sockets_.empty()) pebble_->detach(mutex_);  // finish() never ran
}

agent::tool_result run::call_tool(const std::vector<std::string>& argv,
                                  std::string_view stdin_data) {
  std::lock_guard lock(mutex_);
  return agent::run_tool(*hook_, argv, stdin_data);
}

std::string run::pebble_socket(const std::string& container) {
  if (pebble_ == nullptr) return "";
  std::lock_guard lock(mutex_);
  if (finished_) return "";
  if (auto it = sockets_.find(container); it != sockets_.end()) return it->second;
  auto found = std::find_if(state_.containers.begin(), state_.containers.end(),
                            [&](const auto& c) { return c.name == container; });
  if (found == state_.containers.end()) return "";
  std::string path =
      pebble_->attach(*found, mutex_, {.strict = options_.strict, .divergences = &divergences_}).string();
  sockets_.emplace(container, path);
  if (options_.share_cpu_with_pebble && found->can_connect && !cpu_share_.active()) {
    cpu_share_ = pebble_->share_cpu_with_caller();
  }
  return path;
}

state::state run::finish(std::optional<std::string_view> final_image) {
  bool attached = false;
  {
    // Under the lock: a container attached after this would never be detached.
    std::lock_guard lock(mutex_);
    if (finished_) {
      throw error("run-finished", "this run has already finished; start a new run for a new event");
    }
    finished_ = true;
    attached = !sockets_.empty();
    sockets_.clear();
  }
  // Not under the lock: detaching waits for the server thread, which may be waiting for it.
  if (pebble_ != nullptr && attached) pebble_->detach(mutex_);
  cpu_share_ = {};
  if (options_.unit_state_in_memory) {
    store::read_unit_state_image(final_image.value_or(unit_state_image_), unit_state_path(), state_);
  } else if (!options_.charm_dir.empty()) {
    store::read_unit_state(unit_state_path(), state_);
  }
  if (!input_shows_framework_state_) store::leave_out_framework_stored_state(state_);
  if (!options_.strict) list_deferred_as_3_1_did();
  return std::move(state_);
}

}  // namespace scenario::runtime
