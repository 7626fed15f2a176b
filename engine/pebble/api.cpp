// The session, the one route table (exec and its websockets included, as in Pebble's api.go),
// and the envelope helpers every area shares.
#include "engine/pebble/api.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string_view>

#include <fmt/format.h>

#include "engine/pebble/api_detail.hpp"
#include "engine/pebble/exec_session.hpp"
#include "engine/pebble/http_target.hpp"

namespace scenario::pebble {

using detail::json;

const nlohmann::json* layer_cache::find(const std::string& label, const std::string& yaml_text) const {
  auto it = layers_.find({label, yaml_text});
  return it == layers_.end() ? nullptr : &it->second;
}

void layer_cache::insert(const std::string& label, const std::string& yaml_text,
                         const nlohmann::json& layer) {
  if (layers_.size() >= max_entries) layers_.clear();
  layers_.emplace(std::make_pair(label, yaml_text), layer);
}

session::session(state::container& c, layer_cache* layers, session_options options)
    : container_(c), layers_(layers), options_(options), started_at_(detail::now_rfc3339()) {
  // Services the State says are running are taken to run with the plan the State holds, so a
  // replan after a layer change restarts exactly the services whose config changed.
  const auto running = [](const auto& entry) {
    return entry.second == "active" || entry.second == "backoff";
  };
  if (std::none_of(c.service_status.begin(), c.service_status.end(), running)) return;
  json plan;
  try {
    plan = combined_plan(c, !options_.strict);
  } catch (const std::exception&) {
    return;  // a malformed plan is reported when the charm first asks for it
  }
  for (const auto& entry : c.service_status) {
    if (running(entry) && plan["services"].contains(entry.first))
      started_configs_[entry.first] = plan["services"][entry.first];
  }
}

std::string session::add_change(change_record c) {
  c.id = std::to_string(next_change_id_++);
  std::string id = c.id;
  changes_[id] = std::move(c);
  return id;
}

const change_record* session::find_change(const std::string& id) const {
  auto it = changes_.find(id);
  return it == changes_.end() ? nullptr : &it->second;
}

change_record* session::find_change(const std::string& id) {
  auto it = changes_.find(id);
  return it == changes_.end() ? nullptr : &it->second;
}

std::vector<const change_record*> session::changes() const {
  std::vector<const change_record*> out;
  for (const auto& [id, c] : changes_) out.push_back(&c);
  std::sort(out.begin(), out.end(),
            [](const change_record* a, const change_record* b) { return std::stoi(a->id) < std::stoi(b->id); });
  return out;
}

namespace detail {

std::string status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Request Entity Too Large";  // Go's http.StatusText
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

namespace {
// Request data (a method, a path, a file name) can hold any bytes and ends up in replies: invalid
// UTF-8 becomes U+FFFD, as in hook-tool output, rather than failing the reply.
std::string envelope_text(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}
}  // namespace

response sync_response(json result) {
  json body = {{"type", "sync"}, {"status-code", 200}, {"status", "OK"}};
  if (!result.is_null()) body["result"] = std::move(result);
  return response{200, "application/json", envelope_text(body)};
}

response async_response(const std::string& change_id, json result) {
  json body = {{"type", "async"}, {"status-code", 202}, {"status", "Accepted"}, {"change", change_id}};
  if (!result.is_null()) body["result"] = std::move(result);
  return response{202, "application/json", envelope_text(body)};
}

std::string_view error_kind_name(error_kind kind) {
  switch (kind) {
    case error_kind::none: return "";
    case error_kind::not_found: return "not-found";
    case error_kind::permission_denied: return "permission-denied";
    case error_kind::generic_file_error: return "generic-file-error";
    case error_kind::no_default_services: return "no-default-services";
  }
  return "";
}

response error_response(int status, const std::string& message, error_kind kind, json value) {
  json result = {{"message", message}};
  if (kind != error_kind::none) result["kind"] = error_kind_name(kind);
  if (!value.is_null()) result["value"] = std::move(value);
  json body = {{"type", "error"}, {"status-code", status}, {"status", status_text(status)}, {"result", result}};
  return response{status, "application/json", envelope_text(body)};
}

json parse_body(const request& r) {
  try {
    return json::parse(r.body);
  } catch (const json::parse_error& e) {
    throw body_error(e.what());
  }
}

std::optional<response> decode_body(const request& r, json& body, std::string_view message) {
  try {
    body = parse_body(r);
  } catch (const body_error& e) {
    return bad_request(std::string(message) + ": " + e.what());
  }
  return std::nullopt;
}

std::vector<std::string> query_list(const request& r, const std::string& key) {
  std::vector<std::string> out;
  auto it = r.query.find(key);
  if (it == r.query.end()) return out;
  std::string_view rest = it->second;
  while (true) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string query_value(const request& r, const std::string& key) {
  auto it = r.query.find(key);
  return it == r.query.end() ? std::string() : it->second;
}

std::vector<std::string> name_list(const json& body, const char* key) {
  std::vector<std::string> names;
  if (body.contains(key) && body[key].is_array())
    for (const auto& n : body[key]) names.push_back(n.get<std::string>());
  return names;
}

named_action read_named_action(const json& body, const char* names_key) {
  named_action a;
  a.action = body.value("action", "");
  a.names = name_list(body, names_key);
  return a;
}

json change_to_json(const session& s, const change_record& c) {
  json out = {{"id", c.id},          {"kind", c.kind},   {"summary", c.summary},
              {"status", c.status},  {"ready", c.ready}, {"spawn-time", s.started_at()}};
  if (c.ready) out["ready-time"] = s.started_at();
  if (!c.err.empty()) out["err"] = c.err;
  // "service-names" is bookkeeping for GET /v1/changes?for=; Pebble keeps it out of "data".
  json data = c.data.is_object() ? c.data : json::object();
  data.erase("service-names");
  if (!data.empty()) out["data"] = std::move(data);
  json tasks = json::array();
  for (const auto& t : c.tasks) {
    json task = t;
    if (!task.contains("spawn-time")) task["spawn-time"] = s.started_at();
    if (!task.contains("progress")) task["progress"] = {{"label", ""}, {"done", 1}, {"total", 1}};
    if (!task.contains("status")) task["status"] = c.status;
    if (!task.contains("ready-time") && c.ready) task["ready-time"] = s.started_at();
    tasks.push_back(std::move(task));
  }
  if (!tasks.empty()) out["tasks"] = std::move(tasks);
  return out;
}

response get_system_info(session&, const request&) {
  return sync_response({{"version", "1.19.0"}, {"boot-id", "00000000-0000-4000-8000-000000000000"}});
}

response get_warnings(session&, const request& r) {
  auto select = query_value(r, "select");
  if (!select.empty() && select != "pending" && select != "all")
    return bad_request("invalid select parameter: \"" + select + "\"");
  return sync_response(json::array());
}

response post_warnings(session&, const request& r) {
  json body = parse_body(r);
  std::string action = body.value("action", "");
  if (action != "okay") return bad_request(fmt::format("unknown warning action \"{}\"", action));
  return sync_response(0);
}

}  // namespace detail

namespace {

using route_params = std::vector<std::string>;  // the {id} captures of the path, in order

// One request as a route handler sees it.
struct route_call {
  session& s;
  const request& r;
  const route_params& params;
  exec_session* execs;  // null without a transport (handle())
  reply_fn& reply;
};
using handler_fn = outcome (*)(route_call&);

struct route {
  std::string_view method;
  std::string_view pattern;  // "/v1/changes/{id}/wait"
  handler_fn handler;
};

// Exec runs over websockets, which only a transport has.
response exec_needs_transport() {
  return detail::internal_server_error("exec needs the Pebble server's websockets");
}

outcome post_exec(route_call& c) {
  if (!c.execs) return exec_needs_transport();
  return c.execs->start(c.s, c.r);
}

// Pebble's /v1/tasks/{task-id}/websocket/{websocket-id}: the transport upgrades, the exec
// session takes the stream.
outcome get_task_websocket(route_call& c) {
  if (!c.execs) return exec_needs_transport();
  const auto& task_id = c.params[0];
  const auto& websocket_id = c.params[1];
  if (auto refusal = c.execs->websocket_refusal(task_id, websocket_id)) return *refusal;
  if (!c.r.websocket) {
    // gorilla/websocket's Upgrader, which Pebble uses, refuses a plain request so.
    return detail::bad_request(
        "websocket: the client is not using the websocket protocol: 'upgrade' token not found in "
        "'Connection' header");
  }
  return websocket_upgrade{task_id, websocket_id};
}

// A wait on a running exec is answered when the exec finishes; any other change at once.
outcome get_change_wait(route_call& c) {
  if (c.execs) {
    if (auto held = c.execs->wait(c.params[0], c.r, std::move(c.reply))) return *held;
  }
  return detail::get_change_wait(c.s, c.r, c.params[0]);
}

// Adapters for the handlers that answer at once; `with_id` passes the path's one {id}.
template <detail::handler* answer>
outcome plain(route_call& c) {
  return answer(c.s, c.r);
}
template <detail::id_handler* answer>
outcome with_id(route_call& c) {
  return answer(c.s, c.r, c.params[0]);
}

// Route handlers stay thin: they decode the request and call the area's semantics.
const std::array<route, 25> routes = {{
    {"GET", "/v1/system-info", plain<detail::get_system_info>},
    {"GET", "/v1/health", plain<detail::get_health>},
    {"GET", "/v1/warnings", plain<detail::get_warnings>},
    {"POST", "/v1/warnings", plain<detail::post_warnings>},
    {"GET", "/v1/plan", plain<detail::get_plan>},
    {"POST", "/v1/layers", plain<detail::post_layers>},
    {"GET", "/v1/services", plain<detail::get_services>},
    {"POST", "/v1/services", plain<detail::post_services>},
    {"POST", "/v1/signals", plain<detail::post_signals>},
    {"GET", "/v1/changes", plain<detail::get_changes>},
    {"GET", "/v1/changes/{id}", with_id<detail::get_change>},
    {"POST", "/v1/changes/{id}", with_id<detail::post_change>},
    {"GET", "/v1/changes/{id}/wait", get_change_wait},
    {"POST", "/v1/exec", post_exec},
    {"GET", "/v1/tasks/{task-id}/websocket/{websocket-id}", get_task_websocket},
    {"GET", "/v1/files", plain<detail::get_files>},
    {"POST", "/v1/files", plain<detail::post_files>},
    {"GET", "/v1/checks", plain<detail::get_checks>},
    {"POST", "/v1/checks", plain<detail::post_checks>},
    {"GET", "/v1/notices", plain<detail::get_notices>},
    {"POST", "/v1/notices", plain<detail::post_notices>},
    {"GET", "/v1/notices/{id}", with_id<detail::get_notice>},
    {"GET", "/v1/identities", [](route_call&) -> outcome { return detail::sync_response(json::object()); }},
    {"POST", "/v1/identities", [](route_call&) -> outcome { return detail::sync_response(nullptr); }},
    {"GET", "/v1/logs", [](route_call&) -> outcome { return response{200, "application/x-ndjson", ""}; }},
}};

bool match(std::string_view pattern, std::string_view path, route_params& params) {
  auto want = path_parts(pattern);
  auto got = path_parts(path);
  if (want.size() != got.size()) return false;
  route_params captured;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 1 && want[i].front() == '{') {
      captured.emplace_back(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

// The one dispatcher behind dispatch() and handle().
outcome route_request(session& s, exec_session* execs, const request& r, reply_fn& reply) {
  bool path_known = false;
  for (const auto& rt : routes) {
    route_params params;
    if (!match(rt.pattern, r.path, params)) continue;
    path_known = true;
    if (rt.method != r.method) continue;
    try {
      route_call call{s, r, params, execs, reply};
      return rt.handler(call);
    } catch (const detail::body_error& e) {
      return detail::bad_request(std::string("cannot decode request body: ") + e.what());
    } catch (const json::exception& e) {
      return detail::bad_request(std::string("cannot decode request body: ") + e.what());
    } catch (const plan_error& e) {
      return detail::bad_request(e.what());
    } catch (const std::exception& e) {
      return detail::internal_server_error(e.what());
    }
  }
  if (path_known) return detail::method_not_allowed(fmt::format("method \"{}\" not allowed", r.method));
  return detail::not_found("invalid API endpoint requested");
}

}  // namespace

outcome dispatch(session& s, exec_session& execs, const request& r, reply_fn reply) {
  return route_request(s, &execs, r, reply);
}

response handle(session& s, const request& r) {
  reply_fn no_reply;
  // Without an exec session every route answers at once.
  return std::get<response>(route_request(s, nullptr, r, no_reply));
}

}  // namespace scenario::pebble
