// A State as Python source using this package's API (`from scenario import ...`): the
// expression `State(...)` (snapshot --format state) and a runnable pytest module
// (snapshot --format pytest).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/state/state.hpp"

namespace scenario::cli {

// A Python literal for a stored value in the tagged JSON of docs/state-format.md ($set, $tuple,
// $bytes, ...). Throws std::invalid_argument for a malformed tag.
std::string python_literal(const nlohmann::json& value);

// `State(...)`, naming only the fields that differ from their defaults. Throws
// std::invalid_argument naming a field this form cannot express (output-only fields such as
// juju_log or action).
std::string python_state(const state::state& s, int indent = 0);

struct pytest_options {
  std::string charm_class;   // the CharmBase subclass, imported `from charm import ...`
  std::string event = "update_status";
  std::string juju_version = "3.0";
  std::string header;        // comment lines put on top (each starting with "# ")
};
std::string pytest_module(const state::state& s, const pytest_options& options);

// The name of the one `class X(CharmBase)` / `class X(ops.CharmBase)` in a charm.py; nullopt
// when the file is missing or holds no such class; std::invalid_argument when it holds several.
std::optional<std::string> charm_class_in(const std::filesystem::path& charm_py);

}  // namespace scenario::cli
