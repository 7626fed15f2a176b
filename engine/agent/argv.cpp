#include "engine/agent/argv.hpp"

#include <algorithm>

#include <yaml-cpp/yaml.h>

namespace scenario::agent {

bool parsed_args::has(std::string_view long_name) const {
  return values.find(std::string(long_name)) != values.end();
}

std::optional<std::string> parsed_args::get(std::string_view long_name) const {
  auto it = values.find(std::string(long_name));
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

namespace {

const flag_spec* find_flag(const std::vector<flag_spec>& flags, std::string_view name) {
  for (const auto& f : flags) {
    if (name.size() == 1 ? f.short_name == name[0] : f.long_name == name) return &f;
  }
  // Every Juju tool takes --format; ops appends it even where it is meaningless.
  static const flag_spec format_flag{"format", 0, true};
  if (name == "format") return &format_flag;
  return nullptr;
}

}  // namespace

parsed_args parse_args(const std::vector<std::string>& args, const std::vector<flag_spec>& flags) {
  parsed_args out;
  bool flags_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    std::string_view body = arg;
    body.remove_prefix(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> inline_value;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const flag_spec* flag = find_flag(flags, body);
    if (flag == nullptr) {
      throw usage_error("flag provided but not defined: " + arg.substr(0, arg.find('=')));
    }
    auto& slot = out.values[flag->long_name];
    if (!flag->takes_value) {
      slot.push_back(inline_value.value_or("true"));
      continue;
    }
    if (inline_value) {
      slot.push_back(*inline_value);
    } else if (i + 1 < args.size()) {
      slot.push_back(args[++i]);
    } else {
      throw usage_error("flag needs an argument: " + arg);
    }
  }
  return out;
}

namespace {

void emit_yaml(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [k, v] : value.items()) {
        out << YAML::Key << k << YAML::Value;
        emit_yaml(out, v);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& v : value) emit_yaml(out, v);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string:
      out << value.get<std::string>();
      break;
    case nlohmann::json::value_t::boolean:
      out << value.get<bool>();
      break;
    case nlohmann::json::value_t::number_integer:
      out << value.get<std::int64_t>();
      break;
    case nlohmann::json::value_t::number_unsigned:
      out << value.get<std::uint64_t>();
      break;
    case nlohmann::json::value_t::number_float:
      out << value.get<double>();
      break;
    default:
      out << YAML::Null;
  }
}

}  // namespace

std::string format_output(const nlohmann::json& value, const parsed_args& args) {
  const std::string format = args.get("format").value_or("smart");
  if (format == "json") return value.dump() + "\n";
  if (format != "yaml" && format != "smart") {
    throw usage_error("invalid value \"" + format + "\" for flag --format: unknown format \"" +
                      format + "\"");
  }
  if (value.is_null()) return "";
  if (format == "smart" && value.is_string()) return value.get<std::string>() + "\n";
  YAML::Emitter out;
  emit_yaml(out, value);
  return std::string(out.c_str()) + "\n";
}

void expect_positionals(const parsed_args& args, std::size_t min, std::size_t max,
                        std::string_view usage) {
  if (args.positional.size() < min) throw usage_error("missing " + std::string(usage));
  if (args.positional.size() > max) {
    throw usage_error("unrecognized args: [\"" + args.positional[max] + "\"]");
  }
}

}  // namespace scenario::agent
