// Reading a unit's State through `juju` (what ops-scenario 3.1's snapshot read), shared by
// `scenario snapshot` and `scenario state-apply` (which compares against what is there).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/juju_client.hpp"
#include "cli/juju_formats.hpp"
#include "engine/state/state.hpp"

namespace scenario::cli {

struct snapshot_options {
  // 3.1's letters: r relations, c config, k containers, n networks, S secrets, d deferred
  // events, t stored state.
  std::string include = "rckndt";
  bool include_juju_relation_data = false;
  bool include_dead_relation_networks = false;
  std::map<std::string, std::vector<std::string>> fetch;  // container -> file paths to read
};

// Whether an --include value holds `letter`.
bool includes(const std::string& letters, char letter);
// Throws std::invalid_argument naming the option for letters 3.1 did not have.
void check_include_letters(const std::string& include, const std::string& allowed, const std::string& option);

struct snapshot_result {
  state::state state;
  status_facts facts;
  spec::charm_spec spec;
};

snapshot_result take_snapshot(const juju_client& juju, const unit_name& unit, const snapshot_options& options);

// A file's bytes from a workload container (`juju scp --container`); throws juju_error.
std::string read_container_file(const juju_client& juju, const unit_name& unit, const std::string& container,
                                const std::string& path);

// The name of the container ops' unit-state database lives in for `juju scp`: "charm" on
// Kubernetes (the charm container), none on machines.
std::string charm_container_for(const state::model_info& model);

}  // namespace scenario::cli
