// ops' unit-state store: the SQLite file ops' SQLiteStorage keeps at <charm dir>/.unit-state.db
// (tables `snapshot(handle, data)` with pickled dicts, and `notice(sequence, event_path,
// observer_path, method_name)`), plus the controller storage reached through state-get/state-set.
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

// Reads the database back into `s.stored_state` and `s.deferred` (replacing them).
void read_unit_state(const std::filesystem::path& db_path, state::state& s,
                     const std::string& charm_class_name);

}  // namespace scenario::store
