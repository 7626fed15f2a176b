#include "engine/runtime/deferred_snapshot.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "engine/state/errors.hpp"
#include "engine/state/event_names.hpp"
#include "engine/state/handle_path.hpp"

namespace scenario::runtime {

namespace {

template <class Items, class Match>
const typename Items::value_type* find_in(const Items& items, Match&& match) {
  auto it = std::find_if(items.begin(), items.end(), match);
  return it == items.end() ? nullptr : &*it;
}

[[noreturn]] void needs(const state::event& e, const char* kind, const char* argument) {
  throw state_validation_error("invalid-event",
                               fmt::format("{} is a {} event; pass {}= (one in the State)", e.name, kind, argument));
}

std::optional<std::string> unit_name(const std::string& app, std::optional<int> unit) {
  if (!unit) return std::nullopt;
  return fmt::format("{}/{}", app, *unit);
}

// What ops' RelationEvent.snapshot() holds beside the relation: the remote app and, but in
// relation-created and -broken, the remote unit and (relation-departed) the departing unit.
// Keys `data` already has stay as they are.
void add_remote_side(state::json& data, std::string_view suffix, const std::string& app,
                     const std::optional<state::json>& unit, const std::optional<state::json>& departing) {
  data.emplace("app_name", app);
  if (suffix == "_relation_created" || suffix == "_relation_broken") return;
  if (unit) data.emplace("unit_name", *unit);
  if (suffix == "_relation_departed" && departing) data.emplace("departing_unit", *departing);
}

}  // namespace

state::json deferred_snapshot(const state::state& s, const state::event& e) {
  const auto parts = state::parse_event_name(e.name);
  state::json data = state::json::object();
  switch (parts.kind) {
    case state::event_kind::workload: {
      const auto* c = e.container ? find_in(s.containers, [&](const auto& x) { return x.name == *e.container; }) : nullptr;
      if (!c) needs(e, "workload", "container");
      data["container_name"] = c->name;
      if (e.notice_id) {
        const auto* n = find_in(c->notices, [&](const auto& x) { return x.id == *e.notice_id; });
        if (!n) needs(e, "notice", "notice");
        data["notice_id"] = n->id;
        data["notice_type"] = n->type;
        data["notice_key"] = n->key;
      }
      if (e.check_name) data["check_name"] = *e.check_name;
      return data;
    }
    case state::event_kind::relation: {
      const auto* r =
          e.relation_id ? find_in(s.relations, [&](const auto& x) { return x.relation_id == *e.relation_id; }) : nullptr;
      if (!r) needs(e, "relation", "relation");
      data["relation_name"] = r->endpoint;
      data["relation_id"] = r->relation_id;
      if (r->kind == state::relation_kind::peer) return data;
      const std::string& app = r->remote_app_name;
      const auto unit = e.relation_remote_unit_id;
      const auto departing = e.relation_departed_unit_id ? e.relation_departed_unit_id : unit;
      add_remote_side(data, parts.suffix, app, unit_name(app, unit), unit_name(app, departing));
      return data;
    }
    case state::event_kind::secret: {
      const auto* secret = e.secret_id ? find_in(s.secrets, [&](const auto& x) { return x.id == *e.secret_id; }) : nullptr;
      if (!secret) needs(e, "secret", "secret");
      data["id"] = secret->id;
      data["label"] = secret->label ? state::json(*secret->label) : state::json(nullptr);
      const std::string name = state::underscored(e.name);
      if (name == "secret_expired" || name == "secret_remove") {
        int revision = 0;
        if (e.secret_revision)
          revision = *e.secret_revision;
        else if (!secret->contents.empty())
          revision = secret->contents.rbegin()->first;  // the latest
        data["revision"] = revision;
      }
      return data;
    }
    case state::event_kind::storage: {
      const int index = e.storage_index.value_or(0);
      const auto* st = e.storage_name ? find_in(s.storages, [&](const auto& x) {
        return x.name == *e.storage_name && x.index == index;
      })
                                      : nullptr;
      if (!st) needs(e, "storage", "storage");
      data["storage_name"] = st->name;
      data["storage_index"] = st->index;
      data["storage_location"] = st->location;
      return data;
    }
    default: return data;
  }
}

void complete_peer_snapshots(state::state& s, const std::string& app_name) {
  for (auto& d : s.deferred) {
    auto& snapshot = d.snapshot_data;
    if (!snapshot.is_object() || snapshot.contains("app_name")) continue;
    const auto id = snapshot.find("relation_id");
    if (id == snapshot.end() || !id->is_number_integer()) continue;
    const auto* relation = find_in(s.relations, [&](const auto& r) {
      return r.kind == state::relation_kind::peer && r.relation_id == id->get<int>();
    });
    if (!relation) continue;
    const auto handle = state::parse_handle_path(d.handle_path);
    const auto suffix = state::parse_event_name(handle ? handle->kind : "").suffix;
    const std::optional<state::json> first_peer =
        relation->remote_units_data.empty()
            ? std::nullopt
            : unit_name(app_name, relation->remote_units_data.begin()->first);
    const auto unit = snapshot.contains("unit_name") ? std::optional(snapshot["unit_name"]) : first_peer;
    add_remote_side(snapshot, suffix, app_name, first_peer, unit);
  }
}

}  // namespace scenario::runtime
