// GET /v1/plan and POST /v1/layers, and the session's plan under its rules (strict, or
// ops-scenario 3.1's merging with a divergence); the plan itself is plan.cpp's.
#include <fmt/format.h>

#include "engine/pebble/api_detail.hpp"
#include "engine/pebble/plan.hpp"

namespace scenario::pebble::detail {

response get_plan(session& s, const request& r) {
  std::string format = query_value(r, "format");
  if (format != "yaml") return bad_request(fmt::format("invalid format \"{}\"", format));
  return sync_response(plan_to_yaml(s.plan()));
}

response post_layers(session& s, const request& r) {
  json body;
  if (auto bad = decode_body(r, body, "cannot decode request body")) return *bad;
  const auto [action, label, format] = string_fields<3>(body, {"action", "label", "format"});
  if (action != "add") return invalid_action(action);
  if (label.empty()) return bad_request("label must be set");
  if (format != "yaml") return bad_request(fmt::format("invalid format \"{}\"", format));
  try {
    const std::string yaml_text = body.value("layer", "");
    const json* cached = s.layers() ? s.layers()->find(label, yaml_text) : nullptr;
    json parsed;
    if (!cached) {
      parsed = parse_layer_yaml(label, yaml_text);
      if (s.layers()) s.layers()->insert(label, yaml_text, parsed);
    }
    s.add_layer(label, cached ? *cached : parsed, body.value("combine", false));
  } catch (const plan_error& e) {
    return bad_request(e.what());
  } catch (const label_exists& e) {
    return bad_request(e.what());
  }
  return sync_response(true);
}

}  // namespace scenario::pebble::detail

namespace scenario::pebble {

nlohmann::json session::plan() {
  try {
    return combined_plan(container_);
  } catch (const plan_error& e) {
    if (options_.strict) throw;
    nlohmann::json plan = combined_plan(container_, true);  // what 3.1 served; may still fail
    diverge(e.what());
    return plan;
  }
}

void session::add_layer(const std::string& label, const nlohmann::json& layer, bool combine) {
  try {
    pebble::add_layer(container_, label, layer, combine);
  } catch (const plan_error& e) {
    if (options_.strict) throw;
    pebble::add_layer(container_, label, layer, combine, true);  // may still fail: then no divergence
    diverge(e.what());
  }
}

bool session::pebble_rule_binds(const std::string& divergence) {
  if (options_.strict) return true;
  if (options_.divergences != nullptr) options_.divergences->push_back(divergence);
  return false;
}

void session::diverge(const std::string& pebble_error) {
  if (options_.divergences == nullptr) return;
  options_.divergences->push_back(fmt::format(
      "container {:?}: Pebble refuses this plan ({}); served as ops-scenario 3.1 merged it (an "
      "item without \"override\" replaces the earlier one, no plan validation). Strict mode "
      "answers Pebble's 400 instead",
      container_.name, pebble_error));
}

}  // namespace scenario::pebble
