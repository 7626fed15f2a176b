// is-leader, unit-get, goal-state, leader-get, leader-set, credential-get, state-get,
// state-set, state-delete, application-version-set, juju-reboot, resource-get.
#include <set>

#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

// Goal-state timestamps: Scenario has no clock of the model, so a fixed instant in Juju's
// FormatTime form (RFC 3339 with a space), which ops parses.
constexpr const char* goal_state_since = "2024-01-01 00:00:00Z";

std::string is_leader(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  expect_positionals(args, 0, 0, "");
  return format_output(ctx.state.leader, args);
}

// unit-get private-address|public-address: the first address of the juju-info binding.
std::string unit_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  if (args.positional.empty()) throw usage_error("no setting specified");
  const std::string key = args.positional[0];
  if (key != "private-address" && key != "public-address") {
    throw usage_error("unknown setting \"" + key + "\"");
  }
  expect_positionals(args, 1, 1, "");
  auto net = binding_network(ctx, "juju-info");
  std::string addr;
  if (net) {
    for (const auto& b : net->bind_addresses) {
      for (const auto& a : b.addresses) {
        if (addr.empty()) addr = a.value.empty() ? a.address : a.value;
      }
    }
    if (key == "public-address" && !net->ingress_addresses.empty()) addr = net->ingress_addresses[0];
  }
  if (addr.empty()) throw tool_error(key + " not set");
  return format_output(addr, args);
}

// goal-state: this application's units (this unit, its peers, and enough others to make
// planned_units; extra peers beyond planned_units are "dying") and every related unit.
std::string goal_state(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  expect_positionals(args, 0, 0, "");
  std::set<int> ids{ctx.state.unit_id};
  for (const auto& r : ctx.state.relations) {
    if (r.kind != state::relation_kind::peer) continue;
    for (const auto& [id, bag] : r.remote_units_data) ids.insert(id);
  }
  for (int next = 0; static_cast<int>(ids.size()) < ctx.state.planned_units; ++next) ids.insert(next);
  int alive = 0;
  json units = json::object();
  // This unit first, then the lowest ids: the rest beyond planned_units are on their way out.
  std::vector<int> order{ctx.state.unit_id};
  for (int id : ids) {
    if (id != ctx.state.unit_id) order.push_back(id);
  }
  for (int id : order) {
    const bool dying = alive >= ctx.state.planned_units;
    if (!dying) ++alive;
    units[ctx.app_name + "/" + std::to_string(id)] =
        json{{"status", dying ? "dying" : "active"}, {"since", goal_state_since}};
  }
  json relations = json::object();
  for (const auto& r : ctx.state.relations) {
    json& entry = relations[r.endpoint];
    if (!entry.is_object()) entry = json::object();
    const std::string app = util::remote_app(ctx, r);
    entry[app] = json{{"status", "joined"}, {"since", goal_state_since}};
    for (const auto& [id, bag] : r.remote_units_data) {
      if (r.kind == state::relation_kind::peer && id == ctx.state.unit_id) continue;
      entry[app + "/" + std::to_string(id)] = json{{"status", "active"}, {"since", goal_state_since}};
    }
  }
  const std::string format = args.get("format").value_or("yaml");
  parsed_args out_args = args;
  out_args.values["format"] = {format == "smart" ? "yaml" : format};  // goal-state has no smart
  return format_output(json{{"units", units}, {"relations", relations}}, out_args);
}

// leader-get [<key>|-]: the legacy leader-settings bucket.
std::string leader_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  expect_positionals(args, 0, 1, "");
  json all = json::object();
  for (const auto& [k, v] : ctx.leader_settings) all[k] = v;
  if (args.positional.empty() || args.positional[0] == "-") return format_output(all, args);
  auto it = ctx.leader_settings.find(args.positional[0]);
  return format_output(it == ctx.leader_settings.end() ? json(nullptr) : json(it->second), args);
}

// leader-set key=value...: only the leader; an empty value deletes the key.
std::string leader_set(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  auto settings = util::parse_key_values(args.positional);
  if (!ctx.state.leader) {
    throw tool_error("cannot write leadership settings: cannot write settings: not the leader");
  }
  for (const auto& [k, v] : settings) {
    if (v.empty()) {
      ctx.leader_settings.erase(k);
    } else {
      ctx.leader_settings[k] = v;
    }
  }
  return "";
}

// credential-get: the model's cloud spec, for trusted applications only.
std::string credential_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  expect_positionals(args, 0, 0, "");
  if (!ctx.app_trusted) throw tool_error("cannot access cloud credentials: permission denied");
  if (!ctx.cloud_spec) {
    throw tool_error(
        "cannot access cloud credentials: no cloud spec in this scenario (give the model a "
        "cloud_spec)");
  }
  return format_output(*ctx.cloud_spec, args);
}

// state-get [<key>|-] [--strict]: controller-side charm state.
std::string state_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"strict", 0, false}});
  expect_positionals(args, 0, 1, "");
  if (args.positional.empty() || args.positional[0] == "-" || args.positional[0].empty()) {
    json all = json::object();
    for (const auto& [k, v] : ctx.controller_state) all[k] = v;
    return format_output(all, args);
  }
  const std::string& key = args.positional[0];
  auto it = ctx.controller_state.find(key);
  if (it == ctx.controller_state.end()) {
    if (flag_bool(args, "strict")) throw tool_error("\"" + key + "\" not found");
    // Juju's GetCharmStateValue gives "" with its not-found error: JSON and YAML print `""`,
    // smart prints nothing.
    return format_output("", args);
  }
  return format_output(it->second, args);
}

// state-set [--file PATH|-] [key=value...]: arguments override the file.
std::string state_set(hook_context& ctx, const std::vector<std::string>& argv, std::string_view stdin_data) {
  auto args = parse_args(argv, {{"file", 0, true}}, format_flag::undefined);
  auto values = util::parse_key_values(args.positional);
  if (auto file = args.get("file")) {
    auto from_file = util::read_settings_file(*file, stdin_data, util::max_state_file_bytes, "state");
    for (auto& [k, v] : values) from_file[k] = v;
    values = std::move(from_file);
  }
  for (const auto& [k, v] : values) ctx.controller_state[k] = v;
  return "";
}

// state-delete [<key>]: without a key (or with an empty one) nothing is deleted and the tool
// succeeds, as Juju's state-delete.go does (Run returns early on an empty key).
std::string state_delete(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {}, format_flag::undefined);
  expect_positionals(args, 0, 1, "");
  if (args.positional.empty() || args.positional[0].empty()) return "";
  ctx.controller_state.erase(args.positional[0]);
  return "";
}

// application-version-set <version>: takes effect at once; the old value is kept as previous.
std::string application_version_set(hook_context& ctx, const std::vector<std::string>& argv,
                                    std::string_view) {
  auto args = parse_args(argv, {}, format_flag::undefined);
  if (args.positional.empty()) throw usage_error("no version specified");
  expect_positionals(args, 1, 1, "");
  auto& st = ctx.state.status;
  st.previous_workload_version = st.workload_version;
  st.workload_version = args.positional[0];
  return "";
}

// juju-reboot [--now]: recorded in hook_context::reboot_requested; refused in actions.
std::string juju_reboot(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"now", 0, false}});
  expect_positionals(args, 0, 0, "");
  if (ctx.action_name) throw tool_error("juju-reboot is not supported when running an action.");
  ctx.reboot_requested = flag_bool(args, "now") ? "now" : "after-hook";
  return "";
}

// resource-get <name>: the local path of the resource file.
std::string resource_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  if (args.positional.empty()) throw usage_error("missing required resource name");
  expect_positionals(args, 1, 1, "");
  const std::string& name = args.positional[0];
  for (const auto& r : ctx.state.resources) {
    if (r.name == name) return format_output(r.path, args);
  }
  throw tool_error("could not download resource: resource \"" + name + "\" not found");
}

// A Juju tool whose subject a State cannot hold: each call fails saying so and what to do,
// instead of the charm finding no such program.
tool_fn not_simulated(std::string why) {
  return [why = std::move(why)](hook_context&, const std::vector<std::string>&,
                                std::string_view) -> std::string { throw tool_error(why); };
}

void register_unsimulated_tools(tool_table& table) {
  table["add-metric"] = not_simulated(
      "add-metric is not simulated: a State holds no metrics (Juju takes them only in "
      "collect-metrics, from metered charms); patch the charm's add_metrics call in the test");
  for (const char* tool : {"pod-spec-get", "pod-spec-set", "k8s-spec-set", "k8s-raw-set"}) {
    table[tool] = not_simulated(
        std::string(tool) +
        " is not simulated: pod-spec charms are not supported; a sidecar charm declares "
        "containers and drives them through Pebble, which a State's Containers simulate");
  }
  for (const char* tool : {"payload-register", "payload-unregister", "payload-status-set"}) {
    table[tool] = not_simulated(std::string(tool) +
                                " is not simulated: a State holds no payloads; patch the call "
                                "in the test");
  }
}

}  // namespace

void register_misc_tools(tool_table& table) {
  register_unsimulated_tools(table);
  add_tools(table, {
      {"is-leader", is_leader}, {"unit-get", unit_get}, {"goal-state", goal_state},
      {"leader-get", leader_get}, {"leader-set", leader_set}, {"credential-get", credential_get},
      {"state-get", state_get}, {"state-set", state_set}, {"state-delete", state_delete},
      {"application-version-set", application_version_set}, {"juju-reboot", juju_reboot},
      {"resource-get", resource_get}
  });
}

}  // namespace scenario::agent
