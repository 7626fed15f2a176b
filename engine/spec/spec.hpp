// The charm spec: metadata.yaml, config.yaml, actions.yaml or the unified charmcraft.yaml,
// parsed into one typed value. Parsing errors raise spec_error naming the file, the key and the problem.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/state/errors.hpp"

namespace scenario::spec {

using json = nlohmann::json;

enum class relation_role { provides, requires_, peers };

struct relation_spec {
  std::string name;
  std::string interface;
  relation_role role = relation_role::requires_;
  std::string scope = "global";  // "global" or "container"
  std::optional<int> limit;
  bool optional = false;
};

struct container_spec {
  std::string name;
  std::optional<std::string> resource;
  std::map<std::string, std::string> mounts;  // storage name -> location
};

struct storage_spec {
  std::string name;
  std::string type;  // filesystem | block
  std::optional<std::string> location;
  bool multiple = false;
  std::optional<std::string> description;
};

struct resource_spec {
  std::string name;
  std::string type;  // file | oci-image
  std::optional<std::string> filename;
};

struct config_option {
  std::string name;
  std::string type;  // string | int | float | boolean | secret
  json default_value;  // null when the option has no default
  std::string description;
};

struct action_spec {
  std::string name;
  std::string description;
  json params = json::object();  // param name -> JSON schema
  std::vector<std::string> required;
  bool additional_properties = true;
};

struct charm_spec {
  std::string name;
  bool subordinate = false;
  std::vector<relation_spec> relations;  // provides, requires and peers, in file order
  std::vector<std::string> extra_bindings;
  std::vector<container_spec> containers;
  std::vector<storage_spec> storages;
  std::vector<resource_spec> resources;
  std::map<std::string, config_option> config;
  std::map<std::string, action_spec> actions;
  // The documents as given (JSON form), e.g. to write them into a virtual charm root.
  json raw_meta = json::object();
  json raw_config;   // null when there is no config
  json raw_actions;  // null when there are no actions
  // What Juju would refuse in these documents but ops-scenario 3.1 accepted (e.g. a container
  // resource not declared under resources), each as "<file>: <path>: <problem>". The
  // consistency checker makes them errors under strict mode and divergences otherwise.
  std::vector<std::string> juju_problems;

  const relation_spec* find_relation(std::string_view endpoint) const;
  const container_spec* find_container(std::string_view name) const;  // '-'/'_' insensitive
};

// From already-parsed documents (e.g. Python dicts passed as JSON). `config` and `actions` may be null.
// `meta` may also be a whole charmcraft.yaml document (with `config:` and `actions:` inside).
charm_spec spec_from_json(const json& meta, const json& config, const json& actions);

// From YAML texts; the names are used in error messages (e.g. "metadata.yaml").
charm_spec spec_from_yaml(const std::string& meta_yaml, const std::string& config_yaml,
                          const std::string& actions_yaml);

// From a charm directory: charmcraft.yaml, else metadata.yaml (+ config.yaml, actions.yaml).
charm_spec spec_from_directory(const std::filesystem::path& charm_root);

}  // namespace scenario::spec
