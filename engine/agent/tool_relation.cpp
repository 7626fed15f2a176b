// relation-ids, relation-list, relation-get, relation-set, relation-model-get.
#include <fmt/format.h>

#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"
#include "engine/state/juju_names.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

const flag_spec relation_flag{"relation", 'r', true};
const flag_spec app_flag{"app", 0, false};

json bag_json(const state::databag& bag) {
  json out = json::object();
  for (const auto& [k, v] : bag) out[k] = v;
  return out;
}

// The unit's own settings as Juju keeps them: Juju writes the unit's addresses on the
// relation's binding into them when the unit joins (private-address, ingress-address,
// egress-subnets), so a State's local_unit_data need not spell them out. What the State or
// the charm set under those keys wins.
state::databag with_juju_unit_keys(const hook_context& ctx, const state::relation& rel,
                                   const state::databag& bag) {
  state::databag out = bag;
  const auto net = binding_network(ctx, rel.endpoint);
  if (!net) return out;
  const std::string ingress = ingress_address(*net);
  const std::string egress = fmt::format("{}", fmt::join(net->egress_subnets, ","));
  if (!ingress.empty()) {
    out.try_emplace("private-address", ingress);
    out.try_emplace("ingress-address", ingress);
  }
  if (!egress.empty()) out.try_emplace("egress-subnets", egress);
  return out;
}

bool is_broken_now(const hook_context& ctx, const state::relation& rel) {
  return util::hook_is(ctx, "_relation_broken", rel.relation_id);
}

// From Juju 3.4 on, HookContext.RelationIds (internal/worker/uniter/runner/context/context.go)
// skips a relation marked broken, i.e. the one whose -relation-broken hook is running; earlier
// versions list it. Peer relations are never left out. ops-scenario 3.1 listed it always, so a
// default run on 3.4+ still lists it and reports the divergence.
bool left_out_while_broken(hook_context& ctx, const state::relation& rel) {
  if (!is_broken_now(ctx, rel) || rel.kind == state::relation_kind::peer) return false;
  if (!util::juju_version_of(ctx).at_least(3, 4)) return false;
  return util::juju_rule_binds(
      ctx, fmt::format("relation-ids {}: Juju {} (3.4 and later) leaves relation {} out during "
                       "its own relation-broken hook; listed as ops-scenario 3.1 did",
                       rel.endpoint, ctx.juju_version, rel.relation_id));
}

// relation-ids [<endpoint>]: "endpoint:id" of every live relation on the endpoint.
std::string relation_ids(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  expect_positionals(args, 0, 1, "endpoint name");
  std::string endpoint;
  if (!args.positional.empty()) {
    endpoint = args.positional[0];
  } else if (auto id = util::hook_relation_id(ctx)) {
    if (auto* rel = util::find_relation(ctx, *id)) endpoint = rel->endpoint;
  }
  if (endpoint.empty()) throw usage_error("no endpoint name specified");
  std::vector<const state::relation*> found;
  for (const auto& r : ctx.state.relations) {
    if (r.endpoint != endpoint) continue;
    if (left_out_while_broken(ctx, r)) continue;
    found.push_back(&r);
  }
  // Juju's relation-ids.go sorts the ids as strings (sort.Strings): db:1, db:10, db:2. With none,
  // it writes an empty list: nothing in smart format, `[]` in JSON and YAML.
  std::vector<std::string> ids;
  for (auto* r : found) ids.push_back(r->endpoint + ":" + std::to_string(r->relation_id));
  std::sort(ids.begin(), ids.end());
  return format_output(json(ids), args);
}

// relation-list [-r ID] [--app]: the remote units (peers: the other peer units), or with --app
// the remote application's name.
std::string relation_list(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {relation_flag, app_flag});
  state::relation& rel = util::relation_from_flag(ctx, args);
  expect_positionals(args, 0, 0, "");
  if (flag_bool(args, "app")) return format_output(util::remote_app(ctx, rel), args);
  std::vector<std::string> units;
  // By the time relation-broken runs every remote unit has departed.
  if (!is_broken_now(ctx, rel) || rel.remote_units_data.empty() ||
      !util::juju_rule_binds(ctx, fmt::format("relation-list -r {}: by relation-broken every "
                                              "remote unit has departed, so Juju lists none; "
                                              "listed as ops-scenario 3.1 did",
                                              rel.relation_id))) {
    const auto departing = util::departing_unit(ctx, rel.relation_id);
    for (const auto& [id, bag] : rel.remote_units_data) {
      if (rel.kind == state::relation_kind::peer && id == ctx.state.unit_id) continue;
      if (departing && id == *departing) continue;
      units.push_back(util::remote_unit_name(ctx, rel, id));
    }
  }
  // Juju's RelationCache.MemberNames (runner/context/cache.go) sorts the names as strings:
  // remote/0, remote/10, remote/2.
  std::sort(units.begin(), units.end());
  return format_output(json(units), args);
}

// ops-scenario 3.1 took application names Juju refuses (e.g. "remote_app"). Outside strict
// mode, such a name that the State itself gave (this app or the relation's remote app) is read
// as 3.1 read it.
bool accepted_as_in_3_1(hook_context& ctx, const state::relation& rel, const std::string& given,
                        bool app) {
  const auto slash = given.find('/');
  if (!app && slash == std::string::npos) return false;
  const std::string app_part = app ? given : given.substr(0, slash);
  if (app_part != util::remote_app(ctx, rel) && app_part != ctx.app_name) return false;
  return !util::juju_rule_binds(
      ctx, fmt::format("relation-get: {:?} is not a valid Juju {} name; read as ops-scenario "
                       "3.1 did",
                       given, app ? "application" : "unit"));
}

// relation-get [-r ID] [--app] [<key>|- [<unit-or-app>]]
std::string relation_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {relation_flag, app_flag});
  state::relation& rel = util::relation_from_flag(ctx, args);
  bool app = flag_bool(args, "app");
  std::vector<std::string> pos = args.positional;
  std::string key;
  if (!pos.empty()) {
    key = pos.front() == "-" ? "" : pos.front();
    pos.erase(pos.begin());
  }
  // The defaults come from the hook (JUJU_REMOTE_UNIT / JUJU_REMOTE_APP), whatever -r says.
  std::optional<std::string> hook_unit;
  std::optional<std::string> hook_app;
  if (auto hid = util::hook_relation_id(ctx)) {
    if (auto* hrel = util::find_relation(ctx, *hid)) {
      if (!util::hook_is(ctx, "_relation_broken", *hid) && ctx.event.relation_remote_unit_id) {
        hook_unit = util::remote_unit_name(ctx, *hrel, *ctx.event.relation_remote_unit_id);
      }
      hook_app = util::remote_app(ctx, *hrel);
    }
  }
  std::string target;
  if (!pos.empty()) {
    const std::string given = pos.front();
    pos.erase(pos.begin());
    if (app) {
      if (state::is_valid_application_name(given) || accepted_as_in_3_1(ctx, rel, given, true)) {
        target = given;
      } else if (state::is_valid_unit_name(given)) {
        target = given.substr(0, given.find('/'));
      }
    } else {
      if (!state::is_valid_unit_name(given) && !accepted_as_in_3_1(ctx, rel, given, false)) {
        if (state::is_valid_application_name(given)) {
          throw usage_error("expected unit name, got application name \"" + given + "\"");
        }
        throw usage_error("invalid unit name \"" + given + "\"");
      }
      target = given;
    }
  } else if (app) {
    if (!hook_app) throw usage_error("no unit or application specified");
    target = *hook_app;
  } else if (hook_unit) {
    target = *hook_unit;
  } else if (hook_app) {
    target = *hook_app;
    app = true;
  } else {
    throw usage_error("no unit or application specified");
  }
  if (!pos.empty()) throw usage_error("unrecognized args: [" + go_quote(pos.front()) + "]");

  const state::databag* bag = nullptr;
  state::databag own_settings;
  if (app) {
    if (target == ctx.app_name) {
      // The leader reads its own bag locally; anyone else asks the controller, which only
      // allows it on peer relations.
      if (ctx.state.leader || rel.kind == state::relation_kind::peer ||
          !util::juju_rule_binds(ctx, fmt::format("relation-get -r {} --app: Juju refuses a "
                                                  "non-leader unit its own application's "
                                                  "databag (permission denied); read as "
                                                  "ops-scenario 3.1 did",
                                                  rel.relation_id))) {
        bag = &rel.local_app_data;
      } else {
        throw tool_error("permission denied");
      }
    } else if (target == util::remote_app(ctx, rel)) {
      bag = &rel.remote_app_data;
    } else {
      throw tool_error("permission denied");
    }
  } else if (target == ctx.unit_name()) {
    own_settings = with_juju_unit_keys(ctx, rel, rel.local_unit_data);
    bag = &own_settings;
  } else {
    const auto slash = target.find('/');
    const std::string unit_app = target.substr(0, slash);
    const auto id = util::to_int(target.substr(slash + 1));
    if (unit_app == util::remote_app(ctx, rel) && id) {
      auto it = rel.remote_units_data.find(static_cast<int>(*id));
      if (it != rel.remote_units_data.end()) bag = &it->second;
    }
    if (bag == nullptr) throw tool_error("permission denied");
  }
  if (key.empty()) return format_output(bag_json(*bag), args);
  auto it = bag->find(key);
  return format_output(it == bag->end() ? json(nullptr) : json(it->second), args);
}

// relation-set [-r ID] [--app] [--file PATH|-] [key=value ...]; an empty value deletes the key.
std::string relation_set(hook_context& ctx, const std::vector<std::string>& argv,
                         std::string_view stdin_data) {
  auto args = parse_args(argv, {relation_flag, app_flag, {"file", 0, true}});
  state::relation& rel = util::relation_from_flag(ctx, args);
  auto settings = util::parse_key_values(args.positional);
  if (auto file = args.get("file")) {
    auto from_file = util::read_settings_file(*file, stdin_data, util::max_relation_settings_file_bytes,
                                                "relation settings");
    for (auto& [k, v] : settings) from_file[k] = v;  // key=value arguments win
    settings = std::move(from_file);
  }
  state::databag* bag = &rel.local_unit_data;
  if (flag_bool(args, "app")) {
    if (!ctx.state.leader) throw tool_error("cannot write relation settings");
    bag = &rel.local_app_data;
  }
  for (const auto& [k, v] : settings) {
    if (v.empty()) {
      bag->erase(k);
    } else {
      (*bag)[k] = v;
    }
  }
  return "";
}

// relation-model-get [-r ID]: the model the remote application lives in.
std::string relation_model_get(hook_context& ctx, const std::vector<std::string>& argv,
                               std::string_view) {
  auto args = parse_args(argv, {relation_flag});
  state::relation& rel = util::relation_from_flag(ctx, args);
  expect_positionals(args, 0, 0, "");
  return format_output(json{{"uuid", rel.remote_model_uuid.value_or(ctx.state.model.uuid)}}, args);
}

}  // namespace

void register_relation_tools(tool_table& table) {
  add_tools(table, {
      {"relation-ids", relation_ids}, {"relation-list", relation_list},
      {"relation-get", relation_get}, {"relation-set", relation_set},
      {"relation-model-get", relation_model_get}
  });
}

}  // namespace scenario::agent
