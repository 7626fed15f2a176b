// scenario-juju-standin: a `juju` command for tests, served by the engine instead of a
// controller. Put it on PATH as `juju` and point SCENARIO_STANDIN_MODEL at a model directory:
//
//   <model dir>/<app>/charm/          the charm's root (metadata.yaml, config.yaml, src/charm.py)
//   <model dir>/<app>/unit-<n>.json   unit <app>/<n>: its State (docs/state-format.md)
//
// `juju exec` runs hook tools through engine/agent against the unit's State and saves what
// changed; `juju ssh --container C` answers `pebble` through engine/pebble; `juju scp` reads and
// writes container files and ops' unit-state database (engine/store); `juju status`,
// `show-unit`, `config` and `models` print Juju's JSON (cli/juju_formats). docs/cli.md lists
// every form it answers.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/juju_client.hpp"
#include "cli/juju_formats.hpp"
#include "cli/python_format.hpp"
#include "cli/shell_words.hpp"
#include "engine/agent/agent.hpp"
#include "engine/pebble/api.hpp"
#include "engine/pebble/plan.hpp"
#include "engine/spec/spec.hpp"
#include "engine/state/errors.hpp"
#include "engine/state/json_codec.hpp"
#include "engine/store/unit_store.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace scenario::cli {
namespace {

// The Juju version the stand-in reports (status) and its hook tools follow.
constexpr const char* standin_juju_version = "3.4.0";

// A failure printed the way juju prints one: "ERROR <message>" and exit 1.
struct juju_failure : std::runtime_error {
  int code;
  juju_failure(const std::string& message, int exit_code = 1) : std::runtime_error(message), code(exit_code) {}
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw juju_failure("cannot read " + p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& content) {
  const fs::path tmp = p.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << content;
    if (!out) throw juju_failure("cannot write " + tmp.string());
  }
  fs::rename(tmp, p);
}

// One unit of the model directory, loaded.
struct unit_file {
  std::string app;
  fs::path path;
  fs::path charm_root;
  state::state state;
  spec::charm_spec spec;
  unit_view view() const { return unit_view{app, &state, &spec}; }
  void save() const { write_file(path, state::state_to_json(state).dump(2) + "\n"); }
  std::string charm_class() const { return charm_class_in(charm_root / "src" / "charm.py").value_or(""); }
};

class model_dir {
 public:
  model_dir() {
    const char* dir = std::getenv("SCENARIO_STANDIN_MODEL");
    if (dir == nullptr || *dir == '\0') {
      throw juju_failure("SCENARIO_STANDIN_MODEL is not set; point it at a model directory "
                         "(<dir>/<app>/unit-<n>.json and <dir>/<app>/charm/)");
    }
    root_ = dir;
    if (!fs::is_directory(root_)) throw juju_failure("SCENARIO_STANDIN_MODEL: no directory " + root_.string());
  }

  unit_file load(const unit_name& u) const {
    unit_file f;
    f.app = u.app;
    f.path = root_ / u.app / fmt::format("unit-{}.json", u.number);
    f.charm_root = root_ / u.app / "charm";
    if (!fs::exists(f.path)) throw juju_failure(fmt::format("unit \"{}\" not found", u.text()));
    try {
      f.state = state::state_from_json(json::parse(read_file(f.path)));
    } catch (const std::exception& e) {
      throw juju_failure(fmt::format("{}: {}", f.path.string(), e.what()));
    }
    if (f.state.unit_id != u.number) {
      throw juju_failure(fmt::format("{}: unit_id is {} but the file is for {}", f.path.string(),
                                     f.state.unit_id, u.text()));
    }
    f.spec = spec::spec_from_directory(f.charm_root);
    return f;
  }

  std::vector<unit_file> all() const {
    std::vector<unit_file> out;
    std::vector<fs::path> apps;
    for (const auto& entry : fs::directory_iterator(root_)) {
      if (entry.is_directory()) apps.push_back(entry.path());
    }
    std::sort(apps.begin(), apps.end());
    for (const auto& app : apps) {
      std::vector<fs::path> units;
      for (const auto& entry : fs::directory_iterator(app)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("unit-") && name.ends_with(".json")) units.push_back(entry.path());
      }
      std::sort(units.begin(), units.end());
      for (const auto& u : units) {
        const std::string stem = u.stem().string();
        out.push_back(load(unit_name{app.filename().string(), std::stoi(stem.substr(5))}));
      }
    }
    if (out.empty()) throw juju_failure("no units in " + root_.string());
    return out;
  }

 private:
  fs::path root_;
};

// The command line after the juju subcommand: options with a value, flags, positionals.
struct parsed_args {
  std::map<std::string, std::string> options;
  std::vector<std::string> positional;
  std::vector<std::string> after_dashes;  // exec: what follows `--`
  bool has(const std::string& name) const { return options.contains(name); }
  std::string get(const std::string& name) const {
    const auto it = options.find(name);
    return it == options.end() ? "" : it->second;
  }
};

parsed_args parse(const std::vector<std::string>& args, const std::map<std::string, std::string>& value_options,
                  const std::vector<std::string>& flags) {
  parsed_args out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.after_dashes.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (const auto it = value_options.find(a); it != value_options.end()) {
      if (i + 1 >= args.size()) throw juju_failure("option needs an argument: " + a, 2);
      out.options[it->second] = args[++i];
    } else if (a.starts_with("--") && a.find('=') != std::string::npos &&
               value_options.contains(a.substr(0, a.find('=')))) {
      out.options[value_options.at(a.substr(0, a.find('=')))] = a.substr(a.find('=') + 1);
    } else if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      out.options[a] = "true";
    } else if (a.starts_with("-") && a.size() > 1) {
      throw juju_failure("flag provided but not defined: " + a, 2);
    } else {
      out.positional.push_back(a);
    }
    // `juju ssh UNIT command...`: everything after the unit belongs to the command.
    if (value_options.contains("<rest>") && out.positional.size() == 1) {
      out.after_dashes.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
  }
  return out;
}

const std::map<std::string, std::string> model_option{{"-m", "model"}, {"--model", "model"}};

std::map<std::string, std::string> with(std::map<std::string, std::string> base,
                                        const std::map<std::string, std::string>& more) {
  base.insert(more.begin(), more.end());
  return base;
}

void check_model(const parsed_args& args, const state::state& s) {
  const std::string wanted = args.get("model");
  if (!wanted.empty() && wanted != s.model.name && wanted != "admin/" + s.model.name) {
    throw juju_failure(fmt::format("model {} not found", wanted));
  }
}

void require_json(const parsed_args& args) {
  if (args.get("format") != "json") {
    throw juju_failure("the stand-in prints only --format json", 2);
  }
}

int cmd_models(const model_dir& dir, const std::vector<std::string>& rest) {
  // Like juju's, `models` takes a controller, not a model.
  const auto args = parse(rest, {{"--format", "format"}, {"-c", "controller"}, {"--controller", "controller"}},
                          {"--uuid"});
  require_json(args);
  std::cout << models_json(dir.all().front().state.model).dump() << "\n";
  return 0;
}

int cmd_status(const model_dir& dir, const std::vector<std::string>& rest) {
  const auto args = parse(rest, with(model_option, {{"--format", "format"}}), {"--relations"});
  require_json(args);
  const auto units = dir.all();
  check_model(args, units.front().state);
  std::vector<unit_view> views;
  for (const auto& u : units) views.push_back(u.view());
  std::cout << status_json(views, standin_juju_version, "00:00:00Z").dump() << "\n";
  return 0;
}

int cmd_show_unit(const model_dir& dir, const std::vector<std::string>& rest) {
  const auto args = parse(rest, with(model_option, {{"--format", "format"}}), {});
  require_json(args);
  if (args.positional.size() != 1) throw juju_failure("an unit name must be supplied", 2);
  const auto unit = dir.load(parse_unit_name(args.positional[0]));
  check_model(args, unit.state);
  std::cout << show_unit_json(unit.view()).dump() << "\n";
  return 0;
}

int cmd_config(const model_dir& dir, const std::vector<std::string>& rest) {
  const auto args = parse(rest, with(model_option, {{"--format", "format"}}), {});
  require_json(args);
  if (args.positional.size() != 1) throw juju_failure("the stand-in reads config only: juju config APP", 2);
  for (const auto& u : dir.all()) {
    if (u.app != args.positional[0]) continue;
    check_model(args, u.state);
    std::cout << config_json(u.view()).dump() << "\n";
    return 0;
  }
  throw juju_failure(fmt::format("application \"{}\" not found", args.positional[0]));
}

int cmd_exec(const model_dir& dir, const std::vector<std::string>& rest) {
  const auto args = parse(rest, with(model_option, {{"--unit", "unit"}, {"-u", "unit"}}), {});
  if (!args.has("unit")) throw juju_failure("the stand-in runs on one unit: pass --unit", 2);
  auto unit = dir.load(parse_unit_name(args.get("unit")));
  check_model(args, unit.state);
  // Like juju's, the command may follow `--` or simply come after the options.
  const auto& words = args.after_dashes.empty() ? args.positional : args.after_dashes;
  std::string line;
  for (const auto& word : words) line += (line.empty() ? "" : " ") + word;
  std::vector<std::string> argv;
  try {
    argv = shell_split(line);
  } catch (const std::invalid_argument& e) {
    throw juju_failure(fmt::format("the stand-in runs one hook tool per exec ({}): {}", e.what(), line), 2);
  }
  if (argv.empty()) throw juju_failure("no commands specified", 2);
  if (!agent::is_hook_tool(fs::path(argv[0]).filename().string())) {
    std::cerr << "bash: line 1: " << argv[0] << ": command not found\n";
    return 127;
  }
  const state::state before = unit.state;
  // `juju exec` runs outside any hook; update-status is the hook with no context of its own.
  state::event event;
  event.name = "update_status";
  agent::hook_context ctx{unit.spec, unit.state, event, unit.app, standin_juju_version};
  const auto result = agent::run_tool(ctx, argv, "");
  std::cout << result.stdout_text;
  std::cerr << result.stderr_text;
  if (!(unit.state == before)) unit.save();
  return result.exit_code;
}

int pebble_command(unit_file& unit, const std::string& container, const std::vector<std::string>& argv) {
  auto it = std::find_if(unit.state.containers.begin(), unit.state.containers.end(),
                         [&](const auto& c) { return c.name == container; });
  if (it == unit.state.containers.end()) {
    throw juju_failure(fmt::format("container \"{}\" not found in {}", container, unit.path.string()));
  }
  if (!it->can_connect) {
    std::cerr << "error: cannot communicate with server: dial unix /charm/containers/" << container
              << "/pebble.socket: connect: connection refused\n";
    return 1;
  }
  const std::string sub = argv.size() > 1 ? argv[1] : "";
  if (sub == "version") {
    std::cout << "client  v1.10.2\nserver  v1.10.2\n";
    return 0;
  }
  if (sub == "plan") {
    std::cout << pebble::plan_yaml(*it);
    return 0;
  }
  if (sub == "add") {
    bool combine = false;
    std::vector<std::string> pos;
    for (std::size_t i = 2; i < argv.size(); ++i) {
      if (argv[i] == "--combine") {
        combine = true;
      } else {
        pos.push_back(argv[i]);
      }
    }
    if (pos.size() != 2) {
      std::cerr << "error: the required arguments `<label>` and `<layer-path>` were not provided\n";
      return 1;
    }
    std::string text;
    if (pos[1] == "/dev/stdin") {
      std::stringstream s;
      s << std::cin.rdbuf();
      text = s.str();
    } else {
      const auto file = std::find_if(it->files.begin(), it->files.end(), [&](const auto& f) { return f.path == pos[1]; });
      if (file == it->files.end()) {
        std::cerr << "error: open " << pos[1] << ": no such file or directory\n";
        return 1;
      }
      text = file->content;
    }
    try {
      pebble::session s(*it);
      s.add_layer(pos[0], pebble::parse_layer_yaml(pos[0], text), combine);
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 1;
    }
    unit.save();
    std::cout << fmt::format("Layer \"{}\" added successfully from \"{}\"\n", pos[0], pos[1]);
    return 0;
  }
  std::cerr << "error: the stand-in's pebble answers version, plan and add; not \"" << sub << "\"\n";
  return 1;
}

int cmd_ssh(const model_dir& dir, const std::vector<std::string>& rest) {
  const auto args = parse(rest, with(model_option, {{"--container", "container"}, {"<rest>", "<rest>"}}), {});
  if (args.positional.empty()) throw juju_failure("no target name specified", 2);
  auto unit = dir.load(parse_unit_name(args.positional[0]));
  check_model(args, unit.state);
  std::string line;
  for (const auto& word : args.after_dashes) line += (line.empty() ? "" : " ") + word;
  const std::vector<std::string> argv = shell_split(line);
  if (argv.empty()) throw juju_failure("the stand-in has no interactive shell; give a command", 2);
  const std::string container = args.get("container");
  if (!container.empty() && container != "charm") {
    if (fs::path(argv[0]).filename() != "pebble") {
      throw juju_failure("the stand-in runs only pebble in a workload container, not " + argv[0], 2);
    }
    return pebble_command(unit, container, argv);
  }
  const std::string charm_dir = parse_unit_name(args.positional[0]).charm_dir() + "/";
  if (argv.size() == 2 && argv[0] == "cat" && argv[1].starts_with(charm_dir)) {
    const fs::path local = unit.charm_root / argv[1].substr(charm_dir.size());
    if (!fs::exists(local)) {
      std::cerr << "cat: " << argv[1] << ": No such file or directory\n";
      return 1;
    }
    std::cout << read_file(local);
    return 0;
  }
  throw juju_failure("the stand-in's charm container answers only `cat " + charm_dir + "<file>`", 2);
}

int cmd_scp(const model_dir& dir, const std::vector<std::string>& rest) {
  const auto args = parse(rest, with(model_option, {{"--container", "container"}}), {});
  if (args.positional.size() != 2) throw juju_failure("the stand-in copies one file: juju scp SRC DST", 2);
  const bool from_unit = args.positional[0].find(':') != std::string::npos;
  const std::string& remote_arg = args.positional[from_unit ? 0 : 1];
  const fs::path local = args.positional[from_unit ? 1 : 0];
  const auto colon = remote_arg.find(':');
  if (colon == std::string::npos) throw juju_failure("one of SRC and DST must be UNIT:PATH", 2);
  const unit_name target = parse_unit_name(remote_arg.substr(0, colon));
  const std::string remote = remote_arg.substr(colon + 1);
  auto unit = dir.load(target);
  check_model(args, unit.state);
  const std::string container = args.get("container");

  if (container.empty() || container == "charm") {
    if (remote != target.charm_dir() + "/.unit-state.db") {
      throw juju_failure("the stand-in's charm container holds only " + target.charm_dir() + "/.unit-state.db", 2);
    }
    if (from_unit) {
      write_file(local, store::unit_state_image(unit.state, unit.charm_class(), remote));
    } else {
      store::read_unit_state(local, unit.state);
      unit.save();
    }
    return 0;
  }
  auto c = std::find_if(unit.state.containers.begin(), unit.state.containers.end(),
                        [&](const auto& k) { return k.name == container; });
  if (c == unit.state.containers.end()) throw juju_failure(fmt::format("container \"{}\" not found", container));
  auto file = std::find_if(c->files.begin(), c->files.end(), [&](const auto& f) { return f.path == remote; });
  if (from_unit) {
    if (file == c->files.end() || file->is_dir) {
      throw juju_failure(fmt::format("{}: No such file or directory", remote));
    }
    write_file(local, file->content);
    return 0;
  }
  if (file == c->files.end()) {
    state::file_entry entry;
    entry.path = remote;
    c->files.push_back(entry);
    file = std::prev(c->files.end());
  }
  file->content = read_file(local);
  unit.save();
  return 0;
}

int dispatch(const std::vector<std::string>& args) {
  if (args.empty()) throw juju_failure("the stand-in needs a command (status, show-unit, config, models, exec, ssh, scp)", 2);
  const model_dir dir;
  const std::string& command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "models") return cmd_models(dir, rest);
  if (command == "status") return cmd_status(dir, rest);
  if (command == "show-unit") return cmd_show_unit(dir, rest);
  if (command == "config") return cmd_config(dir, rest);
  if (command == "exec") return cmd_exec(dir, rest);
  if (command == "ssh") return cmd_ssh(dir, rest);
  if (command == "scp") return cmd_scp(dir, rest);
  throw juju_failure(fmt::format("the stand-in does not implement `juju {}`", command), 2);
}

}  // namespace
}  // namespace scenario::cli

int main(int argc, char** argv) {
  try {
    return scenario::cli::dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const scenario::cli::juju_failure& e) {
    std::cerr << "ERROR " << e.what() << "\n";
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "ERROR " << e.what() << "\n";
    return 1;
  }
}
