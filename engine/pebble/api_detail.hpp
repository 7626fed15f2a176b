// Internals shared by the api_*.cpp files: response builders, the per-area handlers the route
// table in api.cpp points at, and the HTTP-free semantics each area exposes to the others.
#pragma once

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/pebble/api.hpp"
#include "engine/pebble/plan.hpp"
#include "engine/state/go_time.hpp"

namespace scenario::pebble::detail {

using json = nlohmann::json;

// ---- envelopes (Pebble's internals/daemon/response.go) ----
response sync_response(json result);
response async_response(const std::string& change_id, json result = nullptr);
// The "kind" of an error result that ops' client reads (Pebble's client.ErrorKind...); `none`
// leaves the result without one.
enum class error_kind { none, not_found, permission_denied, generic_file_error, no_default_services };
std::string_view error_kind_name(error_kind kind);
// Every error envelope is built here: {"type": "error", "status-code", "status", "result":
// {"message", "kind"?, "value"?}}. Callers use the helper named after the status.
response error_response(int status, const std::string& message, error_kind kind = error_kind::none,
                        json value = nullptr);
inline response bad_request(const std::string& message, error_kind kind = error_kind::none) {
  return error_response(400, message, kind);
}
inline response forbidden(const std::string& message, error_kind kind = error_kind::none) {
  return error_response(403, message, kind);
}
inline response not_found(const std::string& message, error_kind kind = error_kind::none) {
  return error_response(404, message, kind);
}
inline response method_not_allowed(const std::string& message) { return error_response(405, message); }
inline response request_entity_too_large(const std::string& message) { return error_response(413, message); }
inline response internal_server_error(const std::string& message) { return error_response(500, message); }
inline response invalid_action(const std::string& action) {
  return bad_request("invalid action \"" + action + "\"");
}
inline response gateway_timeout(const std::string& message) { return error_response(504, message); }
// A request reaching a container whose run has let go of it.
inline response run_over() { return internal_server_error("the run this container belonged to is over"); }
std::string status_text(int status);

// Request helpers.
json parse_body(const request& r);  // throws body_error on malformed JSON
// Decodes a JSON body into `body`; on malformed JSON returns Pebble's 400 response instead,
// which starts with `message` (Pebble words it differently per endpoint).
std::optional<response> decode_body(const request& r, json& body,
                                    std::string_view message = "cannot decode data from request body");
// A query value split on commas (Pebble's MultiCommaSeparatedList); empty items dropped.
std::vector<std::string> query_list(const request& r, const std::string& key);
std::string query_value(const request& r, const std::string& key);
// The strings listed under `key` in a JSON body ("services", "checks"); none when absent.
std::vector<std::string> name_list(const json& body, const char* key);
// The body of POST /v1/services and /v1/checks: an action on the items listed under `names_key`.
struct named_action {
  std::string action;
  std::vector<std::string> names;
};
named_action read_named_action(const json& body, const char* names_key);
// The string values of `keys` in a JSON body, in order, empty where absent; a value that is
// not a string throws json::type_error (the dispatcher's 400), as Pebble's decoding refuses it.
template <std::size_t N>
std::array<std::string, N> string_fields(const json& body, const std::array<const char*, N>& keys) {
  std::array<std::string, N> values;
  for (std::size_t i = 0; i < N; ++i) values[i] = body.value(keys[i], "");
  return values;
}

struct body_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Go's time text forms, shared with the hook tools.
using state::format_go_duration;
using state::now_rfc3339;
using state::parse_go_duration;

json change_to_json(const session& s, const change_record& c);

// ---- handlers: one per route, by the file that defines them ----
using handler = response(session& s, const request& r);
using id_handler = response(session& s, const request& r, const std::string& id);  // {id} routes
handler get_system_info, get_warnings, post_warnings;                  // api.cpp
handler get_plan, post_layers;                                         // api_plan.cpp
handler get_services, post_services, post_signals, get_changes;        // api_services.cpp
id_handler get_change, post_change, get_change_wait;                   // api_services.cpp
handler get_files, post_files;                                         // api_files.cpp
handler get_checks, post_checks, get_health;                           // api_checks.cpp
handler get_notices, post_notices;                                     // api_notices.cpp
id_handler get_notice;                                                 // api_notices.cpp

}  // namespace scenario::pebble::detail
