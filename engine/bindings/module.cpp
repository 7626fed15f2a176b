// scenario._engine: the only place that knows Python. States, Events and containers cross in the
// JSON format of docs/state-format.md as the Python dicts and lists json.loads would make (charm
// metadata documents as JSON text); engine errors become the classes of scenario.errors.
#include <nanobind/nanobind.h>
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <cmath>

#include "engine/agent/agent.hpp"
#include "engine/agent/tool_network.hpp"
#include "engine/consistency/checker.hpp"
#include "engine/pebble/api.hpp"
#include "engine/pebble/plan.hpp"
#include "engine/runtime/deferred_snapshot.hpp"
#include "engine/runtime/lifecycle.hpp"
#include "engine/runtime/run.hpp"
#include "engine/spec/spec.hpp"
#include "engine/state/event_names.hpp"
#include "engine/state/json_codec.hpp"
#include "engine/state/port_rules.hpp"
#include "engine/store/unit_store.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using scenario::state::json;

const char* event_kind_name(scenario::state::event_kind kind) {
  switch (kind) {
    case scenario::state::event_kind::lifecycle: return "lifecycle";
    case scenario::state::event_kind::relation: return "relation";
    case scenario::state::event_kind::workload: return "workload";
    case scenario::state::event_kind::storage: return "storage";
    case scenario::state::event_kind::action: return "action";
    case scenario::state::event_kind::secret: return "secret";
    case scenario::state::event_kind::custom: return "custom";
  }
  return "custom";
}

json parse_json_arg(const std::string& text, const char* what) {
  try {
    return text.empty() ? json() : json::parse(text);
  } catch (const json::parse_error& e) {
    throw scenario::state_validation_error(
        "bad-json", std::string(what) + " is not valid JSON: " + e.what());
  }
}

// The UTF-8 text of a Python str; ValueError naming `what` for one UTF-8 cannot carry (a lone
// surrogate such as '\udc80', which Python allows and JSON text and Juju do not).
std::string utf8_of(nb::handle text, const std::string& what) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (!data) {
    PyErr_Clear();
    throw nb::value_error((what + ": a str that is not valid UTF-8 (a lone surrogate)").c_str());
  }
  return std::string(data, static_cast<std::size_t>(size));
}

// A Python value as the JSON json.dumps(value, allow_nan=False) would write, without the
// text in between: dicts (str or int keys), lists and tuples, str, int, float, bool, None.
// Anything else, a non-finite float, an int beyond 64 bits, a str UTF-8 cannot carry or nesting
// deeper than max_nesting_depth raises ValueError naming `what` (Python then finds the path).
json json_of(nb::handle value, const std::string& what, int level = 1) {
  if (value.is_none()) return nullptr;
  if (PyBool_Check(value.ptr())) return value.ptr() == Py_True;
  if (PyLong_CheckExact(value.ptr()) || PyLong_Check(value.ptr())) {
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow == 0) return n;
    if (overflow > 0) {
      unsigned long long u = PyLong_AsUnsignedLongLong(value.ptr());
      if (!PyErr_Occurred()) return u;
      PyErr_Clear();
    }
    throw nb::value_error((what + ": an integer beyond 64 bits").c_str());
  }
  if (PyFloat_Check(value.ptr())) {
    double d = PyFloat_AsDouble(value.ptr());  // function forms: the abi3 build has no macros
    if (!std::isfinite(d)) throw nb::value_error((what + ": not a finite number").c_str());
    return d;
  }
  if (PyUnicode_Check(value.ptr())) return utf8_of(value, what);
  if (PyDict_Check(value.ptr())) {
    // A one-key {"$tag": ...} dict is a tagged value's wrapper: only its content nests.
    PyObject *key = nullptr, *item = nullptr;
    Py_ssize_t pos = 0;
    const bool wrapper = PyDict_Size(value.ptr()) == 1 && PyDict_Next(value.ptr(), &pos, &key, &item) &&
                         PyUnicode_Check(key) && PyUnicode_GetLength(key) > 0 && PyUnicode_ReadChar(key, 0) == '$';
    if (!wrapper && level > scenario::state::max_nesting_depth)
      throw nb::value_error(scenario::state::too_deep_message(what).c_str());
    json out = json::object();
    pos = 0;
    while (PyDict_Next(value.ptr(), &pos, &key, &item)) {
      std::string name;
      if (PyUnicode_Check(key)) {
        name = utf8_of(key, what);
      } else if (PyLong_Check(key) && !PyBool_Check(key)) {
        name = nb::cast<std::string>(nb::str(nb::handle(key)));  // as json.dumps writes it
      } else {
        throw nb::value_error((what + ": a dict key that is not a str").c_str());
      }
      json child = json_of(item, what, wrapper ? level : level + 1);
      out[std::move(name)] = std::move(child);
    }
    return out;
  }
  if (PyList_Check(value.ptr()) || PyTuple_Check(value.ptr())) {
    if (level > scenario::state::max_nesting_depth)
      throw nb::value_error(scenario::state::too_deep_message(what).c_str());
    json out = json::array();
    for (nb::handle item : value) out.push_back(json_of(item, what, level + 1));
    return out;
  }
  throw nb::value_error(
      (what + ": a " + nb::cast<std::string>(nb::str(value.type().attr("__name__"))) +
       " is not a JSON value")
          .c_str());
}

// The Python value json.loads would make of `value` (the output State). Its values nest no
// deeper than an input's may; should a charm have made one deeper, it is refused naming its
// path rather than recursed into.
nb::object python_of(const json& value, bool top = true) {
  if (top) {
    if (auto problem = scenario::state::nesting_problem(value, "output state"))
      throw scenario::state_validation_error("too-deep", *problem);
  }
  switch (value.type()) {
    case json::value_t::null:
      return nb::none();
    case json::value_t::boolean:
      return nb::bool_(value.get<bool>());
    case json::value_t::number_integer:
      return nb::int_(value.get<long long>());
    case json::value_t::number_unsigned:
      return nb::steal(PyLong_FromUnsignedLongLong(value.get<unsigned long long>()));
    case json::value_t::number_float:
      return nb::float_(value.get<double>());
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      return nb::str(text.data(), text.size());
    }
    case json::value_t::array: {
      nb::list out;
      for (const auto& item : value) out.append(python_of(item, false));
      return out;
    }
    case json::value_t::object: {
      nb::dict out;
      for (const auto& [key, item] : value.items()) out[nb::str(key.data(), key.size())] = python_of(item, false);
      return out;
    }
    default:
      throw std::logic_error("a JSON value of a kind the engine never makes (binary/discarded)");
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
  py_run(const scenario::spec::charm_spec& spec, nb::handle state, nb::handle event,
         const scenario::runtime::run_options& options, scenario::pebble::server* pebble)
      : run_(spec, scenario::state::state_from_json(json_of(state, "state")),
             scenario::state::event_from_json(json_of(event, "event")), options, pebble) {}

  std::tuple<int, std::string, std::string> call_tool(const std::vector<std::string>& argv,
                                                      const std::string& stdin_data) {
    auto r = run_.call_tool(argv, stdin_data);
    return {r.exit_code, std::move(r.stdout_text), std::move(r.stderr_text)};
  }

  scenario::runtime::run run_;
};

}  // namespace

// `ask`'s answer about a container document (docs/state-format.md), put to a Pebble session over
// it as a run in compatible mode serves it (ops-scenario 3.1's plan), divergences dropped: this
// is the test's view of a container, not a run.
// One State list entry (a container, a network) from its document, read by the State's codec.
template <auto Member>
auto state_entry(nb::handle document, const char* list, const char* what) {
  json holder = {{list, json::array({json_of(document, what)})}};
  return (scenario::state::state_from_json(holder).*Member)[0];
}

template <class Ask>
nb::object ask_pebble(nb::handle container, Ask ask) {
  auto c = state_entry<&scenario::state::state::containers>(container, "containers", "container");
  scenario::pebble::session session(c, nullptr, {.strict = false});
  return ask(session);
}

NB_MODULE(_engine, m) {
  m.doc() = "Scenario's C++ engine: Juju hook tools, Pebble, unit state, consistency checks.";
  nb::register_exception_translator(translate);
  m.attr("MAX_NESTING_DEPTH") = scenario::state::max_nesting_depth;

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

  using scenario::runtime::run_options;
  nb::class_<run_options>(m, "RunOptions", "How one run is set up (engine/runtime/run.hpp).")
      .def(nb::init<>())
      .def_rw("app_name", &run_options::app_name)
      .def_rw("juju_version", &run_options::juju_version)
      .def_rw("charm_dir", &run_options::charm_dir)
      .def_rw("charm_class_name", &run_options::charm_class_name)
      .def_rw("skip_consistency_checks", &run_options::skip_consistency_checks)
      .def_rw("unit_state_in_memory", &run_options::unit_state_in_memory)
      .def_rw("storage_root", &run_options::storage_root)
      .def_rw("share_cpu_with_pebble", &run_options::share_cpu_with_pebble)
      .def_rw("strict", &run_options::strict);

  // The State and Event cross as the Python values json.loads would make (dicts, lists...).
  nb::class_<py_run>(m, "Run")
      .def(nb::init<const scenario::spec::charm_spec&, nb::handle, nb::handle, const run_options&,
                    scenario::pebble::server*>(),
           "spec"_a, "state"_a, "event"_a, "options"_a, "pebble"_a.none(), nb::keep_alive<1, 2>(),
           nb::keep_alive<1, 6>())
      .def_prop_ro("environment", [](const py_run& r) { return r.run_.environment(); })
      .def_prop_ro("warnings", [](const py_run& r) { return r.run_.warnings(); })
      .def_prop_ro("divergences", [](py_run& r) { return r.run_.divergences(); },
                   nb::call_guard<nb::gil_scoped_release>())
      // Without the GIL: the tool waits for the run's mutex, which the Pebble thread may hold
      // while it serves another Python thread's request.
      .def("call_tool", &py_run::call_tool, "argv"_a, "stdin"_a = "",
           nb::call_guard<nb::gil_scoped_release>())
      .def(
          "client_divergence",
          [](py_run& r, const std::string& kind, const std::string& subject) {
            return r.run_.client_divergence(kind, subject);
          },
          "kind"_a, "subject"_a, nb::call_guard<nb::gil_scoped_release>())
      .def_prop_ro("commit_failure", [](py_run& r) { return r.run_.commit_failure(); })
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
            json out;
            {
              nb::gil_scoped_release release;
              out = scenario::state::state_to_json(r.run_.finish(image));
            }
            return python_of(out);
          },
          "unit_state_image"_a = nb::none());

  m.def(
      "check_consistency",
      [](const scenario::spec::charm_spec& spec, nb::handle state, nb::handle event,
         const std::string& juju_version, bool strict, std::vector<std::string> areas) {
        const auto st = scenario::state::state_from_json(json_of(state, "state"));
        auto ev = scenario::state::event_from_json(json_of(event, "event"));
        std::vector<std::string> matched;
        if (!strict) {
          if (auto note = scenario::consistency::match_relation_by_endpoint(spec, st, ev))
            matched.push_back(std::move(*note));
        }
        scenario::consistency::check_options options{.juju_version = juju_version,
                                                     .strict = strict,
                                                     .container_plan_problem =
                                                         scenario::pebble::plan_problem,
                                                     .only_areas = std::move(areas)};
        auto result = scenario::consistency::check_or_throw(spec, st, ev, options);
        result.divergences.insert(result.divergences.begin(), matched.begin(), matched.end());
        return std::make_pair(std::move(result.warnings), std::move(result.divergences));
      },
      "spec"_a, "state"_a, "event"_a, "juju_version"_a, "strict"_a = false,
      "areas"_a = std::vector<std::string>{},
      "Checks State x Event x charm spec as a run does (only `areas`, if given; see "
      "checker_areas()), without running the charm: raises InconsistentScenarioError, else "
      "returns (warnings, divergences).");
  m.def(
      "opened_port_problem",
      [](const std::string& protocol, std::optional<long long> port, std::optional<long long> to_port) {
        return scenario::state::opened_port_problem(protocol, port, to_port);
      },
      "protocol"_a, "port"_a.none(), "to_port"_a.none() = nb::none(),
      "What Juju refuses in an opened port (e.g. \"port 0 is out of range; use 1-65535\"), or None.");
  m.def(
      "state_schema", [] { return python_of(scenario::state::state_schema()); },
      "The engine's State and Event structs: {struct: [{'name': JSON name, 'type': type}, ...]}, "
      "the tables its JSON codec reads and writes by (docs/state-format.md).");
  m.def("checker_areas", &scenario::consistency::checker_areas,
        "The areas the consistency checker covers, in the order it reports them.");
  m.def(
      "read_unit_state",
      [](const std::string& db_path) {
        scenario::state::state st;
        scenario::store::read_unit_state(db_path, st);
        scenario::store::leave_out_framework_stored_state(st);  // as a run's output State does
        return python_of(scenario::state::state_to_json(st));
      },
      "db_path"_a,
      "The stored state and deferred events of an ops unit-state database, as a State document.");
  m.def(
      "write_unit_state",
      [](const std::string& db_path, nb::handle state, const std::string& charm_class_name) {
        scenario::store::write_unit_state(
            db_path, scenario::state::state_from_json(json_of(state, "state")), charm_class_name);
      },
      "db_path"_a, "state"_a, "charm_class_name"_a,
      "Writes a State's stored state and deferred events as ops' unit-state database.");
  m.def(
      "lifecycle_events",
      [](nb::handle state, const std::string& kind) {
        const auto st = scenario::state::state_from_json(json_of(state, "state"));
        json events = json::array();
        for (const auto& e : scenario::runtime::lifecycle_events(
                 st, scenario::runtime::lifecycle_from_name(kind))) {
          events.push_back(scenario::state::event_to_json(e));
        }
        return python_of(events);
      },
      "state"_a, "kind"_a,
      "The events Juju fires, in order, for a lifecycle ('deploy', 'upgrade', 'teardown').");
  m.def(
      "settle_after",
      [](nb::handle state, nb::handle event) {
        return python_of(scenario::state::state_to_json(scenario::runtime::settle_after(
            scenario::state::state_from_json(json_of(state, "state")),
            scenario::state::event_from_json(json_of(event, "event")))));
      },
      "state"_a, "event"_a,
      "The State as Juju leaves it once the event's hook has completed.");
  m.def(
      "deferred_snapshot",
      [](nb::handle state, nb::handle event) {
        return python_of(scenario::runtime::deferred_snapshot(
            scenario::state::state_from_json(json_of(state, "state")),
            scenario::state::event_from_json(json_of(event, "event"))));
      },
      "state"_a, "event"_a,
      "What ops saves for the event when a handler defers it (a DeferredEvent's snapshot_data), "
      "from the objects of the State it names.");
  m.def(
      "container_plan",
      [](nb::handle container) {
        return scenario::pebble::plan_yaml(
            state_entry<&scenario::state::state::containers>(container, "containers", "container"));
      },
      "container"_a, "The container's Pebble plan, as YAML.");
  m.def(
      "container_services",
      [](nb::handle container) {
        return ask_pebble(container, [](scenario::pebble::session& session) {
          auto answer = scenario::pebble::handle(session, {.method = "GET", .path = "/v1/services"});
          json body = json::parse(answer.body);
          if (answer.status != 200)
            throw scenario::state_validation_error(
                "invalid-state",
                "container '" + session.container().name + "': " + body["result"].value("message", answer.body));
          return python_of(body["result"]);
        });
      },
      "container"_a,
      "The container's services as Pebble lists them (GET /v1/services): name, startup, current.");
  m.def(
      "container_file_info",
      [](nb::handle container, const std::string& path) {
        return ask_pebble(container, [&](scenario::pebble::session& session) {
          auto answer = scenario::pebble::handle(
              session,
              {.method = "GET", .path = "/v1/files", .query = {{"action", "list"}, {"path", path}, {"itself", "true"}}});
          json result = json::parse(answer.body)["result"];
          return python_of(answer.status == 200 ? result[0] : result);
        });
      },
      "container"_a, "path"_a,
      "What Pebble lists for `path` itself in the container (GET /v1/files?action=list&itself=true): "
      "its file info ({'path', 'name', 'type', ...}), or Pebble's error ({'message', 'kind'}).");
  m.def(
      "container_file",
      [](nb::handle container, const std::string& path) {
        return ask_pebble(container, [&](scenario::pebble::session& session) -> nb::object {
          auto got = scenario::pebble::read_file(session, path);
          if (auto* content = std::get_if<std::string>(&got)) return nb::bytes(content->data(), content->size());
          return python_of(std::get<json>(got));
        });
      },
      "container"_a, "path"_a,
      "The content of the file at `path` as Pebble serves it to a pull (the container's files, then "
      "its mounts' host directories), or Pebble's error ({'message', 'kind'}).");
  m.def(
      "container_mount_at",
      [](nb::handle mounts, const std::string& path) {
        // Only the mounts matter here, as given: the codec's checks of a whole container (an
        // absolute host directory...) are a run's to make.
        scenario::state::container c;
        const json given = json_of(mounts, "mounts");
        for (const auto& [name, m] : given.items())
          c.mounts[name] = scenario::state::mount{m.value("location", ""), m.value("src", "")};
        return scenario::pebble::mount_at(c, path);
      },
      "mounts"_a, "path"_a,
      "The name of the mount (of a container's mounts, name -> {'location', 'src'}) whose host "
      "directory Pebble serves at the container path `path`, or None.");
  m.def(
      "network_get_output",
      [](nb::handle network, bool strict) {
        const auto n = state_entry<&scenario::state::state::networks>(network, "networks", "network");
        using scenario::agent::network_display;
        return python_of(scenario::agent::network_get_output(
            n, strict ? network_display::juju_json : network_display::scenario_3_1));
      },
      "network"_a, "strict"_a = false,
      "What `network-get <name> --format=json` prints for the network (strict), or ops-scenario "
      "3.1's Network.hook_tool_output_fmt() form of it (compatible).");
  m.def("is_hook_tool", [](const std::string& name) { return scenario::agent::is_hook_tool(name); },
        "name"_a);
  m.def(
      "event_kind",
      [](const std::string& name) {
        const auto parts = scenario::state::parse_event_name(name);
        return std::make_tuple(event_kind_name(parts.kind), parts.prefix, parts.suffix);
      },
      "name"_a,
      "(kind, entity, suffix) of an ops event name: kind is lifecycle, relation, workload, "
      "storage, action, secret or custom; entity is the underscored relation/container/storage/"
      "action name of a suffixed event ('' otherwise).");
  m.def(
      "secret_event_goes_to_owner",
      [](const std::string& name) { return scenario::state::secret_event_goes_to_owner(name); }, "name"_a,
      "Whether Juju sends the secret event `name` to the secret's owner (else to its observers).");
  m.def(
      "runs_in_restricted_context",
      [](const std::string& name) { return scenario::state::runs_in_restricted_context(name); }, "name"_a,
        "Whether ops runs the event `name` in Juju's restricted context (collect-metrics): the charm "
        "is built and the event emitted without re-emitting deferred events first.");
  m.def(
      "is_charm_event",
      [](const scenario::spec::charm_spec& spec, const std::string& name) {
        using scenario::state::event_kind;
        using scenario::state::underscored;
        const auto parts = scenario::state::parse_event_name(name);
        switch (parts.kind) {
          case event_kind::lifecycle:
          case event_kind::secret: return true;
          case event_kind::relation: return spec.find_relation(parts.prefix) != nullptr;
          case event_kind::workload: return spec.find_container(parts.prefix) != nullptr;
          case event_kind::storage:
            return std::any_of(spec.storages.begin(), spec.storages.end(),
                               [&](const auto& s) { return underscored(s.name) == parts.prefix; });
          case event_kind::action:
            return std::any_of(spec.actions.begin(), spec.actions.end(),
                               [&](const auto& a) { return underscored(a.first) == parts.prefix; });
          case event_kind::custom: return false;
        }
        return false;
      },
      "spec"_a, "name"_a,
      "Whether Juju fires the event `name` on a charm with this spec: lifecycle and secret hooks "
      "always, relation/workload/storage/action hooks when the spec declares the entity; custom "
      "(ops-only) events never.");
}
