// Helpers shared by the hook-tool families: unit/app naming, relation lookup by `-r`, the
// hook's default relation, key=value arguments and settings files. Internal to engine/agent.
#pragma once

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/agent/agent.hpp"
#include "engine/agent/argv.hpp"

namespace scenario::agent::util {

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Go's strconv.Atoi for the plain decimal forms Juju sees; nullopt when not a number.
inline std::optional<long long> to_int(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

inline std::string atoi_error(std::string_view s) {
  return "strconv.Atoi: parsing \"" + std::string(s) + "\": invalid syntax";
}

// The application on the other side of `rel`: for peer relations it is this application.
inline std::string remote_app(const hook_context& ctx, const state::relation& rel) {
  return rel.kind == state::relation_kind::peer ? ctx.app_name : rel.remote_app_name;
}

inline std::string remote_unit_name(const hook_context& ctx, const state::relation& rel, int id) {
  return remote_app(ctx, rel) + "/" + std::to_string(id);
}

inline state::relation* find_relation(hook_context& ctx, int id) {
  for (auto& r : ctx.state.relations) {
    if (r.relation_id == id) return &r;
  }
  return nullptr;
}

// The relation the running hook is about (JUJU_RELATION_ID), if any.
inline std::optional<int> hook_relation_id(const hook_context& ctx) {
  if (!ctx.event.relation_id) return std::nullopt;
  const std::string& n = ctx.event.name;
  for (std::string_view suffix : {"_relation_created", "_relation_joined", "_relation_changed",
                                  "_relation_departed", "_relation_broken"}) {
    if (ends_with(n, suffix)) return ctx.event.relation_id;
  }
  return std::nullopt;
}

inline bool hook_is(const hook_context& ctx, std::string_view suffix, int relation_id) {
  return hook_relation_id(ctx) == relation_id && ends_with(ctx.event.name, suffix);
}

// The unit that is departing in a relation-departed hook (JUJU_DEPARTING_UNIT), if any.
// Whether a Juju rule that ops-scenario 3.1 did not follow binds: under strict mode, yes.
// Otherwise the tool answers as 3.1 did and this records `divergence` (the rule, the call and
// what 3.1's answer was) for the run to report.
inline bool juju_rule_binds(hook_context& ctx, const std::string& divergence) {
  if (ctx.strict) return true;
  ctx.divergences.push_back(divergence + "; strict mode answers as Juju does");
  return false;
}

inline std::optional<int> departing_unit(const hook_context& ctx, int relation_id) {
  if (!hook_is(ctx, "_relation_departed", relation_id)) return std::nullopt;
  if (ctx.event.relation_departed_unit_id) return ctx.event.relation_departed_unit_id;
  return ctx.event.relation_remote_unit_id;
}

// Resolves `-r`/`--relation` like Juju's relationIdValue: everything up to the last ':' is the
// endpoint (ops >= 3.7.1 sends `endpoint:id`), the rest the id. Without the flag, the hook's
// relation; without either, "no relation id specified". A mismatching endpoint is treated as
// an unknown relation, as ops' own Scenario does.
inline state::relation& relation_from_flag(hook_context& ctx, const parsed_args& args) {
  if (auto ref = args.get("relation")) {
    const auto colon = ref->rfind(':');
    const std::string id_text = colon == std::string::npos ? *ref : ref->substr(colon + 1);
    const std::string flag = "-r";
    auto id = to_int(id_text);
    if (!id) throw usage_error("invalid value \"" + *ref + "\" for flag " + flag + ": invalid relation id");
    state::relation* rel = find_relation(ctx, static_cast<int>(*id));
    if (rel == nullptr ||
        (colon != std::string::npos && colon > 0 && ref->substr(0, colon) != rel->endpoint)) {
      throw usage_error("invalid value \"" + *ref + "\" for flag " + flag + ": relation not found");
    }
    return *rel;
  }
  if (auto id = hook_relation_id(ctx)) {
    if (state::relation* rel = find_relation(ctx, *id)) return *rel;
    throw tool_error("relation not found");
  }
  throw usage_error("no relation id specified");
}

// keyvalues.Parse(args, allowEmptyValues=true) from juju/utils.
inline std::map<std::string, std::string> parse_key_values(const std::vector<std::string>& args) {
  std::map<std::string, std::string> out;
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw usage_error("expected \"key=value\", got \"" + arg + "\"");
    }
    const std::string key = arg.substr(0, eq);
    if (out.count(key) != 0) throw usage_error("key \"" + key + "\" specified more than once");
    out[key] = arg.substr(eq + 1);
  }
  return out;
}

// Reads a `--file` settings document (a YAML map of strings; JSON is YAML): `-` is stdin.
// Scalars keep their text, as go-yaml does when decoding into map[string]string; null is "".
inline std::map<std::string, std::string> read_settings_file(const std::string& path,
                                                             std::string_view stdin_data) {
  std::string text;
  if (path == "-") {
    text = std::string(stdin_data);
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw tool_error("open " + path + ": no such file or directory");
    std::ostringstream buf;
    buf << in.rdbuf();
    text = buf.str();
  }
  std::map<std::string, std::string> out;
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw tool_error("yaml: " + std::string(e.what()));
  }
  if (!doc || doc.IsNull()) return out;
  if (!doc.IsMap()) throw tool_error("yaml: cannot unmarshal settings: expected a map of strings");
  for (const auto& kv : doc) {
    if (!kv.first.IsScalar()) throw tool_error("yaml: settings keys must be strings");
    const std::string key = kv.first.as<std::string>();
    if (kv.second.IsNull()) {
      out[key] = "";
    } else if (kv.second.IsScalar()) {
      out[key] = kv.second.as<std::string>();
    } else {
      throw tool_error("yaml: cannot unmarshal a " +
                       std::string(kv.second.IsMap() ? "map" : "list") + " into the string value of \"" +
                       key + "\"");
    }
  }
  return out;
}

// Raises Juju's "not running an action" outside an action hook.
inline void require_action(const hook_context& ctx) {
  if (!ctx.action_name) throw tool_error("not running an action");
}

// Every binding name the charm declares: its endpoints, extra-bindings and juju-info.
inline bool is_binding(const hook_context& ctx, std::string_view name) {
  if (name == "juju-info") return true;
  for (const auto& r : ctx.spec.relations) {
    if (r.name == name) return true;
  }
  return std::find(ctx.spec.extra_bindings.begin(), ctx.spec.extra_bindings.end(), name) !=
         ctx.spec.extra_bindings.end();
}

}  // namespace scenario::agent::util

namespace scenario::agent {
// The network of `binding` (tool_network.cpp): the State's entry, else a default network for
// any binding the charm declares; nullopt for an unknown binding.
std::optional<state::network> binding_network(const hook_context& ctx, const std::string& binding);
// The first address bound on the network ("" if none).
std::string first_address(const state::network& n);
// The address others reach the unit at: the first ingress address, else first_address().
std::string ingress_address(const state::network& n);
}  // namespace scenario::agent
