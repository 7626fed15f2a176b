// Every check of State x Event x charm spec, run before each event. All problems are reported
// at once; each names the field and how to fix it. Warnings never stop a run.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/spec/spec.hpp"
#include "engine/state/state.hpp"

namespace scenario::consistency {

struct check_options {
  std::string juju_version = "3.0";
  // Why Pebble would refuse a container's layers, in Pebble's words (nullopt: it accepts them).
  // Pebble's plan rules live in engine/pebble, above this layer, so the caller hands them in;
  // unset, layers are not checked.
  std::function<std::optional<std::string>(const state::container&)> container_plan_problem{};
};

struct check_result {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

check_result check(const spec::charm_spec& spec, const state::state& state,
                   const state::event& event, const check_options& options);

// Runs check() and throws inconsistent_scenario_error when there are errors; returns the warnings.
std::vector<std::string> check_or_throw(const spec::charm_spec& spec, const state::state& state,
                                        const state::event& event, const check_options& options);

}  // namespace scenario::consistency
