// How the fuzz targets read their input: fields separated by NUL bytes, so seed files stay
// readable text (`tr '\0' '|' < seed`) and the fuzzer can still put any other byte in a field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scenario::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// "a\0b\0" -> {"a", "b", ""}: always at least one field.
inline std::vector<std::string> split_fields(std::string_view input) {
  std::vector<std::string> fields;
  for (;;) {
    const auto nul = input.find('\0');
    fields.emplace_back(input.substr(0, nul));
    if (nul == std::string_view::npos) return fields;
    input.remove_prefix(nul + 1);
  }
}

}  // namespace scenario::fuzz
