// Python pickle <-> tagged JSON (docs/state-format.md) for the values ops snapshots hold:
// None, bool, int, float, str, bytes, list, tuple, dict, set, frozenset.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace scenario::store {

// Decodes pickle protocols 2-5 as Python writes them for those types; anything else raises
// scenario::state_validation_error naming the opcode.
nlohmann::json pickle_to_json(std::string_view pickled);

// Encodes with a protocol Python 3.8+ reads (protocol 4 framing optional).
std::string json_to_pickle(const nlohmann::json& value);

}  // namespace scenario::store
