// Juju's hook sequences for a unit's lifecycle, and what changes between two hooks.
#pragma once

#include <string_view>
#include <vector>

#include "engine/state/state.hpp"

namespace scenario::runtime {

enum class lifecycle { deploy, upgrade, teardown };

// Parses "deploy" | "upgrade" | "teardown"; anything else raises scenario::error naming the choices.
lifecycle lifecycle_from_name(std::string_view name);

// The hooks Juju runs, in order, for `kind` on a unit in `state`:
// - deploy: <storage>-storage-attached per storage, install, <endpoint>-relation-created per
//   relation, leader-elected (leader) or leader-settings-changed, config-changed, start;
// - upgrade: upgrade-charm, config-changed, start;
// - teardown: per relation, <endpoint>-relation-departed per remote unit then
//   <endpoint>-relation-broken; <storage>-storage-detaching per storage; stop; remove.
std::vector<state::event> lifecycle_events(const state::state& state, lifecycle kind);

// What Juju changes once `event`'s hook has completed: a departed remote unit leaves its
// relation, a broken relation goes away, a detached storage is gone.
state::state settle_after(state::state state, const state::event& event);

}  // namespace scenario::runtime
