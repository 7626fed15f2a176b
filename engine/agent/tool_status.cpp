// status-get, status-set.
#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

const flag_spec application_flag{"application", 0, false};

// Juju's ErrIsNotLeader.
constexpr const char* not_leader = "this unit is not the leader";

json details(const state::entity_status& s, bool include_data) {
  json out{{"status", s.name}};
  if (include_data) {
    out["message"] = s.message;
    out["status-data"] = json::object();  // Scenario has no status data
  }
  return out;
}

// status-get [--include-data] [--application]: the bare status in smart format; otherwise a
// map, with "message" and "status-data" when --include-data is given. --application needs
// leadership and reports the application with its units (only this unit is modelled).
std::string status_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"include-data", 0, false}, application_flag});
  expect_positionals(args, 0, 0, "");
  const bool include_data = flag_bool(args, "include-data");
  const bool smart = args.get("format").value_or("smart") == "smart";
  const auto& st = ctx.state.status;
  if (flag_bool(args, "application")) {
    if (!ctx.state.leader) throw tool_error(std::string("finding application status: ") + not_leader);
    if (!include_data && smart) return format_output(st.app.name, args);
    json app = details(st.app, include_data);
    app["units"] = json{{ctx.unit_name(), details(st.unit, include_data)}};
    return format_output(json{{"application-status", app}}, args);
  }
  if (!include_data && smart) return format_output(st.unit.name, args);
  return format_output(details(st.unit, include_data), args);
}

// status-set [--application] <maintenance|blocked|waiting|active> [message]. The previous
// status goes to the history, even when the new one is identical (Juju re-stamps it).
std::string status_set(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {application_flag}, format_flag::undefined);
  const auto& pos = args.positional;
  if (pos.empty()) throw usage_error("invalid args, require <status> [message]");
  static const char* valid[] = {"maintenance", "blocked", "waiting", "active"};
  if (std::find(std::begin(valid), std::end(valid), pos[0]) == std::end(valid)) {
    throw usage_error("invalid status \"" + pos[0] +
                      "\", expected one of [maintenance blocked waiting active]");
  }
  expect_positionals(args, 1, 2, "");
  const state::entity_status next{pos[0], pos.size() > 1 ? pos[1] : ""};
  auto& st = ctx.state.status;
  if (flag_bool(args, "application")) {
    if (!ctx.state.leader) throw tool_error(not_leader);
    st.app_history.push_back(st.app);
    st.app = next;
  } else {
    st.unit_history.push_back(st.unit);
    st.unit = next;
  }
  return "";
}

}  // namespace

void register_status_tools(tool_table& table) {
  add_tools(table, {{"status-get", status_get}, {"status-set", status_set}});
}

}  // namespace scenario::agent
