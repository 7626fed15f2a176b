// Pebble's REST semantics for one container, without HTTP framing or sockets: the server
// (server.cpp) parses HTTP and calls dispatch(); tests call handle() directly.
// Responses use Pebble's envelope: {"type": "sync"|"async"|"error", "status-code", "status",
// "result", "change"?}; error results are {"message", "kind"?, "value"?} with Pebble's texts.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/state/state.hpp"

namespace scenario::pebble {

struct request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/v1/services" (no query string)
  std::map<std::string, std::string> query;  // decoded; repeated keys joined with ','
  std::string content_type;
  std::string body;
  bool websocket = false;  // the client asks to upgrade the connection to a websocket
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// A Pebble change (services start/stop/replan, exec, ...).
struct change_record {
  std::string id;
  std::string kind;     // "start", "stop", "replan", "exec", ...
  std::string summary;
  std::string status = "Done";
  bool ready = true;
  std::string err;
  nlohmann::json data = nlohmann::json::object();  // e.g. exec: {"exit-code": 0}
  nlohmann::json tasks = nlohmann::json::array();
};

// Layers already parsed, by label and YAML text. A charm sends the same layer run after run,
// and parsing YAML costs more than the rest of its request, so a server keeps one of these for
// all the runs it serves. Not thread-safe: one thread at a time (the server's io thread).
class layer_cache {
 public:
  const nlohmann::json* find(const std::string& label, const std::string& yaml_text) const;
  void insert(const std::string& label, const std::string& yaml_text, const nlohmann::json& layer);

 private:
  static constexpr std::size_t max_entries = 256;  // past this, start again: charms have few layers
  std::map<std::pair<std::string, std::string>, nlohmann::json> layers_;
};

// One container's daemon for the length of a run: the container State it serves and its changes.
// How a session answers what ops-scenario 3.1 accepted and Pebble refuses.
struct session_options {
  // Pebble's rules bind (a layer without "override", a plan without a service's "command" get
  // Pebble's 400): Pebble's own behaviour, unless a run asks for 3.1's. Otherwise the session
  // serves 3.1's plan and records a divergence.
  bool strict = true;
  // Where divergences go (the run's list, under the run's mutex); null: dropped.
  std::vector<std::string>* divergences = nullptr;
};

class session {
 public:
  // Records the service config each active service is taken to run with (for replan).
  // `layers` (optional) must outlive the session, and so must options.divergences.
  explicit session(state::container& c, layer_cache* layers = nullptr, session_options options = {});
  state::container& container() { return container_; }
  // The container's plan under the session's rules; throws plan_error when refused.
  nlohmann::json plan();
  // Adds a layer (POST /v1/layers) under the session's rules; throws as pebble::add_layer does.
  void add_layer(const std::string& label, const nlohmann::json& layer, bool combine);
  layer_cache* layers() { return layers_; }
  // Whether a Pebble rule ops-scenario 3.1 did not follow binds: in a strict session, yes;
  // otherwise records `divergence` (the rule, the call, what 3.1 did) and returns false.
  bool pebble_rule_binds(const std::string& divergence);
  // Service name -> the plan config it was last started with; replan restarts on difference.
  std::map<std::string, nlohmann::json>& started_configs() { return started_configs_; }
  // RFC 3339 time the session began: the stand-in for timestamps a State leaves empty.
  const std::string& started_at() const { return started_at_; }
  std::vector<const change_record*> changes() const;
  // Registers a change and returns its id ("1", "2", ...).
  std::string add_change(change_record c);
  const change_record* find_change(const std::string& id) const;
  change_record* find_change(const std::string& id);

 private:
  void diverge(const std::string& pebble_error);

  state::container& container_;
  layer_cache* layers_;
  session_options options_;
  std::map<std::string, change_record> changes_;
  int next_change_id_ = 1;
  std::map<std::string, nlohmann::json> started_configs_;
  std::string started_at_;
};

class exec_session;

// Answers a request after its handler has returned; the transport keeps the connection for it.
using reply_fn = std::function<void(response)>;
// The route asks the transport to upgrade the connection to a websocket and attach it to the
// exec session's stream `websocket_id` of task `task_id`.
struct websocket_upgrade {
  std::string task_id;
  std::string websocket_id;
};
// The handler kept the reply_fn and answers through it later.
struct reply_later {};
// What the transport does with a request.
using outcome = std::variant<response, websocket_upgrade, reply_later>;

// Answers one request with the container's execs (`s` and `execs` under the run's lock); exec
// changes are registered in `s`, so /v1/changes/{id}/wait serves them and every other change.
outcome dispatch(session& s, exec_session& execs, const request& r, reply_fn reply);

// Answers one request without a transport: the exec routes, which need websockets, answer 500.
response handle(session& s, const request& r);

// The content of the file at `path` as GET /v1/files?action=read serves it (container.files,
// then the mounts' host directories), or Pebble's error result for it: {"message", "kind"}.
std::variant<std::string, nlohmann::json> read_file(session& s, const std::string& path);

// The mount whose host directory Pebble serves at the container path `path` (the mount with the
// longest location holding it), if any: a file of container.files there is never seen.
std::optional<std::string> mount_at(const state::container& c, const std::string& path);

}  // namespace scenario::pebble
