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
  // Strict mode: a State ops-scenario 3.1 accepted but Juju would refuse is an error; otherwise
  // it is a divergence (the run goes on as 3.1 ran it, and the caller warns).
  bool strict = false;
  // Why Pebble would refuse a container's layers, in Pebble's words (nullopt: it accepts them).
  // Pebble's plan rules live in engine/pebble, above this layer, so the caller hands them in;
  // unset, layers are not checked.
  std::function<std::optional<std::string>(const state::container&)> container_plan_problem{};
  // Check only these areas (names as in checker_areas()); empty: every area.
  std::vector<std::string> only_areas{};
};

// The areas check() covers, in the order it checks them (e.g. "config", "relations").
const std::vector<std::string>& checker_areas();

struct check_result {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  // Where the State departs from Juju's rules in a way ops-scenario 3.1 accepted (not strict).
  std::vector<std::string> divergences;
};

check_result check(const spec::charm_spec& spec, const state::state& state,
                   const state::event& event, const check_options& options);

// ops-scenario 3.1 matched a relation event to the State by endpoint: an event made from
// another Relation object on the same endpoint ran on the State's relation. For non-strict
// runs: points an event whose relation_id is not in the State at the State's only relation on
// the event's endpoint, and returns the divergence to report (nullopt: nothing changed).
std::optional<std::string> match_relation_by_endpoint(const spec::charm_spec& spec,
                                                      const state::state& state,
                                                      state::event& event);

// Runs check() and throws inconsistent_scenario_error when there are errors.
check_result check_or_throw(const spec::charm_spec& spec, const state::state& state,
                                        const state::event& event, const check_options& options);

}  // namespace scenario::consistency
