// network-get's output for a network, shared by the hook tool and scenario._engine.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/state/state.hpp"

namespace scenario::agent {

// Who prints a network: Juju's network-get (--format=json, or its YAML form with the legacy
// duplicate keys), or ops-scenario 3.1's Network.hook_tool_output_fmt(), which kept `address`
// as given, printed mac-address only when set and kept empty lists.
enum class network_display { juju_json, juju_yaml, scenario_3_1 };

nlohmann::json network_get_output(const state::network& n, network_display display);

}  // namespace scenario::agent
