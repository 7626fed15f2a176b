// Internal to engine/store: reads the two tables of ops' unit-state database straight from the
// SQLite file image (https://www.sqlite.org/fileformat2.html), without opening SQLite. Opening a
// connection and parsing the schema costs several times more than the data itself; this reader
// handles exactly what ops' files contain and says "not handled" for anything else, so the
// caller can fall back to SQLite.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scenario::store::detail {

struct unit_db_rows {
  std::vector<std::pair<std::string, std::string>> snapshots;  // handle, pickled data; rowid order
  std::vector<std::array<std::string, 3>> notices;  // event_path, observer_path, method_name; sequence order
};

// nullopt when the image is not a UTF-8 SQLite database with tables `snapshot` and `notice`
// of ops' shape, or is damaged in any way this reader notices.
std::optional<unit_db_rows> parse_unit_db(std::string_view image);

// Reads the database file at `path`: directly when parse_unit_db handles it and no rollback
// journal is pending (and `allow_direct`), otherwise through SQLite. Defined in unit_store.cpp.
unit_db_rows read_unit_db_rows(const std::filesystem::path& path, bool allow_direct);

}  // namespace scenario::store::detail
