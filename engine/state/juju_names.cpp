#include "engine/state/juju_names.hpp"

#include "engine/state/text_scan.hpp"

namespace scenario::state {

bool is_valid_application_name(std::string_view name) {
  text_scanner s(name);
  if (!s.take_one(is_lower)) return false;
  s.take_while(is_lower_alnum);
  while (s.take('-')) {
    // `[a-z0-9]*[a-z][a-z0-9]*`: a part between hyphens needs a letter somewhere.
    const std::string_view part = s.take_while(is_lower_alnum);
    if (part.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string_view::npos) return false;
  }
  return s.at_end();
}

bool is_valid_unit_name(std::string_view name) {
  const auto slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  text_scanner number(name.substr(slash + 1));
  return is_valid_application_name(name.substr(0, slash)) && !number.take_while(is_digit).empty() &&
         number.at_end();
}

}  // namespace scenario::state
