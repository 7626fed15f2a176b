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
#include <string_view>

#include "engine/state/state.hpp"

namespace scenario::store {

// The database image (the bytes of the file) ops' SQLiteStorage reads for the State's stored
// states and deferred events. `charm_class_name` is the handle of the charm (owner_path null);
// `named_as` is the file the image stands for, named in errors.
std::string unit_state_image(const state::state& s, const std::string& charm_class_name,
                             const std::filesystem::path& named_as);

// Writes unit_state_image() into a fresh database at `db_path` (replacing any file there).
void write_unit_state(const std::filesystem::path& db_path, const state::state& s,
                      const std::string& charm_class_name);

// Reads the database back into `s.stored_state` and `s.deferred` (replacing them). Stored
// states keep the owner path ops wrote (the charm's own name its class).
void read_unit_state(const std::filesystem::path& db_path, state::state& s);

// read_unit_state() from the image of a database (e.g. one ops used in memory); `named_as` is
// the file it stands for, named in errors.
void read_unit_state_image(std::string_view image, const std::filesystem::path& named_as,
                           state::state& s);

// Whether `entry` is ops' own bookkeeping, the Framework's stored state (owner_path "", holding
// its event counter), rather than the charm's or a charm object's.
bool is_framework_stored_state(const state::stored_state_entry& entry);

// Removes the Framework's stored state from a State shown to the user who did not give it: the
// store rebuilds the counter from the deferred events when it is absent (unit_state_image).
void leave_out_framework_stored_state(state::state& s);

}  // namespace scenario::store
