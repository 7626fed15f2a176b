#include "engine/state/event_names.hpp"

#include <algorithm>
#include <array>

namespace scenario::state {

namespace {

constexpr std::array<std::string_view, 16> lifecycle_events{
    "install",        "start",          "stop",
    "remove",         "update_status",  "config_changed",
    "upgrade_charm",  "leader_elected", "leader_settings_changed",
    "pre_series_upgrade", "post_series_upgrade", "collect_metrics",
    // ops framework events that Scenario can fire directly
    "collect_app_status", "collect_unit_status", "pre_commit", "commit",
};

constexpr std::array<std::string_view, 4> secret_events{"secret_changed", "secret_expired",
                                                         "secret_remove", "secret_rotate"};

struct suffix_rule {
  std::string_view suffix;
  event_kind kind;
};

constexpr std::array<suffix_rule, 12> suffix_rules{{
    {"_relation_created", event_kind::relation},
    {"_relation_joined", event_kind::relation},
    {"_relation_changed", event_kind::relation},
    {"_relation_departed", event_kind::relation},
    {"_relation_broken", event_kind::relation},
    {"_pebble_ready", event_kind::workload},
    {"_pebble_custom_notice", event_kind::workload},
    {"_pebble_check_failed", event_kind::workload},
    {"_pebble_check_recovered", event_kind::workload},
    {"_storage_attached", event_kind::storage},
    {"_storage_detaching", event_kind::storage},
    {"_action", event_kind::action},
}};

template <typename Range>
bool contains(const Range& range, std::string_view value) {
  return std::find(range.begin(), range.end(), value) != range.end();
}

}  // namespace

std::string underscored(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string dashed(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

event_name_parts parse_event_name(std::string_view raw) {
  const std::string name = underscored(raw);
  event_name_parts out;
  if (contains(secret_events, name)) {
    out.kind = event_kind::secret;
    return out;
  }
  if (contains(lifecycle_events, name)) {
    out.kind = event_kind::lifecycle;
    return out;
  }
  for (const auto& rule : suffix_rules) {
    if (name.size() <= rule.suffix.size() ||
        std::string_view(name).substr(name.size() - rule.suffix.size()) != rule.suffix) {
      continue;
    }
    out.kind = rule.kind;
    out.prefix = name.substr(0, name.size() - rule.suffix.size());
    out.suffix = std::string(rule.suffix);
    return out;
  }
  return out;
}

bool runs_in_restricted_context(std::string_view name) { return underscored(name) == "collect_metrics"; }

bool secret_event_goes_to_owner(std::string_view name) { return underscored(name) != "secret_changed"; }

}  // namespace scenario::state
