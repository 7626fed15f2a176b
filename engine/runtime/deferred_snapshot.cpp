#include "engine/runtime/deferred_snapshot.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "engine/state/errors.hpp"
#include "engine/state/event_names.hpp"

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
      data["app_name"] = app;
      if (parts.suffix == "_relation_created" || parts.suffix == "_relation_broken") return data;
      const auto unit = e.relation_remote_unit_id;
      if (unit) data["unit_name"] = fmt::format("{}/{}", app, *unit);
      if (parts.suffix == "_relation_departed") {
        const auto departing = e.relation_departed_unit_id ? e.relation_departed_unit_id : unit;
        if (departing) data["departing_unit"] = fmt::format("{}/{}", app, *departing);
      }
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

}  // namespace scenario::runtime
