// Pebble's plan, without HTTP: parsing layer YAML, the override (merge/replace) rules, plan
// validation, service start/stop order and the plan's YAML (internals/plan/plan.go).
#include "engine/pebble/plan.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "engine/state/errors.hpp"
#include "engine/state/go_time.hpp"

namespace scenario::pebble {

using json = nlohmann::json;

namespace {

enum class ftype { str, integer, number, str_list, str_map, object };

struct field {
  std::string_view name;
  ftype type;
  const std::vector<field>* sub = nullptr;  // for ftype::object
};

struct schema {
  std::string_view go_type;  // for "field x not found in type plan.Service"
  std::vector<field> fields;
};

const schema http_schema{"plan.HTTPCheck", {{"url", ftype::str}, {"headers", ftype::str_map}}};
const schema tcp_schema{"plan.TCPCheck", {{"port", ftype::integer}, {"host", ftype::str}}};
const schema exec_schema{"plan.ExecCheck",
                         {{"command", ftype::str},
                          {"service-context", ftype::str},
                          {"context", ftype::str},  // the name older Pebble releases used
                          {"environment", ftype::str_map},
                          {"user-id", ftype::integer},
                          {"user", ftype::str},
                          {"group-id", ftype::integer},
                          {"group", ftype::str},
                          {"working-dir", ftype::str}}};

// Field order is Pebble's struct order, which is also the order GET /v1/plan writes them in.
const schema service_schema{"plan.Service",
                            {{"summary", ftype::str},
                             {"description", ftype::str},
                             {"startup", ftype::str},
                             {"override", ftype::str},
                             {"command", ftype::str},
                             {"after", ftype::str_list},
                             {"before", ftype::str_list},
                             {"requires", ftype::str_list},
                             {"environment", ftype::str_map},
                             {"user-id", ftype::integer},
                             {"user", ftype::str},
                             {"group-id", ftype::integer},
                             {"group", ftype::str},
                             {"working-dir", ftype::str},
                             {"on-success", ftype::str},
                             {"on-failure", ftype::str},
                             {"on-check-failure", ftype::str_map},
                             {"backoff-delay", ftype::str},
                             {"backoff-factor", ftype::number},
                             {"backoff-limit", ftype::str},
                             {"kill-delay", ftype::str}}};
const schema check_schema{"plan.Check",
                          {{"override", ftype::str},
                           {"level", ftype::str},
                           {"startup", ftype::str},
                           {"period", ftype::str},
                           {"timeout", ftype::str},
                           {"threshold", ftype::integer},
                           {"http", ftype::object},
                           {"tcp", ftype::object},
                           {"exec", ftype::object}}};
const schema log_target_schema{"plan.LogTarget",
                               {{"type", ftype::str},
                                {"location", ftype::str},
                                {"services", ftype::str_list},
                                {"override", ftype::str},
                                {"labels", ftype::str_map}}};

const schema* sub_schema(std::string_view name) {
  if (name == "http") return &http_schema;
  if (name == "tcp") return &tcp_schema;
  if (name == "exec") return &exec_schema;
  return nullptr;
}

const std::set<std::string_view> duration_fields = {"backoff-delay", "backoff-limit", "kill-delay", "period",
                                                    "timeout"};

// The YAML decode failed: Pebble prefixes these with `cannot parse layer "<label>": `.
struct decode_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string unmarshal_error(const YAML::Node& n, const std::string& what) {
  return fmt::format("yaml: unmarshal errors:\n  line {}: {}", n.Mark().line + 1, what);
}

json scalar_as(const YAML::Node& n, ftype type, std::string_view go_type) {
  if (!n.IsScalar())
    throw decode_error(unmarshal_error(n, fmt::format("cannot unmarshal !!{} into {}", n.IsSequence() ? "seq" : "map", go_type)));
  const std::string& text = n.Scalar();
  if (type == ftype::str) return text;
  try {
    size_t used = 0;
    if (type == ftype::integer) {
      long long v = std::stoll(text, &used);
      if (used == text.size()) return v;
    } else {
      double v = std::stod(text, &used);
      if (used == text.size()) return v;
    }
  } catch (const std::exception&) {
  }
  throw decode_error(unmarshal_error(n, fmt::format("cannot unmarshal !!str `{}` into {}", text, go_type)));
}

json decode_object(const YAML::Node& n, const schema& s) {
  if (!n.IsMap()) throw decode_error(unmarshal_error(n, fmt::format("cannot unmarshal !!{} into {}", n.IsSequence() ? "seq" : "str", s.go_type)));
  json out = json::object();
  for (const auto& kv : n) {
    std::string key = kv.first.as<std::string>();
    auto it = std::find_if(s.fields.begin(), s.fields.end(), [&](const field& f) { return f.name == key; });
    if (it == s.fields.end())
      throw decode_error(unmarshal_error(kv.first, fmt::format("field {} not found in type {}", key, s.go_type)));
    const YAML::Node& v = kv.second;
    if (v.IsNull()) continue;
    switch (it->type) {
      case ftype::str:
        out[key] = scalar_as(v, ftype::str, "string");
        break;
      case ftype::integer:
        out[key] = scalar_as(v, ftype::integer, "int");
        break;
      case ftype::number:
        out[key] = scalar_as(v, ftype::number, "float64");
        break;
      case ftype::str_list: {
        if (!v.IsSequence()) throw decode_error(unmarshal_error(v, "cannot unmarshal !!str into []string"));
        json list = json::array();
        for (const auto& item : v) list.push_back(scalar_as(item, ftype::str, "string"));
        out[key] = list;
        break;
      }
      case ftype::str_map: {
        if (!v.IsMap()) throw decode_error(unmarshal_error(v, "cannot unmarshal !!str into map[string]string"));
        json map = json::object();
        for (const auto& item : v) map[item.first.as<std::string>()] = scalar_as(item.second, ftype::str, "string");
        out[key] = map;
        break;
      }
      case ftype::object:
        out[key] = decode_object(v, *sub_schema(key));
        break;
    }
  }
  return out;
}

struct section {
  std::string_view key;      // "services"
  std::string_view noun;     // "service" (in error texts)
  const schema* item_schema;
};

const std::array<section, 3> sections = {{{"services", "service", &service_schema},
                                          {"checks", "check", &check_schema},
                                          {"log-targets", "log target", &log_target_schema}}};

// Pebble's Merge: scalars set in `other` win, lists append, maps merge key by key.
void merge_into(json& base, const json& other) {
  for (const auto& [key, value] : other.items()) {
    if (key == "override") continue;
    if (value.is_array()) {
      if (!base.contains(key) || !base[key].is_array()) base[key] = json::array();
      for (const auto& v : value) base[key].push_back(v);
    } else if (value.is_object()) {
      if (!base.contains(key) || !base[key].is_object()) base[key] = json::object();
      merge_into(base[key], value);
    } else if (value.is_string() && value.get<std::string>().empty()) {
      continue;
    } else if (value.is_number_integer() && value.get<long long>() == 0 && (key == "threshold" || key == "port")) {
      continue;
    } else {
      base[key] = value;
    }
  }
}

// Applies one layer's sections onto `combined` following each item's "override".
void apply_layer(json& combined, const std::string& label, const json& layer, bool require_override) {
  for (const auto& sec : sections) {
    std::string key(sec.key);
    if (!layer.contains(key) || !layer[key].is_object()) continue;
    json& target = combined[key];
    for (const auto& [name, item] : layer[key].items()) {
      std::string override = item.is_object() ? item.value("override", "") : "";
      if (override.empty() && !require_override) override = "replace";
      if (override == "merge") {
        if (target.contains(name)) {
          merge_into(target[name], item);
          continue;
        }
        target[name] = item;
      } else if (override == "replace") {
        target[name] = item;
      } else if (override.empty()) {
        throw plan_error(fmt::format("layer \"{}\" must define \"override\" for {} \"{}\"", label, sec.noun, name));
      } else {
        throw plan_error(fmt::format("layer \"{}\" has invalid \"override\" value for {} \"{}\"", label, sec.noun, name));
      }
    }
  }
}

// Splits like a POSIX shell (quotes and backslashes), enough to validate service commands.
std::vector<std::string> shell_split(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < text.size()) cur += text[++i];
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      cur += text[++i];
      have = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (have) out.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (quote) throw plan_error("EOF found when expecting closing quote");
  if (have) out.push_back(cur);
  return out;
}

void check_command(const std::string& command) {
  auto args = shell_split(command);
  bool in_brackets = false, got_brackets = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (in_brackets) {
      if (a == "[") throw plan_error("cannot nest [ ... ] groups");
      if (a == "]") in_brackets = false;
      continue;
    }
    if (got_brackets) throw plan_error("cannot have any arguments after [ ... ] group");
    if (a == "[") {
      if (i == 0) throw plan_error("cannot start command with [ ... ] group");
      in_brackets = got_brackets = true;
      continue;
    }
    if (a == "]") throw plan_error("cannot have ] outside of [ ... ] group");
  }
}

// Pebble's validServiceAction (internals/plan/plan.go): "", restart, shutdown and ignore
// everywhere, plus the one context-specific action each field allows (`extra`).
bool valid_action(const std::string& v, std::string_view extra) {
  return v.empty() || v == "restart" || v == "shutdown" || v == "ignore" || v == extra;
}

void validate_plan(const json& plan) {
  for (const auto& [name, svc] : plan["services"].items()) {
    std::string command = svc.value("command", "");
    if (command.empty()) throw plan_error(fmt::format("plan must define \"command\" for service \"{}\"", name));
    try {
      check_command(command);
    } catch (const plan_error& e) {
      throw plan_error(fmt::format("plan service \"{}\" command invalid: cannot parse service \"{}\" command: {}", name, name, e.what()));
    }
    // Layer.Validate (internals/plan/plan.go): on-success may also be failure-shutdown;
    // on-failure and on-check-failure may also be success-shutdown.
    for (auto [key, extra] : {std::pair<const char*, std::string_view>{"on-success", "failure-shutdown"},
                              {"on-failure", "success-shutdown"}}) {
      if (!valid_action(svc.value(key, ""), extra))
        throw plan_error(fmt::format("plan service \"{}\" {} action \"{}\" invalid", name, key, svc.value(key, "")));
    }
    if (svc.contains("on-check-failure")) {
      for (const auto& [check, action] : svc["on-check-failure"].items()) {
        std::string a = action.get<std::string>();
        if (!valid_action(a, "success-shutdown"))
          throw plan_error(fmt::format("plan service \"{}\" on-check-failure action \"{}\" invalid", name, a));
      }
    }
    if (svc.contains("backoff-factor") && svc["backoff-factor"].get<double>() < 1)
      throw plan_error(fmt::format("plan service \"{}\" backoff-factor must be 1.0 or greater, not {:g}", name,
                                   svc["backoff-factor"].get<double>()));
    // A service's startup is not validated (internals/plan/plan.go checks only checks'
    // startup); anything but "enabled" means the service does not start by default.
  }
  for (const auto& [name, check] : plan["checks"].items()) {
    std::string level = check.value("level", "");
    if (!level.empty() && level != "alive" && level != "ready")
      throw plan_error(fmt::format("plan check \"{}\" level must be \"alive\" or \"ready\"", name));
    std::string check_startup = check.value("startup", "");
    if (!check_startup.empty() && check_startup != "enabled" && check_startup != "disabled")
      throw plan_error(fmt::format("plan check \"{}\" startup must be \"enabled\" or \"disabled\"", name));
    // Pebble (internals/plan/plan.go, CombineLayers) no longer refuses timeout >= period: it
    // caps the effective timeout at the period. Only zero values are refused (Layer.Validate).
    for (const char* key : {"period", "timeout"}) {
      if (!check.contains(key)) continue;
      auto d = state::parse_go_duration(check[key].get<std::string>());
      if (!d) throw plan_error(fmt::format("cannot parse layer: invalid duration \"{}\"", check[key].get<std::string>()));
      if (*d == 0) throw plan_error(fmt::format("plan check \"{}\" {} must not be zero", name, key));
    }
    int kinds = 0;
    if (check.contains("http")) {
      if (check["http"].value("url", "").empty())
        throw plan_error(fmt::format("plan must set \"url\" for http check \"{}\"", name));
      ++kinds;
    }
    if (check.contains("tcp")) {
      if (check["tcp"].value("port", 0) == 0)
        throw plan_error(fmt::format("plan must set \"port\" for tcp check \"{}\"", name));
      ++kinds;
    }
    if (check.contains("exec")) {
      if (check["exec"].value("command", "").empty())
        throw plan_error(fmt::format("plan must set \"command\" for exec check \"{}\"", name));
      std::string context = check["exec"].value("service-context", check["exec"].value("context", ""));
      if (!context.empty() && !plan["services"].contains(context))
        throw plan_error(fmt::format("plan check \"{}\" service context specifies non-existent service \"{}\"", name, context));
      ++kinds;
    }
    if (kinds != 1)
      throw plan_error(fmt::format("plan must specify one of \"http\", \"tcp\", or \"exec\" for check \"{}\"", name));
  }
  for (const auto& [name, target] : plan["log-targets"].items()) {
    std::string type = target.value("type", "");
    if (type.empty())
      throw plan_error(fmt::format("plan must define \"type\" (\"loki\" or \"syslog\") for log target \"{}\"", name));
    if (type != "loki" && type != "syslog")
      throw plan_error(fmt::format("log target \"{}\" has unsupported type \"{}\", must be \"loki\" or \"syslog\"", name, type));
    if (target.contains("services")) {
      for (const auto& s : target["services"]) {
        std::string svc = s.get<std::string>();
        if (!svc.empty() && svc[0] == '-') svc = svc.substr(1);
        if (svc == "all" || plan["services"].contains(svc)) continue;
        throw plan_error(fmt::format("log target \"{}\" specifies unknown service \"{}\"", name, svc));
      }
    }
    if (target.value("location", "").empty())
      throw plan_error(fmt::format("plan must define \"location\" for log target \"{}\"", name));
  }
  // Cycles in before/after are an error for the whole plan.
  std::vector<std::string> all;
  for (const auto& [name, svc] : plan["services"].items()) all.push_back(name);
  start_order(plan, all);
}

json empty_plan() { return {{"services", json::object()}, {"checks", json::object()}, {"log-targets", json::object()}}; }

json combine_all(const state::container& c, const std::vector<std::pair<std::string, json>>& layers,
                 bool lenient) {
  json plan = empty_plan();
  if (c.base_plan.is_object()) apply_layer(plan, "base", c.base_plan, false);
  for (const auto& [label, layer] : layers) {
    // Layer.Validate (internals/plan/plan.go) refuses the reserved label prefix.
    if (!lenient && label.starts_with("pebble-"))
      throw plan_error(fmt::format("cannot use reserved label prefix \"pebble-\" (layer \"{}\": choose a label "
                                   "that does not start with \"pebble-\")",
                                   label));
    apply_layer(plan, label, layer, !lenient);
  }
  if (!lenient) validate_plan(plan);
  return plan;
}

// Orders `names` (plus what they pull in) so each service follows what it must come after.
std::vector<std::string> order(const json& plan, const std::vector<std::string>& names, bool stop) {
  const json& services = plan["services"];
  std::set<std::string> wanted;
  std::vector<std::string> pending(names.begin(), names.end());
  for (size_t i = 0; i < pending.size(); ++i) {
    std::string name = pending[i];
    if (!wanted.insert(name).second) continue;
    if (stop) {
      // Stopping a service stops what requires it too.
      for (const auto& [other, svc] : services.items()) {
        if (!svc.contains("requires")) continue;
        for (const auto& req : svc["requires"])
          if (req == name) pending.push_back(other);
      }
    } else {
      if (!services.contains(name)) throw plan_error(fmt::format("service \"{}\" does not exist", name));
      if (services[name].contains("requires"))
        for (const auto& req : services[name]["requires"]) pending.push_back(req.get<std::string>());
    }
  }
  // predecessors[x]: services that must come before x in this order.
  std::map<std::string, std::set<std::string>> preds;
  for (const auto& name : wanted) {
    if (!services.contains(name)) throw plan_error(fmt::format("service \"{}\" does not exist", name));
    preds[name];
  }
  for (const auto& name : wanted) {
    const json& svc = services[name];
    auto list = [&](const char* key) {
      std::vector<std::string> out;
      if (svc.contains(key))
        for (const auto& v : svc[key]) out.push_back(v.get<std::string>());
      return out;
    };
    auto after = list("after"), before = list("before");
    if (stop) std::swap(after, before);
    for (const auto& a : after)
      if (wanted.count(a)) preds[name].insert(a);
    for (const auto& b : before)
      if (wanted.count(b)) preds[b].insert(name);
  }
  std::vector<std::string> out;
  std::map<std::string, int> mark;  // 1 visiting, 2 done
  std::vector<std::string> stack;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    if (mark[n] == 2) return;
    if (mark[n] == 1) {
      auto it = std::find(stack.begin(), stack.end(), n);
      std::vector<std::string> loop(it, stack.end());
      std::sort(loop.begin(), loop.end());
      std::string joined;
      for (const auto& l : loop) joined += (joined.empty() ? "" : ", ") + l;
      throw plan_error("services in before/after loop: " + joined);
    }
    mark[n] = 1;
    stack.push_back(n);
    for (const auto& p : preds[n]) visit(p);
    stack.pop_back();
    mark[n] = 2;
    out.push_back(n);
  };
  for (const auto& [name, p] : preds) visit(name);
  return out;
}

// Whether a YAML 1.1 reader (PyYAML, which ops uses) would take this plain scalar for a
// number, bool or null. Go's marshaller quotes such strings; quoting a few more is harmless.
bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  std::string lower;
  for (char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  static const std::set<std::string> words = {"~", "null", "y", "n", "yes", "no", "on", "off",
                                              "true", "false", ".inf", "-.inf", "+.inf", ".nan"};
  if (words.count(lower)) return true;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i < s.size() && s[i] == '.') ++i;
  return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));
}

void emit_string(YAML::Emitter& e, const std::string& s) {
  if (needs_quotes(s)) e << YAML::DoubleQuoted;
  e << s;
}

void emit_value(YAML::Emitter& e, const std::string& key, const json& v) {
  if (v.is_string() && duration_fields.count(key)) {
    auto d = state::parse_go_duration(v.get<std::string>());
    e << (d ? state::format_go_duration(*d) : v.get<std::string>());
  } else if (v.is_string()) {
    emit_string(e, v.get<std::string>());
  } else if (v.is_number_integer()) {
    e << v.get<long long>();
  } else if (v.is_number()) {
    e << v.get<double>();
  } else if (v.is_boolean()) {
    e << v.get<bool>();
  } else if (v.is_array()) {
    e << YAML::BeginSeq;
    for (const auto& item : v) emit_value(e, "", item);
    e << YAML::EndSeq;
  } else if (v.is_object()) {
    e << YAML::BeginMap;
    for (const auto& [k, item] : v.items()) {
      e << YAML::Key;
      emit_string(e, k);
      e << YAML::Value;
      emit_value(e, k, item);
    }
    e << YAML::EndMap;
  } else {
    e << YAML::Null;
  }
}

void emit_item(YAML::Emitter& e, const json& item, const schema& s) {
  e << YAML::BeginMap;
  for (const auto& f : s.fields) {
    std::string key(f.name);
    if (!item.contains(key)) continue;
    e << YAML::Key << key << YAML::Value;
    if (f.type == ftype::object) emit_item(e, item[key], *sub_schema(key));
    else emit_value(e, key, item[key]);
  }
  e << YAML::EndMap;
}

}  // namespace

label_exists::label_exists(const std::string& label)
    : std::runtime_error(fmt::format("layer \"{}\" already exists", label)) {}

json parse_layer_yaml(const std::string& label, const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw plan_error(fmt::format("cannot parse layer \"{}\": yaml: line {}: {}", label, e.mark.line + 1, e.msg));
  }
  json layer = json::object();
  if (root.IsNull()) return layer;
  try {
    if (!root.IsMap()) throw decode_error(unmarshal_error(root, "cannot unmarshal !!str into plan.Layer"));
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (key == "summary" || key == "description") {
        if (!kv.second.IsNull()) layer[key] = scalar_as(kv.second, ftype::str, "string");
        continue;
      }
      auto sec = std::find_if(sections.begin(), sections.end(), [&](const section& s) { return s.key == key; });
      if (sec == sections.end())
        throw decode_error(unmarshal_error(kv.first, fmt::format("field {} not found in type plan.Layer", key)));
      json items = json::object();
      if (!kv.second.IsNull()) {
        if (!kv.second.IsMap())
          throw decode_error(unmarshal_error(kv.second, fmt::format("cannot unmarshal !!str into map[string]*{}", sec->item_schema->go_type)));
        for (const auto& item : kv.second) {
          std::string name = item.first.as<std::string>();
          if (name.empty()) throw plan_error(fmt::format("cannot use empty string as {} name", sec->noun));
          if (item.second.IsNull())
            throw plan_error(fmt::format("{} object cannot be null for {} \"{}\"", sec->noun, sec->noun, name));
          if (key == "services") {
            if (name == "pebble") throw plan_error("cannot use reserved service name \"pebble\"");
            if (name[0] == '-')
              throw plan_error(fmt::format("cannot use service name \"{}\": starting with \"-\" not allowed", name));
          }
          items[name] = decode_object(item.second, *sec->item_schema);
        }
      }
      layer[key] = items;
    }
  } catch (const decode_error& e) {
    throw plan_error(fmt::format("cannot parse layer \"{}\": {}", label, e.what()));
  }
  // A layer must not itself contain before/after loops.
  if (layer.contains("services")) {
    json plan = empty_plan();
    plan["services"] = layer["services"];
    std::vector<std::string> all;
    for (const auto& [name, svc] : layer["services"].items()) all.push_back(name);
    try {
      order(plan, all, false);
    } catch (const plan_error& e) {
      // Missing required services are fine in a single layer; only loops are errors here.
      if (std::string_view(e.what()).find("loop") != std::string_view::npos) throw;
    }
  }
  return layer;
}

json combined_plan(const state::container& c, bool lenient) {
  try {
    return combine_all(c, c.layers, lenient);
  } catch (const json::exception& e) {
    // A State-supplied layer with a wrongly typed field (e.g. a number where text belongs).
    throw plan_error(fmt::format("container \"{}\" has a malformed layer or base_plan: {}", c.name, e.what()));
  }
}

void add_layer(state::container& c, const std::string& label, const json& layer, bool combine,
               bool lenient) {
  auto layers = c.layers;
  auto found = std::find_if(layers.begin(), layers.end(), [&](const auto& l) { return l.first == label; });
  if (found != layers.end()) {
    if (!combine) throw label_exists(label);
    // Combine the new layer into the existing one with the same label, as CombineLayer does.
    json merged = empty_plan();
    apply_layer(merged, label, found->second, !lenient);
    apply_layer(merged, label, layer, !lenient);
    json result = json::object();
    for (const char* key : {"summary", "description"}) {
      if (layer.contains(key)) result[key] = layer[key];
      else if (found->second.contains(key)) result[key] = found->second[key];
    }
    for (const auto& sec : sections) {
      std::string key(sec.key);
      if (!merged[key].empty()) result[key] = merged[key];
    }
    found->second = result;
  } else {
    layers.emplace_back(label, layer);
  }
  try {
    combine_all(c, layers, lenient);  // throws plan_error without touching the container
  } catch (const json::exception& e) {
    throw plan_error(fmt::format("container \"{}\" has a malformed layer or base_plan: {}", c.name, e.what()));
  }
  c.layers = std::move(layers);
}

std::string plan_to_yaml(const json& plan) {
  bool empty = true;
  YAML::Emitter e;
  e << YAML::BeginMap;
  for (const auto& sec : sections) {
    std::string key(sec.key);
    if (!plan.contains(key) || plan[key].empty()) continue;
    empty = false;
    e << YAML::Key << key << YAML::Value << YAML::BeginMap;
    for (const auto& [name, item] : plan[key].items()) {
      e << YAML::Key << name << YAML::Value;
      emit_item(e, item, *sec.item_schema);
    }
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  if (empty) return "{}\n";
  return std::string(e.c_str()) + "\n";
}

std::vector<std::string> start_order(const json& plan, const std::vector<std::string>& names) {
  return order(plan, names, false);
}

std::vector<std::string> stop_order(const json& plan, const std::vector<std::string>& names) {
  return order(plan, names, true);
}

std::optional<std::string> plan_problem(const state::container& c) {
  try {
    combined_plan(c);
    return std::nullopt;
  } catch (const plan_error& e) {
    return e.what();
  }
}

std::string plan_yaml(const state::container& c) {
  try {
    try {
      return plan_to_yaml(combined_plan(c));
    } catch (const plan_error&) {
      // Strict runs refuse such a State before the charm runs; compatible ones serve 3.1's plan.
      return plan_to_yaml(combined_plan(c, true));
    }
  } catch (const plan_error& e) {
    throw state_validation_error("invalid-layer",
                                 "containers[" + c.name + "].layers: " + e.what());
  }
}

}  // namespace scenario::pebble
