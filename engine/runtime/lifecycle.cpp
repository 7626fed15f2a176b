#include "engine/runtime/lifecycle.hpp"

#include <algorithm>

#include "engine/state/errors.hpp"
#include "engine/state/event_names.hpp"

namespace scenario::runtime {

namespace {

state::event named(std::string name) {
  state::event e;
  e.name = std::move(name);
  return e;
}

state::event relation_event(const state::relation& r, const char* suffix,
                            std::optional<int> remote_unit = std::nullopt) {
  state::event e = named(state::underscored(r.endpoint) + suffix);
  e.relation_id = r.relation_id;
  e.relation_remote_unit_id = remote_unit;
  if (remote_unit && std::string_view(suffix) == "_relation_departed") {
    e.relation_departed_unit_id = remote_unit;
  }
  return e;
}

state::event storage_event(const state::storage& s, const char* suffix) {
  state::event e = named(state::underscored(s.name) + suffix);
  e.storage_name = s.name;
  e.storage_index = s.index;
  return e;
}

}  // namespace

lifecycle lifecycle_from_name(std::string_view name) {
  if (name == "deploy") return lifecycle::deploy;
  if (name == "upgrade") return lifecycle::upgrade;
  if (name == "teardown") return lifecycle::teardown;
  throw error("unknown-lifecycle", "unknown lifecycle '" + std::string(name) +
                                       "': choose 'deploy', 'upgrade' or 'teardown'");
}

std::vector<state::event> lifecycle_events(const state::state& state, lifecycle kind) {
  std::vector<state::event> events;
  switch (kind) {
    case lifecycle::deploy:
      for (const auto& s : state.storages) events.push_back(storage_event(s, "_storage_attached"));
      events.push_back(named("install"));
      for (const auto& r : state.relations) events.push_back(relation_event(r, "_relation_created"));
      events.push_back(named(state.leader ? "leader_elected" : "leader_settings_changed"));
      events.push_back(named("config_changed"));
      events.push_back(named("start"));
      break;
    case lifecycle::upgrade:
      events.push_back(named("upgrade_charm"));
      events.push_back(named("config_changed"));
      events.push_back(named("start"));
      break;
    case lifecycle::teardown:
      for (const auto& r : state.relations) {
        for (const auto& [unit_id, _] : r.remote_units_data) {
          events.push_back(relation_event(r, "_relation_departed", unit_id));
        }
        events.push_back(relation_event(r, "_relation_broken"));
      }
      for (const auto& s : state.storages) events.push_back(storage_event(s, "_storage_detaching"));
      events.push_back(named("stop"));
      events.push_back(named("remove"));
      break;
  }
  return events;
}

state::state settle_after(state::state state, const state::event& event) {
  if (event.relation_id && event.name.ends_with("_relation_departed")) {
    const auto departed = event.relation_departed_unit_id ? event.relation_departed_unit_id
                                                          : event.relation_remote_unit_id;
    for (auto& r : state.relations) {
      if (r.relation_id == *event.relation_id && departed) r.remote_units_data.erase(*departed);
    }
  } else if (event.relation_id && event.name.ends_with("_relation_broken")) {
    std::erase_if(state.relations,
                  [&](const auto& r) { return r.relation_id == *event.relation_id; });
  } else if (event.storage_name && event.name.ends_with("_storage_detaching")) {
    std::erase_if(state.storages, [&](const auto& s) {
      return s.name == *event.storage_name && s.index == event.storage_index.value_or(0);
    });
  }
  return state;
}

}  // namespace scenario::runtime
