// Notices: GET /v1/notices (filters), GET /v1/notices/{id}, POST /v1/notices (custom notices).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/pebble/api_detail.hpp"
#include "engine/state/text_forms.hpp"

namespace scenario::pebble::detail {

namespace {

const std::set<std::string> notice_types = {"change-update", "custom", "warning", "recover-check", "perform-check"};

std::string or_default(const std::string& t, const session& s) { return t.empty() ? s.started_at() : t; }

json notice_to_json(const session& s, const state::notice& n) {
  json out = {{"id", n.id},
              {"user-id", nullptr},
              {"type", n.type},
              {"key", n.key},
              {"first-occurred", or_default(n.first_occurred, s)},
              {"last-occurred", or_default(n.last_occurred, s)},
              {"last-repeated", or_default(n.last_repeated, s)},
              {"occurrences", n.occurrences}};
  if (!n.last_data.empty()) out["last-data"] = n.last_data;
  if (n.repeat_after) out["repeat-after"] = format_go_duration(*n.repeat_after);
  if (n.expire_after) out["expire-after"] = format_go_duration(*n.expire_after);
  return out;
}

// RFC 3339 timestamps of one form compare correctly as strings once the fraction is padded.
std::string sortable_time(const std::string& t) {
  auto dot = t.find('.');
  auto zone = t.find_first_of("Z+-", 19);
  std::string base = t.substr(0, std::min(t.size(), size_t{19}));
  std::string frac = dot != std::string::npos && zone != std::string::npos && dot < zone ? t.substr(dot + 1, zone - dot - 1) : "";
  frac.resize(9, '0');
  return base + "." + frac;
}

bool valid_rfc3339(const std::string& t) {
  return state::split_rfc3339(t, true).has_value();
}

}  // namespace

response get_notices(session& s, const request& r) {
  std::vector<std::string> types;
  for (const auto& t : query_list(r, "types"))
    if (notice_types.count(t)) types.push_back(t);  // unknown types are ignored, as Pebble does
  auto keys = query_list(r, "keys");
  std::string after = query_value(r, "after");
  if (!after.empty() && !valid_rfc3339(after))
    return bad_request(fmt::format("invalid \"after\" timestamp: parsing time \"{}\" as RFC 3339 failed", after));
  std::string timeout = query_value(r, "timeout");
  if (!timeout.empty() && !parse_go_duration(timeout))
    return bad_request(fmt::format("invalid timeout: time: invalid duration \"{}\"", timeout));

  std::vector<const state::notice*> matched;
  for (const auto& n : s.container().notices) {
    if (!types.empty() && std::find(types.begin(), types.end(), n.type) == types.end()) continue;
    if (!keys.empty() && std::find(keys.begin(), keys.end(), n.key) == keys.end()) continue;
    if (!after.empty() && sortable_time(or_default(n.last_repeated, s)) <= sortable_time(after)) continue;
    matched.push_back(&n);
  }
  std::stable_sort(matched.begin(), matched.end(), [&](const auto* a, const auto* b) {
    return sortable_time(or_default(a->last_repeated, s)) < sortable_time(or_default(b->last_repeated, s));
  });
  json out = json::array();
  for (const auto* n : matched) out.push_back(notice_to_json(s, *n));
  return sync_response(out);
}

response get_notice(session& s, const request&, const std::string& id) {
  for (const auto& n : s.container().notices)
    if (n.id == id) return sync_response(notice_to_json(s, n));
  return not_found(fmt::format("cannot find notice with ID \"{}\"", id));
}

response post_notices(session& s, const request& r) {
  json body;
  if (auto bad = decode_body(r, body, "cannot decode request body")) return *bad;
  const auto [action, type, key] = string_fields<3>(body, {"action", "type", "key"});
  if (action != "add") return invalid_action(action);
  if (type != "custom")
    return bad_request(fmt::format("invalid type \"{}\" (can only add \"custom\" notices)", type));
  // Pebble 1.19.0, the version /v1/system-info reports (internals/daemon/api_notices.go,
  // v1PostNotices): the form first, then the length. The form is matched in linear time.
  if (!state::is_custom_notice_key(key))
    return bad_request(fmt::format("invalid key \"{}\" (must be in \"example.com/path\" format)", key));
  if (key.size() > 256) return bad_request("key must be 256 bytes or less");
  std::optional<double> repeat_after;
  std::string repeat_text = body.value("repeat-after", "");
  if (!repeat_text.empty()) {
    repeat_after = parse_go_duration(repeat_text);
    if (!repeat_after)
      return bad_request(fmt::format("invalid repeat-after: time: invalid duration \"{}\"", repeat_text));
  }
  std::map<std::string, std::string> data;
  if (body.contains("data") && !body["data"].is_null()) {
    if (body["data"].dump().size() > 4096) return bad_request("total size of data must be 4096 bytes or less");
    if (!body["data"].is_object()) return bad_request("cannot decode notice data: data must be an object");
    for (const auto& [k, v] : body["data"].items()) {
      if (!v.is_string())
        return bad_request(fmt::format("cannot decode notice data: value of \"{}\" must be a string", k));
      data[k] = v.get<std::string>();
    }
  }

  auto& notices = s.container().notices;
  std::string now = now_rfc3339();
  // Named captures: a lambda may not capture structured bindings before C++20 (clang 14).
  auto it = std::find_if(notices.begin(), notices.end(),
                         [&type = type, &key = key](const auto& n) { return n.type == type && n.key == key; });
  if (it != notices.end()) {
    // A repeat occurrence: counts up; "repeated" moves only once repeat-after has elapsed.
    it->occurrences += 1;
    it->last_occurred = now;
    it->last_data = data;
    it->repeat_after = repeat_after;
    bool repeat = true;
    if (repeat_after && !it->last_repeated.empty()) {
      // Timestamps only order as strings, so compare whole seconds since the last repeat.
      auto secs = [](const std::string& t) {
        const auto time = state::parse_rfc3339(t, false);
        return time ? static_cast<double>(time->unix_seconds) : 0.0;
      };
      repeat = secs(now) - secs(it->last_repeated) >= *repeat_after;
    }
    if (repeat) it->last_repeated = now;
    return sync_response({{"id", it->id}});
  }
  long long max_id = 0;
  for (const auto& n : notices) {
    try {
      max_id = std::max(max_id, std::stoll(n.id));
    } catch (const std::exception&) {
    }
  }
  state::notice n;
  n.id = std::to_string(max_id + 1);
  n.type = type;
  n.key = key;
  n.first_occurred = n.last_occurred = n.last_repeated = now;
  n.occurrences = 1;
  n.last_data = data;
  n.repeat_after = repeat_after;
  n.expire_after = 7 * 24 * 3600.0;  // Pebble's default expiry for notices
  notices.push_back(n);
  return sync_response({{"id", n.id}});
}

}  // namespace scenario::pebble::detail
