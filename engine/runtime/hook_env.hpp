// What Juju tells a charm about the hook it runs: the event's kind, and the JUJU_* environment.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/spec/spec.hpp"
#include "engine/state/event_names.hpp"
#include "engine/state/state.hpp"

namespace scenario::runtime {

// lifecycle also covers unknown (custom) names: Juju dispatches them as hooks/<name>.
using state::event_kind;

struct classified_event {
  event_kind kind = event_kind::lifecycle;
  std::string hook_name;        // Juju's name: "db-relation-changed", "workload-pebble-ready"
  std::string dispatch_path;    // "hooks/<hook_name>" or "actions/<action name>"
  std::string entity;           // endpoint, container, storage or action name as the spec spells it
};

// Works out which Juju hook an ops-style event name stands for, using the spec to find the
// entity (endpoints, containers and storages may contain '-').
classified_event classify_event(const spec::charm_spec& spec, const state::event& event);

struct env_inputs {
  std::string app_name;
  std::string juju_version;
  std::string charm_dir;
};

// The JUJU_* variables Juju sets for this hook.
std::map<std::string, std::string> hook_environment(const state::state& state,
                                                    const state::event& event,
                                                    const classified_event& classified,
                                                    const env_inputs& inputs);

// The remote unit Juju names for a relation event: the one asked for, else the only remote
// unit, else the lowest id; none when the relation has no remote units, and by default none for
// created/broken (the run resolves 3.1's unit for those into event.relation_remote_unit_id).
std::optional<int> remote_unit_for(const state::relation& relation, const state::event& event,
                                   const std::string& hook_name);

}  // namespace scenario::runtime
