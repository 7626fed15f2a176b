#include "cli/juju_formats.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "cli/juju_client.hpp"

namespace scenario::cli {
namespace {

json bag_json(const state::databag& bag) {
  json out = json::object();
  for (const auto& [k, v] : bag) out[k] = v;
  return out;
}

// Juju's statusInfoContents: current and message, both omitted when empty.
json status_info(const state::entity_status& s) {
  json out = json::object();
  out["current"] = s.name;
  if (!s.message.empty()) out["message"] = s.message;
  return out;
}

// Units on the other side of a relation, as Juju names them.
std::vector<std::pair<std::string, const state::databag*>> related_units(const unit_view& unit,
                                                                        const state::relation& r) {
  const std::string remote_app = r.kind == state::relation_kind::peer ? unit.app : r.remote_app_name;
  std::vector<std::pair<std::string, const state::databag*>> out;
  for (const auto& [id, bag] : r.remote_units_data) out.emplace_back(remote_app + "/" + std::to_string(id), &bag);
  return out;
}

const json& member(const json& object, const std::string& key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) {
    throw juju_error(fmt::format("{}: no \"{}\" in juju's answer", where, key));
  }
  return object.at(key);
}

state::entity_status entity_status_from(const json& info) {
  state::entity_status s;
  if (!info.is_object()) return s;
  s.name = info.value("current", std::string("unknown"));
  s.message = info.value("message", std::string());
  return s;
}

state::databag bag_from(const json& data, const std::string& where) {
  state::databag bag;
  if (data.is_null()) return bag;
  if (!data.is_object()) throw juju_error(where + ": expected an object of settings");
  for (const auto& [k, v] : data.items()) bag[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return bag;
}

}  // namespace

void drop_juju_relation_keys(state::databag& bag) {
  for (const auto& key : juju_relation_keys) bag.erase(key);
}

json models_json(const state::model_info& model) {
  const bool k8s = model.type == "kubernetes";
  json entry{{"name", "admin/" + model.name},
             {"short-name", model.name},
             {"model-uuid", model.uuid},
             {"model-type", k8s ? "caas" : "iaas"},
             {"type", model.type},
             {"life", "alive"},
             {"owner", "admin"}};
  return json{{"models", json::array({entry})}, {"current-model", model.name}};
}

json status_json(const std::vector<unit_view>& units, const std::string& juju_version,
                 const std::string& timestamp) {
  json applications = json::object();
  std::string model_name = "standin";
  std::string model_type = "caas";
  for (const auto& u : units) {
    model_name = u.state->model.name;
    model_type = u.state->model.type == "kubernetes" ? "caas" : "iaas";
    json& app = applications[u.app];
    if (!app.contains("charm")) {
      app = json{{"charm", u.app},       {"charm-origin", "local"}, {"charm-name", u.app},
                 {"charm-rev", 0},       {"exposed", false},        {"units", json::object()},
                 {"relations", json::object()}};
    }
    // The leader's view of the application status is the one Juju reports.
    if (u.state->leader || !app.contains("application-status")) {
      app["application-status"] = status_info(u.state->status.app);
      if (!u.state->status.workload_version.empty()) app["version"] = u.state->status.workload_version;
    }
    json unit{{"workload-status", status_info(u.state->status.unit)},
              {"juju-status", json{{"current", "idle"}, {"version", juju_version}}}};
    if (u.state->leader) unit["leader"] = true;  // omitempty
    app["units"][u.unit_name()] = unit;
    for (const auto& r : u.state->relations) {
      json& remotes = app["relations"][r.endpoint];
      const std::string remote = r.kind == state::relation_kind::peer ? u.app : r.remote_app_name;
      if (!remotes.is_array()) remotes = json::array();
      if (std::find(remotes.begin(), remotes.end(), json(remote)) == remotes.end()) remotes.push_back(remote);
    }
  }
  for (auto& [name, app] : applications.items()) {
    if (app["relations"].empty()) app.erase("relations");  // omitempty
  }
  return json{{"model", json{{"name", model_name},
                             {"type", model_type},
                             {"controller", "standin"},
                             {"cloud", "standin"},
                             {"version", juju_version}}},
              {"machines", json::object()},
              {"applications", applications},
              {"controller", json{{"timestamp", timestamp}}}};
}

json show_unit_json(const unit_view& unit) {
  const state::state& s = *unit.state;
  json relation_info = json::array();
  for (const auto& r : s.relations) {
    json rd{{"relation-id", r.relation_id},
            {"endpoint", r.endpoint},
            {"related-endpoint", r.endpoint},
            {"application-data", bag_json(r.remote_app_data)}};
    if (!r.local_unit_data.empty()) {
      rd["local-unit"] = json{{"in-scope", true}, {"data", bag_json(r.local_unit_data)}};
    }
    json related = json::object();
    for (const auto& [name, bag] : related_units(unit, r)) {
      related[name] = json{{"in-scope", true}, {"data", bag_json(*bag)}};
    }
    if (!related.empty()) rd["related-units"] = related;
    // Juju lists a relation only when it has some data to show.
    if (!r.remote_app_data.empty() || !related.empty() || !r.local_unit_data.empty()) {
      relation_info.push_back(rd);
    }
  }
  json ports = json::array();
  for (const auto& p : s.opened_ports) {
    ports.push_back(p.port ? fmt::format("{}/{}", *p.port, p.protocol) : p.protocol);
  }
  json info{{"opened-ports", ports},
            {"charm", "local:" + unit.app + "-0"},
            {"leader", s.leader},
            {"life", "alive"}};
  if (!relation_info.empty()) info["relation-info"] = relation_info;
  return json{{unit.unit_name(), info}};
}

json config_json(const unit_view& unit) {
  json settings = json::object();
  for (const auto& [name, option] : unit.spec->config) {
    json entry{{"description", option.description}, {"type", option.type}};
    if (!option.default_value.is_null()) entry["default"] = option.default_value;
    if (unit.state->config.contains(name)) {
      entry["value"] = unit.state->config.at(name);
      entry["source"] = "user";
    } else if (!option.default_value.is_null()) {
      entry["value"] = option.default_value;
      entry["source"] = "default";
    } else {
      entry["source"] = "unset";
    }
    settings[name] = entry;
  }
  return json{{"application", unit.app}, {"charm", unit.app}, {"settings", settings}};
}

state::model_info model_from_models(const json& models, const std::string& wanted) {
  const std::string name = wanted.empty() ? models.value("current-model", std::string()) : wanted;
  for (const auto& m : member(models, "models", "juju models")) {
    if (m.value("short-name", std::string()) != name && m.value("name", std::string()) != name) continue;
    state::model_info info;
    info.name = m.value("short-name", name);
    info.uuid = m.value("model-uuid", info.uuid);
    // Juju 2.9+ writes model-type (caas|iaas); older versions only the provider type.
    const std::string kind = m.contains("model-type") ? m.value("model-type", std::string())
                             : m.value("type", std::string()) == "kubernetes" ? "caas"
                                                                               : "iaas";
    info.type = kind == "caas" ? "kubernetes" : "lxd";
    return info;
  }
  throw juju_error(fmt::format("-m/--model: no model \"{}\" in `juju models`; pick one it lists", name));
}

status_facts status_from_status(const json& status, const std::string& app, const std::string& unit) {
  const json& apps = member(status, "applications", "juju status");
  if (!apps.contains(app)) {
    throw juju_error(fmt::format("UNIT: no application \"{}\" in `juju status`", app));
  }
  const json& a = apps.at(app);
  const json units = a.value("units", json::object());
  if (!units.contains(unit)) throw juju_error(fmt::format("UNIT: no unit \"{}\" in `juju status`", unit));
  status_facts facts;
  facts.status.app = entity_status_from(a.value("application-status", json::object()));
  facts.status.unit = entity_status_from(units.at(unit).value("workload-status", json::object()));
  facts.status.workload_version = a.value("version", std::string());
  const json relations = a.value("relations", json::object());
  for (const auto& [endpoint, _] : relations.items()) facts.endpoints.push_back(endpoint);
  const json model = status.value("model", json::object());
  facts.juju_version = model.value("version", std::string());
  facts.controller_timestamp = status.value("controller", json::object()).value("timestamp", std::string());
  return facts;
}

std::vector<state::relation> relations_from_show_unit(const json& show_unit, const std::string& unit,
                                                      const spec::charm_spec& spec,
                                                      bool keep_juju_keys) {
  if (!show_unit.contains(unit)) throw juju_error(fmt::format("UNIT: `juju show-unit` knows no \"{}\"", unit));
  std::vector<state::relation> out;
  for (const auto& rd : show_unit.at(unit).value("relation-info", json::array())) {
    state::relation r;
    r.endpoint = member(rd, "endpoint", "show-unit relation-info").get<std::string>();
    r.relation_id = member(rd, "relation-id", "show-unit relation-info").get<int>();
    const std::string where = fmt::format("show-unit relation-info[{}:{}]", r.endpoint, r.relation_id);
    if (const auto* rs = spec.find_relation(r.endpoint)) {
      r.interface = rs->interface;
      if (rs->role == spec::relation_role::peers) r.kind = state::relation_kind::peer;
      // A subordinate's container-scoped relation sees exactly its principal unit.
      if (spec.subordinate && rs->scope == "container") r.kind = state::relation_kind::subordinate;
    }
    r.remote_app_data = bag_from(rd.value("application-data", json::object()), where);
    const json related = rd.value("related-units", json::object());
    for (const auto& [name, entry] : related.items()) {
      const unit_name remote = parse_unit_name(name);
      if (r.kind != state::relation_kind::peer) r.remote_app_name = remote.app;
      state::databag bag = bag_from(entry.value("data", json::object()), where);
      if (!keep_juju_keys) drop_juju_relation_keys(bag);
      r.remote_units_data[remote.number] = bag;
    }
    if (r.kind == state::relation_kind::peer) r.remote_app_name = "remote";  // ignored for peers
    out.push_back(std::move(r));
  }
  return out;
}

json config_from_config(const json& config) {
  json out = json::object();
  const json settings = config.value("settings", json::object());
  for (const auto& [name, option] : settings.items()) {
    // A State's config holds what the operator set; the engine fills in the charm's defaults.
    if (!option.contains("value") || option.at("value").is_null()) continue;
    if (option.value("source", std::string()) == "default") continue;
    const json& value = option.at("value");
    const std::string type = option.value("type", std::string("string"));
    // Older Juju printed every value as text; the charm's declared type gives it back.
    try {
      if (value.is_string() && type == "int") {
        out[name] = std::stoll(value.get<std::string>());
      } else if (value.is_string() && type == "float") {
        out[name] = std::stod(value.get<std::string>());
      } else if (value.is_string() && type == "boolean") {
        out[name] = value.get<std::string>() == "true";
      } else {
        out[name] = value;
      }
    } catch (const std::logic_error&) {
      throw juju_error(fmt::format("juju config: option \"{}\" of type {} has the value {}", name, type,
                                   value.dump()));
    }
  }
  return out;
}

state::network network_from_network_get(const json& answer, const std::string& endpoint) {
  state::network n;
  n.name = endpoint;
  for (const auto& b : answer.value("bind-addresses", json::array())) {
    state::bind_address bind;
    bind.interface_name = b.value("interface-name", std::string());
    bind.mac_address = b.value("mac-address", std::string());
    for (const auto& a : b.value("addresses", json::array())) {
      state::address addr;
      addr.hostname = a.value("hostname", std::string());
      addr.value = a.value("value", std::string());
      addr.cidr = a.value("cidr", std::string());
      bind.addresses.push_back(addr);
    }
    n.bind_addresses.push_back(bind);
  }
  n.ingress_addresses = answer.value("ingress-addresses", std::vector<std::string>{});
  n.egress_subnets = answer.value("egress-subnets", std::vector<std::string>{});
  return n;
}

}  // namespace scenario::cli
