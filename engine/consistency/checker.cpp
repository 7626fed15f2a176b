#include "engine/consistency/checker.hpp"

#include "engine/state/event_names.hpp"
#include "engine/state/json_codec.hpp"
#include "engine/state/juju_version.hpp"
#include "engine/state/port_rules.hpp"
#include "engine/state/text_forms.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace scenario::consistency {
namespace {

using spec::charm_spec;
using spec::relation_role;
using state::json;

// ---------------------------------------------------------------------------------------------
// Small helpers

using state::underscored;

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string kind_name(state::relation_kind kind) {
  switch (kind) {
    case state::relation_kind::peer: return "peer";
    case state::relation_kind::subordinate: return "subordinate";
    case state::relation_kind::regular: break;
  }
  return "regular";
}

std::string json_type_name(const json& v) { return state::json_kind(v, "a mapping"); }

// Juju secret ids: "secret:<20 base32hex chars>", optionally with the model: secret://<uuid>/<id>.
bool is_secret_id(const std::string& s) {
  return state::is_secret_id_form(s);
}

// How many of `items` have each key.
template <class Items, class KeyOf>
auto count_by(const Items& items, KeyOf key_of) {
  std::map<std::decay_t<decltype(key_of(*items.begin()))>, int> counts;
  for (const auto& item : items) ++counts[key_of(item)];
  return counts;
}

using state::event_kind;
using classified = state::event_name_parts;

classified classify(const std::string& event_name) { return state::parse_event_name(event_name); }

// ---------------------------------------------------------------------------------------------
// The checker: one pass per area, all problems collected.

class checker {
 public:
  checker(const charm_spec& spec, const state::state& st, const state::event& ev,
          const check_options& options)
      : spec_(spec), state_(st), event_(ev), options_(options), kind_(classify(ev.name)) {}

  using area_check = void (checker::*)();
  // Every area, in the order problems are reported.
  static const std::vector<std::pair<std::string, area_check>>& areas() {
    static const std::vector<std::pair<std::string, area_check>> all = {
        {"version", &checker::check_version},
        {"metadata", &checker::check_metadata},
        {"containers", &checker::check_containers},
        {"config", &checker::check_config},
        {"relations", &checker::check_relations},
        {"secrets", &checker::check_secrets},
        {"storages", &checker::check_storages},
        {"resources", &checker::check_resources},
        {"ports", &checker::check_ports},
        {"networks", &checker::check_networks},
        {"stored_state", &checker::check_stored_state},
        {"event", &checker::check_event},
        {"container_plans", &checker::check_container_plans},
    };
    return all;
  }

  check_result run() {
    const auto& only = options_.only_areas;
    for (const auto& name : only) {
      const bool known = std::any_of(areas().begin(), areas().end(),
                                     [&](const auto& area) { return area.first == name; });
      if (!known)
        throw scenario::error("unknown-check-area", "no consistency check area named " + quote(name));
    }
    for (const auto& [name, area] : areas()) {
      if (only.empty() || std::find(only.begin(), only.end(), name) != only.end()) {
        (this->*area)();
      } else if (name == "version") {
        read_version_quietly();  // other areas' version gates need it
      }
    }
    return std::move(result_);
  }

 private:
  void error(std::string msg) { result_.errors.push_back(std::move(msg)); }
  void warning(std::string msg) { result_.warnings.push_back(std::move(msg)); }
  // A State 3.1 accepted and Juju refuses: an error under strict mode, else a divergence. The
  // message says the rule; this adds what each mode does.
  void juju_rule(const std::string& msg) {
    if (options_.strict) error(msg);
    else result_.divergences.push_back(msg + " (accepted as ops-scenario 3.1 did; strict mode makes it an error)");
  }

  // "<field>: <key> appears N times; <fix>" for each key more than one of `items` has, where
  // describe(key) names the key.
  template <class Items, class KeyOf, class Describe>
  void error_per_repeat(const std::string& field, const Items& items, KeyOf key_of, Describe describe,
                        const std::string& fix) {
    for (const auto& [key, count] : count_by(items, key_of))
      if (count > 1) error(field + ": " + describe(key) + " appears " + std::to_string(count) + " times; " + fix);
  }

  std::string event_label() const { return "event " + quote(event_.name); }

  const state::container* state_container(std::string_view name) const {
    for (const auto& c : state_.containers)
      if (underscored(c.name) == underscored(name)) return &c;
    return nullptr;
  }
  const state::relation* state_relation(int id) const {
    for (const auto& r : state_.relations)
      if (r.relation_id == id) return &r;
    return nullptr;
  }
  const state::secret* state_secret(const std::string& id) const {
    for (const auto& s : state_.secrets)
      if (s.id == id) return &s;
    return nullptr;
  }
  const spec::action_spec* spec_action(std::string_view underscored_name) const {
    for (const auto& [name, action] : spec_.actions)
      if (underscored(name) == underscored_name) return &action;
    return nullptr;
  }
  const spec::storage_spec* spec_storage(std::string_view name) const {
    for (const auto& s : spec_.storages)
      if (underscored(s.name) == underscored(name)) return &s;
    return nullptr;
  }

  // --- juju version -----------------------------------------------------------------------

  // The version as the gates read it, without reporting on it; returns whether it is only in
  // ops-scenario 3.1's dotted-numbers form.
  bool read_version_quietly() {
    version_ = state::parse_juju_version(options_.juju_version, state::version_syntax::juju);
    if (version_) return false;
    version_ = state::parse_juju_version(options_.juju_version, state::version_syntax::ops_scenario_3_1);
    return version_.has_value();
  }

  void check_version() {
    if (read_version_quietly()) {
      juju_rule("juju_version " + quote(options_.juju_version) + " is not a Juju version "
                "(major.minor[.patch[.build]]); use e.g. '3.4.2'");
    } else if (!version_)
      error("juju_version " + quote(options_.juju_version) +
            " is not a Juju version; use major.minor[.patch], e.g. '3.4.2' or '3.5-beta1'");
  }
  // Version gates are skipped when the version did not parse (already an error).
  bool juju_below(int maj, int min, int pat = 0) const {
    return version_ && !version_->at_least(maj, min, pat);
  }

  // --- metadata itself ---------------------------------------------------------------------

  void check_metadata() {
    for (const auto& problem : spec_.juju_problems) juju_rule(problem + "; Juju refuses such metadata");
    std::map<std::string, int> seen;
    for (const auto& r : spec_.relations) ++seen[r.name];
    for (const auto& [name, count] : seen)
      if (count > 1)
        error("metadata: endpoint " + quote(name) + " is declared " + std::to_string(count) +
              " times across provides/requires/peers; endpoint names must be unique, rename one");
    for (const auto& b : spec_.extra_bindings)
      if (seen.count(b))
        error("metadata: extra-binding " + quote(b) +
              " has the name of a relation endpoint; rename the extra-binding");
  }

  // --- containers --------------------------------------------------------------------------

  // Layers Pebble would have refused cannot be in a container: said before the charm runs, not
  // at its first Pebble call.
  void check_container_plans() {
    if (!options_.container_plan_problem) return;
    for (const auto& c : state_.containers) {
      if (auto problem = options_.container_plan_problem(c)) {
        juju_rule(fmt::format(
            "container {:?}: its layers make a plan Pebble refuses: {}. Fix the layers in the "
            "State (Pebble needs an \"override\" for each service in a layer, and a "
            "\"command\" for each service in the plan)",
            c.name, *problem));
      }
    }
  }

  void check_containers() {
    for (const auto& c : state_.containers) {
      if (!spec_.find_container(c.name))
        error("state.containers[" + quote(c.name) +
              "]: not declared in metadata containers; declare it under `containers:` in "
              "metadata.yaml or remove it from the state");
    }
    error_per_repeat("state.containers", state_.containers, [](const auto& c) { return c.name; }, quote,
                     "give each container once");
    if (!state_.containers.empty() && state_.model.type != "kubernetes")
      warning("state.containers: workload containers exist on Kubernetes models only, and "
              "state.model.type is " + quote(state_.model.type));
    for (const auto& c : state_.containers) {
      // exec_mock is matched in order, so a repeated command can never be reached.
      std::set<std::vector<std::string>> commands;
      for (const auto& mock : c.exec_mock)
        if (!commands.insert(mock.command).second) {
          std::string shown;
          for (const auto& part : mock.command) shown += (shown.empty() ? "" : " ") + part;
          error("state.containers[" + quote(c.name) + "].exec_mock: command " + quote(shown) +
                " is mocked more than once; only the first would be used, remove the others");
        }
    }
  }

  // --- config ------------------------------------------------------------------------------

  void check_config() {
    if (!state_.config.is_object()) {
      error("state.config: must be a mapping of option names to values, not " +
            json_type_name(state_.config));
      return;
    }
    for (const auto& [key, value] : state_.config.items()) {
      const std::string field = "state.config[" + quote(key) + "]";
      auto it = spec_.config.find(key);
      if (it == spec_.config.end()) {
        error(field + ": option not declared in config.yaml options; declare it there or "
                      "remove it from the state");
        continue;
      }
      if (value.is_null()) continue;  // unset: Juju falls back to the default
      const std::string& type = it->second.type;
      bool ok = false;
      std::string expected;
      if (type == "string") {
        ok = value.is_string();
        expected = "a string";
      } else if (type == "int") {
        ok = value.is_number_integer();
        expected = "an integer";
      } else if (type == "float") {
        ok = value.is_number();
        expected = "a number";
      } else if (type == "boolean") {
        ok = value.is_boolean();
        expected = "true or false";
      } else if (type == "secret") {
        ok = value.is_string() && is_secret_id(value.get<std::string>());
        expected = "a secret id like 'secret:" + std::string(20, 'x') + "'";
        if (juju_below(3, 4))
          error(field + ": option type secret needs Juju >= 3.4 (juju_version is " +
                quote(options_.juju_version) + "); raise juju_version");
      }
      if (!ok)
        error(field + ": " + value.dump() + " is " + json_type_name(value) +
              ", but option " + quote(key) + " has type " + type + "; give " + expected);
    }
  }

  // --- relations ---------------------------------------------------------------------------

  void check_relations() {
    std::map<int, int> ids;
    std::map<std::string, int> per_endpoint;
    for (const auto& r : state_.relations) {
      const std::string field = "state.relations[id=" + std::to_string(r.relation_id) +
                                ", endpoint=" + quote(r.endpoint) + "]";
      ++ids[r.relation_id];
      const spec::relation_spec* rs = spec_.find_relation(r.endpoint);
      if (!rs) {
        juju_rule(field + ": endpoint not declared in metadata provides/requires/peers, and "
                          "Juju relates only declared endpoints; declare it or fix the endpoint "
                          "name");
        continue;
      }
      ++per_endpoint[rs->name];
      const bool peer_endpoint = rs->role == relation_role::peers;
      if (peer_endpoint && r.kind != state::relation_kind::peer)
        error(field + ": endpoint is declared under peers but the relation is " +
              kind_name(r.kind) + "; use a PeerRelation");
      if (!peer_endpoint && r.kind == state::relation_kind::peer)
        error(field + ": a PeerRelation on an endpoint that is not declared under peers; use "
                      "Relation, or declare the endpoint under peers");
      if (!peer_endpoint && r.kind == state::relation_kind::subordinate && rs->scope != "container")
        error(field + ": a SubordinateRelation on an endpoint whose scope is " +
              quote(rs->scope) + "; use Relation, or declare `scope: container` on the endpoint");
      if (!peer_endpoint && r.kind == state::relation_kind::regular && rs->scope == "container")
        error(field + ": endpoint has `scope: container` but the relation is regular; use a "
                      "SubordinateRelation");
      if (r.kind == state::relation_kind::subordinate && r.remote_units_data.size() != 1)
        error(field + ": a subordinate relation has exactly one remote unit (the principal), "
                      "not " + std::to_string(r.remote_units_data.size()) +
              "; give one entry in remote_units_data");
      if (r.kind == state::relation_kind::peer && r.remote_units_data.count(state_.unit_id))
        juju_rule(field + ": peer data lists unit " + std::to_string(state_.unit_id) +
                  ", which is this unit (state.unit_id), and Juju lists only the other units "
                  "as peers; remove it or set state.unit_id to another number");
      if (r.interface && *r.interface != rs->interface)
        warning(field + ": interface " + quote(*r.interface) + " differs from metadata's " +
                quote(rs->interface));
    }
    for (const auto& [id, count] : ids)
      if (count > 1)
        juju_rule("state.relations: relation id " + std::to_string(id) + " is used " +
                  std::to_string(count) + " times, and Juju gives each relation its own id; "
                  "give each relation a distinct relation_id");
    for (const auto& [endpoint, count] : per_endpoint) {
      const spec::relation_spec* rs = spec_.find_relation(endpoint);
      if (rs && rs->limit && count > *rs->limit)
        warning("state.relations: endpoint " + quote(endpoint) + " has " + std::to_string(count) +
                " relations but metadata limits it to " + std::to_string(*rs->limit) +
                "; Juju would refuse the extra ones");
    }
  }

  // --- secrets -----------------------------------------------------------------------------

  void check_secrets() {
    if (!state_.secrets.empty() && juju_below(3, 0))
      error("state.secrets: secrets need Juju >= 3.0 (juju_version is " +
            quote(options_.juju_version) + "); raise juju_version or remove the secrets");
    for (const auto& s : state_.secrets) {
      if (s.owner && *s.owner != "unit" && *s.owner != "app")
        error("state.secrets[" + quote(s.id) + "].owner: " + quote(*s.owner) +
              " is not an owner; use 'unit', 'app' or None (this unit only consumes it)");
      if (s.granted && *s.granted != "unit" && *s.granted != "app")
        error("state.secrets[" + quote(s.id) + "].granted: " + quote(*s.granted) +
              " is not a grant; use 'unit', 'app' or None");
    }
    error_per_repeat("state.secrets", state_.secrets, [](const auto& secret) { return secret.id; },
                     [](const std::string& id) { return "secret id " + quote(id); }, "give each secret once");
  }

  // --- storages ----------------------------------------------------------------------------

  void check_storages() {
    for (const auto& s : state_.storages) {
      if (!spec_storage(s.name))
        error("state.storages[" + quote(s.name) + "/" + std::to_string(s.index) +
              "]: not declared in metadata storage; declare it under `storage:` or remove it");
    }
    error_per_repeat(
        "state.storages", state_.storages, [](const auto& st) { return std::pair(st.name, st.index); },
        [](const auto& key) { return quote(key.first) + " index " + std::to_string(key.second); },
        "give each (name, index) once");
    for (const auto& [name, count] : count_by(state_.storages, [](const auto& st) { return st.name; })) {
      const spec::storage_spec* ss = spec_storage(name);
      if (ss && !ss->multiple && count > 1)
        error("state.storages: " + quote(name) + " has " + std::to_string(count) +
              " instances but metadata does not declare it `multiple`; give one instance or "
              "declare `multiple: {range: ...}`");
    }
  }

  // --- resources ---------------------------------------------------------------------------

  void check_resources() {
    for (const auto& r : state_.resources) {
      bool declared = std::any_of(spec_.resources.begin(), spec_.resources.end(),
                                  [&](const spec::resource_spec& rs) { return rs.name == r.name; });
      if (!declared)
        error("state.resources[" + quote(r.name) +
              "]: not declared in metadata resources; declare it under `resources:` or remove it");
    }
    error_per_repeat("state.resources", state_.resources, [](const auto& r) { return r.name; }, quote,
                     "give each resource once");
  }

  // --- ports -------------------------------------------------------------------------------

  void check_ports() {
    for (std::size_t i = 0; i < state_.opened_ports.size(); ++i) {
      const auto& p = state_.opened_ports[i];
      const std::string field = "state.opened_ports[" + std::to_string(i) + "]";
      if (auto problem = scenario::state::opened_port_problem(p.protocol, p.port, p.to_port)) {
        error(field + ": " + *problem);
        continue;
      }
      const auto range = scenario::state::range_of(p);
      // Juju's validatePortRangeForCAAS (internal/worker/uniter/runner/context/ports.go): no
      // 3.1 behaviour to keep (3.1 had no ranges), so an error in both modes.
      if (range.from != range.to && state_.model.type == "kubernetes")
        error(field + ": port ranges are not supported on Kubernetes models (state.model.type is "
                      "'kubernetes'); open single ports, or use a machine model type such as 'lxd'");
      // Juju holds no two overlapping ranges of a unit (open-port refuses the second).
      for (std::size_t j = 0; j < i; ++j) {
        const auto earlier = scenario::state::range_of(state_.opened_ports[j]);
        if (earlier != range && scenario::state::conflicts(range, earlier))
          error(field + ": " + scenario::state::to_string(range) + " overlaps state.opened_ports[" +
                std::to_string(j) + "] (" + scenario::state::to_string(earlier) +
                "); Juju holds no overlapping ranges, so merge or separate them");
      }
    }
  }

  // --- networks ----------------------------------------------------------------------------

  void check_networks() {
    for (const auto& n : state_.networks) {
      const bool known =
          n.name == "juju-info" || spec_.find_relation(n.name) != nullptr ||
          std::find(spec_.extra_bindings.begin(), spec_.extra_bindings.end(), n.name) !=
              spec_.extra_bindings.end();
      if (!known)
        error("state.networks[" + quote(n.name) +
              "]: not a binding of this charm; use a relation endpoint, an extra-binding or "
              "'juju-info'");
    }
    error_per_repeat("state.networks", state_.networks, [](const auto& n) { return n.name; }, quote,
                     "give each binding once");
  }

  // --- stored state ------------------------------------------------------------------------

  void check_stored_state() {
    error_per_repeat(
        "state.stored_state", state_.stored_state,
        [](const auto& entry) { return std::pair(entry.owner_path.value_or(""), entry.name); },
        [](const auto& key) {
          return quote(key.second) + " of owner " + (key.first.empty() ? std::string("the charm") : quote(key.first));
        },
        "merge them into one entry");
  }

  // --- the event ---------------------------------------------------------------------------

  void check_event() {
    if (event_.name.empty()) {
      error("event.name: empty; name the event, e.g. 'start' or 'db_relation_changed'");
      return;
    }
    if (event_.name.find('-') != std::string::npos) {
      // The runtime derives the hook from the ops-style name; a dashed one would misfire.
      error("event.name " + quote(event_.name) + ": use the ops spelling with underscores, " +
            quote(underscored(event_.name)));
    }
    switch (kind_.kind) {
      case event_kind::lifecycle: check_lifecycle_event(); break;
      case event_kind::relation: check_relation_event(); break;
      case event_kind::workload: check_workload_event(); break;
      case event_kind::storage: check_storage_event(); break;
      case event_kind::action: check_action_event(); break;
      case event_kind::secret: check_secret_event(); break;
      case event_kind::custom:
        warning(event_label() + " is not a Juju event of this charm (builtin, relation, "
                                "workload, storage, secret or action); it is run as a custom "
                                "event, which must be defined on the charm's `on`");
        break;
    }
    if (kind_.kind != event_kind::action && !event_.action_params.empty())
      warning(event_label() + ": action_params are ignored; only <action>_action events take them");
    if (kind_.kind != event_kind::relation &&
        (event_.relation_remote_unit_id || event_.relation_departed_unit_id))
      warning(event_label() + ": relation_remote_unit_id/relation_departed_unit_id are ignored "
                              "on non-relation events");
  }

  void check_lifecycle_event() {
    const std::string name = underscored(event_.name);
    if (name == "leader_settings_changed" && state_.leader)
      warning(event_label() + ": Juju sends leader-settings-changed to non-leader units only; "
                              "set state.leader to false");
    if (name == "leader_elected" && !state_.leader)
      warning(event_label() + ": Juju sends leader-elected to the new leader; set state.leader "
                              "to true");
  }

  void check_relation_event() {
    const spec::relation_spec* rs = spec_.find_relation(kind_.prefix);
    if (!rs)
      error(event_label() + ": endpoint " + quote(kind_.prefix) +
            " is not declared in metadata provides/requires/peers; declare it or fix the event "
            "name");
    if (!event_.relation_id) {
      error(event_label() + ": relation events need event.relation_id; set it to the "
                            "relation_id of a relation in state.relations");
      return;
    }
    const state::relation* r = state_relation(*event_.relation_id);
    if (!r) {
      error(event_label() + ": event.relation_id " + std::to_string(*event_.relation_id) +
            " is not in state.relations; add the relation to the state or fix the id");
      return;
    }
    if (underscored(r->endpoint) != kind_.prefix)
      error(event_label() + ": relation " + std::to_string(r->relation_id) + " is on endpoint " +
            quote(r->endpoint) + ", not " + quote(kind_.prefix) + "; fire " +
            quote(underscored(r->endpoint) + kind_.suffix) + " or pick another relation");
    const bool unit_event = kind_.suffix == "_relation_joined" ||
                            kind_.suffix == "_relation_changed" ||
                            kind_.suffix == "_relation_departed";
    if (unit_event) {
      if (event_.relation_remote_unit_id) {
        if (!r->remote_units_data.count(*event_.relation_remote_unit_id))
          juju_rule(event_label() + ": event.relation_remote_unit_id " +
                    std::to_string(*event_.relation_remote_unit_id) + " is not a remote unit of "
                    "relation " + std::to_string(r->relation_id) + ", and Juju sends events "
                    "only for units in the relation; add it to remote_units_data or pick one "
                    "of its units");
      } else if (r->remote_units_data.empty()) {
        juju_rule(event_label() + ": relation " + std::to_string(r->relation_id) +
                  " has no remote units, and Juju always names one (JUJU_REMOTE_UNIT) for " +
                  kind_.suffix.substr(1) + "; add one to remote_units_data or set "
                  "event.relation_remote_unit_id");
      }  // several units and none chosen: the run picks one and logs 3.1's warning
    } else if (event_.relation_remote_unit_id && options_.strict) {
      warning(event_label() + ": Juju sets no remote unit on relation-created/broken; "
                              "event.relation_remote_unit_id is ignored");
    }
    if (event_.relation_departed_unit_id && kind_.suffix != "_relation_departed")
      warning(event_label() + ": event.relation_departed_unit_id is only used by "
                              "relation-departed events");
  }

  void check_workload_event() {
    const std::string& prefix = kind_.prefix;
    if (!spec_.find_container(prefix))
      error(event_label() + ": container " + quote(prefix) +
            " is not declared in metadata containers; declare it or fix the event name");
    if (!event_.container) {
      error(event_label() + ": workload events need event.container; set it to " +
            quote(prefix));
      return;
    }
    const std::string& name = *event_.container;
    if (underscored(name) != prefix)
      error(event_label() + ": event.container is " + quote(name) +
            ", which does not match the event name; fire " +
            quote(underscored(name) + kind_.suffix) + " or set container to " + quote(prefix));
    if (!spec_.find_container(name) && underscored(name) != prefix)
      error(event_label() + ": container " + quote(name) +
            " is not declared in metadata containers; declare it under `containers:`");
    const state::container* c = state_container(name);
    if (!c) {
      error(event_label() + ": container " + quote(name) +
            " is not in state.containers; add it to the state");
      return;
    }
    if (!c->can_connect)
      warning(event_label() + ": Juju sends workload events only when Pebble is reachable, but "
                              "container " + quote(name) + " has can_connect=False");
    if (kind_.suffix == "_pebble_custom_notice" && juju_below(3, 4))
      warning(event_label() + ": Juju sends pebble-custom-notice from 3.4 on (juju_version is " +
              quote(options_.juju_version) + ")");
    if ((kind_.suffix == "_pebble_check_failed" || kind_.suffix == "_pebble_check_recovered") &&
        juju_below(3, 6))
      warning(event_label() + ": Juju sends pebble check events from 3.6 on (juju_version is " +
              quote(options_.juju_version) + ")");
    if (kind_.suffix == "_pebble_custom_notice") {
      if (!event_.notice_id) {
        error(event_label() + ": custom-notice events need event.notice_id; set it to the id "
                              "of a notice in the container");
      } else if (std::none_of(c->notices.begin(), c->notices.end(),
                              [&](const state::notice& n) { return n.id == *event_.notice_id; })) {
        error(event_label() + ": notice " + quote(*event_.notice_id) +
              " is not among container " + quote(name) + "'s notices; add it to the container");
      }
    }
    if (kind_.suffix == "_pebble_check_failed" || kind_.suffix == "_pebble_check_recovered") {
      if (!event_.check_name) {
        error(event_label() + ": check events need event.check_name; set it to a check in the "
                              "container's check_infos");
      } else if (std::none_of(c->check_infos.begin(), c->check_infos.end(),
                              [&](const state::check_info& ci) {
                                return ci.name == *event_.check_name;
                              })) {
        error(event_label() + ": check " + quote(*event_.check_name) +
              " is not among container " + quote(name) +
              "'s check_infos; add a CheckInfo for it");
      }
    }
  }

  void check_storage_event() {
    const spec::storage_spec* ss = spec_storage(kind_.prefix);
    if (!ss) {
      error(event_label() + ": storage " + quote(kind_.prefix) +
            " is not declared in metadata storage; declare it under `storage:` or fix the "
            "event name");
      return;
    }
    const std::string name = event_.storage_name.value_or(ss->name);
    if (underscored(name) != kind_.prefix)
      error(event_label() + ": event.storage_name is " + quote(name) +
            ", which does not match the event name; fire " +
            quote(underscored(name) + kind_.suffix) + " or fix storage_name");
    const int index = event_.storage_index.value_or(0);
    const bool present = std::any_of(
        state_.storages.begin(), state_.storages.end(),
        [&](const state::storage& s) { return s.name == name && s.index == index; });
    if (!present)
      error(event_label() + ": storage " + quote(name) + " index " + std::to_string(index) +
            " is not in state.storages; add Storage(" + quote(name) + ", index=" +
            std::to_string(index) + ") to the state");
  }

  static bool fits_schema_type(const std::string& type, const json& v) {
    if (type == "string") return v.is_string();
    if (type == "integer")
      return v.is_number_integer() ||
             (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>());
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    if (type == "array") return v.is_array();
    if (type == "object") return v.is_object();
    if (type == "null") return v.is_null();
    return true;
  }

  void check_action_event() {
    const spec::action_spec* a = spec_action(kind_.prefix);
    if (!a) {
      error(event_label() + ": action " + quote(kind_.prefix) +
            " is not declared in actions.yaml; declare it or fix the event name");
      return;
    }
    const std::string field = "event.action_params";
    if (!event_.action_params.is_object()) {
      error(field + ": must be a mapping of param names to values, not " +
            json_type_name(event_.action_params));
      return;
    }
    for (const auto& [pname, value] : event_.action_params.items()) {
      const std::string pfield = field + "[" + quote(pname) + "]";
      if (!a->params.contains(pname)) {
        if (a->additional_properties)
          warning(pfield + ": not declared in action " + quote(a->name) +
                  "'s params; Juju accepts it (additionalProperties is not false), but check "
                  "for a typo");
        else
          error(pfield + ": not declared in action " + quote(a->name) +
                "'s params and additionalProperties is false; declare it in actions.yaml or "
                "remove it");
        continue;
      }
      const json& schema = a->params.at(pname);
      if (!schema.is_object() || !schema.contains("type")) continue;
      std::vector<std::string> types;
      if (schema["type"].is_string()) types.push_back(schema["type"].get<std::string>());
      else if (schema["type"].is_array())
        for (const auto& t : schema["type"])
          if (t.is_string()) types.push_back(t.get<std::string>());
      static const std::set<std::string> known{"string", "integer", "number", "boolean",
                                               "array",  "object",  "null"};
      bool ok = types.empty();
      std::string listed;
      for (const auto& t : types) {
        if (!known.count(t))
          warning(pfield + ": action " + quote(a->name) + " declares unknown JSON schema type " +
                  quote(t) + "; its values are not checked");
        if (fits_schema_type(t, value)) ok = true;
        listed += (listed.empty() ? "" : " or ") + t;
      }
      if (!ok)
        error(pfield + ": " + value.dump() + " is " + json_type_name(value) + ", but action " +
              quote(a->name) + " declares the param as " + listed + "; give a value of that type");
      if (schema.contains("enum") && schema["enum"].is_array()) {
        const auto& options = schema["enum"];
        if (std::find(options.begin(), options.end(), value) == options.end())
          error(pfield + ": " + value.dump() + " is not one of " + options.dump() +
                " (the param's enum)");
      }
    }
    for (const auto& req : a->required) {
      if (event_.action_params.contains(req)) continue;
      const json* schema = a->params.contains(req) ? &a->params.at(req) : nullptr;
      if (schema && schema->is_object() && schema->contains("default")) continue;
      error(field + ": required param " + quote(req) + " of action " + quote(a->name) +
            " is missing and has no default; add it to action_params");
    }
  }

  void check_secret_event() {
    const std::string name = underscored(event_.name);
    if (juju_below(3, 0))
      error(event_label() + ": secret events need Juju >= 3.0 (juju_version is " +
            quote(options_.juju_version) + "); raise juju_version");
    if (!event_.secret_id) {
      error(event_label() + ": secret events need event.secret_id; set it to the id of a "
                            "secret in state.secrets");
      return;
    }
    const state::secret* s = state_secret(*event_.secret_id);
    if (!s) {
      error(event_label() + ": secret " + quote(*event_.secret_id) +
            " is not in state.secrets; add the secret to the state or fix the id");
      return;
    }
    const std::string hook = name.substr(0, 6) + "-" + name.substr(7);
    if (!state::secret_event_goes_to_owner(name)) {
      if (s->owner)
        error(event_label() + ": Juju sends secret-changed to the secret's observers, not its "
                              "owner, and this charm owns " + quote(s->id) +
              " (owner=" + quote(*s->owner) + "); set owner to None to model a consumer");
      return;
    }
    if (!s->owner) {
      error(event_label() + ": Juju sends " + hook + " only to the secret's owner, and " +
            quote(s->id) + " has no owner; set owner='app' or owner='unit'");
      return;
    }
    if (*s->owner == "app" && !state_.leader)
      warning(event_label() + ": " + quote(s->id) + " is owned by the app, and Juju sends " + hook +
            " for app secrets to the leader only; set state.leader to true");
    if (name == "secret_rotate" && (!s->rotate || *s->rotate == "never"))
      warning(event_label() + ": Juju sends secret-rotate only for secrets with a rotation "
                              "policy; set rotate on " + quote(s->id));
    if (name == "secret_expired" && !s->expire)
      warning(event_label() + ": Juju sends secret-expired only for secrets with an expiry; "
                              "set expire on " + quote(s->id));
    if ((name == "secret_remove" || name == "secret_expired") && event_.secret_revision &&
        !s->contents.empty() && !s->contents.count(*event_.secret_revision))
      warning(event_label() + ": event.secret_revision " +
              std::to_string(*event_.secret_revision) + " is not among the secret's revisions");
  }

  const charm_spec& spec_;
  const state::state& state_;
  const state::event& event_;
  const check_options& options_;
  classified kind_;
  std::optional<state::juju_version> version_;
  check_result result_;
};

}  // namespace

// ops-scenario 3.1 matched a relation event to the State by endpoint: an event made from
// another Relation object on the same endpoint ran on the State's relation. Outside strict mode
// the event is pointed at the State's only relation on that endpoint; returns what happened.
std::optional<std::string> match_relation_by_endpoint(const spec::charm_spec& spec,
                                                      const state::state& s, state::event& e) {
  if (!e.relation_id) return std::nullopt;
  const auto has_id = [&](const state::relation& r) { return r.relation_id == *e.relation_id; };
  if (std::any_of(s.relations.begin(), s.relations.end(), has_id)) return std::nullopt;
  const auto parts = state::parse_event_name(e.name);
  if (parts.kind != state::event_kind::relation) return std::nullopt;
  const state::relation* match = nullptr;
  for (const auto& r : s.relations) {
    const spec::relation_spec* rs = spec.find_relation(r.endpoint);
    if (state::underscored(rs ? rs->name : r.endpoint) != parts.prefix) continue;
    if (match != nullptr) return std::nullopt;  // ambiguous: the checker says so
    match = &r;
  }
  if (match == nullptr) return std::nullopt;
  std::string note = fmt::format(
      "event {:?}: relation_id {} is not in state.relations; ran it on relation {} (the State's "
      "relation on endpoint {:?}), as ops-scenario 3.1 matched relation events by endpoint. "
      "Juju names the relation by id; strict mode makes this an error: build the event from "
      "the Relation in the State",
      e.name, *e.relation_id, match->relation_id, match->endpoint);
  e.relation_id = match->relation_id;
  return note;
}

const std::vector<std::string>& checker_areas() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& area : checker::areas()) out.push_back(area.first);
    return out;
  }();
  return names;
}

check_result check(const spec::charm_spec& spec, const state::state& state,
                   const state::event& event, const check_options& options) {
  return checker(spec, state, event, options).run();
}

check_result check_or_throw(const spec::charm_spec& spec, const state::state& state,
                                        const state::event& event, const check_options& options) {
  check_result result = check(spec, state, event, options);
  if (!result.errors.empty()) throw inconsistent_scenario_error(std::move(result.errors));
  result.errors.clear();
  return result;
}

}  // namespace scenario::consistency
