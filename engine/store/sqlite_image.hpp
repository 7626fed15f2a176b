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

// Builds the file image of a database holding `rows`, from `empty_image` (the image SQLite makes
// for ops' two CREATE TABLE statements). nullopt when the rows do not fit the single-page tables
// this builder writes (big states), when handles repeat, or when `empty_image` has another layout;
// the caller then inserts through SQLite.
std::optional<std::string> build_unit_db(std::string_view empty_image, const unit_db_rows& rows);

// The image SQLite makes for ops' two CREATE TABLE statements. Defined in unit_store.cpp.
const std::string& empty_unit_db_image();

// The image write_unit_state writes: build_unit_db when it handles `rows` (and `allow_direct`),
// otherwise SQLite inserting into an in-memory copy of the empty schema. Defined in unit_store.cpp.
std::string build_unit_db_image(const std::filesystem::path& path, const unit_db_rows& rows, bool allow_direct);

// Reads the database file at `path`: directly when parse_unit_db handles it and no rollback
// journal is pending (and `allow_direct`), otherwise through SQLite. Defined in unit_store.cpp.
unit_db_rows read_unit_db_rows(const std::filesystem::path& path, bool allow_direct);

}  // namespace scenario::store::detail
