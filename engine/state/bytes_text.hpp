// Byte-string helpers shared by the JSON codec and the unit store: base64 for bytes that JSON
// cannot carry, and a UTF-8 check to decide when raw bytes can be written as text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace scenario::state {

std::string base64_encode(std::string_view bytes);

// Standard alphabet with padding; whitespace is not allowed. nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

bool is_valid_utf8(std::string_view bytes);

}  // namespace scenario::state
