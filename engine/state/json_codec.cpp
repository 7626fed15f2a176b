#include "engine/state/json_codec.hpp"

#include <charconv>
#include <climits>
#include <functional>
#include <initializer_list>
#include <string_view>

#include <fmt/format.h>

#include "engine/state/bytes_text.hpp"

namespace scenario::state {

namespace {

constexpr const char* error_code = "invalid-state";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw state_validation_error(error_code, path.empty() ? what : path + ": " + what);
}

std::string kind_of(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a float";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

// The first `size` bytes of UTF-8 `text` and "...", cut before a character, not inside one
// (Python decodes every message).
std::string shortened(const std::string& text, std::size_t size) {
  if (text.size() <= size + 3) return text;
  while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) --size;
  return text.substr(0, size) + "...";
}

// "8080 (an integer)"; long lists and objects are cut so the message stays readable.
std::string describe(const json& j) {
  std::string text = shortened(j.dump(), 57);
  if (j.is_null()) return "null";
  return text + " (" + kind_of(j) + ")";
}

std::string child(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return path + "." + std::string(key);
}

std::string keyed(const std::string& path, std::string_view key) {
  return path + "['" + std::string(key) + "']";
}

std::string indexed(const std::string& path, const std::string& label) {
  return path + "[" + label + "]";
}

void expect_object(const json& j, const std::string& path, std::string_view what,
                   std::initializer_list<std::string_view> fields) {
  if (!j.is_object()) fail(path, fmt::format("expected {} (a JSON object), got {}", what, describe(j)));
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto f : fields) known = known || f == key;
    if (known) continue;
    std::string list;
    for (auto f : fields) list += (list.empty() ? "" : ", ") + std::string(f);
    fail(child(path, key), fmt::format("unknown field of {}; remove it or use one of: {}", what, list));
  }
}

// --- scalar readers ---------------------------------------------------------------------------

void read(const json& j, const std::string& path, std::string& out) {
  if (!j.is_string())
    fail(path, fmt::format("expected a string, got {}; write it in quotes", describe(j)));
  out = j.get<std::string>();
}

void read(const json& j, const std::string& path, int& out) {
  if (j.is_number_unsigned()) {
    auto v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(INT_MAX))
      fail(path, fmt::format("{} is too large; use a value up to {}", v, INT_MAX));
    out = static_cast<int>(v);
    return;
  }
  if (j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    if (v < INT_MIN || v > INT_MAX)
      fail(path, fmt::format("{} is out of range for an integer", v));
    out = static_cast<int>(v);
    return;
  }
  fail(path, fmt::format("expected an integer, got {}; write a whole number such as 1", describe(j)));
}

// Ids, revisions and indexes: Juju never makes a negative one (3.1 let them through unchecked,
// and Juju's tools then answer for units and relations that cannot exist).
void read_id(const json& j, const std::string& path, int& out, std::string_view what) {
  read(j, path, out);
  if (out < 0) fail(path, fmt::format("{} is not {}: Juju's are 0 or more", out, what));
}

void read_optional_id(const json& j, const std::string& path, std::optional<int>& out, std::string_view what) {
  if (j.is_null()) {
    out.reset();
    return;
  }
  int value = 0;
  read_id(j, path, value, what);
  out = value;
}

// Juju computes goal-state over every planned unit: an unbounded count allocates without end.
constexpr int max_planned_units = 10000;

void read(const json& j, const std::string& path, bool& out) {
  if (!j.is_boolean())
    fail(path, fmt::format("expected true or false, got {}", describe(j)));
  out = j.get<bool>();
}

void read(const json& j, const std::string& path, double& out) {
  if (!j.is_number())
    fail(path, fmt::format("expected a number, got {}; write e.g. 1.5", describe(j)));
  out = j.get<double>();
}

template <class T>
void read(const json& j, const std::string& path, std::optional<T>& out) {
  if (j.is_null()) {
    out.reset();
    return;
  }
  T value{};
  read(j, path, value);
  out = std::move(value);
}

void read_object(const json& j, const std::string& path, json& out) {
  if (!j.is_object())
    fail(path, fmt::format("expected an object, got {}; write {{}} for none", describe(j)));
  out = j;
}

void read_string_list(const json& j, const std::string& path, std::vector<std::string>& out) {
  if (!j.is_array()) fail(path, fmt::format("expected a list of strings, got {}", describe(j)));
  out.clear();
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string s;
    read(j[i], indexed(path, std::to_string(i)), s);
    out.push_back(std::move(s));
  }
}

void read_enum(const json& j, const std::string& path, std::string& out,
               std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
  if (!j.is_string()) fail(path, fmt::format("expected one of {}, got {}", list, describe(j)));
  auto v = j.get<std::string>();
  for (auto a : allowed)
    if (a == v) {
      out = v;
      return;
    }
  fail(path, fmt::format("'{}' is not valid; use one of {}", v, list));
}

void read_optional_enum(const json& j, const std::string& path, std::optional<std::string>& out,
                        std::initializer_list<std::string_view> allowed) {
  if (j.is_null()) {
    out.reset();
    return;
  }
  std::string v;
  read_enum(j, path, v, allowed);
  out = v;
}

// String -> string maps that are not databags (environment, last_data, secret content).
void read_string_map(const json& j, const std::string& path, std::map<std::string, std::string>& out) {
  if (!j.is_object())
    fail(path, fmt::format("expected an object of strings, got {}", describe(j)));
  out.clear();
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string())
      fail(keyed(path, k), fmt::format("values must be strings, got {}", describe(v)));
    out[k] = v.get<std::string>();
  }
}

void read_databag(const json& j, const std::string& path, databag& out) {
  if (!j.is_object())
    fail(path, fmt::format("a databag must be an object of strings, got {}; write {{}} for an empty one",
                           describe(j)));
  out.clear();
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) {
      // Juju databags only hold strings; tell the user the exact string to write instead.
      std::string fix = v.is_null() ? "remove the key to leave it unset"
                                    : fmt::format("write '{}'", v.dump());
      fail(keyed(path, k),
           fmt::format("databag values must be strings, got {}; {}", describe(v), fix));
    }
    out[k] = v.get<std::string>();
  }
}

int parse_int_key(const std::string& key, const std::string& path) {
  int value = 0;
  const char* first = key.data();
  const char* last = key.data() + key.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  bool canonical = ec == std::errc() && ptr == last && std::to_string(value) == key;
  if (!canonical)
    fail(keyed(path, key), "keys of this map are integers written as decimal strings, e.g. '0'");
  // Every such map is keyed by ids (unit ids, secret revisions, relation ids).
  if (value < 0) fail(keyed(path, key), "keys of this map are ids, which Juju never makes negative: use 0 or more");
  return value;
}

template <class T, class Fn>
void read_int_map(const json& j, const std::string& path, std::map<int, T>& out, Fn&& read_value) {
  if (!j.is_object())
    fail(path, fmt::format("expected an object keyed by decimal integers, got {}", describe(j)));
  out.clear();
  for (const auto& [k, v] : j.items()) {
    int key = parse_int_key(k, path);
    T value{};
    read_value(v, keyed(path, k), value);
    out[key] = std::move(value);
  }
}

// Reads a list of objects; `label` names an element from its JSON (e.g. "db:1") so error paths
// point at the element the user wrote, falling back to its index.
template <class T, class Fn>
void read_list(const json& j, const std::string& path, std::vector<T>& out, Fn&& read_item,
               const std::function<std::string(const json&)>& label = {}) {
  if (!j.is_array()) fail(path, fmt::format("expected a list, got {}; write [] for none", describe(j)));
  out.clear();
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string name = label ? label(j[i]) : std::string();
    if (name.empty()) name = std::to_string(i);
    T item{};
    read_item(j[i], indexed(path, name), item);
    out.push_back(std::move(item));
  }
}

std::string string_field(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// --- struct readers ---------------------------------------------------------------------------

// Calls fn(value, path) when `key` is present.
template <class Fn>
void with(const json& j, const std::string& path, const char* key, Fn&& fn) {
  auto it = j.find(key);
  if (it != j.end()) fn(*it, child(path, key));
}

template <class T>
void field(const json& j, const std::string& path, const char* key, T& out) {
  with(j, path, key, [&](const json& v, const std::string& p) { read(v, p, out); });
}

void read_relation(const json& j, const std::string& path, relation& r) {
  expect_object(j, path, "a relation",
                {"kind", "endpoint", "interface", "relation_id", "remote_app_name", "limit",
                 "local_app_data", "local_unit_data", "remote_app_data", "remote_units_data",
                 "remote_model_uuid"});
  with(j, path, "kind", [&](const json& v, const std::string& p) {
    std::string k;
    read_enum(v, p, k, {"regular", "peer", "subordinate"});
    r.kind = k == "peer" ? relation_kind::peer
             : k == "subordinate" ? relation_kind::subordinate
                                  : relation_kind::regular;
  });
  field(j, path, "endpoint", r.endpoint);
  field(j, path, "interface", r.interface);
  with(j, path, "relation_id", [&](const json& v, const std::string& p) { read_id(v, p, r.relation_id, "a relation id"); });
  with(j, path, "remote_app_name", [&](const json& v, const std::string& p) {
    read(v, p, r.remote_app_name);
    // ops cannot build a relation event without the remote application (peers: this one)
    if (r.remote_app_name.empty() && r.kind != relation_kind::peer)
      fail(p, "the remote application has a name; write e.g. 'mysql'");
  });
  field(j, path, "limit", r.limit);
  with(j, path, "local_app_data", [&](const json& v, const std::string& p) { read_databag(v, p, r.local_app_data); });
  with(j, path, "local_unit_data", [&](const json& v, const std::string& p) { read_databag(v, p, r.local_unit_data); });
  with(j, path, "remote_app_data", [&](const json& v, const std::string& p) { read_databag(v, p, r.remote_app_data); });
  with(j, path, "remote_units_data", [&](const json& v, const std::string& p) {
    read_int_map(v, p, r.remote_units_data, read_databag);
  });
  field(j, path, "remote_model_uuid", r.remote_model_uuid);
}

void read_address(const json& j, const std::string& path, address& a) {
  expect_object(j, path, "an address", {"hostname", "value", "cidr", "address"});
  field(j, path, "hostname", a.hostname);
  field(j, path, "value", a.value);
  field(j, path, "cidr", a.cidr);
  field(j, path, "address", a.address);
}

void read_bind_address(const json& j, const std::string& path, bind_address& b) {
  expect_object(j, path, "a bind address", {"interface_name", "addresses", "mac_address"});
  field(j, path, "interface_name", b.interface_name);
  with(j, path, "addresses", [&](const json& v, const std::string& p) { read_list(v, p, b.addresses, read_address); });
  field(j, path, "mac_address", b.mac_address);
}

void read_network(const json& j, const std::string& path, network& n) {
  expect_object(j, path, "a network", {"name", "bind_addresses", "ingress_addresses", "egress_subnets"});
  field(j, path, "name", n.name);
  with(j, path, "bind_addresses", [&](const json& v, const std::string& p) {
    read_list(v, p, n.bind_addresses, read_bind_address);
  });
  with(j, path, "ingress_addresses", [&](const json& v, const std::string& p) { read_string_list(v, p, n.ingress_addresses); });
  with(j, path, "egress_subnets", [&](const json& v, const std::string& p) { read_string_list(v, p, n.egress_subnets); });
}

void read_mount(const json& j, const std::string& path, mount& m) {
  expect_object(j, path, "a mount", {"location", "src"});
  field(j, path, "location", m.location);
  field(j, path, "src", m.src);
  // An empty or relative src would put the mount under the host's root or the process's cwd.
  if (m.src.empty() || m.src[0] != '/')
    fail(child(path, "src"), fmt::format("the mount's host directory must be an absolute path, got \"{}\"; "
                                         "give Mount(src=...) the absolute path of a directory (or file) that exists",
                                         m.src));
}

void read_exec_output(const json& j, const std::string& path, exec_output& e) {
  expect_object(j, path, "an exec mock", {"command", "return_code", "stdout", "stderr"});
  with(j, path, "command", [&](const json& v, const std::string& p) { read_string_list(v, p, e.command); });
  field(j, path, "return_code", e.return_code);
  field(j, path, "stdout", e.stdout_text);
  field(j, path, "stderr", e.stderr_text);
}

void read_exec_record(const json& j, const std::string& path, exec_record& e) {
  expect_object(j, path, "an exec record",
                {"command", "environment", "working_dir", "user", "user_id", "group", "group_id",
                 "timeout", "stdin", "return_code"});
  with(j, path, "command", [&](const json& v, const std::string& p) { read_string_list(v, p, e.command); });
  with(j, path, "environment", [&](const json& v, const std::string& p) { read_string_map(v, p, e.environment); });
  field(j, path, "working_dir", e.working_dir);
  field(j, path, "user", e.user);
  field(j, path, "user_id", e.user_id);
  field(j, path, "group", e.group);
  field(j, path, "group_id", e.group_id);
  field(j, path, "timeout", e.timeout);
  field(j, path, "stdin", e.stdin_text);
  field(j, path, "return_code", e.return_code);
}

void read_file(const json& j, const std::string& path, file_entry& f) {
  expect_object(j, path, "a file",
                {"path", "content", "encoding", "is_dir", "permissions", "user", "user_id", "group",
                 "group_id"});
  field(j, path, "path", f.path);
  std::string encoding = "utf-8";
  with(j, path, "encoding", [&](const json& v, const std::string& p) { read_enum(v, p, encoding, {"utf-8", "base64"}); });
  with(j, path, "content", [&](const json& v, const std::string& p) {
    std::string text;
    read(v, p, text);
    if (encoding == "utf-8") {
      f.content = std::move(text);
      return;
    }
    auto bytes = base64_decode(text);
    if (!bytes)
      fail(p, "content is not valid base64; encode the bytes with standard base64 (with '=' padding) "
              "or set \"encoding\": \"utf-8\" for text");
    f.content = std::move(*bytes);
  });
  field(j, path, "is_dir", f.is_dir);
  field(j, path, "permissions", f.permissions);
  field(j, path, "user", f.user);
  field(j, path, "user_id", f.user_id);
  field(j, path, "group", f.group);
  field(j, path, "group_id", f.group_id);
}

void read_notice(const json& j, const std::string& path, notice& n) {
  expect_object(j, path, "a notice",
                {"id", "type", "key", "first_occurred", "last_occurred", "last_repeated",
                 "occurrences", "last_data", "repeat_after", "expire_after"});
  field(j, path, "id", n.id);
  field(j, path, "type", n.type);
  field(j, path, "key", n.key);
  field(j, path, "first_occurred", n.first_occurred);
  field(j, path, "last_occurred", n.last_occurred);
  field(j, path, "last_repeated", n.last_repeated);
  field(j, path, "occurrences", n.occurrences);
  with(j, path, "last_data", [&](const json& v, const std::string& p) { read_string_map(v, p, n.last_data); });
  field(j, path, "repeat_after", n.repeat_after);
  field(j, path, "expire_after", n.expire_after);
}

void read_check_info(const json& j, const std::string& path, check_info& c) {
  expect_object(j, path, "a check info", {"name", "level", "status", "failures", "threshold", "startup"});
  field(j, path, "name", c.name);
  with(j, path, "level", [&](const json& v, const std::string& p) { read_enum(v, p, c.level, {"", "alive", "ready"}); });
  with(j, path, "status", [&](const json& v, const std::string& p) { read_enum(v, p, c.status, {"up", "down"}); });
  field(j, path, "failures", c.failures);
  field(j, path, "threshold", c.threshold);
  with(j, path, "startup", [&](const json& v, const std::string& p) { read_enum(v, p, c.startup, {"enabled", "disabled"}); });
}

void read_layers(const json& j, const std::string& path, std::vector<std::pair<std::string, json>>& out) {
  if (!j.is_array())
    fail(path, fmt::format("expected a list of [label, layer] pairs, got {}", describe(j)));
  out.clear();
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string p = indexed(path, std::to_string(i));
    const json& item = j[i];
    if (!item.is_array() || item.size() != 2)
      fail(p, fmt::format("expected a [label, layer] pair, got {}; write e.g. [\"base\", {{\"services\": {{}}}}]",
                          describe(item)));
    std::string label;
    read(item[0], indexed(p, "0"), label);
    json layer;
    read_object(item[1], indexed(p, "1"), layer);
    out.emplace_back(std::move(label), std::move(layer));
  }
}

void read_container(const json& j, const std::string& path, container& c) {
  expect_object(j, path, "a container",
                {"name", "can_connect", "base_plan", "layers", "service_status", "mounts",
                 "exec_mock", "files", "notices", "check_infos", "exec_history"});
  field(j, path, "name", c.name);
  field(j, path, "can_connect", c.can_connect);
  with(j, path, "base_plan", [&](const json& v, const std::string& p) { read_object(v, p, c.base_plan); });
  with(j, path, "layers", [&](const json& v, const std::string& p) { read_layers(v, p, c.layers); });
  with(j, path, "service_status", [&](const json& v, const std::string& p) {
    if (!v.is_object()) fail(p, fmt::format("expected an object of service -> status, got {}", describe(v)));
    c.service_status.clear();
    for (const auto& [k, s] : v.items())
      read_enum(s, keyed(p, k), c.service_status[k], {"active", "inactive", "error", "backoff"});
  });
  with(j, path, "mounts", [&](const json& v, const std::string& p) {
    if (!v.is_object()) fail(p, fmt::format("expected an object of name -> mount, got {}", describe(v)));
    c.mounts.clear();
    for (const auto& [k, m] : v.items()) read_mount(m, keyed(p, k), c.mounts[k]);
  });
  with(j, path, "exec_mock", [&](const json& v, const std::string& p) { read_list(v, p, c.exec_mock, read_exec_output); });
  with(j, path, "files", [&](const json& v, const std::string& p) {
    read_list(v, p, c.files, read_file, [](const json& f) { return string_field(f, "path"); });
  });
  with(j, path, "notices", [&](const json& v, const std::string& p) { read_list(v, p, c.notices, read_notice); });
  with(j, path, "check_infos", [&](const json& v, const std::string& p) {
    read_list(v, p, c.check_infos, read_check_info, [](const json& f) { return string_field(f, "name"); });
  });
  with(j, path, "exec_history", [&](const json& v, const std::string& p) { read_list(v, p, c.exec_history, read_exec_record); });
}

void read_entity_status(const json& j, const std::string& path, entity_status& s) {
  expect_object(j, path, "a status", {"name", "message"});
  with(j, path, "name", [&](const json& v, const std::string& p) {
    read_enum(v, p, s.name, {"unknown", "active", "blocked", "maintenance", "waiting", "error"});
  });
  field(j, path, "message", s.message);
}

void read_status(const json& j, const std::string& path, status_record& s) {
  expect_object(j, path, "a status record",
                {"app", "unit", "app_history", "unit_history", "workload_version",
                 "previous_workload_version"});
  with(j, path, "app", [&](const json& v, const std::string& p) { read_entity_status(v, p, s.app); });
  with(j, path, "unit", [&](const json& v, const std::string& p) { read_entity_status(v, p, s.unit); });
  with(j, path, "app_history", [&](const json& v, const std::string& p) { read_list(v, p, s.app_history, read_entity_status); });
  with(j, path, "unit_history", [&](const json& v, const std::string& p) { read_list(v, p, s.unit_history, read_entity_status); });
  field(j, path, "workload_version", s.workload_version);
  field(j, path, "previous_workload_version", s.previous_workload_version);
}

void read_model(const json& j, const std::string& path, model_info& m) {
  expect_object(j, path, "a model", {"name", "uuid", "type"});
  field(j, path, "name", m.name);
  field(j, path, "uuid", m.uuid);
  with(j, path, "type", [&](const json& v, const std::string& p) { read_enum(v, p, m.type, {"kubernetes", "lxd"}); });
}

void read_log_line(const json& j, const std::string& path, log_line& l) {
  expect_object(j, path, "a log line", {"level", "message"});
  field(j, path, "level", l.level);
  field(j, path, "message", l.message);
}

void read_secret(const json& j, const std::string& path, secret& s) {
  expect_object(j, path, "a secret",
                {"id", "contents", "owner", "revision", "granted", "remote_grants", "label",
                 "description", "expire", "rotate"});
  field(j, path, "id", s.id);
  with(j, path, "contents", [&](const json& v, const std::string& p) { read_int_map(v, p, s.contents, read_string_map); });
  with(j, path, "owner", [&](const json& v, const std::string& p) { read_optional_enum(v, p, s.owner, {"unit", "app"}); });
  with(j, path, "revision", [&](const json& v, const std::string& p) { read_id(v, p, s.revision, "a secret revision"); });
  with(j, path, "granted", [&](const json& v, const std::string& p) {
    // `false` is the Python spelling of "not granted".
    if (v.is_boolean() && !v.get<bool>()) {
      s.granted.reset();
      return;
    }
    if (v.is_boolean())
      fail(p, "true is ambiguous; write \"unit\" or \"app\" (who the secret is granted to), or null");
    read_optional_enum(v, p, s.granted, {"unit", "app"});
  });
  with(j, path, "remote_grants", [&](const json& v, const std::string& p) { read_int_map(v, p, s.remote_grants, read_string_list); });
  field(j, path, "label", s.label);
  field(j, path, "description", s.description);
  field(j, path, "expire", s.expire);
  with(j, path, "rotate", [&](const json& v, const std::string& p) {
    read_optional_enum(v, p, s.rotate, {"never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"});
  });
}

void read_deferred(const json& j, const std::string& path, deferred_event& d) {
  expect_object(j, path, "a deferred event", {"handle_path", "owner", "observer", "snapshot_data"});
  field(j, path, "handle_path", d.handle_path);
  field(j, path, "owner", d.owner);
  field(j, path, "observer", d.observer);
  with(j, path, "snapshot_data", [&](const json& v, const std::string& p) { read_object(v, p, d.snapshot_data); });
}

void read_stored_state(const json& j, const std::string& path, stored_state_entry& s) {
  expect_object(j, path, "a stored state", {"owner_path", "name", "content", "data_type_name"});
  field(j, path, "owner_path", s.owner_path);
  field(j, path, "name", s.name);
  with(j, path, "content", [&](const json& v, const std::string& p) { read_object(v, p, s.content); });
  field(j, path, "data_type_name", s.data_type_name);
}

void read_opened_port(const json& j, const std::string& path, opened_port& o) {
  expect_object(j, path, "an opened port", {"protocol", "port"});
  with(j, path, "protocol", [&](const json& v, const std::string& p) { read_enum(v, p, o.protocol, {"tcp", "udp", "icmp"}); });
  field(j, path, "port", o.port);
}

void read_storage(const json& j, const std::string& path, storage& s) {
  expect_object(j, path, "a storage", {"name", "index", "location"});
  field(j, path, "name", s.name);
  with(j, path, "index", [&](const json& v, const std::string& p) { read_id(v, p, s.index, "a storage index"); });
  field(j, path, "location", s.location);
}

void read_resource(const json& j, const std::string& path, resource& r) {
  expect_object(j, path, "a resource", {"name", "path"});
  field(j, path, "name", r.name);
  field(j, path, "path", r.path);
}

void read_action_output(const json& j, const std::string& path, action_output& a) {
  expect_object(j, path, "an action output", {"results", "logs", "failure_message"});
  with(j, path, "results", [&](const json& v, const std::string& p) { read_object(v, p, a.results); });
  with(j, path, "logs", [&](const json& v, const std::string& p) { read_string_list(v, p, a.logs); });
  field(j, path, "failure_message", a.failure_message);
}

std::string relation_label(const json& j) {
  std::string endpoint = string_field(j, "endpoint");
  if (endpoint.empty() || !j.is_object()) return {};
  auto it = j.find("relation_id");
  if (it != j.end() && it->is_number_integer()) return endpoint + ":" + it->dump();
  return endpoint;
}

// --- writers ----------------------------------------------------------------------------------

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <class T, class Fn>
json list(const std::vector<T>& items, Fn&& fn) {
  json out = json::array();
  for (const auto& item : items) out.push_back(fn(item));
  return out;
}

template <class T, class Fn>
json int_map(const std::map<int, T>& m, Fn&& fn) {
  json out = json::object();
  for (const auto& [k, v] : m) out[std::to_string(k)] = fn(v);
  return out;
}

json string_map(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

const char* kind_name(relation_kind k) {
  switch (k) {
    case relation_kind::peer: return "peer";
    case relation_kind::subordinate: return "subordinate";
    default: return "regular";
  }
}

json to_json(const relation& r) {
  return {{"kind", kind_name(r.kind)},
          {"endpoint", r.endpoint},
          {"interface", opt(r.interface)},
          {"relation_id", r.relation_id},
          {"remote_app_name", r.remote_app_name},
          {"limit", r.limit},
          {"local_app_data", string_map(r.local_app_data)},
          {"local_unit_data", string_map(r.local_unit_data)},
          {"remote_app_data", string_map(r.remote_app_data)},
          {"remote_units_data", int_map(r.remote_units_data, string_map)},
          {"remote_model_uuid", opt(r.remote_model_uuid)}};
}

json to_json(const network& n) {
  auto addr = [](const address& a) {
    return json{{"hostname", a.hostname}, {"value", a.value}, {"cidr", a.cidr}, {"address", a.address}};
  };
  auto bind = [&](const bind_address& b) {
    return json{{"interface_name", b.interface_name},
                {"mac_address", b.mac_address},
                {"addresses", list(b.addresses, addr)}};
  };
  return {{"name", n.name},
          {"bind_addresses", list(n.bind_addresses, bind)},
          {"ingress_addresses", n.ingress_addresses},
          {"egress_subnets", n.egress_subnets}};
}

json to_json(const file_entry& f) {
  bool text = is_valid_utf8(f.content);
  return {{"path", f.path},
          {"content", text ? f.content : base64_encode(f.content)},
          {"encoding", text ? "utf-8" : "base64"},
          {"is_dir", f.is_dir},
          {"permissions", f.permissions},
          {"user", opt(f.user)},
          {"user_id", opt(f.user_id)},
          {"group", opt(f.group)},
          {"group_id", opt(f.group_id)}};
}

json to_json(const container& c) {
  json layers = json::array();
  for (const auto& [label, layer] : c.layers) layers.push_back(json::array({label, layer}));
  json mounts = json::object();
  for (const auto& [k, m] : c.mounts) mounts[k] = {{"location", m.location}, {"src", m.src}};
  auto exec_mock = [](const exec_output& e) {
    return json{{"command", e.command},
                {"return_code", e.return_code},
                {"stdout", e.stdout_text},
                {"stderr", e.stderr_text}};
  };
  auto notice_json = [](const notice& n) {
    return json{{"id", n.id},
                {"type", n.type},
                {"key", n.key},
                {"first_occurred", n.first_occurred},
                {"last_occurred", n.last_occurred},
                {"last_repeated", n.last_repeated},
                {"occurrences", n.occurrences},
                {"last_data", string_map(n.last_data)},
                {"repeat_after", opt(n.repeat_after)},
                {"expire_after", opt(n.expire_after)}};
  };
  auto check_json = [](const check_info& ci) {
    return json{{"name", ci.name},
                {"level", ci.level},
                {"status", ci.status},
                {"failures", ci.failures},
                {"threshold", ci.threshold},
                {"startup", ci.startup}};
  };
  auto record_json = [](const exec_record& e) {
    return json{{"command", e.command},
                {"environment", string_map(e.environment)},
                {"working_dir", opt(e.working_dir)},
                {"user", opt(e.user)},
                {"user_id", opt(e.user_id)},
                {"group", opt(e.group)},
                {"group_id", opt(e.group_id)},
                {"timeout", opt(e.timeout)},
                {"stdin", e.stdin_text},
                {"return_code", e.return_code}};
  };
  return {{"name", c.name},
          {"can_connect", c.can_connect},
          {"base_plan", c.base_plan},
          {"layers", layers},
          {"service_status", string_map(c.service_status)},
          {"mounts", mounts},
          {"exec_mock", list(c.exec_mock, exec_mock)},
          {"files", list(c.files, [](const file_entry& f) { return to_json(f); })},
          {"notices", list(c.notices, notice_json)},
          {"check_infos", list(c.check_infos, check_json)},
          {"exec_history", list(c.exec_history, record_json)}};
}

json to_json(const entity_status& s) { return {{"name", s.name}, {"message", s.message}}; }

json to_json(const secret& s) {
  return {{"id", s.id},
          {"contents", int_map(s.contents, string_map)},
          {"owner", opt(s.owner)},
          {"revision", s.revision},
          {"granted", opt(s.granted)},
          {"remote_grants", int_map(s.remote_grants, [](const std::vector<std::string>& v) { return json(v); })},
          {"label", opt(s.label)},
          {"description", opt(s.description)},
          {"expire", opt(s.expire)},
          {"rotate", opt(s.rotate)}};
}

}  // namespace

bool is_tag_wrapper(const json& value) {
  if (!value.is_object() || value.size() != 1) return false;
  const std::string& key = value.begin().key();
  return !key.empty() && key[0] == '$';
}

std::string too_deep_message(const std::string& path) {
  // The path of a value this deep is mostly "[0][0]...": its start says where it is.
  std::string shown = shortened(path, 80);
  return fmt::format("{}: nested deeper than {} levels; no value in a State, Event or charm metadata may "
                     "nest more than {} dicts/lists deep: flatten it",
                     shown, max_nesting_depth, max_nesting_depth);
}

namespace {

bool nests_too_deep(const json& value, int level) {
  if (!value.is_structured()) return false;
  if (is_tag_wrapper(value)) return nests_too_deep(value.begin().value(), level);
  if (level > max_nesting_depth) return true;
  for (const auto& item : value)
    if (nests_too_deep(item, level + 1)) return true;
  return false;
}

std::string too_deep_path(const json& value, const std::string& path, int level) {
  if (is_tag_wrapper(value)) return too_deep_path(value.begin().value(), path + "." + value.begin().key(), level);
  if (level > max_nesting_depth) return path;
  if (value.is_object()) {
    for (const auto& [k, v] : value.items())
      if (nests_too_deep(v, level + 1)) return too_deep_path(v, level == 1 ? child(path, k) : keyed(path, k), level + 1);
  } else {
    for (std::size_t i = 0; i < value.size(); ++i)
      if (nests_too_deep(value[i], level + 1)) return too_deep_path(value[i], indexed(path, std::to_string(i)), level + 1);
  }
  return path;  // not reached: nests_too_deep(value) held
}

}  // namespace

std::optional<std::string> nesting_problem(const json& value, const std::string& path, int level) {
  // Paths are built only for a value that is too deep: checking a well-formed one allocates nothing.
  if (!nests_too_deep(value, level)) return std::nullopt;
  return too_deep_message(too_deep_path(value, path, level));
}

namespace {

// The whole document is checked first: every reader below may copy or dump (in messages) what
// it is given, recursively.
void check_nesting(const json& document, const std::string& root) {
  if (auto problem = nesting_problem(document, root)) throw state_validation_error(error_code, *problem);
}

}  // namespace

state state_from_json(const json& j) {
  const std::string root;
  check_nesting(j, "state");
  if (!j.is_object()) fail("state", fmt::format("expected a State (a JSON object), got {}", describe(j)));
  expect_object(j, root, "a State",
                {"config", "relations", "networks", "containers", "status", "leader", "model",
                 "juju_log", "secrets", "unit_id", "deferred", "stored_state", "opened_ports",
                 "storages", "resources", "planned_units", "action"});
  state s;
  with(j, root, "config", [&](const json& v, const std::string& p) { read_object(v, p, s.config); });
  with(j, root, "relations", [&](const json& v, const std::string& p) {
    read_list(v, p, s.relations, read_relation, relation_label);
  });
  with(j, root, "networks", [&](const json& v, const std::string& p) {
    read_list(v, p, s.networks, read_network, [](const json& n) { return string_field(n, "name"); });
  });
  with(j, root, "containers", [&](const json& v, const std::string& p) {
    read_list(v, p, s.containers, read_container, [](const json& c) { return string_field(c, "name"); });
  });
  with(j, root, "status", [&](const json& v, const std::string& p) { read_status(v, p, s.status); });
  field(j, root, "leader", s.leader);
  with(j, root, "model", [&](const json& v, const std::string& p) { read_model(v, p, s.model); });
  with(j, root, "juju_log", [&](const json& v, const std::string& p) { read_list(v, p, s.juju_log, read_log_line); });
  with(j, root, "secrets", [&](const json& v, const std::string& p) {
    read_list(v, p, s.secrets, read_secret, [](const json& x) { return string_field(x, "id"); });
  });
  with(j, root, "unit_id", [&](const json& v, const std::string& p) { read_id(v, p, s.unit_id, "a unit id"); });
  with(j, root, "deferred", [&](const json& v, const std::string& p) {
    read_list(v, p, s.deferred, read_deferred, [](const json& x) { return string_field(x, "handle_path"); });
  });
  with(j, root, "stored_state", [&](const json& v, const std::string& p) { read_list(v, p, s.stored_state, read_stored_state); });
  with(j, root, "opened_ports", [&](const json& v, const std::string& p) { read_list(v, p, s.opened_ports, read_opened_port); });
  with(j, root, "storages", [&](const json& v, const std::string& p) { read_list(v, p, s.storages, read_storage); });
  with(j, root, "resources", [&](const json& v, const std::string& p) {
    read_list(v, p, s.resources, read_resource, [](const json& x) { return string_field(x, "name"); });
  });
  with(j, root, "planned_units", [&](const json& v, const std::string& p) {
    read_id(v, p, s.planned_units, "a unit count");
    if (s.planned_units > max_planned_units)
      fail(p, fmt::format("{} planned units is more than Scenario simulates (at most {})", s.planned_units,
                          max_planned_units));
  });
  with(j, root, "action", [&](const json& v, const std::string& p) {
    if (v.is_null()) {
      s.action.reset();
      return;
    }
    action_output a;
    read_action_output(v, p, a);
    s.action = std::move(a);
  });
  return s;
}

json state_to_json(const state& s) {
  json status = {{"app", to_json(s.status.app)},
                 {"unit", to_json(s.status.unit)},
                 {"app_history", list(s.status.app_history, [](const entity_status& e) { return to_json(e); })},
                 {"unit_history", list(s.status.unit_history, [](const entity_status& e) { return to_json(e); })},
                 {"workload_version", s.status.workload_version},
                 {"previous_workload_version", opt(s.status.previous_workload_version)}};
  json action = nullptr;
  if (s.action)
    action = {{"results", s.action->results},
              {"logs", s.action->logs},
              {"failure_message", opt(s.action->failure_message)}};
  return {
      {"config", s.config},
      {"relations", list(s.relations, [](const relation& r) { return to_json(r); })},
      {"networks", list(s.networks, [](const network& n) { return to_json(n); })},
      {"containers", list(s.containers, [](const container& c) { return to_json(c); })},
      {"status", status},
      {"leader", s.leader},
      {"model", {{"name", s.model.name}, {"uuid", s.model.uuid}, {"type", s.model.type}}},
      {"juju_log", list(s.juju_log, [](const log_line& l) { return json{{"level", l.level}, {"message", l.message}}; })},
      {"secrets", list(s.secrets, [](const secret& x) { return to_json(x); })},
      {"unit_id", s.unit_id},
      {"deferred", list(s.deferred, [](const deferred_event& d) {
         return json{{"handle_path", d.handle_path},
                     {"owner", d.owner},
                     {"observer", d.observer},
                     {"snapshot_data", d.snapshot_data}};
       })},
      {"stored_state", list(s.stored_state, [](const stored_state_entry& e) {
         return json{{"owner_path", opt(e.owner_path)},
                     {"name", e.name},
                     {"content", e.content},
                     {"data_type_name", e.data_type_name}};
       })},
      {"opened_ports", list(s.opened_ports, [](const opened_port& o) {
         return json{{"protocol", o.protocol}, {"port", opt(o.port)}};
       })},
      {"storages", list(s.storages, [](const storage& x) {
         return json{{"name", x.name}, {"index", x.index}, {"location", x.location}};
       })},
      {"resources", list(s.resources, [](const resource& r) { return json{{"name", r.name}, {"path", r.path}}; })},
      {"planned_units", s.planned_units},
      {"action", action}};
}

event event_from_json(const json& j) {
  const std::string root = "event";
  check_nesting(j, root);
  expect_object(j, root, "an Event",
                {"name", "relation_id", "relation_remote_unit_id", "relation_departed_unit_id",
                 "secret_id", "secret_revision", "container", "notice_id", "check_name",
                 "storage_name", "storage_index", "action_params", "action_id"});
  event e;
  field(j, root, "name", e.name);
  with(j, root, "relation_id", [&](const json& v, const std::string& p) { read_optional_id(v, p, e.relation_id, "a relation id"); });
  with(j, root, "relation_remote_unit_id", [&](const json& v, const std::string& p) { read_optional_id(v, p, e.relation_remote_unit_id, "a unit id"); });
  with(j, root, "relation_departed_unit_id", [&](const json& v, const std::string& p) { read_optional_id(v, p, e.relation_departed_unit_id, "a unit id"); });
  field(j, root, "secret_id", e.secret_id);
  with(j, root, "secret_revision", [&](const json& v, const std::string& p) { read_optional_id(v, p, e.secret_revision, "a secret revision"); });
  field(j, root, "container", e.container);
  field(j, root, "notice_id", e.notice_id);
  field(j, root, "check_name", e.check_name);
  field(j, root, "storage_name", e.storage_name);
  with(j, root, "storage_index", [&](const json& v, const std::string& p) { read_optional_id(v, p, e.storage_index, "a storage index"); });
  with(j, root, "action_params", [&](const json& v, const std::string& p) { read_object(v, p, e.action_params); });
  field(j, root, "action_id", e.action_id);
  return e;
}

json event_to_json(const event& e) {
  return {{"name", e.name},
          {"relation_id", opt(e.relation_id)},
          {"relation_remote_unit_id", opt(e.relation_remote_unit_id)},
          {"relation_departed_unit_id", opt(e.relation_departed_unit_id)},
          {"secret_id", opt(e.secret_id)},
          {"secret_revision", opt(e.secret_revision)},
          {"container", opt(e.container)},
          {"notice_id", opt(e.notice_id)},
          {"check_name", opt(e.check_name)},
          {"storage_name", opt(e.storage_name)},
          {"storage_index", opt(e.storage_index)},
          {"action_params", e.action_params},
          {"action_id", opt(e.action_id)}};
}

}  // namespace scenario::state
