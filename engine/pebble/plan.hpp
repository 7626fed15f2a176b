// Pebble's plan without HTTP (plan.cpp): layers parsed from YAML, combined by Pebble's override
// rules and validated; the order services start and stop in; the plan's YAML. The API
// (api_plan.cpp), exec, the runtime, the bindings and the CLI all use it.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/state/state.hpp"

namespace scenario::pebble {

// A layer or plan is malformed; the message is Pebble's FormatError text.
struct plan_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct label_exists : std::runtime_error {
  explicit label_exists(const std::string& label);
};

// Parses Pebble layer YAML into the layer's dict form; rejects unknown fields like Pebble.
nlohmann::json parse_layer_yaml(const std::string& label, const std::string& yaml_text);
// The combined plan {"services", "checks", "log-targets"} of base_plan plus the layers.
// `lenient`: ops-scenario 3.1's rules, for compatible (non-strict) runs: a layer item without
// "override" replaces the earlier one, and the plan is not validated.
nlohmann::json combined_plan(const state::container& c, bool lenient = false);
// Adds a layer as Pebble's AppendLayer/CombineLayer do; validates the resulting plan.
void add_layer(state::container& c, const std::string& label, const nlohmann::json& layer,
               bool combine, bool lenient = false);
std::string plan_to_yaml(const nlohmann::json& plan);
// Services to start (dependencies first) / stop (dependents first) for the names given.
std::vector<std::string> start_order(const nlohmann::json& plan, const std::vector<std::string>& names);
std::vector<std::string> stop_order(const nlohmann::json& plan, const std::vector<std::string>& names);

// The container's plan as `GET /v1/plan?format=yaml` gives it (base plan plus layers, in
// order). A malformed layer raises scenario::state_validation_error naming the container.
std::string plan_yaml(const state::container& c);

// Why Pebble would refuse the container's base plan and layers, in Pebble's words (e.g.
// `layer "web" must define "override" for service "nginx"`); nullopt when it would accept them.
std::optional<std::string> plan_problem(const state::container& c);

}  // namespace scenario::pebble
