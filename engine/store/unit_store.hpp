// ops' unit-state store: the SQLite file ops' SQLiteStorage keeps at <charm dir>/.unit-state.db
// (tables `snapshot(handle, data)` with pickled dicts, and `notice(sequence, event_path,
// observer_path, method_name)`). Controller storage (state-get/state-set, ops' JujuStorage) is
// the agent's hook_context.controller_state; it is not mapped to stored_state/deferred here.
//
// Errors: a State that cannot be stored (duplicate handles, an unpicklable value) raises
// state_validation_error naming the entry; an unreadable file raises scenario::error
// ("unit-state-db") naming the file; a snapshot holding a type outside the tagged JSON raises
// state_validation_error naming the handle and the pickle opcode.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "engine/state/state.hpp"

namespace scenario::store {

// Writes the State's stored states and deferred events into a fresh database at `db_path`
// (replacing any file there). `charm_class_name` is the handle of the charm (owner_path null).
void write_unit_state(const std::filesystem::path& db_path, const state::state& s,
                      const std::string& charm_class_name);

// Reads the database back into `s.stored_state` and `s.deferred` (replacing them). Stored
// states keep the owner path ops wrote (the charm's own name its class).
void read_unit_state(const std::filesystem::path& db_path, state::state& s);

}  // namespace scenario::store
