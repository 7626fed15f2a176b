#include "cli/snapshot.hpp"

#include "cli/temp_file.hpp"

#include <fmt/format.h>

#include "engine/pebble/plan.hpp"
#include "engine/spec/spec.hpp"
#include "engine/store/unit_store.hpp"

namespace scenario::cli {
namespace {

state::databag relation_get(const juju_client& juju, const unit_name& unit, int relation_id, bool app) {
  std::vector<std::string> argv{"relation-get", "-r", std::to_string(relation_id), "-", unit.text(),
                                "--format", "json"};
  if (app) argv.push_back("--app");
  const auto answer = nlohmann::json::parse(juju.exec(unit, argv));
  state::databag bag;
  for (const auto& [k, v] : answer.items()) bag[k] = v.get<std::string>();
  return bag;
}

state::container read_container(const juju_client& juju, const unit_name& unit, const std::string& name,
                                const std::vector<std::string>& fetch) {
  state::container c;
  c.name = name;
  const auto version = juju.ssh(unit, name, {"/charm/bin/pebble", "version"});
  c.can_connect = version.exit_code == 0;
  if (!c.can_connect) {
    if (!fetch.empty()) {
      throw juju_error(fmt::format("--fetch: container \"{}\" does not answer (Pebble: {}); its files "
                                   "cannot be read", name, version.stderr_text));
    }
    return c;
  }
  const auto plan = juju.ssh(unit, name, {"/charm/bin/pebble", "plan"});
  if (plan.exit_code != 0) throw juju_error(fmt::format("pebble plan in \"{}\": {}", name, plan.stderr_text));
  c.base_plan = pebble::parse_layer_yaml("plan", plan.stdout_text);
  for (const auto& path : fetch) {
    state::file_entry f;
    f.path = path;
    f.content = read_container_file(juju, unit, name, path);
    c.files.push_back(std::move(f));
  }
  return c;
}

std::vector<state::secret> read_secrets(const juju_client& juju, const unit_name& unit) {
  std::vector<state::secret> out;
  const auto ids = nlohmann::json::parse(juju.exec(unit, {"secret-ids", "--format", "json"}));
  for (const auto& id_json : ids) {
    // secret-ids may print bare ids; a State names secrets by URI.
    std::string id = id_json.get<std::string>();
    if (id.find(':') == std::string::npos) id = "secret:" + id;
    const auto info_all = nlohmann::json::parse(juju.exec(unit, {"secret-info-get", id, "--format", "json"}));
    if (info_all.empty()) continue;
    const auto& info = info_all.begin().value();
    state::secret s;
    s.id = id;
    s.revision = info.value("revision", 0);
    s.owner = info.value("owner", std::string("unit")) == "application" ? "app" : "unit";
    if (const auto label = info.value("label", std::string()); !label.empty()) s.label = label;
    if (info.contains("description")) s.description = info.at("description").get<std::string>();
    if (info.contains("rotation")) s.rotate = info.at("rotation").get<std::string>();
    if (info.contains("expiry")) s.expire = info.at("expiry").get<std::string>();
    const auto content = nlohmann::json::parse(juju.exec(unit, {"secret-get", id, "--peek", "--format", "json"}));
    state::databag bag;
    for (const auto& [k, v] : content.items()) bag[k] = v.get<std::string>();
    s.contents[s.revision] = bag;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

std::string read_container_file(const juju_client& juju, const unit_name& unit, const std::string& container,
                                const std::string& path) {
  const temp_file local;
  juju.scp_from(unit, container, path, local.path());
  return local.read();
}

bool includes(const std::string& letters, char letter) { return letters.find(letter) != std::string::npos; }

void check_include_letters(const std::string& include, const std::string& allowed, const std::string& option) {
  for (char c : include) {
    if (allowed.find(c) == std::string::npos) {
      throw std::invalid_argument(fmt::format("{}: unknown letter '{}'; use any of \"{}\"", option, c, allowed));
    }
  }
}

std::string charm_container_for(const state::model_info& model) {
  return model.type == "kubernetes" ? "charm" : "";
}

snapshot_result take_snapshot(const juju_client& juju, const unit_name& unit, const snapshot_options& options) {
  snapshot_result result;
  state::state& s = result.state;
  s.unit_id = unit.number;
  // -m may name the controller too (controller:model); `juju models` lists this controller's.
  const std::string& model = juju.model();
  s.model = model_from_models(juju.json_command({"models"}, false),
                              model.substr(model.find(':') == std::string::npos ? 0 : model.find(':') + 1));
  const auto meta = juju.ssh(unit, "", {"cat", unit.charm_dir() + "/metadata.yaml"});
  if (meta.exit_code != 0) {
    throw juju_error(fmt::format("cannot read {}/metadata.yaml on {}: {}", unit.charm_dir(), unit.text(),
                                 meta.stderr_text));
  }
  result.spec = spec::spec_from_yaml(meta.stdout_text, "", "");
  result.facts = status_from_status(juju.json_command({"status", "--relations"}), unit.app, unit.text());
  s.status = result.facts.status;
  s.leader = nlohmann::json::parse(juju.exec(unit, {"is-leader", "--format", "json"})).get<bool>();

  if (includes(options.include, 'c')) s.config = config_from_config(juju.json_command({"config", unit.app}));
  if (includes(options.include, 'r')) {
    s.relations = relations_from_show_unit(juju.json_command({"show-unit", unit.text()}), unit.text(),
                                           result.spec, options.include_juju_relation_data);
    for (auto& r : s.relations) {
      r.local_unit_data = relation_get(juju, unit, r.relation_id, false);
      if (!options.include_juju_relation_data) drop_juju_relation_keys(r.local_unit_data);
      r.local_app_data = relation_get(juju, unit, r.relation_id, true);
    }
  }
  if (includes(options.include, 'n')) {
    std::vector<std::string> bindings{"juju-info"};
    if (options.include_dead_relation_networks) {
      for (const auto& r : result.spec.relations) bindings.push_back(r.name);
    } else {
      for (const auto& e : result.facts.endpoints) bindings.push_back(e);
    }
    for (const auto& b : bindings) {
      s.networks.push_back(network_from_network_get(
          nlohmann::json::parse(juju.exec(unit, {"network-get", b, "--format", "json"})), b));
    }
  }
  if (includes(options.include, 'k')) {
    for (const auto& [name, paths] : options.fetch) {
      if (result.spec.find_container(name) == nullptr) {
        throw std::invalid_argument(fmt::format("--fetch: the charm has no container \"{}\"", name));
      }
    }
    for (const auto& k : result.spec.containers) {
      const auto it = options.fetch.find(k.name);
      s.containers.push_back(read_container(juju, unit, k.name, it == options.fetch.end() ? std::vector<std::string>{} : it->second));
    }
  }
  if (includes(options.include, 'S')) s.secrets = read_secrets(juju, unit);
  if (includes(options.include, 'd') || includes(options.include, 't')) {
    temp_file db;
    try {
      juju.scp_from(unit, charm_container_for(s.model), unit.charm_dir() + "/.unit-state.db", db.path());
    } catch (const juju_error& e) {
      throw juju_error(fmt::format("{}\nops' unit-state database could not be copied; a charm that keeps its "
                                   "state in the controller (use_juju_for_storage) has none: leave d and t "
                                   "out of --include", e.what()));
    }
    store::read_unit_state(db.path(), s);
    if (!includes(options.include, 'd')) s.deferred.clear();
    if (!includes(options.include, 't')) s.stored_state.clear();
  }
  return result;
}

}  // namespace scenario::cli
