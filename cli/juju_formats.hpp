// Juju's JSON output formats, both ways: the stand-in `juju` writes them from State files, and
// snapshot reads them back into State fields. One place per format, so writer and reader agree;
// the Juju source each follows is cited in docs/cli.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/spec/spec.hpp"
#include "engine/state/state.hpp"

namespace scenario::cli {

using nlohmann::json;

// The keys Juju writes into every unit's relation settings itself.
inline const std::vector<std::string> juju_relation_keys{"egress-subnets", "ingress-address",
                                                         "private-address"};

// One unit as the stand-in serves it.
struct unit_view {
  std::string app;
  const state::state* state = nullptr;
  const spec::charm_spec* spec = nullptr;
  std::string unit_name() const { return app + "/" + std::to_string(state->unit_id); }
};

// ---- writers (the stand-in) ----
// `juju models --format json` for a single model.
json models_json(const state::model_info& model);
// `juju status --relations --format json` of the units given (one model).
json status_json(const std::vector<unit_view>& units, const std::string& juju_version,
                 const std::string& timestamp);
// `juju show-unit UNIT --format json`.
json show_unit_json(const unit_view& unit);
// `juju config APP --format json`.
json config_json(const unit_view& unit);

// ---- readers (snapshot) ----
// Model name, uuid and type (kubernetes|lxd) from `juju models`; `wanted` empty: current model.
state::model_info model_from_models(const json& models, const std::string& wanted);

struct status_facts {
  state::status_record status;
  std::vector<std::string> endpoints;  // relation endpoints of the application
  std::string juju_version;
  std::string controller_timestamp;
};
status_facts status_from_status(const json& status, const std::string& app,
                                const std::string& unit);

// Relations from show-unit's relation-info: endpoint, kind and interface (from the charm's
// metadata), remote application and units and their data. Local databags are left empty (the
// unit reads them with relation-get). Juju's own keys are dropped from unit data unless
// `keep_juju_keys`.
std::vector<state::relation> relations_from_show_unit(const json& show_unit, const std::string& unit,
                                                      const spec::charm_spec& spec,
                                                      bool keep_juju_keys);
// The options the operator set (source other than "default") in `juju config`, typed as the
// charm declares them.
json config_from_config(const json& config);
// network-get's JSON (network-get ENDPOINT --format json) as a Network named `endpoint`.
state::network network_from_network_get(const json& answer, const std::string& endpoint);

// Removes Juju's own keys from a databag.
void drop_juju_relation_keys(state::databag& bag);

}  // namespace scenario::cli
