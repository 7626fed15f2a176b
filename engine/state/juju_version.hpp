// The Juju version a run simulates, read by one parser for every caller; callers differ in which
// texts they take (version_syntax). One reading differs: leading_numbers reads a tagged version
// by its numbers alone ("3.4-beta1" is 3.4.0, as the hook tools always gated it), where juju
// reads it as a pre-release below 3.4.0.
#pragma once

#include <optional>
#include <string_view>

namespace scenario::state {

enum class version_syntax {
  // Juju's own form (juju/version's Parse): major.minor[.patch|-tagN][.build], each number an int.
  juju,
  // Also what ops-scenario 3.1 took: any dot-separated numbers ("3", "2.9.42.1.7", at most 64
  // characters), read as their first three numbers.
  ops_scenario_3_1,
  // Any text: the dot-separated numbers it starts with, missing ones 0 ("3.4-beta1" is 3.4.0,
  // "" is 0.0.0). For readers of a version someone else has judged: hook tools run after the
  // checker reported on it, or with checks skipped.
  leading_numbers,
};

struct juju_version {
  int major = 0;
  int minor = 0;
  int patch = 0;
  bool tagged = false;  // a pre-release such as 3.5-beta1, which sorts before 3.5.0
  int build = 0;

  // Juju's order (juju/version's Compare), enough for "from X.Y[.Z] on" gates: major, minor,
  // then a tagged version below every release of the same major.minor, then patch.
  bool at_least(int major_, int minor_, int patch_ = 0) const;
  // Exactly the release major.minor.patch (any build).
  bool is_release(int major_, int minor_, int patch_) const;
};

// `text` read as `syntax` allows; nullopt when it does not (never for leading_numbers).
std::optional<juju_version> parse_juju_version(std::string_view text, version_syntax syntax);

}  // namespace scenario::state
