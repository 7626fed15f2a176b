#include "engine/state/text_forms.hpp"

#include <algorithm>
#include <array>

#include "engine/state/text_scan.hpp"

namespace scenario::state {

namespace {

constexpr bool is_digit_or_underscore(char c) { return is_digit(c) || c == '_'; }
constexpr bool is_hex_or_underscore(char c) { return is_hex(c) || c == '_'; }
constexpr bool is_octal(char c) { return c >= '0' && c <= '7'; }
constexpr bool is_octal_or_underscore(char c) { return is_octal(c) || c == '_'; }
constexpr bool is_binary_or_underscore(char c) { return c == '0' || c == '1' || c == '_'; }

void take_sign(text_scanner& s) {
  if (!s.take('-')) s.take('+');
}

// `[eE][-+]?[0-9]+`
bool take_exponent(text_scanner& s) {
  if (!s.take('e') && !s.take('E')) return false;
  take_sign(s);
  return !s.take_while(is_digit).empty();
}

// The rest of the text, from a prefix on, is a non-empty run of one class.
template <class Pred>
bool rest_is_run(text_scanner& s, Pred in_class) {
  return !s.take_while(in_class).empty() && s.at_end();
}

template <std::size_t N>
bool is_one_of(std::string_view text, const std::array<std::string_view, N>& words) {
  return std::find(words.begin(), words.end(), text) != words.end();
}

// `[a-z0-9]+(-[a-z0-9]+)*`: hyphens only between alphanumerics.
bool take_hyphenated_word(text_scanner& s) {
  if (s.take_while(is_lower_alnum).empty()) return false;
  while (s.take('-')) {
    if (s.take_while(is_lower_alnum).empty()) return false;
  }
  return true;
}

}  // namespace

int yaml_int_base(std::string_view text) {
  text_scanner s(text);
  take_sign(s);
  const std::string_view unsigned_part = s.rest();
  if (unsigned_part == "0") return 10;
  if (text_scanner dec = s; dec.take_one([](char c) { return c >= '1' && c <= '9'; })) {
    dec.take_while(is_digit_or_underscore);
    if (dec.at_end()) return 10;
  }
  if (text_scanner hex = s; hex.take("0x") && rest_is_run(hex, is_hex_or_underscore)) return 16;
  if (text_scanner bin = s; bin.take("0b") && rest_is_run(bin, is_binary_or_underscore)) return 2;
  if (text_scanner oct = s; oct.take('0')) {
    // `0o?`: an `o` is never an octal digit, so taking it when present loses no match.
    oct.take('o');
    if (rest_is_run(oct, is_octal_or_underscore)) return 8;
  }
  return 0;
}

bool is_yaml_float_form(std::string_view text) {
  text_scanner s(text);
  take_sign(s);
  // Neither `.` nor `e` is a digit or `_`, so the greedy integer part loses no match.
  const bool has_integer = s.take_one(is_digit);
  if (has_integer) s.take_while(is_digit_or_underscore);
  if (s.take('.')) {
    s.take_while(is_digit_or_underscore);
    return s.at_end() || (take_exponent(s) && s.at_end());
  }
  return has_integer && take_exponent(s) && s.at_end();
}

bool is_yaml_inf(std::string_view text) {
  text_scanner s(text);
  take_sign(s);
  static constexpr std::array<std::string_view, 3> words{".inf", ".Inf", ".INF"};
  return is_one_of(s.rest(), words);
}

bool is_yaml_nan(std::string_view text) {
  static constexpr std::array<std::string_view, 3> words{".nan", ".NaN", ".NAN"};
  return is_one_of(text, words);
}

bool reads_back_as_non_string(std::string_view text) {
  static constexpr std::array<std::string_view, 23> words{
      "",   "~",  "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes",
      "Yes", "YES", "no", "No",  "NO",   "on",   "On",   "ON",   "off",   "Off",   "OFF"};
  if (is_one_of(text, words)) return true;
  if (is_yaml_inf(text) || is_yaml_nan(text)) return true;
  if (text_scanner hex(text); hex.take("0x") && rest_is_run(hex, is_hex)) return true;
  if (text_scanner oct(text); oct.take("0o") && rest_is_run(oct, is_octal)) return true;
  // `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
  text_scanner s(text);
  take_sign(s);
  if (s.take('.')) {
    if (s.take_while(is_digit).empty()) return false;
  } else {
    if (s.take_while(is_digit).empty()) return false;
    if (s.take('.')) s.take_while(is_digit);
  }
  return s.at_end() || (take_exponent(s) && s.at_end());
}

bool is_count_range(std::string_view text) {
  text_scanner s(text);
  if (s.take_while(is_digit).empty()) return false;
  if (s.take('-')) s.take_while(is_digit);
  return s.at_end();
}

std::optional<juju_version_parts> split_juju_version(std::string_view text) {
  text_scanner s(text);
  juju_version_parts v;
  v.major = s.take_while(is_digit);
  if (v.major.empty() || !s.take('.')) return std::nullopt;
  v.minor = s.take_while(is_digit);
  if (v.minor.empty()) return std::nullopt;
  // `(?:\.(\d+)|-([a-z]+)(\d+))?` is tried before the build part, so a third number is the patch.
  if (s.take('.')) {
    v.patch = s.take_while(is_digit);
    if (v.patch.empty()) return std::nullopt;
  } else if (s.take('-')) {
    v.tag = s.take_while(is_lower);
    v.tag_number = s.take_while(is_digit);
    if (v.tag.empty() || v.tag_number.empty()) return std::nullopt;
  }
  if (s.take('.')) {
    v.build = s.take_while(is_digit);
    if (v.build.empty()) return std::nullopt;
  }
  if (!s.at_end()) return std::nullopt;
  return v;
}

bool is_secret_id_form(std::string_view text) {
  text_scanner s(text);
  if (!s.take("secret:")) return false;
  if (s.take("//")) {
    if (s.take_while([](char c) { return is_lower_hex(c) || c == '-'; }).empty()) return false;
    if (!s.take('/')) return false;
  }
  return s.take_exactly(20, is_lower_alnum) && s.at_end();
}

bool is_uuid_form(std::string_view text) {
  if (text.size() != 36) return false;
  text_scanner s(text);
  for (std::size_t group : {8, 4, 4, 4}) {
    if (!s.take_exactly(group, is_lower_hex) || !s.take('-')) return false;
  }
  return s.take_exactly(12, is_lower_hex) && s.at_end();
}

bool is_secret_content_key(std::string_view text) {
  text_scanner s(text);
  if (!s.take_one(is_lower)) return false;
  std::size_t units = 0;  // `-?[a-z0-9]` repetitions
  while (!s.at_end()) {
    s.take('-');
    if (!s.take_one(is_lower_alnum)) return false;
    ++units;
  }
  return units >= 2;
}

bool is_action_result_key(std::string_view text) {
  if (text.empty() || !is_lower_alnum(text.front()) || !is_lower_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_lower_alnum(c) || c == '-' || c == '.'; });
}

bool is_custom_notice_key(std::string_view text) {
  text_scanner s(text);
  // The domain: at least two dot-separated words.
  if (!take_hyphenated_word(s)) return false;
  std::size_t dots = 0;
  for (; s.take('.'); ++dots) {
    if (!take_hyphenated_word(s)) return false;
  }
  if (dots == 0) return false;
  // The path: one or more slash-separated words.
  std::size_t slashes = 0;
  for (; s.take('/'); ++slashes) {
    if (!take_hyphenated_word(s)) return false;
  }
  return slashes > 0 && s.at_end();
}

std::optional<rfc3339_parts> split_rfc3339(std::string_view text, bool zone_required) {
  text_scanner s(text);
  rfc3339_parts t;
  // Each field is a fixed-width run of digits followed by its separator.
  const auto field = [&s](std::size_t width, std::string_view& out) {
    const std::string_view start = s.rest();
    if (!s.take_exactly(width, is_digit)) return false;
    out = start.substr(0, width);
    return true;
  };
  if (!field(4, t.year) || !s.take('-') || !field(2, t.month) || !s.take('-') ||
      !field(2, t.day) || !s.take('T') || !field(2, t.hour) || !s.take(':') ||
      !field(2, t.minute) || !s.take(':') || !field(2, t.second)) {
    return std::nullopt;
  }
  if (const std::string_view start = s.rest(); s.take('.')) {
    const std::size_t digits = s.take_while(is_digit).size();
    if (digits == 0) return std::nullopt;
    t.fraction = start.substr(0, digits + 1);
  }
  const std::string_view zone_start = s.rest();
  if (s.take('Z')) {
    t.zone = zone_start.substr(0, 1);
  } else if (s.take('+') || s.take('-')) {
    std::string_view hours, minutes;
    if (!field(2, hours) || !s.take(':') || !field(2, minutes)) return std::nullopt;
    t.zone = zone_start.substr(0, 6);
  } else if (zone_required) {
    return std::nullopt;
  }
  if (!s.at_end()) return std::nullopt;
  return t;
}

}  // namespace scenario::state
