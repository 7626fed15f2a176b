#include "engine/spec/spec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "engine/state/json_codec.hpp"
#include "engine/state/text_forms.hpp"

namespace scenario::spec {
namespace {

// Where in which document a value sits, for error messages: "metadata.yaml: requires.db.interface".
struct where {
  std::string file;
  std::string path;

  where operator/(std::string_view key) const {
    return {file, path.empty() ? std::string(key) : path + "." + std::string(key)};
  }
  std::string describe_problem(const std::string& problem) const {
    return file + ": " + (path.empty() ? std::string() : path + ": ") + problem;
  }
  [[noreturn]] void fail(const std::string& problem) const {
    throw spec_error("invalid-charm-spec", describe_problem(problem));
  }
  // Juju refuses this but ops-scenario 3.1 accepted it: recorded, not thrown.
  void juju_refuses(std::vector<std::string>& problems, const std::string& problem) const {
    problems.push_back(describe_problem(problem));
  }
};

// Parsing works on insertion-ordered JSON so that relations keep their file order; the spec's
// public fields use plain json.
using ojson = nlohmann::ordered_json;

template <typename To, typename From>
To convert(const From& v) {
  switch (v.type()) {
    case From::value_t::object: {
      To out = To::object();
      for (const auto& [key, item] : v.items()) out[key] = convert<To>(item);
      return out;
    }
    case From::value_t::array: {
      To out = To::array();
      for (const auto& item : v) out.push_back(convert<To>(item));
      return out;
    }
    case From::value_t::boolean: return v.template get<bool>();
    case From::value_t::number_integer: return v.template get<std::int64_t>();
    case From::value_t::number_unsigned: return v.template get<std::uint64_t>();
    case From::value_t::number_float: return v.template get<double>();
    case From::value_t::string: return v.template get<std::string>();
    default: return nullptr;
  }
}

std::string describe(const ojson& v) {
  switch (v.type()) {
    case ojson::value_t::null: return "nothing (null)";
    case ojson::value_t::boolean: return "a boolean (" + v.dump() + ")";
    case ojson::value_t::number_integer:
    case ojson::value_t::number_unsigned: return "an integer (" + v.dump() + ")";
    case ojson::value_t::number_float: return "a number (" + v.dump() + ")";
    case ojson::value_t::string:  // a YAML file may hold any bytes; the message must still be made
      return "a string (" + v.dump(-1, ' ', false, ojson::error_handler_t::replace) + ")";
    case ojson::value_t::array: return "a list";
    case ojson::value_t::object: return "a mapping";
    default: return "an unsupported value";
  }
}

const ojson* find(const ojson& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string as_string(const ojson& v, const where& w) {
  if (!v.is_string()) w.fail("expected a string, got " + describe(v));
  return v.get<std::string>();
}

bool as_bool(const ojson& v, const where& w) {
  if (!v.is_boolean()) w.fail("expected true or false, got " + describe(v));
  return v.get<bool>();
}

int as_int(const ojson& v, const where& w) {
  if (!v.is_number_integer()) w.fail("expected an integer, got " + describe(v));
  auto n = v.get<std::int64_t>();
  if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max())
    w.fail("integer " + v.dump() + " is out of range");
  return static_cast<int>(n);
}

// A section that may be absent or empty (`requires:` with nothing under it is null in YAML).
const ojson& as_mapping_or_empty(const ojson* v, const where& w) {
  static const ojson empty = ojson::object();
  if (v == nullptr || v->is_null()) return empty;
  if (!v->is_object()) w.fail("expected a mapping of names to entries, got " + describe(*v));
  return *v;
}

std::optional<std::string> optional_string(const ojson& obj, std::string_view key, const where& w) {
  const ojson* v = find(obj, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return as_string(*v, w / key);
}

// ---------------------------------------------------------------------------------------------
// YAML -> JSON, with YAML 1.1 plain-scalar typing as PyYAML (which ops uses) resolves it.

bool parse_int(std::string text, ojson& out) {
  const int base = state::yaml_int_base(text);
  if (base == 0) return false;
  std::erase(text, '_');
  bool negative = false;
  std::size_t pos = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    pos = 1;
  }
  if (base == 16 || base == 2) pos += 2;
  else if (base == 8) pos += (text.size() > pos + 1 && text[pos + 1] == 'o') ? 2 : 1;
  if (pos >= text.size()) {  // "0" alone matches the octal form; it is plain zero
    out = 0;
    return true;
  }
  std::uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), magnitude, base);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    // Too large for 64 bits: keep the value, as a float.
    double value = 0;
    for (std::size_t i = pos; i < text.size(); ++i) {
      const char c = text[i];
      const int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
      value = value * base + digit;
    }
    out = negative ? -value : value;
    return true;
  }
  if (!negative) {
    out = magnitude;
  } else if (magnitude <=
             static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
    out = static_cast<std::int64_t>(0 - magnitude);
  } else {
    out = -static_cast<double>(magnitude);
  }
  return true;
}

bool parse_float(std::string text, ojson& out) {
  // A dot or an exponent is required: "08" stays a string, as in PyYAML.
  if (state::is_yaml_inf(text)) {
    out = text[0] == '-' ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity();
    return true;
  }
  if (state::is_yaml_nan(text)) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (!state::is_yaml_float_form(text) || text.find_first_of("0123456789") == std::string::npos)
    return false;
  std::erase(text, '_');
  out = std::strtod(text.c_str(), nullptr);
  return true;
}

bool parse_bool(const std::string& text, ojson& out) {
  // PyYAML does not treat a lone y/n as a boolean; only the words.
  static constexpr std::array<std::string_view, 9> yes{"yes", "Yes", "YES", "true", "True",
                                                       "TRUE", "on",  "On",  "ON"};
  static constexpr std::array<std::string_view, 9> no{"no",    "No",    "NO",  "false", "False",
                                                      "FALSE", "off", "Off", "OFF"};
  if (std::find(yes.begin(), yes.end(), text) != yes.end()) {
    out = true;
    return true;
  }
  if (std::find(no.begin(), no.end(), text) != no.end()) {
    out = false;
    return true;
  }
  return false;
}

ojson plain_scalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    return nullptr;
  ojson out;
  if (parse_bool(text, out) || parse_int(text, out) || parse_float(text, out)) return out;
  return text;
}

ojson yaml_to_json(const YAML::Node& node, const where& w);

ojson scalar_to_json(const YAML::Node& node, const where& w) {
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  // yaml-cpp tags plain scalars "?" and quoted/block scalars "!"; explicit tags come in full.
  if (tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "tag:yaml.org,2002:binary")
    return text;
  ojson out;
  if (tag == "tag:yaml.org,2002:int") {
    if (!parse_int(text, out)) w.fail("'" + text + "' is tagged !!int but is not an integer");
    return out;
  }
  if (tag == "tag:yaml.org,2002:float") {
    if (!parse_float(text, out) && !parse_int(text, out))
      w.fail("'" + text + "' is tagged !!float but is not a number");
    if (out.is_number_integer() || out.is_number_unsigned()) out = out.get<double>();
    return out;
  }
  if (tag == "tag:yaml.org,2002:bool") {
    if (!parse_bool(text, out)) w.fail("'" + text + "' is tagged !!bool but is not a boolean");
    return out;
  }
  if (tag == "tag:yaml.org,2002:null") return nullptr;
  return plain_scalar(text);
}

ojson yaml_to_json(const YAML::Node& node, const where& w) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: return scalar_to_json(node, w);
    case YAML::NodeType::Sequence: {
      ojson out = ojson::array();
      std::size_t i = 0;
      for (const auto& item : node) out.push_back(yaml_to_json(item, w / std::to_string(i++)));
      return out;
    }
    case YAML::NodeType::Map: {
      ojson out = ojson::object();
      std::vector<ojson> merged;  // `<<: *anchor` merge keys, as PyYAML applies them
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          w.fail("a mapping key must be a plain value, not a list or mapping (line " +
                 std::to_string(kv.first.Mark().line + 1) + ")");
        const std::string key = kv.first.Scalar();
        if (key == "<<" && kv.first.Tag() == "?") {
          ojson value = yaml_to_json(kv.second, w / key);
          if (value.is_object()) merged.push_back(std::move(value));
          else if (value.is_array() && std::all_of(value.begin(), value.end(),
                                                   [](const ojson& v) { return v.is_object(); }))
            for (auto& item : value) merged.push_back(std::move(item));
          else
            (w / key).fail("a merge key (<<) takes a mapping or a list of mappings");
          continue;
        }
        out[key] = yaml_to_json(kv.second, w / key);
      }
      // Keys given explicitly win over merged ones; earlier merged mappings win over later.
      for (const auto& m : merged)
        for (const auto& [key, value] : m.items())
          if (!out.contains(key)) out[key] = value;
      return out;
    }
  }
  return nullptr;
}

ojson parse_yaml(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw spec_error("invalid-charm-spec",
                     file + ": YAML syntax error at line " + std::to_string(e.mark.line + 1) +
                         ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  ojson doc = yaml_to_json(root, where{file, ""});  // yaml-cpp's own depth guard bounds the recursion
  if (auto problem = state::nesting_problem(convert<json>(doc), file)) throw spec_error("invalid-charm-spec", *problem);
  return doc;
}

// ---------------------------------------------------------------------------------------------
// metadata

relation_spec parse_relation(const std::string& name, const ojson& raw, relation_role role,
                             const where& w, std::vector<std::string>& juju_problems) {
  relation_spec r;
  r.name = name;
  r.role = role;
  if (raw.is_string()) {  // Juju's shorthand: `db: mysql` means `db: {interface: mysql}`
    r.interface = raw.get<std::string>();
    return r;
  }
  if (!raw.is_object())
    w.fail("expected a mapping with an 'interface' key (or just the interface name), got " +
           describe(raw));
  const ojson* iface = find(raw, "interface");
  if (iface == nullptr || iface->is_null())
    (w / "interface").juju_refuses(juju_problems, "missing; every relation needs an interface");
  else
    r.interface = as_string(*iface, w / "interface");
  if (iface != nullptr && r.interface.empty())
    (w / "interface").juju_refuses(juju_problems, "empty; every relation needs an interface");
  if (auto scope = optional_string(raw, "scope", w)) {
    if (*scope != "global" && *scope != "container")
      (w / "scope").fail("'" + *scope + "' is not a relation scope (use global or container)");
    r.scope = *scope;
  }
  if (const ojson* limit = find(raw, "limit"); limit != nullptr && !limit->is_null()) {
    r.limit = as_int(*limit, w / "limit");
    if (*r.limit < 0) (w / "limit").fail("must not be negative");
  }
  if (const ojson* opt = find(raw, "optional"); opt != nullptr && !opt->is_null())
    r.optional = as_bool(*opt, w / "optional");
  return r;
}

storage_spec parse_storage(const std::string& name, const ojson& raw, const where& w) {
  if (!raw.is_object()) w.fail("expected a mapping with a 'type' key, got " + describe(raw));
  storage_spec s;
  s.name = name;
  const ojson* type = find(raw, "type");
  if (type == nullptr || type->is_null())
    (w / "type").fail("missing; every storage needs a type (filesystem or block)");
  s.type = as_string(*type, w / "type");
  if (s.type != "filesystem" && s.type != "block")
    (w / "type").fail("'" + s.type + "' is not a storage type (use filesystem or block)");
  s.location = optional_string(raw, "location", w);
  s.description = optional_string(raw, "description", w);
  if (const ojson* multiple = find(raw, "multiple"); multiple != nullptr && !multiple->is_null()) {
    const where mw = w / "multiple";
    const ojson* range = find(*multiple, "range");
    if (range == nullptr) mw.fail("expected a mapping with a 'range' key, e.g. {range: 1-3}");
    std::string text = range->is_number_integer() ? range->dump() : as_string(*range, mw / "range");
    if (!state::is_count_range(text))
      (mw / "range").fail("'" + text + "' is not a range (use N, N-M or N-)");
    s.multiple = text != "1" && text != "1-1";
  }
  return s;
}

resource_spec parse_resource(const std::string& name, const ojson& raw, const where& w) {
  if (!raw.is_object()) w.fail("expected a mapping with a 'type' key, got " + describe(raw));
  resource_spec r;
  r.name = name;
  r.type = optional_string(raw, "type", w).value_or("file");  // Juju's default resource type
  if (r.type != "file" && r.type != "oci-image")
    (w / "type").fail("'" + r.type + "' is not a resource type (use file or oci-image)");
  r.filename = optional_string(raw, "filename", w);
  return r;
}

container_spec parse_container(const std::string& name, const ojson& raw,
                               const std::vector<storage_spec>& storages,
                               const std::vector<resource_spec>& resources, const where& w,
                               std::vector<std::string>& juju_problems) {
  container_spec c;
  c.name = name;
  if (raw.is_null()) return c;
  if (!raw.is_object()) w.fail("expected a mapping (resource, mounts), got " + describe(raw));
  c.resource = optional_string(raw, "resource", w);
  if (c.resource) {
    auto it = std::find_if(resources.begin(), resources.end(),
                           [&](const resource_spec& r) { return r.name == *c.resource; });
    if (it == resources.end())
      (w / "resource").juju_refuses(juju_problems, "'" + *c.resource + "' is not declared under "
                                    "resources; add it there with type: oci-image");
    else if (it->type != "oci-image")
      (w / "resource").juju_refuses(juju_problems, "resource '" + *c.resource + "' has type " + it->type +
                            "; a container's resource must have type oci-image");
  }
  const ojson* mounts = find(raw, "mounts");
  if (mounts == nullptr || mounts->is_null()) return c;
  if (!mounts->is_array())
    (w / "mounts").fail("expected a list of {storage, location}, got " + describe(*mounts));
  for (std::size_t i = 0; i < mounts->size(); ++i) {
    const where mw = w / "mounts" / std::to_string(i);
    const ojson& m = (*mounts)[i];
    if (!m.is_object()) mw.fail("expected a mapping {storage, location}, got " + describe(m));
    auto storage = optional_string(m, "storage", mw);
    if (!storage) (mw / "storage").fail("missing; name the storage to mount");
    auto it = std::find_if(storages.begin(), storages.end(),
                           [&](const storage_spec& s) { return s.name == *storage; });
    if (it == storages.end())
      (mw / "storage").fail("'" + *storage + "' is not declared under storage; add it there");
    auto location = optional_string(m, "location", mw);
    if (!location) location = it->location;
    if (!location)
      (mw / "location").fail("missing, and storage '" + *storage +
                             "' has no location either; give the path inside the container");
    c.mounts[*storage] = *location;
  }
  return c;
}

void parse_metadata(const ojson& meta, const where& top, charm_spec& spec) {
  if (!meta.is_object()) top.fail("the document must be a mapping of keys, got " + describe(meta));
  const ojson* name = find(meta, "name");
  if (name == nullptr || name->is_null()) (top / "name").fail("missing; every charm needs a name");
  spec.name = as_string(*name, top / "name");
  if (spec.name.empty()) (top / "name").fail("empty; every charm needs a name");
  if (const ojson* sub = find(meta, "subordinate"); sub != nullptr && !sub->is_null())
    spec.subordinate = as_bool(*sub, top / "subordinate");

  const std::pair<const char*, relation_role> roles[] = {{"provides", relation_role::provides},
                                                         {"requires", relation_role::requires_},
                                                         {"peers", relation_role::peers}};
  for (const auto& [key, role] : roles) {
    const where w = top / key;
    for (const auto& [rname, raw] : as_mapping_or_empty(find(meta, key), w).items())
      spec.relations.push_back(parse_relation(rname, raw, role, w / rname, spec.juju_problems));
  }
  if (spec.subordinate &&
      std::none_of(spec.relations.begin(), spec.relations.end(), [](const relation_spec& r) {
        return r.role == relation_role::requires_ && r.scope == "container";
      }))
    (top / "subordinate")
        .fail("a subordinate charm needs a requires endpoint with `scope: container` (Juju "
              "refuses it otherwise); add one, e.g. `requires: {juju-info: {interface: "
              "juju-info, scope: container}}`");
  for (const auto& [bname, raw] : as_mapping_or_empty(find(meta, "extra-bindings"),
                                                      top / "extra-bindings").items()) {
    (void)raw;
    spec.extra_bindings.push_back(bname);
  }
  for (const auto& [sname, raw] :
       as_mapping_or_empty(find(meta, "storage"), top / "storage").items())
    spec.storages.push_back(parse_storage(sname, raw, top / "storage" / sname));
  for (const auto& [rname, raw] :
       as_mapping_or_empty(find(meta, "resources"), top / "resources").items())
    spec.resources.push_back(parse_resource(rname, raw, top / "resources" / rname));
  for (const auto& [cname, raw] :
       as_mapping_or_empty(find(meta, "containers"), top / "containers").items())
    spec.containers.push_back(parse_container(cname, raw, spec.storages, spec.resources,
                                              top / "containers" / cname, spec.juju_problems));
}

// ---------------------------------------------------------------------------------------------
// config

bool default_fits(const std::string& type, const ojson& v) {
  if (type == "string" || type == "secret") return v.is_string();
  if (type == "int") return v.is_number_integer();
  if (type == "float") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  return false;
}

void parse_config(const ojson& config, const where& top, charm_spec& spec) {
  if (config.is_null()) return;
  if (!config.is_object())
    top.fail("the document must be a mapping with an 'options' key, got " + describe(config));
  for (const auto& [key, value] : config.items()) {
    (void)value;
    if (key != "options")
      (top / key).fail("unexpected key; config options go under the top-level 'options:' key");
  }
  const where w = top / "options";
  for (const auto& [oname, raw] : as_mapping_or_empty(find(config, "options"), w).items()) {
    const where ow = w / oname;
    if (!raw.is_object()) ow.fail("expected a mapping (type, default, description), got " +
                                  describe(raw));
    config_option opt;
    opt.name = oname;
    auto type = optional_string(raw, "type", ow);
    if (!type)
      (ow / "type").fail("missing; give the option a type (int, float, string, boolean or secret)");
    opt.type = *type;
    // ops-scenario 3.1 also took JSON-schema spellings; Juju knows only its own five.
    if (opt.type == "integer" || opt.type == "number") {
      (ow / "type").juju_refuses(spec.juju_problems,
                                 "'" + opt.type + "' is not a Juju config type; use " +
                                     (opt.type == "integer" ? "int" : "float"));
      opt.type = opt.type == "integer" ? "int" : "float";
    }
    if (opt.type != "string" && opt.type != "int" && opt.type != "float" &&
        opt.type != "boolean" && opt.type != "secret")
      (ow / "type").fail("'" + opt.type +
                         "' is not a Juju config type (use int, float, string, boolean or secret)");
    if (const ojson* def = find(raw, "default"); def != nullptr && !def->is_null()) {
      if (!default_fits(opt.type, *def))
        (ow / "default").juju_refuses(spec.juju_problems, describe(*def) +
                                      " does not fit the option's type " + opt.type);
      opt.default_value = convert<json>(*def);
    }
    opt.description = optional_string(raw, "description", ow).value_or("");
    spec.config[oname] = std::move(opt);
  }
}

// ---------------------------------------------------------------------------------------------
// actions

void parse_actions(const ojson& actions, const where& top, charm_spec& spec) {
  if (actions.is_null()) return;
  if (!actions.is_object())
    top.fail("the document must be a mapping of action names, got " + describe(actions));
  for (const auto& [aname, raw] : actions.items()) {
    const where aw = top / aname;
    action_spec a;
    a.name = aname;
    if (!raw.is_null()) {
      if (!raw.is_object())
        aw.fail("expected a mapping (description, params, required), got " + describe(raw));
      a.description = optional_string(raw, "description", aw).value_or("");
      for (const auto& [pname, schema] :
           as_mapping_or_empty(find(raw, "params"), aw / "params").items()) {
        if (!schema.is_object() && !schema.is_null())
          (aw / "params" / pname)
              .fail("expected a JSON schema mapping (type, description, default), got " +
                    describe(schema));
        const ojson* t = find(schema, "type");
        if (t != nullptr && !t->is_string() && !t->is_array())
          (aw / "params" / pname / "type")
              .fail("expected a JSON schema type name, got " + describe(*t));
        a.params[pname] = schema.is_null() ? json::object() : convert<json>(schema);
      }
      if (const ojson* req = find(raw, "required"); req != nullptr && !req->is_null()) {
        if (!req->is_array())
          (aw / "required").fail("expected a list of param names, got " + describe(*req));
        for (std::size_t i = 0; i < req->size(); ++i)
          a.required.push_back(as_string((*req)[i], aw / "required" / std::to_string(i)));
      }
      if (const ojson* ap = find(raw, "additionalProperties"); ap != nullptr && !ap->is_null())
        a.additional_properties = as_bool(*ap, aw / "additionalProperties");
    }
    spec.actions[aname] = std::move(a);
  }
}

bool is_charmcraft_doc(const ojson& meta) {
  return meta.is_object() &&
         (meta.contains("type") || meta.contains("config") || meta.contains("actions"));
}

charm_spec build(const ojson& meta, const ojson& config, const ojson& actions,
                 const std::string& meta_file) {
  charm_spec spec;
  if (is_charmcraft_doc(meta)) {
    const where top{"charmcraft.yaml", ""};
    if (const ojson* type = find(meta, "type")) {
      if (as_string(*type, top / "type") != "charm")
        (top / "type").fail("'" + type->get<std::string>() +
                            "' is not a charm; Scenario runs charms (type: charm)");
    }
    if (meta.contains("extensions"))
      (top / "extensions")
          .fail("charmcraft extensions are not expanded by Scenario; run `charmcraft "
                "expand-extensions` and use its output as charmcraft.yaml");
    ojson rest = meta;
    rest.erase("config");
    rest.erase("actions");
    ojson cfg = meta.contains("config") ? meta["config"] : ojson();
    ojson act = meta.contains("actions") ? meta["actions"] : ojson();
    if (!cfg.is_null() && !config.is_null())
      (top / "config").fail("config is given both here and separately; keep one");
    if (!act.is_null() && !actions.is_null())
      (top / "actions").fail("actions are given both here and separately; keep one");
    parse_metadata(rest, top, spec);
    if (!cfg.is_null()) parse_config(cfg, top / "config", spec);
    else parse_config(config, where{"config.yaml", ""}, spec);
    if (!act.is_null()) parse_actions(act, top / "actions", spec);
    else parse_actions(actions, where{"actions.yaml", ""}, spec);
    spec.raw_meta = convert<json>(rest);
    spec.raw_config = convert<json>(cfg.is_null() ? config : cfg);
    spec.raw_actions = convert<json>(act.is_null() ? actions : act);
    return spec;
  }
  parse_metadata(meta, where{meta_file, ""}, spec);
  parse_config(config, where{"config.yaml", ""}, spec);
  parse_actions(actions, where{"actions.yaml", ""}, spec);
  spec.raw_meta = convert<json>(meta);
  spec.raw_config = convert<json>(config);
  spec.raw_actions = convert<json>(actions);
  return spec;
}

std::string normalise(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw spec_error("invalid-charm-spec",
                     path.string() + ": cannot be read; check its permissions");
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

const relation_spec* charm_spec::find_relation(std::string_view endpoint) const {
  for (const auto& r : relations)
    if (r.name == endpoint) return &r;
  // Event names carry endpoints with underscores; metadata spells them with dashes.
  const std::string wanted = normalise(endpoint);
  for (const auto& r : relations)
    if (normalise(r.name) == wanted) return &r;
  return nullptr;
}

const container_spec* charm_spec::find_container(std::string_view name) const {
  const std::string wanted = normalise(name);
  for (const auto& c : containers)
    if (normalise(c.name) == wanted) return &c;
  return nullptr;
}

charm_spec spec_from_json(const json& meta, const json& config, const json& actions) {
  // Checked before the recursive conversion below.
  for (const auto& [document, name] : {std::pair{&meta, "meta"}, {&config, "config"}, {&actions, "actions"}})
    if (auto problem = state::nesting_problem(*document, name)) throw spec_error("invalid-charm-spec", *problem);
  return build(convert<ojson>(meta), convert<ojson>(config), convert<ojson>(actions),
               "metadata.yaml");
}

charm_spec spec_from_yaml(const std::string& meta_yaml, const std::string& config_yaml,
                          const std::string& actions_yaml) {
  ojson meta = parse_yaml(meta_yaml, "metadata.yaml");
  ojson config = parse_yaml(config_yaml, "config.yaml");
  ojson actions = parse_yaml(actions_yaml, "actions.yaml");
  return build(meta, config, actions, "metadata.yaml");
}

charm_spec spec_from_directory(const std::filesystem::path& charm_root) {
  auto config_text = read_text(charm_root / "config.yaml");
  auto actions_text = read_text(charm_root / "actions.yaml");
  ojson config = config_text ? parse_yaml(*config_text, "config.yaml") : ojson();
  ojson actions = actions_text ? parse_yaml(*actions_text, "actions.yaml") : ojson();

  // charmcraft.yaml is the spec when it names the charm; older charms keep only build settings
  // there and the spec in metadata.yaml.
  if (auto text = read_text(charm_root / "charmcraft.yaml")) {
    ojson doc = parse_yaml(*text, "charmcraft.yaml");
    if (doc.is_object() && doc.contains("name")) {
      if (!doc.contains("type")) doc["type"] = "charm";  // mark it as the unified form
      if (std::filesystem::exists(charm_root / "metadata.yaml"))
        throw spec_error("invalid-charm-spec",
                         "charmcraft.yaml: name: the charm is defined both here and in "
                         "metadata.yaml; keep one of them");
      return build(doc, config, actions, "charmcraft.yaml");
    }
  }
  auto meta_text = read_text(charm_root / "metadata.yaml");
  if (!meta_text)
    throw spec_error("invalid-charm-spec",
                     charm_root.string() + ": no charmcraft.yaml with a name and no metadata.yaml;"
                                           " point Scenario at the charm's root directory");
  return build(parse_yaml(*meta_text, "metadata.yaml"), config, actions, "metadata.yaml");
}

}  // namespace scenario::spec
