// The portable JSON form of State and Event (docs/state-format.md).
//
// Decoding validates as it goes: a wrong type, an unknown field or a non-string databag value
// raises state_validation_error naming the path of the field (e.g. `relations[db:1].local_app_data['port']`)
// and what to write instead. Encoding then decoding yields an equal value.
#pragma once

#include <string>
#include <string_view>

#include "engine/state/errors.hpp"
#include "engine/state/state.hpp"

namespace scenario::state {

// How many containers (dicts and lists) deep any value may nest, counted from the top of the
// State, Event or metadata document it is in (the document is level 1); a tagged wrapper such
// as {"$tuple": [...]} does not count, so a stored value's depth is its Python depth. Far above
// any real State, and it keeps every recursive conversion (Python <-> JSON, copies, dumps,
// pickles) well inside the stack. docs/state-format.md documents it.
inline constexpr int max_nesting_depth = 100;

// How messages name the type of a JSON value: "a string", "an integer", "a list"... and
// `object_word` for an object (metadata documents call it "a mapping").
std::string json_kind(const json& value, std::string_view object_word = "an object");

// Whether `value` is the one-key {"$tag": ...} wrapper of a tagged value (docs/state-format.md).
bool is_tag_wrapper(const json& value);

// The message for a value nested deeper than max_nesting_depth at `path`, e.g.
// "config['x'][0][0]...: nested deeper than 100 levels; ...".
std::string too_deep_message(const std::string& path);

// too_deep_message for the first container in `value` (at `path`, itself at `level`) nested
// deeper than max_nesting_depth; nullopt when there is none. Never descends past the limit.
std::optional<std::string> nesting_problem(const json& value, const std::string& path, int level = 1);

state state_from_json(const json& j);
json state_to_json(const state& s);

event event_from_json(const json& j);
json event_to_json(const event& e);

// The field tables that drive the codec: {struct: [{"name": JSON name, "type": e.g. "string",
// "optional[int]", "list[relation]", "enum[tcp|udp|icmp]"}, ...]} for the State, the Event and
// every struct they hold, fields in the order they are read. Python checks its dataclasses and
// docs/state-format.md against it.
json state_schema();

}  // namespace scenario::state
