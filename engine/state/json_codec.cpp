#include "engine/state/json_codec.hpp"

#include <array>
#include <charconv>
#include <climits>
#include <functional>
#include <initializer_list>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "engine/state/bytes_text.hpp"

namespace scenario::state {

namespace {

constexpr const char* error_code = "invalid-state";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw state_validation_error(error_code, path.empty() ? what : path + ": " + what);
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
  return text + " (" + json_kind(j) + ")";
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


// The scalar readers above, under a name the codecs' own `read` members do not hide.
template <class T>
void read_scalar(const json& j, const std::string& path, T& out) {
  read(j, path, out);
}

// --- value codecs -----------------------------------------------------------------------------
//
// A codec reads one JSON value into a C++ value (checking it), writes it back, and names its
// type for state_schema(). The struct tables below are built from them.

template <std::size_t N>
struct fixed_string {
  char text[N]{};
  constexpr fixed_string(const char (&s)[N]) {  // NOLINT(google-explicit-constructor)
    for (std::size_t i = 0; i < N; ++i) text[i] = s[i];
  }
  constexpr std::string_view view() const { return {text, N - 1}; }
};

struct string_codec {
  using value_type = std::string;
  static void read(const json& j, const std::string& p, std::string& out) { read_scalar(j, p, out); }
  static json write(const std::string& v) { return v; }
  static std::string type() { return "string"; }
};

struct int_codec {
  using value_type = int;
  static void read(const json& j, const std::string& p, int& out) { read_scalar(j, p, out); }
  static json write(int v) { return v; }
  static std::string type() { return "int"; }
};

struct bool_codec {
  using value_type = bool;
  static void read(const json& j, const std::string& p, bool& out) { read_scalar(j, p, out); }
  static json write(bool v) { return v; }
  static std::string type() { return "bool"; }
};

struct number_codec {
  using value_type = double;
  static void read(const json& j, const std::string& p, double& out) { read_scalar(j, p, out); }
  static json write(double v) { return v; }
  static std::string type() { return "number"; }
};

// An id, revision, index or count: Juju never makes a negative one.
template <fixed_string What>
struct id_codec {
  using value_type = int;
  static void read(const json& j, const std::string& p, int& out) { read_id(j, p, out, What.view()); }
  static json write(int v) { return v; }
  static std::string type() { return "id"; }
};

template <class Codec>
struct optional_codec {
  using value_type = std::optional<typename Codec::value_type>;
  static void read(const json& j, const std::string& p, value_type& out) {
    if (j.is_null()) {
      out.reset();
      return;
    }
    typename Codec::value_type value{};
    Codec::read(j, p, value);
    out = std::move(value);
  }
  static json write(const value_type& v) { return v ? Codec::write(*v) : json(nullptr); }
  static std::string type() { return "optional[" + Codec::type() + "]"; }
};

template <fixed_string... Allowed>
struct enum_codec {
  using value_type = std::string;
  static void read(const json& j, const std::string& p, std::string& out) {
    read_enum(j, p, out, {Allowed.view()...});
  }
  static json write(const std::string& v) { return v; }
  static std::string type() {
    std::string names;
    ((names += (names.empty() ? "" : "|") + std::string(Allowed.view())), ...);
    return "enum[" + names + "]";
  }
};

struct object_codec {
  using value_type = json;
  static void read(const json& j, const std::string& p, json& out) { read_object(j, p, out); }
  static json write(const json& v) { return v; }
  static std::string type() { return "object"; }
};

struct strings_codec {
  using value_type = std::vector<std::string>;
  static void read(const json& j, const std::string& p, value_type& out) { read_string_list(j, p, out); }
  static json write(const value_type& v) { return v; }
  static std::string type() { return "list[string]"; }
};

json string_map(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

struct string_map_codec {
  using value_type = std::map<std::string, std::string>;
  static void read(const json& j, const std::string& p, value_type& out) { read_string_map(j, p, out); }
  static json write(const value_type& v) { return string_map(v); }
  static std::string type() { return "map[string,string]"; }
};

struct databag_codec {
  using value_type = databag;
  static void read(const json& j, const std::string& p, databag& out) { read_databag(j, p, out); }
  static json write(const databag& v) { return string_map(v); }
  static std::string type() { return "databag"; }
};

template <class Codec>
struct int_map_codec {
  using value_type = std::map<int, typename Codec::value_type>;
  static void read(const json& j, const std::string& p, value_type& out) { read_int_map(j, p, out, Codec::read); }
  static json write(const value_type& m) {
    json out = json::object();
    for (const auto& [k, v] : m) out[std::to_string(k)] = Codec::write(v);
    return out;
  }
  static std::string type() { return "map[int," + Codec::type() + "]"; }
};

// --- struct tables ----------------------------------------------------------------------------
//
// One table per struct: its name in the schema, how messages call it, how a list element is
// labelled in error paths, and its fields in order. The order is the order fields are read in
// and listed in "use one of" messages. A field reader sees the whole JSON object too, for the
// one field (file content) whose meaning depends on another (encoding).

template <class S>
struct field {
  std::string_view name;
  std::string (*type)();
  void (*read)(const json& object, const json& value, const std::string& path, S& out);
  json (*write)(const S& in);
};

template <auto Member>
struct member_of;
template <class S, class T, T S::*Member>
struct member_of<Member> {
  using owner = S;
};

template <auto Member, class Codec>
constexpr auto member(std::string_view name) {
  using S = typename member_of<Member>::owner;
  return field<S>{name, &Codec::type,
                  [](const json&, const json& v, const std::string& p, S& s) { Codec::read(v, p, s.*Member); },
                  [](const S& s) -> json { return Codec::write(s.*Member); }};
}

using label_fn = std::string (*)(const json&);

template <fixed_string Key>
std::string label_by(const json& j) {
  return string_field(j, Key.text);
}

template <class S>
struct table;

template <class S>
void read_struct(const json& j, const std::string& path, S& out) {
  using T = table<S>;
  if (!j.is_object()) fail(path, fmt::format("expected {} (a JSON object), got {}", T::what, describe(j)));
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const auto& f : T::fields) known = known || f.name == key;
    if (known) continue;
    std::string list;
    for (const auto& f : T::fields) list += (list.empty() ? "" : ", ") + std::string(f.name);
    fail(child(path, key), fmt::format("unknown field of {}; remove it or use one of: {}", T::what, list));
  }
  for (const auto& f : T::fields) {
    auto it = j.find(f.name);
    if (it != j.end()) f.read(j, *it, child(path, f.name), out);
  }
  if constexpr (requires { T::validate(path, out); }) T::validate(path, out);
}

template <class S>
json write_struct(const S& in) {
  json out = json::object();
  for (const auto& f : table<S>::fields) out[std::string(f.name)] = f.write(in);
  return out;
}

template <class S>
struct struct_codec {
  using value_type = S;
  static void read(const json& j, const std::string& p, S& out) { read_struct(j, p, out); }
  static json write(const S& v) { return write_struct(v); }
  static std::string type() { return std::string(table<S>::name); }
};

template <class S>
struct list_codec {
  using value_type = std::vector<S>;
  static void read(const json& j, const std::string& p, value_type& out) {
    if constexpr (table<S>::label != nullptr)
      read_list(j, p, out, read_struct<S>, table<S>::label);
    else
      read_list(j, p, out, read_struct<S>);
  }
  static json write(const value_type& items) {
    json out = json::array();
    for (const auto& item : items) out.push_back(write_struct(item));
    return out;
  }
  static std::string type() { return "list[" + std::string(table<S>::name) + "]"; }
};

template <>
struct table<address> {
  static constexpr std::string_view name = "address", what = "an address";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&address::hostname, string_codec>("hostname"), member<&address::value, string_codec>("value"),
      member<&address::cidr, string_codec>("cidr"), member<&address::address, string_codec>("address")};
};

template <>
struct table<bind_address> {
  static constexpr std::string_view name = "bind_address", what = "a bind address";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&bind_address::interface_name, string_codec>("interface_name"),
      member<&bind_address::addresses, list_codec<address>>("addresses"),
      member<&bind_address::mac_address, string_codec>("mac_address")};
};

template <>
struct table<network> {
  static constexpr std::string_view name = "network", what = "a network";
  static constexpr label_fn label = label_by<"name">;
  static constexpr std::array fields = {
      member<&network::name, string_codec>("name"),
      member<&network::bind_addresses, list_codec<bind_address>>("bind_addresses"),
      member<&network::ingress_addresses, strings_codec>("ingress_addresses"),
      member<&network::egress_subnets, strings_codec>("egress_subnets")};
};

const char* kind_name(relation_kind k) {
  switch (k) {
    case relation_kind::peer: return "peer";
    case relation_kind::subordinate: return "subordinate";
    default: return "regular";
  }
}

struct relation_kind_codec {
  using value_type = relation_kind;
  using names = enum_codec<"regular", "peer", "subordinate">;
  static void read(const json& j, const std::string& p, relation_kind& out) {
    std::string k;
    names::read(j, p, k);
    out = k == "peer" ? relation_kind::peer : k == "subordinate" ? relation_kind::subordinate : relation_kind::regular;
  }
  static json write(relation_kind k) { return kind_name(k); }
  static std::string type() { return names::type(); }
};

std::string relation_label(const json& j) {
  std::string endpoint = string_field(j, "endpoint");
  if (endpoint.empty() || !j.is_object()) return {};
  auto it = j.find("relation_id");
  if (it != j.end() && it->is_number_integer()) return endpoint + ":" + it->dump();
  return endpoint;
}

template <>
struct table<relation> {
  static constexpr std::string_view name = "relation", what = "a relation";
  static constexpr label_fn label = relation_label;
  static constexpr std::array fields = {
      member<&relation::kind, relation_kind_codec>("kind"),
      member<&relation::endpoint, string_codec>("endpoint"),
      member<&relation::interface, optional_codec<string_codec>>("interface"),
      member<&relation::relation_id, id_codec<"a relation id">>("relation_id"),
      field<relation>{"remote_app_name", string_codec::type,
                      [](const json&, const json& v, const std::string& p, relation& r) {
                        read_scalar(v, p, r.remote_app_name);
                        // ops cannot build a relation event without the remote application
                        // (peers: this one); `kind` is read before this field.
                        if (r.remote_app_name.empty() && r.kind != relation_kind::peer)
                          fail(p, "the remote application has a name; write e.g. 'mysql'");
                      },
                      [](const relation& r) -> json { return r.remote_app_name; }},
      member<&relation::limit, int_codec>("limit"),
      member<&relation::local_app_data, databag_codec>("local_app_data"),
      member<&relation::local_unit_data, databag_codec>("local_unit_data"),
      member<&relation::remote_app_data, databag_codec>("remote_app_data"),
      member<&relation::remote_units_data, int_map_codec<databag_codec>>("remote_units_data"),
      member<&relation::remote_model_uuid, optional_codec<string_codec>>("remote_model_uuid")};
};

template <>
struct table<mount> {
  static constexpr std::string_view name = "mount", what = "a mount";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {member<&mount::location, string_codec>("location"),
                                        member<&mount::src, string_codec>("src")};
  // An empty or relative src would put the mount under the host's root or the process's cwd.
  static void validate(const std::string& path, const mount& m) {
    if (m.src.empty() || m.src[0] != '/')
      fail(child(path, "src"),
           fmt::format("the mount's host directory must be an absolute path, got \"{}\"; "
                       "give Mount(src=...) the absolute path of a directory (or file) that exists",
                       m.src));
  }
};

template <>
struct table<exec_output> {
  static constexpr std::string_view name = "exec_output", what = "an exec mock";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {member<&exec_output::command, strings_codec>("command"),
                                        member<&exec_output::return_code, int_codec>("return_code"),
                                        member<&exec_output::stdout_text, string_codec>("stdout"),
                                        member<&exec_output::stderr_text, string_codec>("stderr")};
};

template <>
struct table<exec_record> {
  static constexpr std::string_view name = "exec_record", what = "an exec record";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&exec_record::command, strings_codec>("command"),
      member<&exec_record::environment, string_map_codec>("environment"),
      member<&exec_record::working_dir, optional_codec<string_codec>>("working_dir"),
      member<&exec_record::user, optional_codec<string_codec>>("user"),
      member<&exec_record::user_id, optional_codec<int_codec>>("user_id"),
      member<&exec_record::group, optional_codec<string_codec>>("group"),
      member<&exec_record::group_id, optional_codec<int_codec>>("group_id"),
      member<&exec_record::timeout, optional_codec<number_codec>>("timeout"),
      member<&exec_record::stdin_text, string_codec>("stdin"),
      member<&exec_record::return_code, int_codec>("return_code")};
};

using file_encoding_codec = enum_codec<"utf-8", "base64">;

template <>
struct table<file_entry> {
  static constexpr std::string_view name = "file", what = "a file";
  static constexpr label_fn label = label_by<"path">;
  static constexpr std::array fields = {
      member<&file_entry::path, string_codec>("path"),
      // Text as is; other bytes as base64, which "encoding" says.
      field<file_entry>{"content", string_codec::type,
                        [](const json& object, const json& v, const std::string& p, file_entry& f) {
                          std::string encoding = "utf-8";
                          if (auto it = object.find("encoding"); it != object.end())
                            file_encoding_codec::read(*it, child(p.substr(0, p.rfind('.')), "encoding"), encoding);
                          std::string text;
                          read_scalar(v, p, text);
                          if (encoding == "utf-8") {
                            f.content = std::move(text);
                            return;
                          }
                          auto bytes = base64_decode(text);
                          if (!bytes)
                            fail(p, "content is not valid base64; encode the bytes with standard base64 (with '=' "
                                    "padding) or set \"encoding\": \"utf-8\" for text");
                          f.content = std::move(*bytes);
                        },
                        [](const file_entry& f) -> json {
                          return is_valid_utf8(f.content) ? f.content : base64_encode(f.content);
                        }},
      field<file_entry>{"encoding", file_encoding_codec::type,
                        [](const json&, const json& v, const std::string& p, file_entry&) {
                          std::string encoding;
                          file_encoding_codec::read(v, p, encoding);
                        },
                        [](const file_entry& f) -> json { return is_valid_utf8(f.content) ? "utf-8" : "base64"; }},
      member<&file_entry::is_dir, bool_codec>("is_dir"),
      member<&file_entry::permissions, int_codec>("permissions"),
      member<&file_entry::user, optional_codec<string_codec>>("user"),
      member<&file_entry::user_id, optional_codec<int_codec>>("user_id"),
      member<&file_entry::group, optional_codec<string_codec>>("group"),
      member<&file_entry::group_id, optional_codec<int_codec>>("group_id")};
};

template <>
struct table<notice> {
  static constexpr std::string_view name = "notice", what = "a notice";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&notice::id, string_codec>("id"),
      member<&notice::type, string_codec>("type"),
      member<&notice::key, string_codec>("key"),
      member<&notice::first_occurred, string_codec>("first_occurred"),
      member<&notice::last_occurred, string_codec>("last_occurred"),
      member<&notice::last_repeated, string_codec>("last_repeated"),
      member<&notice::occurrences, int_codec>("occurrences"),
      member<&notice::last_data, string_map_codec>("last_data"),
      member<&notice::repeat_after, optional_codec<number_codec>>("repeat_after"),
      member<&notice::expire_after, optional_codec<number_codec>>("expire_after")};
};

template <>
struct table<check_info> {
  static constexpr std::string_view name = "check_info", what = "a check info";
  static constexpr label_fn label = label_by<"name">;
  static constexpr std::array fields = {
      member<&check_info::name, string_codec>("name"),
      member<&check_info::level, enum_codec<"", "alive", "ready">>("level"),
      member<&check_info::status, enum_codec<"up", "down">>("status"),
      member<&check_info::failures, int_codec>("failures"),
      member<&check_info::threshold, int_codec>("threshold"),
      member<&check_info::startup, enum_codec<"enabled", "disabled">>("startup")};
};

struct layers_codec {
  using value_type = std::vector<std::pair<std::string, json>>;
  static void read(const json& j, const std::string& path, value_type& out) {
    if (!j.is_array()) fail(path, fmt::format("expected a list of [label, layer] pairs, got {}", describe(j)));
    out.clear();
    for (std::size_t i = 0; i < j.size(); ++i) {
      std::string p = indexed(path, std::to_string(i));
      const json& item = j[i];
      if (!item.is_array() || item.size() != 2)
        fail(p, fmt::format("expected a [label, layer] pair, got {}; write e.g. [\"base\", {{\"services\": {{}}}}]",
                            describe(item)));
      std::string label;
      read_scalar(item[0], indexed(p, "0"), label);
      json layer;
      read_object(item[1], indexed(p, "1"), layer);
      out.emplace_back(std::move(label), std::move(layer));
    }
  }
  static json write(const value_type& layers) {
    json out = json::array();
    for (const auto& [label, layer] : layers) out.push_back(json::array({label, layer}));
    return out;
  }
  static std::string type() { return "list[[string,object]]"; }
};

// An object keyed by name (service names, mount names), each value read by `Codec`.
template <class Codec, fixed_string What>
struct named_map_codec {
  using value_type = std::map<std::string, typename Codec::value_type>;
  static void read(const json& j, const std::string& p, value_type& out) {
    if (!j.is_object()) fail(p, fmt::format("expected an object of {}, got {}", What.view(), describe(j)));
    out.clear();
    for (const auto& [k, v] : j.items()) Codec::read(v, keyed(p, k), out[k]);
  }
  static json write(const value_type& m) {
    json out = json::object();
    for (const auto& [k, v] : m) out[k] = Codec::write(v);
    return out;
  }
  static std::string type() { return "map[string," + Codec::type() + "]"; }
};

template <>
struct table<container> {
  static constexpr std::string_view name = "container", what = "a container";
  static constexpr label_fn label = label_by<"name">;
  static constexpr std::array fields = {
      member<&container::name, string_codec>("name"),
      member<&container::can_connect, bool_codec>("can_connect"),
      member<&container::base_plan, object_codec>("base_plan"),
      member<&container::layers, layers_codec>("layers"),
      member<&container::service_status,
             named_map_codec<enum_codec<"active", "inactive", "error", "backoff">, "service -> status">>(
          "service_status"),
      member<&container::mounts, named_map_codec<struct_codec<mount>, "name -> mount">>("mounts"),
      member<&container::exec_mock, list_codec<exec_output>>("exec_mock"),
      member<&container::files, list_codec<file_entry>>("files"),
      member<&container::notices, list_codec<notice>>("notices"),
      member<&container::check_infos, list_codec<check_info>>("check_infos"),
      member<&container::exec_history, list_codec<exec_record>>("exec_history")};
};

template <>
struct table<entity_status> {
  static constexpr std::string_view name = "entity_status", what = "a status";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&entity_status::name, enum_codec<"unknown", "active", "blocked", "maintenance", "waiting", "error">>(
          "name"),
      member<&entity_status::message, string_codec>("message")};
};

template <>
struct table<status_record> {
  static constexpr std::string_view name = "status", what = "a status record";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&status_record::app, struct_codec<entity_status>>("app"),
      member<&status_record::unit, struct_codec<entity_status>>("unit"),
      member<&status_record::app_history, list_codec<entity_status>>("app_history"),
      member<&status_record::unit_history, list_codec<entity_status>>("unit_history"),
      member<&status_record::workload_version, string_codec>("workload_version"),
      member<&status_record::previous_workload_version, optional_codec<string_codec>>("previous_workload_version")};
};

template <>
struct table<model_info> {
  static constexpr std::string_view name = "model", what = "a model";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {member<&model_info::name, string_codec>("name"),
                                        member<&model_info::uuid, string_codec>("uuid"),
                                        member<&model_info::type, enum_codec<"kubernetes", "lxd">>("type")};
};

template <>
struct table<log_line> {
  static constexpr std::string_view name = "log_line", what = "a log line";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {member<&log_line::level, string_codec>("level"),
                                        member<&log_line::message, string_codec>("message")};
};

using unit_or_app = enum_codec<"unit", "app">;

// `false` is the Python spelling of "not granted".
struct granted_codec {
  using value_type = std::optional<std::string>;
  static void read(const json& j, const std::string& p, value_type& out) {
    if (j.is_boolean() && !j.get<bool>()) {
      out.reset();
      return;
    }
    if (j.is_boolean()) fail(p, "true is ambiguous; write \"unit\" or \"app\" (who the secret is granted to), or null");
    optional_codec<unit_or_app>::read(j, p, out);
  }
  static json write(const value_type& v) { return optional_codec<unit_or_app>::write(v); }
  static std::string type() { return optional_codec<unit_or_app>::type(); }
};

template <>
struct table<secret> {
  static constexpr std::string_view name = "secret", what = "a secret";
  static constexpr label_fn label = label_by<"id">;
  static constexpr std::array fields = {
      member<&secret::id, string_codec>("id"),
      member<&secret::contents, int_map_codec<string_map_codec>>("contents"),
      member<&secret::owner, optional_codec<unit_or_app>>("owner"),
      member<&secret::revision, id_codec<"a secret revision">>("revision"),
      member<&secret::granted, granted_codec>("granted"),
      member<&secret::remote_grants, int_map_codec<strings_codec>>("remote_grants"),
      member<&secret::label, optional_codec<string_codec>>("label"),
      member<&secret::description, optional_codec<string_codec>>("description"),
      member<&secret::expire, optional_codec<string_codec>>("expire"),
      member<&secret::rotate,
             optional_codec<enum_codec<"never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly">>>(
          "rotate")};
};

template <>
struct table<deferred_event> {
  static constexpr std::string_view name = "deferred_event", what = "a deferred event";
  static constexpr label_fn label = label_by<"handle_path">;
  static constexpr std::array fields = {member<&deferred_event::handle_path, string_codec>("handle_path"),
                                        member<&deferred_event::owner, string_codec>("owner"),
                                        member<&deferred_event::observer, string_codec>("observer"),
                                        member<&deferred_event::snapshot_data, object_codec>("snapshot_data")};
};

template <>
struct table<stored_state_entry> {
  static constexpr std::string_view name = "stored_state", what = "a stored state";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&stored_state_entry::owner_path, optional_codec<string_codec>>("owner_path"),
      member<&stored_state_entry::name, string_codec>("name"),
      member<&stored_state_entry::content, object_codec>("content"),
      member<&stored_state_entry::data_type_name, string_codec>("data_type_name")};
};

template <>
struct table<opened_port> {
  static constexpr std::string_view name = "opened_port", what = "an opened port";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&opened_port::protocol, enum_codec<"tcp", "udp", "icmp">>("protocol"),
      member<&opened_port::port, optional_codec<int_codec>>("port"),
      member<&opened_port::to_port, optional_codec<int_codec>>("to_port")};
};

template <>
struct table<storage> {
  static constexpr std::string_view name = "storage", what = "a storage";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {member<&storage::name, string_codec>("name"),
                                        member<&storage::index, id_codec<"a storage index">>("index"),
                                        member<&storage::location, string_codec>("location")};
};

template <>
struct table<resource> {
  static constexpr std::string_view name = "resource", what = "a resource";
  static constexpr label_fn label = label_by<"name">;
  static constexpr std::array fields = {member<&resource::name, string_codec>("name"),
                                        member<&resource::path, string_codec>("path")};
};

template <>
struct table<action_output> {
  static constexpr std::string_view name = "action_output", what = "an action output";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {member<&action_output::results, object_codec>("results"),
                                        member<&action_output::logs, strings_codec>("logs"),
                                        member<&action_output::failure_message, optional_codec<string_codec>>(
                                            "failure_message")};
};

// Juju computes goal-state over every planned unit: an unbounded count allocates without end.
struct planned_units_codec {
  using value_type = int;
  static void read(const json& j, const std::string& p, int& out) {
    read_id(j, p, out, "a unit count");
    if (out > max_planned_units)
      fail(p, fmt::format("{} planned units is more than Scenario simulates (at most {})", out, max_planned_units));
  }
  static json write(int v) { return v; }
  static std::string type() { return "id"; }
};

template <>
struct table<state> {
  static constexpr std::string_view name = "state", what = "a State";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&state::config, object_codec>("config"),
      member<&state::relations, list_codec<relation>>("relations"),
      member<&state::networks, list_codec<network>>("networks"),
      member<&state::containers, list_codec<container>>("containers"),
      member<&state::status, struct_codec<status_record>>("status"),
      member<&state::leader, bool_codec>("leader"),
      member<&state::model, struct_codec<model_info>>("model"),
      member<&state::juju_log, list_codec<log_line>>("juju_log"),
      member<&state::secrets, list_codec<secret>>("secrets"),
      member<&state::unit_id, id_codec<"a unit id">>("unit_id"),
      member<&state::deferred, list_codec<deferred_event>>("deferred"),
      member<&state::stored_state, list_codec<stored_state_entry>>("stored_state"),
      member<&state::opened_ports, list_codec<opened_port>>("opened_ports"),
      member<&state::storages, list_codec<storage>>("storages"),
      member<&state::resources, list_codec<resource>>("resources"),
      member<&state::planned_units, planned_units_codec>("planned_units"),
      member<&state::action, optional_codec<struct_codec<action_output>>>("action")};
};

template <>
struct table<event> {
  static constexpr std::string_view name = "event", what = "an Event";
  [[maybe_unused]] static constexpr label_fn label = nullptr;  // read only for list elements
  static constexpr std::array fields = {
      member<&event::name, string_codec>("name"),
      member<&event::relation_id, optional_codec<id_codec<"a relation id">>>("relation_id"),
      member<&event::relation_remote_unit_id, optional_codec<id_codec<"a unit id">>>("relation_remote_unit_id"),
      member<&event::relation_departed_unit_id, optional_codec<id_codec<"a unit id">>>("relation_departed_unit_id"),
      member<&event::secret_id, optional_codec<string_codec>>("secret_id"),
      member<&event::secret_revision, optional_codec<id_codec<"a secret revision">>>("secret_revision"),
      member<&event::container, optional_codec<string_codec>>("container"),
      member<&event::notice_id, optional_codec<string_codec>>("notice_id"),
      member<&event::check_name, optional_codec<string_codec>>("check_name"),
      member<&event::storage_name, optional_codec<string_codec>>("storage_name"),
      member<&event::storage_index, optional_codec<id_codec<"a storage index">>>("storage_index"),
      member<&event::action_params, object_codec>("action_params"),
      member<&event::action_id, optional_codec<string_codec>>("action_id")};
};

template <class... S>
json schema_of() {
  json out = json::object();
  auto add = [&out](auto tag) {
    using T = table<typename decltype(tag)::type>;
    json fields = json::array();
    for (const auto& f : T::fields) fields.push_back({{"name", f.name}, {"type", f.type()}});
    out[std::string(T::name)] = std::move(fields);
  };
  (add(std::type_identity<S>{}), ...);
  return out;
}

}  // namespace

std::string json_kind(const json& value, std::string_view object_word) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a float";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return std::string(object_word);
    default: return "an unsupported value";
  }
}

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
  check_nesting(j, "state");
  if (!j.is_object()) fail("state", fmt::format("expected a State (a JSON object), got {}", describe(j)));
  state s;
  read_struct(j, "", s);
  return s;
}

json state_to_json(const state& s) { return write_struct(s); }

event event_from_json(const json& j) {
  const std::string root = "event";
  check_nesting(j, root);
  event e;
  read_struct(j, root, e);
  return e;
}

json event_to_json(const event& e) { return write_struct(e); }

json state_schema() {
  return schema_of<state, relation, network, bind_address, address, container, mount, exec_output, file_entry,
                   notice, check_info, exec_record, status_record, entity_status, model_info, log_line, secret,
                   deferred_event, stored_state_entry, opened_port, storage, resource, action_output, event>();
}

}  // namespace scenario::state
