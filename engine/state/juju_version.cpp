#include "engine/state/juju_version.hpp"

#include <charconv>
#include <tuple>

#include "engine/state/text_forms.hpp"
#include "engine/state/text_scan.hpp"

namespace scenario::state {

namespace {

// A number too large for an int is no version Juju has.
bool read_int(std::string_view digits, int& out) {
  if (digits.empty()) return true;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && end == digits.data() + digits.size();
}

std::optional<juju_version> read_juju_form(std::string_view text) {
  const auto parts = split_juju_version(text);
  if (!parts) return std::nullopt;
  juju_version v;
  v.tagged = !parts->tag.empty();
  if (!read_int(parts->major, v.major) || !read_int(parts->minor, v.minor) ||
      !read_int(parts->patch, v.patch) || !read_int(parts->build, v.build)) {
    return std::nullopt;
  }
  return v;
}

// The numbers `text` starts with, `number(.number)*`, the first three kept (one too large for an
// int reads as 999999999, above every gate); `whole` says whether they are all of `text`.
struct leading_numbers {
  juju_version version;
  bool whole = false;
};

leading_numbers read_leading_numbers(std::string_view text) {
  leading_numbers read;
  int* const kept[] = {&read.version.major, &read.version.minor, &read.version.patch};
  text_scanner s(text);
  for (std::size_t part = 0;; ++part) {
    const std::string_view digits = s.take_while(is_digit);
    if (digits.empty()) return read;  // "", "x", "3." and "3..1" end before their last dot
    if (part < std::size(kept) && !read_int(digits, *kept[part])) *kept[part] = 999999999;
    if (s.at_end()) {
      read.whole = true;
      return read;
    }
    if (!s.take('.')) return read;
  }
}

}  // namespace

bool juju_version::at_least(int major_, int minor_, int patch_) const {
  const int own_patch = tagged ? -1 : patch;
  return std::tie(major, minor, own_patch) >= std::tie(major_, minor_, patch_);
}

bool juju_version::is_release(int major_, int minor_, int patch_) const {
  return !tagged && std::tie(major, minor, patch) == std::tie(major_, minor_, patch_);
}

std::optional<juju_version> parse_juju_version(std::string_view text, version_syntax syntax) {
  switch (syntax) {
    case version_syntax::juju: return read_juju_form(text);
    case version_syntax::ops_scenario_3_1: {
      if (auto v = read_juju_form(text)) return v;
      constexpr std::size_t longest_3_1_version = 64;
      if (text.size() > longest_3_1_version) return std::nullopt;
      const auto read = read_leading_numbers(text);
      if (!read.whole) return std::nullopt;
      return read.version;
    }
    case version_syntax::leading_numbers: return read_leading_numbers(text).version;
  }
  return std::nullopt;
}

}  // namespace scenario::state
