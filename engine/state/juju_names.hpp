// Juju's application and unit name rules (juju/names), in one place for every hook tool.
#pragma once

#include <string_view>

namespace scenario::state {

// names.IsValidApplication: `[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*` — hyphen-separated
// parts, the first starting with a letter, every later one holding at least one letter.
bool is_valid_application_name(std::string_view name);

// `<application>/<digits>`, as the hook tools accept unit names.
bool is_valid_unit_name(std::string_view name);

}  // namespace scenario::state
