#include "engine/runtime/hook_env.hpp"

#include <algorithm>
#include <string_view>

#include "engine/state/errors.hpp"

namespace scenario::runtime {

namespace {

using state::dashed;
using state::underscored;

// The spec's spelling of an entity whose ops-style (underscored) name is `prefix`.
template <typename Range, typename Name>
std::string spec_name(const Range& items, std::string_view prefix, Name name_of) {
  for (const auto& item : items) {
    if (underscored(name_of(item)) == prefix) return name_of(item);
  }
  return dashed(prefix);
}

// Where the value of each JUJU_* variable comes from, as a test writes it.
std::string_view source_of(std::string_view variable) {
  static constexpr std::pair<std::string_view, std::string_view> sources[] = {
      {"JUJU_VERSION", "Context(juju_version=...)"},
      {"JUJU_UNIT_NAME", "Context(app_name=...) (or the metadata's name)"},
      {"JUJU_MODEL_NAME", "state.model.name"},
      {"JUJU_MODEL_UUID", "state.model.uuid"},
      {"JUJU_CHARM_DIR", "Context(charm_root=...)"},
      {"JUJU_DISPATCH_PATH", "the event's name"},
      {"JUJU_HOOK_NAME", "the event's name"},
      {"JUJU_ACTION_NAME", "the event's name"},
      {"JUJU_ACTION_UUID", "Event(action_id=...)"},
      {"JUJU_RELATION", "the relation's endpoint"},
      {"JUJU_RELATION_ID", "the relation's endpoint"},
      {"JUJU_REMOTE_APP", "the relation's remote_app_name"},
      {"JUJU_REMOTE_UNIT", "the relation's remote_app_name"},
      {"JUJU_DEPARTING_UNIT", "the relation's remote_app_name"},
      {"JUJU_WORKLOAD_NAME", "the container's name"},
      {"JUJU_NOTICE_ID", "the notice's id"},
      {"JUJU_NOTICE_TYPE", "the notice's type"},
      {"JUJU_NOTICE_KEY", "the notice's key"},
      {"JUJU_PEBBLE_CHECK_NAME", "the check's name"},
      {"JUJU_SECRET_ID", "the secret's id"},
      {"JUJU_SECRET_LABEL", "the secret's label"},
      {"JUJU_STORAGE_ID", "the storage's name"},
  };
  for (const auto& [name, source] : sources)
    if (name == variable) return source;
  return "the State";
}

// An environment variable cannot hold a NUL: the run would fail before the charm starts, so
// the value that would go there is refused as the input it is.
void check_no_nul(const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    if (value.find('\0') == std::string::npos) continue;
    throw state_validation_error(
        "invalid-state",
        std::string(source_of(name)) + " holds a NUL character ('\\x00'), which Juju passes to the charm in " +
            name + " and no environment variable can hold; remove it");
  }
}

}  // namespace

classified_event classify_event(const spec::charm_spec& spec, const state::event& event) {
  const state::event_name_parts parts = state::parse_event_name(event.name);
  classified_event out;
  out.kind = parts.kind == event_kind::custom ? event_kind::lifecycle : parts.kind;
  switch (out.kind) {
    case event_kind::relation:
      out.entity = spec_name(spec.relations, parts.prefix, [](const auto& r) { return r.name; });
      break;
    case event_kind::workload:
      out.entity = spec_name(spec.containers, parts.prefix, [](const auto& c) { return c.name; });
      break;
    case event_kind::storage:
      out.entity = spec_name(spec.storages, parts.prefix, [](const auto& s) { return s.name; });
      break;
    case event_kind::action: {
      out.entity = dashed(parts.prefix);
      for (const auto& [action_name, action] : spec.actions) {
        if (underscored(action_name) == parts.prefix) out.entity = action_name;
      }
      out.hook_name = out.entity;
      out.dispatch_path = "actions/" + out.entity;
      return out;
    }
    default:
      out.hook_name = dashed(event.name);
      out.dispatch_path = "hooks/" + out.hook_name;
      return out;
  }
  out.hook_name = out.entity + dashed(parts.suffix);
  out.dispatch_path = "hooks/" + out.hook_name;
  return out;
}

std::optional<int> remote_unit_for(const state::relation& relation, const state::event& event,
                                   const std::string& hook_name) {
  // The run keeps an explicit unit on created/broken only outside strict mode (3.1's rule).
  if (event.relation_remote_unit_id) return event.relation_remote_unit_id;
  if (hook_name.ends_with("-relation-created") || hook_name.ends_with("-relation-broken")) {
    return std::nullopt;
  }
  if (relation.remote_units_data.empty()) return std::nullopt;
  return relation.remote_units_data.begin()->first;  // std::map: the lowest id
}

std::map<std::string, std::string> hook_environment(const state::state& state,
                                                    const state::event& event,
                                                    const classified_event& classified,
                                                    const env_inputs& inputs) {
  std::map<std::string, std::string> env{
      {"JUJU_VERSION", inputs.juju_version},
      {"JUJU_UNIT_NAME", inputs.app_name + "/" + std::to_string(state.unit_id)},
      {"JUJU_MODEL_NAME", state.model.name},
      {"JUJU_MODEL_UUID", state.model.uuid},
      {"JUJU_CHARM_DIR", inputs.charm_dir},
      {"JUJU_DISPATCH_PATH", classified.dispatch_path},
  };
  if (classified.kind != event_kind::action) env["JUJU_HOOK_NAME"] = classified.hook_name;

  switch (classified.kind) {
    case event_kind::relation: {
      if (!event.relation_id) break;
      auto it = std::find_if(state.relations.begin(), state.relations.end(),
                             [&](const auto& r) { return r.relation_id == *event.relation_id; });
      if (it == state.relations.end()) break;
      env["JUJU_RELATION"] = it->endpoint;
      env["JUJU_RELATION_ID"] = it->endpoint + ":" + std::to_string(it->relation_id);
      const std::string remote_app =
          it->kind == state::relation_kind::peer ? inputs.app_name : it->remote_app_name;
      env["JUJU_REMOTE_APP"] = remote_app;
      if (auto unit = remote_unit_for(*it, event, classified.hook_name)) {
        env["JUJU_REMOTE_UNIT"] = remote_app + "/" + std::to_string(*unit);
      }
      if (classified.hook_name.ends_with("-relation-departed")) {
        auto departing = event.relation_departed_unit_id;
        if (!departing) departing = remote_unit_for(*it, event, classified.hook_name);
        if (departing) env["JUJU_DEPARTING_UNIT"] = remote_app + "/" + std::to_string(*departing);
      }
      break;
    }
    case event_kind::workload:
      env["JUJU_WORKLOAD_NAME"] = event.container.value_or(classified.entity);
      if (event.notice_id && event.container) {
        for (const auto& c : state.containers) {
          if (c.name != *event.container) continue;
          for (const auto& n : c.notices) {
            if (n.id != *event.notice_id) continue;
            env["JUJU_NOTICE_ID"] = n.id;
            env["JUJU_NOTICE_TYPE"] = n.type;
            env["JUJU_NOTICE_KEY"] = n.key;
          }
        }
      }
      if (event.check_name) env["JUJU_PEBBLE_CHECK_NAME"] = *event.check_name;
      break;
    case event_kind::secret:
      if (event.secret_id) {
        env["JUJU_SECRET_ID"] = *event.secret_id;
        for (const auto& s : state.secrets) {
          if (s.id != *event.secret_id) continue;
          if (s.label) env["JUJU_SECRET_LABEL"] = *s.label;
          // Juju names the revision only for the hooks that concern one revision.
          if (event.name == "secret_remove" || event.name == "secret_expired") {
            int revision = event.secret_revision.value_or(
                s.contents.empty() ? s.revision : s.contents.rbegin()->first);
            env["JUJU_SECRET_REVISION"] = std::to_string(revision);
          }
        }
      }
      break;
    case event_kind::storage: {
      const int index = event.storage_index.value_or(0);
      env["JUJU_STORAGE_ID"] = event.storage_name.value_or(classified.entity) + "/" +
                               std::to_string(index);
      break;
    }
    case event_kind::action:
      env["JUJU_ACTION_NAME"] = classified.entity;
      env["JUJU_ACTION_UUID"] = event.action_id.value_or("1");
      break;
    case event_kind::lifecycle:
    case event_kind::custom:  // classify_event never yields it; Juju runs it like a lifecycle hook
      break;
  }
  check_no_nul(env);
  return env;
}

}  // namespace scenario::runtime
