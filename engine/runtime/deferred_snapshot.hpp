// What ops saves for an event a handler defers: the snapshot_data of the DeferredEvent it becomes.
#pragma once

#include <string>

#include "engine/state/state.hpp"

namespace scenario::runtime {

// ops' EventBase.snapshot() for `e`, with the relation, container (and its notice), secret or
// storage the event names looked up in `s`; a state_validation_error when one is missing. A
// relation event's remote unit is e.relation_remote_unit_id (none: no unit). A peer relation
// event gets no app or unit: only a run knows this app's name, and completes them with
// complete_peer_snapshots when it loads the deferred event.
state::json deferred_snapshot(const state::state& s, const state::event& e);

// Each deferred peer-relation event in `s` whose snapshot lacks the remote app (a State's
// PeerRelation does not know the app's name) gets the app and units as ops would have saved
// them when it deferred the event: the app is `app_name`, the unit (and departing unit) its
// first peer. A snapshot that names its app stays as it is.
void complete_peer_snapshots(state::state& s, const std::string& app_name);

}  // namespace scenario::runtime
