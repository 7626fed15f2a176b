// What ops saves for an event a handler defers: the snapshot_data of the DeferredEvent it becomes.
#pragma once

#include "engine/state/state.hpp"

namespace scenario::runtime {

// ops' EventBase.snapshot() for `e`, with the relation, container (and its notice), secret or
// storage the event names looked up in `s`; a state_validation_error when one is missing. A
// relation event's remote unit is e.relation_remote_unit_id (none: no unit). A peer relation
// event gets no app or unit: only a run knows this app's name, and completes them when it loads
// the deferred event.
state::json deferred_snapshot(const state::state& s, const state::event& e);

}  // namespace scenario::runtime
