// Services and changes: GET/POST /v1/services, POST /v1/signals, /v1/changes[/{id}[/wait]].
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/pebble/api_detail.hpp"

namespace scenario::pebble::detail {

namespace {

bool is_running(const state::container& c, const std::string& name) {
  auto it = c.service_status.find(name);
  return it != c.service_status.end() && (it->second == "active" || it->second == "backoff");
}

std::string title(const std::string& action) {
  std::string out = action;
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

json task(const session& s, const std::string& kind, const std::string& service,
          const std::string& log_line) {
  std::string verb = kind == "start" ? "Start" : "Stop";
  json log = json::array();
  // Task.Logf (internals/overlord/state/task.go): "<RFC 3339 time> INFO <message>".
  if (!log_line.empty()) log.push_back(s.started_at() + " INFO " + log_line);
  return {{"id", ""}, {"kind", kind}, {"summary", fmt::format("{} service \"{}\"", verb, service)},
          {"status", "Done"}, {"log", log}};
}

// started_configs holds what Pebble's service manager holds in its services map: every service
// started in this container, running or stopped since, with the config it last started with
// (servstate/handlers.go, serviceForStart and serviceForStop).
void start_services(session& s, const json& plan, const std::vector<std::string>& names, json& tasks) {
  for (const auto& name : names) {
    const bool running = is_running(s.container(), name);
    tasks.push_back(task(s, "start", name, running ? fmt::format("Service \"{}\" already started.", name) : ""));
    if (!running) s.container().service_status[name] = "active";
    s.started_configs()[name] = plan["services"][name];
  }
}

void stop_services(session& s, const std::vector<std::string>& names, json& tasks) {
  for (const auto& name : names) {
    std::string log_line;
    if (!is_running(s.container(), name)) {
      log_line = s.started_configs().count(name) != 0
                     ? fmt::format("Service \"{}\" already stopped.", name)
                     : fmt::format("Service \"{}\" has never been started.", name);
    }
    tasks.push_back(task(s, "stop", name, log_line));
    s.container().service_status[name] = "inactive";
  }
}

// Replan as servstate's ServiceManager.Replan (internals/overlord/servstate/manager.go): every
// service the manager knows (started at some point, running or stopped since) whose config
// changed is stopped and started again; so is a running service the State gave without a
// known config. Every startup: enabled service is started too.
void replan(session& s, const json& plan, std::vector<std::string>& stopped, std::vector<std::string>& started) {
  std::vector<std::string> to_stop, to_start;
  std::set<std::string> restart;
  auto& c = s.container();
  std::set<std::string> known;
  for (const auto& [name, status] : c.service_status)
    if (is_running(c, name)) known.insert(name);
  for (const auto& [name, config] : s.started_configs()) known.insert(name);
  for (const auto& name : known) {
    auto cfg = s.started_configs().find(name);
    const bool in_plan = plan["services"].contains(name);
    if (!in_plan && !is_running(c, name)) continue;  // nothing to stop, nothing to start
    if (in_plan && cfg != s.started_configs().end() && cfg->second == plan["services"][name]) continue;
    restart.insert(name);
    to_stop.push_back(name);
  }
  for (const auto& [name, svc] : plan["services"].items()) {
    if (restart.count(name) || svc.value("startup", "") == "enabled") to_start.push_back(name);
  }
  std::vector<std::string> in_plan, gone;
  for (const auto& n : to_stop) (plan["services"].contains(n) ? in_plan : gone).push_back(n);
  stopped = stop_order(plan, in_plan);
  stopped.insert(stopped.end(), gone.begin(), gone.end());
  started = start_order(plan, to_start);
}

}  // namespace

response get_services(session& s, const request& r) {
  auto names = query_list(r, "names");
  json plan = s.plan();
  json out = json::array();
  for (const auto& [name, svc] : plan["services"].items()) {
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    // Pebble reports "enabled" for startup: enabled and "disabled" for anything else, including
    // values it does not know (servstate/manager.go, Services; plan.go does not validate them).
    const std::string startup = svc.value("startup", "") == "enabled" ? "enabled" : "disabled";
    auto it = s.container().service_status.find(name);
    std::string current = it == s.container().service_status.end() ? "inactive" : it->second;
    out.push_back({{"name", name}, {"startup", startup}, {"current", current}});
  }
  return sync_response(out);
}

response post_services(session& s, const request& r) {
  json body;
  if (auto bad = decode_body(r, body)) return *bad;
  auto [action, names] = read_named_action(body, "services");

  json plan = s.plan();
  if (action == "replan" || action == "autostart") {
    if (!names.empty()) return bad_request(fmt::format("{} accepts no service names", action));
    if (action == "autostart") {
      for (const auto& [name, svc] : plan["services"].items())
        if (svc.value("startup", "") == "enabled") names.push_back(name);
      if (names.empty()) return bad_request("no default services", error_kind::no_default_services);
    }
  } else if (names.empty()) {
    return bad_request(fmt::format("must specify services for {} action", action));
  }

  json tasks = json::array();
  std::vector<std::string> affected;  // resolved services, for the summary's count
  std::vector<std::string> summary_names = names;
  try {
    if (action == "start" || action == "autostart") {
      affected = start_order(plan, names);
      start_services(s, plan, affected, tasks);
    } else if (action == "stop") {
      affected = stop_order(plan, names);
      stop_services(s, affected, tasks);
    } else if (action == "restart") {
      auto stops = stop_order(plan, names);
      std::vector<std::string> named_stops;
      for (const auto& n : stops)
        if (std::find(names.begin(), names.end(), n) != names.end()) named_stops.push_back(n);
      affected = start_order(plan, names);
      stop_services(s, named_stops, tasks);
      start_services(s, plan, affected, tasks);
    } else if (action == "replan") {
      std::vector<std::string> stopped, started;
      replan(s, plan, stopped, started);
      stop_services(s, stopped, tasks);
      start_services(s, plan, started, tasks);
      std::set<std::string> all(stopped.begin(), stopped.end());
      all.insert(started.begin(), started.end());
      summary_names.assign(all.begin(), all.end());
      affected = summary_names;
    } else {
      return invalid_action(action);
    }
  } catch (const plan_error& e) {
    return bad_request(fmt::format("cannot {} services: {}", action, e.what()));
  }

  change_record change;
  change.kind = action;
  if (tasks.empty()) {
    change.summary = fmt::format("{} - no services", title(action));
  } else if (affected.size() == 1) {
    change.summary = fmt::format("{} service \"{}\"", title(action), summary_names.at(0));
  } else {
    change.summary = fmt::format("{} service \"{}\" and {} more", title(action), summary_names.at(0), affected.size() - 1);
  }
  change.tasks = tasks;
  if (!tasks.empty()) change.data = {{"service-names", summary_names}};
  std::string id = s.add_change(std::move(change));
  // Task ids are unique across the session's changes.
  auto* stored = s.find_change(id);
  for (size_t i = 0; i < stored->tasks.size(); ++i) stored->tasks[i]["id"] = fmt::format("{}-{}", id, i);
  return async_response(id);
}

response post_signals(session& s, const request& r) {
  json body = parse_body(r);
  std::string signal = body.value("signal", "");
  auto names = name_list(body, "services");
  static const std::set<std::string> known = {"SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGTERM", "SIGUSR1",
                                              "SIGUSR2", "SIGSTOP", "SIGCONT", "SIGALRM", "SIGWINCH"};
  if (!known.count(signal)) return bad_request(fmt::format("invalid signal name \"{}\"", signal));
  if (names.empty()) return bad_request("must specify one or more services");
  for (const auto& n : names) {
    if (!is_running(s.container(), n))
      return internal_server_error(fmt::format("cannot send signal to \"{}\": service is not running", n));
  }
  return sync_response(true);
}

response get_changes(session& s, const request& r) {
  std::string select = query_value(r, "select");
  if (select.empty()) select = "in-progress";
  if (select != "all" && select != "in-progress" && select != "ready")
    return bad_request("select should be one of: all,in-progress,ready");
  std::string for_service = query_value(r, "for");
  json out = json::array();
  for (const auto* c : s.changes()) {
    if (select == "in-progress" && c->ready) continue;
    if (select == "ready" && !c->ready) continue;
    if (!for_service.empty()) {
      const json& names = c->data.contains("service-names") ? c->data["service-names"] : json::array();
      if (std::find(names.begin(), names.end(), json(for_service)) == names.end()) continue;
    }
    out.push_back(change_to_json(s, *c));
  }
  return sync_response(out);
}

response get_change(session& s, const request&, const std::string& id) {
  const auto* c = s.find_change(id);
  if (!c) return not_found(fmt::format("cannot find change with id \"{}\"", id));
  return sync_response(change_to_json(s, *c));
}

response post_change(session& s, const request& r, const std::string& id) {
  auto* c = s.find_change(id);
  if (!c) return not_found(fmt::format("cannot find change with id \"{}\"", id));
  json body;
  if (auto bad = decode_body(r, body)) return *bad;
  std::string action = body.value("action", "");
  if (action != "abort") return invalid_action(action);
  if (c->ready) return bad_request(fmt::format("cannot abort change {} with nothing pending", id));
  c->status = "Undone";  // nothing is actually running in the simulation: abort settles at once
  c->ready = true;
  return sync_response(change_to_json(s, *c));
}

response get_change_wait(session& s, const request& r, const std::string& id) {
  const auto* c = s.find_change(id);
  if (!c) return not_found(fmt::format("cannot find change with id \"{}\"", id));
  std::string timeout = query_value(r, "timeout");
  if (!timeout.empty() && !parse_go_duration(timeout))
    return bad_request(fmt::format("invalid timeout: time: invalid duration \"{}\"", timeout));
  // Nothing progresses while the charm waits, so a change that is not ready now never will be.
  if (!c->ready)
    return gateway_timeout(fmt::format("timed out waiting for change after {}",
                                           format_go_duration(timeout.empty() ? 0 : *parse_go_duration(timeout))));
  return sync_response(change_to_json(s, *c));
}

}  // namespace scenario::pebble::detail
