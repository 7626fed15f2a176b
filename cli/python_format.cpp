#include "cli/python_format.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "engine/state/bytes_text.hpp"

namespace scenario::cli {
namespace {

using nlohmann::json;

std::string py_str(const std::string& s) { return json(s).dump(); }  // a JSON string is a Python one

std::string py_bytes(std::string_view raw) {
  std::string out = "b'";
  for (unsigned char c : raw) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out + "'";
}

std::string joined(const json& items, const char* open, const char* close) {
  std::string out = open;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ", ";
    out += python_literal(item);
    first = false;
  }
  return out + close;
}

std::string py_str_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + py_str(items[i]);
  return out + "]";
}

std::string py_bag(const state::databag& bag) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : bag) {
    out += (first ? "" : ", ") + py_str(k) + ": " + py_str(v);
    first = false;
  }
  return out + "}";
}

std::string py_units(const std::map<int, state::databag>& units) {
  std::string out = "{";
  bool first = true;
  for (const auto& [id, bag] : units) {
    out += (first ? "" : ", ") + std::to_string(id) + ": " + py_bag(bag);
    first = false;
  }
  return out + "}";
}

std::string py_optional(const std::optional<std::string>& s) { return s ? py_str(*s) : "None"; }

// Keyword arguments, one per line, at `indent` spaces.
struct call {
  std::string name;
  std::vector<std::string> args;
  void add(const std::string& key, const std::string& value) { args.push_back(key + "=" + value); }
  std::string render(int indent) const {
    if (args.empty()) return name + "()";
    const std::string pad(static_cast<std::size_t>(indent + 4), ' ');
    std::string out = name + "(\n";
    for (const auto& a : args) out += pad + a + ",\n";
    return out + std::string(static_cast<std::size_t>(indent), ' ') + ")";
  }
};

std::string list_of(const std::vector<std::string>& items, int indent) {
  if (items.empty()) return "[]";
  const std::string pad(static_cast<std::size_t>(indent + 4), ' ');
  std::string out = "[\n";
  for (const auto& i : items) out += pad + i + ",\n";
  return out + std::string(static_cast<std::size_t>(indent), ' ') + "]";
}

std::string py_status(const state::entity_status& s) {
  static const std::map<std::string, std::string> classes{
      {"active", "ActiveStatus"},   {"blocked", "BlockedStatus"}, {"maintenance", "MaintenanceStatus"},
      {"waiting", "WaitingStatus"}, {"error", "ErrorStatus"},     {"unknown", "UnknownStatus"}};
  const auto it = classes.find(s.name);
  if (it == classes.end()) throw std::invalid_argument("status: unknown status name " + py_str(s.name));
  if (s.name == "unknown") return "ops.UnknownStatus()";
  return "ops." + it->second + "(" + py_str(s.message) + ")";
}

std::string py_relation(const state::relation& r, int indent) {
  call c;
  const int inner = indent + 4;
  c.add("endpoint", py_str(r.endpoint));
  if (r.interface) c.add("interface", py_str(*r.interface));
  c.add("relation_id", std::to_string(r.relation_id));
  if (!r.local_app_data.empty()) c.add("local_app_data", py_bag(r.local_app_data));
  if (!r.local_unit_data.empty()) c.add("local_unit_data", py_bag(r.local_unit_data));
  switch (r.kind) {
    case state::relation_kind::peer:
      c.name = "PeerRelation";
      c.add("peers_data", py_units(r.remote_units_data));
      break;
    case state::relation_kind::subordinate: {
      c.name = "SubordinateRelation";
      c.add("remote_app_name", py_str(r.remote_app_name));
      if (!r.remote_app_data.empty()) c.add("remote_app_data", py_bag(r.remote_app_data));
      if (r.remote_units_data.size() != 1) {
        throw std::invalid_argument(fmt::format(
            "relations[{}:{}].remote_units_data: a subordinate relation has exactly one remote unit",
            r.endpoint, r.relation_id));
      }
      c.add("remote_unit_id", std::to_string(r.remote_units_data.begin()->first));
      c.add("remote_unit_data", py_bag(r.remote_units_data.begin()->second));
      break;
    }
    case state::relation_kind::regular:
      c.name = "Relation";
      c.add("remote_app_name", py_str(r.remote_app_name));
      if (r.limit != 1) c.add("limit", std::to_string(r.limit));
      if (!r.remote_app_data.empty()) c.add("remote_app_data", py_bag(r.remote_app_data));
      c.add("remote_units_data", py_units(r.remote_units_data));
      if (r.remote_model_uuid) c.add("remote_model_uuid", py_str(*r.remote_model_uuid));
      break;
  }
  return c.render(inner - 4);
}

std::string py_network(const state::network& n, int indent) {
  std::vector<std::string> binds;
  for (const auto& b : n.bind_addresses) {
    std::vector<std::string> addrs;
    for (const auto& a : b.addresses) {
      addrs.push_back(fmt::format("Address(hostname={}, value={}, cidr={}, address={})", py_str(a.hostname),
                                  py_str(a.value), py_str(a.cidr), py_str(a.address)));
    }
    binds.push_back(fmt::format("BindAddress(interface_name={}, addresses=[{}], mac_address={})",
                                py_str(b.interface_name), fmt::join(addrs, ", "), py_str(b.mac_address)));
  }
  call c{"Network", {}};
  c.add("name", py_str(n.name));
  c.add("bind_addresses", list_of(binds, indent + 4));
  c.add("ingress_addresses", py_str_list(n.ingress_addresses));
  c.add("egress_subnets", py_str_list(n.egress_subnets));
  return c.render(indent);
}

std::string py_file(const state::file_entry& f) {
  const std::string content =
      state::is_valid_utf8(f.content) ? py_str(f.content) : py_bytes(f.content);
  call c{"File", {}};
  if (!f.is_dir) c.args.push_back(content);
  if (f.is_dir) c.add("is_dir", "True");
  if (f.permissions != 0644) c.add("permissions", fmt::format("0o{:o}", f.permissions));
  if (f.user) c.add("user", py_str(*f.user));
  if (f.user_id) c.add("user_id", std::to_string(*f.user_id));
  if (f.group) c.add("group", py_str(*f.group));
  if (f.group_id) c.add("group_id", std::to_string(*f.group_id));
  return "File(" + fmt::format("{}", fmt::join(c.args, ", ")) + ")";
}

std::string py_container(const state::container& k, int indent) {
  const std::string where = "containers[" + k.name + "]";
  if (!k.mounts.empty() || !k.exec_mock.empty() || !k.notices.empty() || !k.check_infos.empty() ||
      !k.exec_history.empty()) {
    throw std::invalid_argument(where + ": mounts, exec_mock, notices, check_infos and exec_history "
                                        "are not part of a snapshot; remove them or use --format json");
  }
  call c{"Container", {}};
  c.add("name", py_str(k.name));
  if (k.can_connect) c.add("can_connect", "True");
  if (!k.base_plan.empty()) c.add("_base_plan", python_literal(k.base_plan));
  if (!k.layers.empty()) {
    std::string layers = "{";
    for (std::size_t i = 0; i < k.layers.size(); ++i) {
      layers += (i ? ", " : "") + py_str(k.layers[i].first) + ": " + python_literal(k.layers[i].second);
    }
    c.add("layers", layers + "}");
  }
  if (!k.service_status.empty()) {
    std::string statuses = "{";
    bool first = true;
    for (const auto& [name, st] : k.service_status) {
      statuses += (first ? "" : ", ") + py_str(name) + ": ops.pebble.ServiceStatus(" + py_str(st) + ")";
      first = false;
    }
    c.add("service_status", statuses + "}");
  }
  if (!k.files.empty()) {
    std::string files = "{";
    for (std::size_t i = 0; i < k.files.size(); ++i) {
      files += (i ? ", " : "") + py_str(k.files[i].path) + ": " + py_file(k.files[i]);
    }
    c.add("files", files + "}");
  }
  return c.render(indent);
}

std::string py_secret(const state::secret& s, int indent) {
  call c{"Secret", {}};
  c.add("id", py_str(s.id));
  std::string contents = "{";
  bool first = true;
  for (const auto& [rev, bag] : s.contents) {
    contents += (first ? "" : ", ") + std::to_string(rev) + ": " + py_bag(bag);
    first = false;
  }
  c.add("contents", contents + "}");
  if (s.owner) c.add("owner", py_str(*s.owner));
  if (s.granted) c.add("granted", py_str(*s.granted));
  if (s.revision != 0) c.add("revision", std::to_string(s.revision));
  if (!s.remote_grants.empty()) {
    std::string grants = "{";
    bool first_grant = true;
    for (const auto& [rel, names] : s.remote_grants) {
      std::vector<std::string> quoted;
      for (const auto& n : names) quoted.push_back(py_str(n));
      grants += (first_grant ? "" : ", ") + std::to_string(rel) + ": {" +
                fmt::format("{}", fmt::join(quoted, ", ")) + "}";
      first_grant = false;
    }
    c.add("remote_grants", grants + "}");
  }
  if (s.label) c.add("label", py_str(*s.label));
  if (s.description) c.add("description", py_str(*s.description));
  if (s.expire) c.add("expire", "datetime.datetime.fromisoformat(" + py_str(*s.expire) + ")");
  if (s.rotate) c.add("rotate", py_str(*s.rotate));
  return c.render(indent);
}

void refuse_output_only(const state::state& s) {
  const auto refuse = [](const std::string& field) {
    throw std::invalid_argument(field + ": not part of a snapshot (output-only or not read from a unit); "
                                        "remove it or use --format json");
  };
  if (!s.juju_log.empty()) refuse("juju_log");
  if (s.action) refuse("action");
  if (!s.storages.empty()) refuse("storages");
  if (!s.resources.empty()) refuse("resources");
  if (!s.status.app_history.empty() || !s.status.unit_history.empty()) refuse("status.*_history");
  if (s.status.previous_workload_version) refuse("status.previous_workload_version");
}

}  // namespace

std::string python_literal(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "None";
    case json::value_t::boolean: return value.get<bool>() ? "True" : "False";
    case json::value_t::string: return py_str(value.get<std::string>());
    case json::value_t::array: return joined(value, "[", "]");
    case json::value_t::object: {
      if (value.size() == 1 && value.begin().key().starts_with("$")) {
        const std::string tag = value.begin().key();
        const json& inner = value.begin().value();
        const auto bad = [&] { return std::invalid_argument("malformed tagged value " + value.dump()); };
        if (tag == "$set") return inner.empty() ? "set()" : joined(inner, "{", "}");
        if (tag == "$frozenset") return "frozenset(" + joined(inner, "[", "]") + ")";
        if (tag == "$tuple") return inner.size() == 1 ? "(" + python_literal(inner[0]) + ",)" : joined(inner, "(", ")");
        if (tag == "$bytes") {
          const auto raw = state::base64_decode(inner.get<std::string>());
          if (!raw) throw bad();
          return py_bytes(*raw);
        }
        if (tag == "$int") return inner.get<std::string>();
        if (tag == "$float") return "float(" + py_str(inner.get<std::string>()) + ")";
        if (tag == "$dict") {
          std::string out = "{";
          for (std::size_t i = 0; i < inner.size(); ++i) {
            if (!inner[i].is_array() || inner[i].size() != 2) throw bad();
            out += (i ? ", " : "") + python_literal(inner[i][0]) + ": " + python_literal(inner[i][1]);
          }
          return out + "}";
        }
        throw bad();
      }
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : value.items()) {
        out += (first ? "" : ", ") + py_str(k) + ": " + python_literal(v);
        first = false;
      }
      return out + "}";
    }
    default: return value.dump();  // numbers: JSON's form is Python's
  }
}

std::string python_state(const state::state& s, int indent) {
  refuse_output_only(s);
  const state::state defaults;
  const int inner = indent + 4;
  call c{"State", {}};
  if (!s.config.empty()) c.add("config", python_literal(s.config));
  std::vector<std::string> items;
  for (const auto& r : s.relations) items.push_back(py_relation(r, inner + 4));
  if (!items.empty()) c.add("relations", list_of(items, inner));
  items.clear();
  for (const auto& n : s.networks) items.push_back(py_network(n, inner + 4));
  if (!items.empty()) c.add("networks", list_of(items, inner));
  items.clear();
  for (const auto& k : s.containers) items.push_back(py_container(k, inner + 4));
  if (!items.empty()) c.add("containers", list_of(items, inner));
  if (s.status != defaults.status) {
    c.add("status", fmt::format("Status(app={}, unit={}, workload_version={})", py_status(s.status.app),
                                py_status(s.status.unit), py_str(s.status.workload_version)));
  }
  if (s.leader) c.add("leader", "True");
  if (s.model != defaults.model) {
    c.add("model", fmt::format("Model(name={}, uuid={}, type={})", py_str(s.model.name),
                               py_str(s.model.uuid), py_str(s.model.type)));
  }
  items.clear();
  for (const auto& sec : s.secrets) items.push_back(py_secret(sec, inner + 4));
  if (!items.empty()) c.add("secrets", list_of(items, inner));
  if (s.unit_id != 0) c.add("unit_id", std::to_string(s.unit_id));
  items.clear();
  for (const auto& d : s.deferred) {
    items.push_back(fmt::format("DeferredEvent(handle_path={}, owner={}, observer={}, snapshot_data={})",
                                py_str(d.handle_path), py_str(d.owner), py_str(d.observer),
                                python_literal(d.snapshot_data)));
  }
  if (!items.empty()) c.add("deferred", list_of(items, inner));
  items.clear();
  for (const auto& st : s.stored_state) {
    items.push_back(fmt::format("StoredState(owner_path={}, name={}, content={}, data_type_name={})",
                                py_optional(st.owner_path), py_str(st.name), python_literal(st.content),
                                py_str(st.data_type_name)));
  }
  if (!items.empty()) c.add("stored_state", list_of(items, inner));
  items.clear();
  for (const auto& p : s.opened_ports) {
    items.push_back(fmt::format("Port({}, {}{})", py_str(p.protocol), p.port ? std::to_string(*p.port) : "None",
                                p.to_port ? ", to_port=" + std::to_string(*p.to_port) : ""));
  }
  if (!items.empty()) c.add("opened_ports", list_of(items, inner));
  if (s.planned_units != 1) c.add("planned_units", std::to_string(s.planned_units));
  return c.render(indent);
}

std::string pytest_module(const state::state& s, const pytest_options& options) {
  const std::string state_text = python_state(s, 4);
  std::ostringstream out;
  // Import only what the State uses, so the module is clean under linters.
  std::vector<std::string> names{"Context", "State"};
  for (const char* name : {"Address", "BindAddress", "Container", "DeferredEvent", "File", "Model",
                           "Network", "PeerRelation", "Port", "Relation", "Secret", "Status",
                           "StoredState", "SubordinateRelation"}) {
    if (state_text.find(std::string(name) + "(") != std::string::npos) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  out << options.header;
  if (state_text.find("datetime.") != std::string::npos) out << "import datetime\n\n";
  out << "import ops\n"
      << "from scenario import " << fmt::format("{}", fmt::join(names, ", ")) << "\n\n"
      << "from charm import " << options.charm_class << "\n\n\n"
      << "def test_snapshot():\n"
      << "    state = " << state_text << "\n\n"
      << "    ctx = Context(" << options.charm_class << ", juju_version=" << py_str(options.juju_version)
      << ")\n"
      << "    out = ctx.run(" << py_str(options.event) << ", state)\n\n"
      << "    # No hook changes the model or which unit leads. Add what this event should change.\n"
      << "    assert out.model == state.model\n"
      << "    assert out.leader == state.leader\n";
  return out.str();
}

std::optional<std::string> charm_class_in(const std::filesystem::path& charm_py) {
  std::ifstream in(charm_py);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  static const std::regex pattern(R"(^class\s+(\w+)\s*\(\s*(?:ops\.(?:charm\.)?)?CharmBase\s*\)\s*:)",
                                  std::regex::multiline);
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), pattern); it != std::sregex_iterator(); ++it) {
    found.push_back((*it)[1]);
  }
  if (found.empty()) return std::nullopt;
  if (found.size() > 1) {
    throw std::invalid_argument(fmt::format("{}: several CharmBase subclasses ({}); name one with --charm-type",
                                            charm_py.string(), fmt::join(found, ", ")));
  }
  return found.front();
}

}  // namespace scenario::cli
