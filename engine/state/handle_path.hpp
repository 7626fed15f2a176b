// The handle paths ops keys its unit-state snapshots by: "[<parent>/]<kind>[<key>]", e.g.
// "MyCharm/on/db_relation_changed[7]" (a deferred event) or "MyCharm/StoredStateData[_stored]".
#pragma once

#include <optional>
#include <string_view>

namespace scenario::state {

struct handle_parts {
  std::string_view parent;  // everything before the kind's '/', empty at the top level
  std::string_view kind;    // never empty
  std::string_view key;     // between the last '[' and the closing ']'; may be empty
};

// The parts of `handle_path`, or nothing if it has no "<kind>[<key>]" ending. The key is the
// text inside the last brackets, so a parent may itself hold brackets and slashes.
std::optional<handle_parts> parse_handle_path(std::string_view handle_path);

// The key of `handle_path` as a non-negative number (ops numbers event handles), or nothing.
std::optional<long long> handle_number(std::string_view handle_path);

}  // namespace scenario::state
