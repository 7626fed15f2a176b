// The portable JSON form of State and Event (docs/state-format.md).
//
// Decoding validates as it goes: a wrong type, an unknown field or a non-string databag value
// raises state_validation_error naming the path of the field (e.g. `relations[db:1].local_app_data['port']`)
// and what to write instead. Encoding then decoding yields an equal value.
#pragma once

#include "engine/state/errors.hpp"
#include "engine/state/state.hpp"

namespace scenario::state {

state state_from_json(const json& j);
json state_to_json(const state& s);

event event_from_json(const json& j);
json event_to_json(const event& e);

}  // namespace scenario::state
