// Every check of State x Event x charm spec, run before each event. All problems are reported
// at once; each names the field and how to fix it. Warnings never stop a run.
#pragma once

#include <string>
#include <vector>

#include "engine/spec/spec.hpp"
#include "engine/state/state.hpp"

namespace scenario::consistency {

struct check_options {
  std::string juju_version = "3.0";
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
