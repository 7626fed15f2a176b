// scenario._engine: the only place that knows Python. Values cross as JSON text in the format
// of docs/state-format.md; engine errors become the classes of scenario.errors.
#include <nanobind/nanobind.h>
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "engine/agent/agent.hpp"
#include "engine/pebble/api.hpp"
#include "engine/runtime/lifecycle.hpp"
#include "engine/runtime/run.hpp"
#include "engine/spec/spec.hpp"
#include "engine/state/json_codec.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using scenario::state::json;

json parse_json_arg(const std::string& text, const char* what) {
  try {
    return text.empty() ? json() : json::parse(text);
  } catch (const json::parse_error& e) {
    throw scenario::state_validation_error(
        "bad-json", std::string(what) + " is not valid JSON: " + e.what());
  }
}

// Sets the pending Python exception to the scenario.errors class named `cls`, carrying the
// engine's message and code (nanobind translators report errors this way and return).
void raise_as(const char* cls, const scenario::error& e) {
  try {
    nb::object type = nb::module_::import_("scenario.errors").attr(cls);
    nb::object instance = type(e.what());
    nb::setattr(instance, "code", nb::str(e.code().c_str()));
    if (const auto* inconsistent = dynamic_cast<const scenario::inconsistent_scenario_error*>(&e)) {
      nb::list problems;
      for (const auto& p : inconsistent->problems()) problems.append(nb::str(p.c_str()));
      nb::setattr(instance, "problems", problems);
    }
    PyErr_SetObject(type.ptr(), instance.ptr());
  } catch (nb::python_error& import_failure) {
    import_failure.restore();
  }
}

void translate(const std::exception_ptr& p, void*) {
  try {
    std::rethrow_exception(p);
  } catch (const scenario::inconsistent_scenario_error& e) {
    raise_as("InconsistentScenarioError", e);
  } catch (const scenario::state_validation_error& e) {
    raise_as("StateValidationError", e);
  } catch (const scenario::spec_error& e) {
    raise_as("MetadataError", e);
  } catch (const scenario::error& e) {
    raise_as("ScenarioError", e);
  }
}

class py_run {
 public:
  py_run(const scenario::spec::charm_spec& spec, const std::string& state_json,
         const std::string& event_json, const std::string& app_name,
         const std::string& juju_version, const std::string& charm_dir,
         const std::string& charm_class_name, bool skip_consistency_checks,
         scenario::pebble::server* pebble, bool unit_state_in_memory)
      : run_(spec, scenario::state::state_from_json(parse_json_arg(state_json, "state")),
             scenario::state::event_from_json(parse_json_arg(event_json, "event")),
             scenario::runtime::run_options{app_name, juju_version, charm_dir, charm_class_name,
                                            skip_consistency_checks, unit_state_in_memory},
             pebble) {}

  std::tuple<int, std::string, std::string> call_tool(const std::vector<std::string>& argv,
                                                      const std::string& stdin_data) {
    auto r = run_.call_tool(argv, stdin_data);
    return {r.exit_code, std::move(r.stdout_text), std::move(r.stderr_text)};
  }

  std::string finish(std::optional<std::string_view> final_image) {
    return scenario::state::state_to_json(run_.finish(final_image)).dump();
  }

  scenario::runtime::run run_;
};

}  // namespace

NB_MODULE(_engine, m) {
  m.doc() = "Scenario's C++ engine: Juju hook tools, Pebble, unit state, consistency checks.";
  nb::register_exception_translator(translate);

  nb::class_<scenario::spec::charm_spec>(m, "CharmSpec")
      .def_static(
          "from_json",
          [](const std::string& meta, const std::string& config, const std::string& actions) {
            return scenario::spec::spec_from_json(parse_json_arg(meta, "meta"),
                                                  parse_json_arg(config, "config"),
                                                  parse_json_arg(actions, "actions"));
          },
          "meta"_a, "config"_a, "actions"_a)
      .def_static(
          "from_directory",
          [](const std::string& root) { return scenario::spec::spec_from_directory(root); },
          "charm_root"_a)
      .def_prop_ro("name", [](const scenario::spec::charm_spec& s) { return s.name; })
      .def_prop_ro("meta_json",
                   [](const scenario::spec::charm_spec& s) { return s.raw_meta.dump(); })
      .def_prop_ro("config_json",
                   [](const scenario::spec::charm_spec& s) { return s.raw_config.dump(); })
      .def_prop_ro("actions_json",
                   [](const scenario::spec::charm_spec& s) { return s.raw_actions.dump(); });

  nb::class_<scenario::pebble::server>(m, "PebbleServer")
      .def(nb::init<std::filesystem::path>(), "socket_dir"_a)
      .def("detach_all", &scenario::pebble::server::detach_all,
           nb::call_guard<nb::gil_scoped_release>());

  nb::class_<py_run>(m, "Run")
      .def(nb::init<const scenario::spec::charm_spec&, const std::string&, const std::string&,
                    const std::string&, const std::string&, const std::string&,
                    const std::string&, bool, scenario::pebble::server*, bool>(),
           "spec"_a, "state_json"_a, "event_json"_a, "app_name"_a, "juju_version"_a,
           "charm_dir"_a, "charm_class_name"_a, "skip_consistency_checks"_a,
           "pebble"_a.none(), "unit_state_in_memory"_a = false, nb::keep_alive<1, 2>(),
           nb::keep_alive<1, 10>())
      .def_prop_ro("environment", [](const py_run& r) { return r.run_.environment(); })
      .def_prop_ro("warnings", [](const py_run& r) { return r.run_.warnings(); })
      .def("call_tool", &py_run::call_tool, "argv"_a, "stdin"_a = "")
      .def(
          "pebble_socket",
          [](py_run& r, const std::string& container) { return r.run_.pebble_socket(container); },
          "container"_a, nb::call_guard<nb::gil_scoped_release>())
      .def_prop_ro("unit_state_path",
                   [](const py_run& r) { return r.run_.unit_state_path().string(); })
      .def_prop_ro("unit_state_image",
                   [](const py_run& r) {
                     const std::string& image = r.run_.unit_state_image();
                     return nb::bytes(image.data(), image.size());
                   })
      .def(
          "finish",
          [](py_run& r, std::optional<nb::bytes> final_image) {
            std::optional<std::string> image;
            if (final_image) image.emplace(final_image->c_str(), final_image->size());
            nb::gil_scoped_release release;
            return r.finish(image);
          },
          "unit_state_image"_a = nb::none());

  m.def(
      "lifecycle_events",
      [](const std::string& state_json, const std::string& kind) {
        const auto st = scenario::state::state_from_json(parse_json_arg(state_json, "state"));
        json events = json::array();
        for (const auto& e : scenario::runtime::lifecycle_events(
                 st, scenario::runtime::lifecycle_from_name(kind))) {
          events.push_back(scenario::state::event_to_json(e));
        }
        return events.dump();
      },
      "state_json"_a, "kind"_a,
      "The events Juju fires, in order, for a lifecycle ('deploy', 'upgrade', 'teardown').");
  m.def(
      "settle_after",
      [](const std::string& state_json, const std::string& event_json) {
        return scenario::state::state_to_json(
                   scenario::runtime::settle_after(
                       scenario::state::state_from_json(parse_json_arg(state_json, "state")),
                       scenario::state::event_from_json(parse_json_arg(event_json, "event"))))
            .dump();
      },
      "state_json"_a, "event_json"_a,
      "The State as Juju leaves it once the event's hook has completed.");
  m.def(
      "container_plan",
      [](const std::string& container_json) {
        json holder = {{"containers", json::array({parse_json_arg(container_json, "container")})}};
        return scenario::pebble::plan_yaml(scenario::state::state_from_json(holder).containers[0]);
      },
      "container_json"_a, "The container's Pebble plan, as YAML.");
  m.def("is_hook_tool", [](const std::string& name) { return scenario::agent::is_hook_tool(name); },
        "name"_a);
}
