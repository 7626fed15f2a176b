// The textual forms the engine recognises in untrusted input (charm argv, State fields, metadata,
// Pebble requests), each a linear matcher. Each accepts exactly the language of the regular
// expression quoted beside it (engine/state/test/text_forms_test.cpp checks that against
// std::regex on short inputs); none recurses, so any length is safe.
#pragma once

#include <optional>
#include <string_view>

namespace scenario::state {

// ---- YAML 1.1 plain scalars, as PyYAML resolves them ------------------------------------------

// The base of a YAML integer, 0 when `text` is none: 10 for `[-+]?(0|[1-9][0-9_]*)`, 16 for
// `[-+]?0x[0-9a-fA-F_]+`, 2 for `[-+]?0b[01_]+`, 8 for `[-+]?0o?[0-7_]+` (tried in that order).
int yaml_int_base(std::string_view text);

// `[-+]?(([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+)`
bool is_yaml_float_form(std::string_view text);

// `[-+]?\.(inf|Inf|INF)`
bool is_yaml_inf(std::string_view text);

// `\.(nan|NaN|NAN)`
bool is_yaml_nan(std::string_view text);

// A string YAML would read back as another type, so YAML output must quote it:
// `|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|
//  [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|
//  [-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)`
bool reads_back_as_non_string(std::string_view text);

// ---- Juju -----------------------------------------------------------------------------------

// A storage count range in metadata: `[0-9]+(-[0-9]*)?`.
bool is_count_range(std::string_view text);

// The parts of a Juju version `(\d+)\.(\d+)(?:\.(\d+)|-([a-z]+)(\d+))?(?:\.(\d+))?`; absent
// parts are empty.
struct juju_version_parts {
  std::string_view major, minor, patch, tag, tag_number, build;
};
std::optional<juju_version_parts> split_juju_version(std::string_view text);

// A secret id as the checker accepts it: `secret:(//[0-9a-f-]+/)?[0-9a-z]{20}`.
bool is_secret_id_form(std::string_view text);

// A model/controller UUID: `[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}`.
bool is_uuid_form(std::string_view text);

// A secret content key (core/secrets keyRegExp): `[a-z](?:-?[a-z0-9]){2,}`.
bool is_secret_content_key(std::string_view text);

// An action result key (charm.GetActionNameRule): `[a-z0-9](?:[a-z0-9-.]*[a-z0-9])?`.
bool is_action_result_key(std::string_view text);

// ---- Pebble ---------------------------------------------------------------------------------

// A custom notice key: `[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+(/[a-z0-9]+(-[a-z0-9]+)*)+`.
bool is_custom_notice_key(std::string_view text);

// ---- time -----------------------------------------------------------------------------------

// The parts of an RFC 3339 timestamp
// `(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?`; `fraction`
// keeps its dot, absent parts are empty. With `zone_required`, the zone must be there.
struct rfc3339_parts {
  std::string_view year, month, day, hour, minute, second, fraction, zone;
};
std::optional<rfc3339_parts> split_rfc3339(std::string_view text, bool zone_required);

}  // namespace scenario::state
