// Checks and health: GET/POST /v1/checks, GET /v1/health. Check config comes from the plan,
// runtime status (status/failures/startup) from container.check_infos.
#include <algorithm>

#include <fmt/format.h>

#include "engine/pebble/api_detail.hpp"

namespace scenario::pebble::detail {

namespace {

state::check_info* find_info(state::container& c, const std::string& name) {
  auto it = std::find_if(c.check_infos.begin(), c.check_infos.end(), [&](const auto& i) { return i.name == name; });
  return it == c.check_infos.end() ? nullptr : &*it;
}

// The change that "runs" a check: Pebble reports one for every active check, and ops 3.x
// treats a check with a startup field and no change-id as inactive.
std::string check_change_id(session& s, const std::string& name, const std::string& status) {
  std::string kind = status == "down" ? "recover-check" : "perform-check";
  for (const auto* c : s.changes()) {
    if (c->kind == kind && !c->ready && c->data.value("check-name", "") == name) return c->id;
  }
  change_record change;
  change.kind = kind;
  change.summary = fmt::format("{} check \"{}\"", kind == "recover-check" ? "Recover" : "Perform", name);
  change.status = "Doing";
  change.ready = false;
  change.data = {{"check-name", name}};
  return s.add_change(std::move(change));
}

struct check_view {
  std::string name, level, startup, status;
  int failures = 0, threshold = 3;
};

std::vector<check_view> current_checks(session& s, const json& plan) {
  std::vector<check_view> out;
  for (const auto& [name, check] : plan["checks"].items()) {
    check_view v;
    v.name = name;
    v.level = check.value("level", "");
    v.startup = check.value("startup", "");
    if (v.startup.empty()) v.startup = "enabled";
    v.threshold = check.value("threshold", 0) == 0 ? 3 : check.value("threshold", 3);
    v.status = v.startup == "enabled" ? "up" : "inactive";
    if (const auto* info = find_info(s.container(), name)) {
      v.status = info->status;
      v.failures = info->failures;
      // The plan's threshold is Pebble's config; without one, the State's CheckInfo says it.
      if (check.value("threshold", 0) == 0 && info->threshold > 0) v.threshold = info->threshold;
      if (!info->startup.empty() && !check.contains("startup")) v.startup = info->startup;
    }
    out.push_back(v);
  }
  return out;
}

// The ?level= filter of /v1/checks and /v1/health: empty (any level), "alive" or "ready".
std::optional<response> refuse_level(const std::string& level) {
  if (level.empty() || level == "alive" || level == "ready") return std::nullopt;
  return bad_request("level must be \"alive\" or \"ready\"");
}

}  // namespace

response get_checks(session& s, const request& r) {
  std::string level = query_value(r, "level");
  if (auto bad = refuse_level(level)) return *bad;
  auto names = query_list(r, "names");
  json plan = s.plan();
  json out = json::array();
  for (const auto& v : current_checks(s, plan)) {
    if (!level.empty() && v.level != level) continue;
    if (!names.empty() && std::find(names.begin(), names.end(), v.name) == names.end()) continue;
    json info = {{"name", v.name}, {"startup", v.startup}, {"status", v.status}, {"threshold", v.threshold}};
    if (!v.level.empty()) info["level"] = v.level;
    if (v.failures != 0) info["failures"] = v.failures;
    if (v.status != "inactive") info["change-id"] = check_change_id(s, v.name, v.status);
    out.push_back(info);
  }
  return sync_response(out);
}

response post_checks(session& s, const request& r) {
  json body;
  if (auto bad = decode_body(r, body)) return *bad;
  auto [action, names] = read_named_action(body, "checks");
  if (names.empty()) return bad_request(fmt::format("must specify checks for {} action", action));
  if (action != "start" && action != "stop") return invalid_action(action);
  json plan = s.plan();
  std::vector<std::string> missing;
  for (const auto& n : names)
    if (!plan["checks"].contains(n)) missing.push_back(n);
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    std::string joined;
    for (const auto& m : missing) joined += (joined.empty() ? "" : ", ") + m;
    return bad_request(fmt::format("cannot {} checks: cannot find checks in plan: {}", action, joined));
  }
  auto views = current_checks(s, plan);
  json changed = nullptr;
  for (const auto& n : names) {
    auto v = std::find_if(views.begin(), views.end(), [&](const auto& c) { return c.name == n; });
    bool active = v->status != "inactive";
    if ((action == "start") == active) continue;  // already in the wanted state
    auto* info = find_info(s.container(), n);
    if (!info) {
      state::check_info fresh;
      fresh.name = n;
      fresh.level = v->level;
      fresh.threshold = v->threshold;
      fresh.startup = v->startup;
      s.container().check_infos.push_back(fresh);
      info = &s.container().check_infos.back();
    }
    info->status = action == "start" ? "up" : "inactive";
    info->failures = 0;
    if (changed.is_null()) changed = json::array();
    changed.push_back(n);
  }
  return sync_response({{"changed", changed}});
}

response get_health(session& s, const request& r) {
  std::string level = query_value(r, "level");
  if (auto bad = refuse_level(level)) return *bad;
  auto names = query_list(r, "names");
  json plan = s.plan();
  bool healthy = true;
  for (const auto& v : current_checks(s, plan)) {
    // A ready check failing does not make "alive" unhealthy; an alive one makes both unhealthy.
    bool level_match = level.empty() || v.level == level || (level == "ready" && v.level == "alive");
    bool name_match = names.empty() || std::find(names.begin(), names.end(), v.name) != names.end();
    if (level_match && name_match && v.status == "down") healthy = false;
  }
  json body = {{"type", "sync"}, {"status-code", healthy ? 200 : 502}, {"status", status_text(healthy ? 200 : 502)},
               {"result", {{"healthy", healthy}}}};
  return response{healthy ? 200 : 502, "application/json", body.dump()};
}

}  // namespace scenario::pebble::detail
