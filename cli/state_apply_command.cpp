// `scenario state-apply UNIT STATE`: pushes a State onto a unit with hook tools run through
// `juju exec`, Pebble layers through `juju ssh`, files and ops' unit-state database through
// `juju scp`. Everything a unit cannot set is refused, by field, before anything is applied.
#include <algorithm>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/python_format.hpp"
#include "cli/snapshot.hpp"
#include "cli/temp_file.hpp"
#include "engine/pebble/plan.hpp"
#include "engine/state/errors.hpp"
#include "engine/state/json_codec.hpp"
#include "engine/store/unit_store.hpp"

namespace scenario::cli {
namespace {

struct state_apply_args {
  unit_target target;
  std::string state_file;
  std::string include = "scrkSdt";
  std::string charm_type;
  bool dry_run = false;
};

// What state-apply will do: the juju calls, each with the line it prints, or the problems.
struct apply_plan {
  std::vector<std::string> problems;
  std::vector<std::string> notes;
  std::vector<std::pair<std::string, std::function<void()>>> steps;
};

std::string status_text(const state::entity_status& s) { return fmt::format("{} '{}'", s.name, s.message); }


state::state read_state_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("STATE: cannot read " + path);
  try {
    return state::state_from_json(nlohmann::json::parse(in));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(fmt::format("STATE: {} is not JSON: {}", path, e.what()));
  } catch (const scenario::error& e) {
    throw std::invalid_argument(fmt::format("STATE: {}: {}", path, e.what()));
  }
}

void plan_status(const state::state& want, const state::state& have, const juju_client& juju,
                 const unit_name& unit, apply_plan& p) {
  const auto settable = [&](const state::entity_status& s, const std::string& field) {
    if (s.name == "unknown" || s.name == "error") {
      p.problems.push_back(fmt::format("{}: a charm cannot set '{}' (Juju sets it); use active, blocked, "
                                       "maintenance or waiting", field, s.name));
      return false;
    }
    return true;
  };
  if (want.status.unit != have.status.unit && settable(want.status.unit, "status.unit")) {
    p.steps.emplace_back(fmt::format("status.unit: {} -> {}", status_text(have.status.unit), status_text(want.status.unit)),
                         [&juju, unit, s = want.status.unit] { juju.exec(unit, {"status-set", s.name, s.message}); });
  }
  if (want.status.app != have.status.app && settable(want.status.app, "status.app")) {
    if (!have.leader) {
      p.problems.push_back("status.app: only the leader unit sets the application status; apply it on the leader");
    } else {
      p.steps.emplace_back(
          fmt::format("status.app: {} -> {}", status_text(have.status.app), status_text(want.status.app)),
          [&juju, unit, s = want.status.app] { juju.exec(unit, {"status-set", "--application", s.name, s.message}); });
    }
  }
  if (want.status.workload_version != have.status.workload_version) {
    p.steps.emplace_back(fmt::format("status.workload_version: '{}' -> '{}'", have.status.workload_version,
                                     want.status.workload_version),
                         [&juju, unit, v = want.status.workload_version] {
                           juju.exec(unit, {"application-version-set", v});
                         });
  }
  if (!want.status.app_history.empty() || !want.status.unit_history.empty() || want.status.previous_workload_version) {
    p.problems.push_back("status.app_history/unit_history/previous_workload_version: Juju keeps the history; "
                         "a unit cannot write it (leave them empty)");
  }
}

// relation-set arguments that turn `have` into `want` ("key=" deletes).
std::vector<std::string> relation_set_args(const state::databag& have, const state::databag& want) {
  std::vector<std::string> out;
  for (const auto& [k, v] : want) {
    const auto it = have.find(k);
    if (it == have.end() || it->second != v) out.push_back(k + "=" + v);
  }
  for (const auto& [k, v] : have) {
    if (!want.contains(k)) out.push_back(k + "=");
  }
  return out;
}

void plan_relations(const state::state& want, const state::state& have, const juju_client& juju,
                    const unit_name& unit, apply_plan& p) {
  for (const auto& r : want.relations) {
    const std::string where = fmt::format("relations[{}:{}]", r.endpoint, r.relation_id);
    const auto it = std::find_if(have.relations.begin(), have.relations.end(),
                                 [&](const auto& h) { return h.relation_id == r.relation_id; });
    if (it == have.relations.end() || it->endpoint != r.endpoint) {
      p.problems.push_back(where + ": the unit has no such relation; a unit cannot create one (the operator "
                                   "runs `juju integrate`), so use the relation ids `scenario snapshot` shows");
      continue;
    }
    if (r.remote_app_data != it->remote_app_data) {
      p.problems.push_back(where + ".remote_app_data: written by the remote application; this unit cannot set it");
    }
    if (r.remote_units_data != it->remote_units_data) {
      p.problems.push_back(where + ".remote_units_data: written by the remote units; this unit cannot set them "
                                   "(nor add or remove units)");
    }
    if (r.kind == state::relation_kind::regular && r.remote_app_name != it->remote_app_name) {
      p.problems.push_back(where + ".remote_app_name: the unit is related to \"" + it->remote_app_name + "\"");
    }
    if (const auto args = relation_set_args(it->local_unit_data, r.local_unit_data); !args.empty()) {
      std::vector<std::string> argv{"relation-set", "-r", std::to_string(r.relation_id)};
      argv.insert(argv.end(), args.begin(), args.end());
      p.steps.emplace_back(where + ".local_unit_data: " + fmt::format("{}", fmt::join(args, " ")),
                           [&juju, unit, argv] { juju.exec(unit, argv); });
    }
    if (const auto args = relation_set_args(it->local_app_data, r.local_app_data); !args.empty()) {
      if (!have.leader) {
        p.problems.push_back(where + ".local_app_data: only the leader unit writes application data");
      } else {
        std::vector<std::string> argv{"relation-set", "-r", std::to_string(r.relation_id), "--app"};
        argv.insert(argv.end(), args.begin(), args.end());
        p.steps.emplace_back(where + ".local_app_data: " + fmt::format("{}", fmt::join(args, " ")),
                             [&juju, unit, argv] { juju.exec(unit, argv); });
      }
    }
  }
  for (const auto& h : have.relations) {
    const bool kept = std::any_of(want.relations.begin(), want.relations.end(),
                                  [&](const auto& r) { return r.relation_id == h.relation_id; });
    if (!kept) {
      p.problems.push_back(fmt::format("relations: the unit has relation {}:{} which the State lacks; a unit "
                                       "cannot remove a relation (the operator runs `juju remove-relation`)",
                                       h.endpoint, h.relation_id));
    }
  }
}

void plan_secrets(const state::state& want, const state::state& have, const juju_client& juju,
                  const unit_name& unit, apply_plan& p) {
  for (const auto& s : want.secrets) {
    const std::string where = "secrets[" + s.id + "]";
    const auto it = std::find_if(have.secrets.begin(), have.secrets.end(), [&](const auto& h) { return h.id == s.id; });
    if (it == have.secrets.end()) {
      p.problems.push_back(where + ": the unit owns no such secret; Juju picks a new secret's id (the charm "
                                   "calls secret-add), and a unit cannot create one it merely consumes");
      continue;
    }
    if (s.contents.empty()) {
      p.problems.push_back(where + ".contents: give at least the revision the unit tracks");
      continue;
    }
    std::vector<std::string> argv{"secret-set", s.id};
    std::vector<std::string> what;
    const auto& latest = s.contents.rbegin()->second;
    if (latest != it->contents.rbegin()->second) {
      for (const auto& [k, v] : latest) argv.push_back(k + "=" + v);
      what.push_back("contents");
    }
    const auto flag = [&](const std::optional<std::string>& w, const std::optional<std::string>& h,
                          const std::string& name) {
      if (w && w != h) {
        argv.push_back("--" + name);
        argv.push_back(*w);
        what.push_back(name);
      } else if (!w && h) {
        p.problems.push_back(where + "." + name + ": a secret's " + name + " can be changed but not removed");
      }
    };
    flag(s.label, it->label, "label");
    flag(s.description, it->description, "description");
    flag(s.expire, it->expire, "expire");
    flag(s.rotate, it->rotate, "rotate");
    if (!what.empty()) {
      p.steps.emplace_back(where + ": " + fmt::format("{}", fmt::join(what, ", ")),
                           [&juju, unit, argv] { juju.exec(unit, argv); });
    }
  }
}

// Each entry of a plan section with override: replace, so the layer sets it whole.
nlohmann::json layer_from_plan(const nlohmann::json& plan) {
  nlohmann::json layer = nlohmann::json::object();
  layer["summary"] = "scenario state-apply";
  for (const char* section : {"services", "checks", "log-targets"}) {
    if (!plan.contains(section) || plan.at(section).empty()) continue;
    for (const auto& [name, item] : plan.at(section).items()) {
      nlohmann::json entry = item;
      entry["override"] = "replace";
      layer[section][name] = entry;
    }
  }
  return layer;
}

void plan_containers(const state::state& want, const state::state& have, const juju_client& juju,
                     const unit_name& unit, apply_plan& p) {
  for (const auto& k : want.containers) {
    const std::string where = "containers[" + k.name + "]";
    const auto it = std::find_if(have.containers.begin(), have.containers.end(), [&](const auto& h) { return h.name == k.name; });
    if (it == have.containers.end()) {
      p.problems.push_back(where + ": the charm declares no such container");
      continue;
    }
    if (k.can_connect != it->can_connect) {
      p.problems.push_back(where + fmt::format(".can_connect: Pebble {} answering; a unit cannot change that",
                                               it->can_connect ? "is" : "is not"));
      continue;
    }
    if (!k.service_status.empty() || !k.mounts.empty() || !k.exec_mock.empty() || !k.notices.empty() ||
        !k.check_infos.empty() || !k.exec_history.empty()) {
      p.problems.push_back(where + ": service_status, mounts, exec_mock, notices, check_infos and exec_history "
                                   "are not applied by state-apply; leave them empty");
    }
    nlohmann::json want_plan;
    try {
      want_plan = pebble::combined_plan(k);
    } catch (const std::exception& e) {
      p.problems.push_back(where + ".layers: " + e.what());
      continue;
    }
    if (want_plan != pebble::combined_plan(*it)) {
      // Pebble only adds: check that one layer over what is there gives the State's plan.
      state::container trial;
      trial.base_plan = it->base_plan;
      const nlohmann::json layer = layer_from_plan(want_plan);
      try {
        pebble::add_layer(trial, "scenario-state-apply", layer, true);
      } catch (const std::exception& e) {
        p.problems.push_back(where + ".layers: Pebble would refuse the plan: " + e.what());
        continue;
      }
      if (pebble::combined_plan(trial) != want_plan) {
        p.problems.push_back(where + ".layers: the unit's plan has services, checks or log targets the State "
                                     "lacks, and Pebble cannot remove them from a plan");
      } else {
        p.steps.emplace_back(where + ": Pebble layer \"scenario-state-apply\" (plan as in the State)",
                             [&juju, unit, name = k.name, text = pebble::plan_to_yaml(layer)] {
                               const auto r = juju.ssh(unit, name,
                                                       {"/charm/bin/pebble", "add", "--combine",
                                                        "scenario-state-apply", "/dev/stdin"},
                                                       text);
                               if (r.exit_code != 0) throw juju_error("pebble add in " + name + ": " + r.stderr_text);
                             });
      }
    }
    for (const auto& f : k.files) {
      if (f.is_dir) {
        p.problems.push_back(where + ".files[" + f.path + "]: directories are not pushed; give files");
        continue;
      }
      try {
        if (read_container_file(juju, unit, k.name, f.path) == f.content) continue;
      } catch (const juju_error&) {
        // Not there yet: the push below creates it.
      }
      p.steps.emplace_back(where + ".files[" + f.path + "]: pushed", [&juju, unit, name = k.name, f] {
        const temp_file local;
        local.write(f.content);
        juju.scp_to(unit, name, local.path(), f.path);
      });
    }
  }
}

void plan_unit_state(const state::state& want, const state::state& have, const std::string& include,
                     const std::string& charm_class, const juju_client& juju, const unit_name& unit, apply_plan& p) {
  state::state next = have;
  if (includes(include, 'd')) next.deferred = want.deferred;
  if (includes(include, 't')) next.stored_state = want.stored_state;
  if (next.deferred == have.deferred && next.stored_state == have.stored_state) return;
  for (std::size_t i = 0; i < next.stored_state.size(); ++i) {
    if (!next.stored_state[i].owner_path && charm_class.empty()) {
      p.problems.push_back(fmt::format("stored_state[{}].owner_path: null means the charm class, which is "
                                       "unknown; pass --charm-type or run from the charm's root", i));
      return;
    }
  }
  std::vector<std::string> what;
  if (next.deferred != have.deferred) what.push_back("deferred");
  if (next.stored_state != have.stored_state) what.push_back("stored_state");
  p.steps.emplace_back(fmt::format("{}: ops' unit-state database replaced", fmt::join(what, ", ")),
                       [&juju, unit, next, charm_class] {
                         const temp_file local;
                         store::write_unit_state(local.path(), next, charm_class);
                         juju.scp_to(unit, charm_container_for(next.model), local.path(),
                                     unit.charm_dir() + "/.unit-state.db");
                       });
}

void refuse_unsettable(const state::state& want, const state::state& have, const unit_name& unit, apply_plan& p) {
  if (want.unit_id != unit.number) {
    p.problems.push_back(fmt::format("unit_id: the State is for unit {} but UNIT is {}; set unit_id to {}",
                                     want.unit_id, unit.text(), unit.number));
  }
  if (want.leader != have.leader) {
    p.problems.push_back(fmt::format("leader: the unit {} the leader; Juju elects the leader, a unit cannot "
                                     "change that", have.leader ? "is" : "is not"));
  }
  if (want.model != have.model) {
    p.problems.push_back(fmt::format("model: the unit is in model {} ({}, {}); a unit cannot change its model",
                                     have.model.name, have.model.uuid, have.model.type));
  }
  if (!want.networks.empty() && want.networks != have.networks) {
    p.problems.push_back("networks: Juju derives them from the model's spaces and bindings; a unit cannot set "
                         "them (leave networks empty or as `scenario snapshot` read them)");
  }
  if (!want.opened_ports.empty()) p.problems.push_back("opened_ports: not applied by state-apply; leave it empty");
  if (!want.juju_log.empty()) p.problems.push_back("juju_log: output only; leave it empty");
  if (want.action) p.problems.push_back("action: output only; leave it null");
  if (!want.storages.empty()) p.problems.push_back("storages: the operator attaches storage; leave it empty");
  if (!want.resources.empty()) p.problems.push_back("resources: the operator attaches resources; leave it empty");
  if (want.planned_units != 1) p.problems.push_back("planned_units: the operator scales the application");
}

int run_state_apply(const state_apply_args& a) {
  const unit_name unit = parse_unit_name(a.target.unit);
  check_include_letters(a.include, "scrkSdt", "--include");
  const state::state want = read_state_file(a.state_file);
  std::string charm_class = a.charm_type;
  if (charm_class.empty()) {
    charm_class = charm_class_in(std::filesystem::current_path() / "src" / "charm.py").value_or("");
  }
  const juju_client juju(a.target.juju, a.target.model);
  snapshot_options read;
  read.include = "rckndtS";
  const snapshot_result have = take_snapshot(juju, unit, read);

  apply_plan p;
  refuse_unsettable(want, have.state, unit, p);
  if (includes(a.include, 's')) plan_status(want, have.state, juju, unit, p);
  if (includes(a.include, 'r')) plan_relations(want, have.state, juju, unit, p);
  if (includes(a.include, 'S')) plan_secrets(want, have.state, juju, unit, p);
  if (includes(a.include, 'k')) plan_containers(want, have.state, juju, unit, p);
  if (includes(a.include, 'd') || includes(a.include, 't')) {
    plan_unit_state(want, have.state, a.include, charm_class, juju, unit, p);
  }
  if (includes(a.include, 'c') && want.config != have.state.config) {
    p.notes.push_back(fmt::format("config: left out; the operator sets it with `juju config {} KEY=VALUE`", unit.app));
  }
  if (!p.problems.empty()) {
    std::cerr << "scenario state-apply: nothing applied; a unit cannot set these fields:\n";
    for (const auto& problem : p.problems) std::cerr << "  " << problem << "\n";
    return 2;
  }
  for (const auto& note : p.notes) std::cout << "note: " << note << "\n";
  if (p.steps.empty()) std::cout << "no changes: " << unit.text() << " already has this State\n";
  for (const auto& [line, step] : p.steps) {
    if (!a.dry_run) step();
    std::cout << (a.dry_run ? "would set " : "set ") << line << "\n";
  }
  return 0;
}

}  // namespace

void add_state_apply_command(CLI::App& app) {
  auto args = std::make_shared<state_apply_args>();
  CLI::App* cmd = &add_unit_command(
      app, "state-apply", "Push a State (JSON) onto a unit through the juju command",
      "Example:\n"
      "  scenario snapshot webapp/0 --format json > state.json   # edit state.json, then:\n"
      "  scenario state-apply webapp/0 state.json --include sr\n"
      "Config is left out (the operator sets it with `juju config`); fields a unit cannot set are refused,\n"
      "by name, before anything is applied. See docs/cli.md.",
      args->target, [args] { return run_state_apply(*args); });
  cmd->add_option("STATE", args->state_file, "State JSON file (docs/state-format.md)")->required();
  cmd->add_option("-i,--include", args->include,
                  "What to apply: s status, c config (never applied: noted), r relation data, "
                  "k containers (Pebble layers, files), S secrets, d deferred events, t stored state")
      ->capture_default_str();
  cmd->add_option("--charm-type", args->charm_type,
                  "The charm class owning stored state with a null owner_path (default: from ./src/charm.py)");
  cmd->add_flag("--dry-run", args->dry_run, "Print what would change; change nothing");
}

}  // namespace scenario::cli
