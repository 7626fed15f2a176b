#include "engine/agent/argv.hpp"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "engine/state/text_forms.hpp"

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

const flag_spec* find_flag(const std::vector<flag_spec>& flags, std::string_view name,
                           format_flag format) {
  for (const auto& f : flags) {
    if (name.size() == 1 ? f.short_name == name[0] : f.long_name == name) return &f;
  }
  // The tools that write output take --format (juju/cmd's Output.AddFlags).
  static const flag_spec format_spec{"format", 0, true};
  if (name == "format" && format == format_flag::defined) return &format_spec;
  return nullptr;
}

// Go's strconv.ParseBool; nullopt when `v` is not one of its spellings.
std::optional<bool> parse_go_bool(std::string_view v) {
  static constexpr std::string_view truthy[] = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::string_view falsy[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (auto t : truthy) {
    if (v == t) return true;
  }
  for (auto f : falsy) {
    if (v == f) return false;
  }
  return std::nullopt;
}

}  // namespace

bool flag_bool(const parsed_args& args, std::string_view long_name) {
  auto v = args.get(long_name);
  return v && parse_go_bool(*v).value_or(false);
}

parsed_args parse_args(const std::vector<std::string>& args, const std::vector<flag_spec>& flags,
                       format_flag format) {
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
    const flag_spec* flag = find_flag(flags, body, format);
    if (flag == nullptr) {
      throw usage_error("flag provided but not defined: " + arg.substr(0, arg.find('=')));
    }
    auto& slot = out.values[flag->long_name];
    if (!flag->takes_value) {
      const std::string v = inline_value.value_or("true");
      if (!parse_go_bool(v)) {
        throw usage_error("invalid value \"" + v + "\" for flag " + arg.substr(0, arg.find('=')) +
                          ": parse error");
      }
      slot.push_back(v);
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
    case nlohmann::json::value_t::string: {
      // A string YAML would read back as another type ("123", "true", "~") must be quoted.
      const std::string& text = value.get_ref<const std::string&>();
      if (state::reads_back_as_non_string(text)) out << YAML::DoubleQuoted;
      out << text;
      break;
    }
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

std::string with_newline(std::string text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

std::string smart_text(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "";
    case nlohmann::json::value_t::string:
      return value.get<std::string>();
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "True" : "False";  // pyjuju's spelling, kept by Juju
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return value.dump();
    case nlohmann::json::value_t::array: {
      const bool all_strings = std::all_of(value.begin(), value.end(),
                                           [](const auto& v) { return v.is_string(); });
      if (all_strings) {
        std::string out;
        for (const auto& v : value) out += (out.empty() ? "" : "\n") + v.get<std::string>();
        return out;
      }
      break;
    }
    default:
      break;
  }
  YAML::Emitter out;
  emit_yaml(out, value);
  return out.c_str();
}

}  // namespace

void check_output_format(const parsed_args& args, const output_formats& formats) {
  const std::string format = args.get("format").value_or(std::string(formats.default_format));
  if (format == "json" || format == "yaml" || (format == "smart" && formats.smart)) return;
  throw usage_error("invalid value \"" + format + "\" for flag --format: unknown format \"" +
                    format + "\"");
}

std::string format_output(const nlohmann::json& value, const parsed_args& args,
                          const output_formats& formats) {
  check_output_format(args, formats);
  const std::string format = args.get("format").value_or(std::string(formats.default_format));
  // Replace invalid UTF-8 rather than fail: the bytes came from the charm or the State.
  if (format == "json") return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (format == "smart") return with_newline(smart_text(value));
  if (value.is_null()) return "";
  YAML::Emitter out;
  emit_yaml(out, value);
  return with_newline(out.c_str());
}

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void check_no_extra(const parsed_args& args, std::size_t allowed) {
  if (args.positional.size() > allowed) {
    throw usage_error("unrecognized args: [" + go_quote(args.positional[allowed]) + "]");
  }
}

void expect_positionals(const parsed_args& args, std::size_t min, std::size_t max,
                        std::string_view usage) {
  if (args.positional.size() < min) throw usage_error("missing " + std::string(usage));
  check_no_extra(args, max);
}

}  // namespace scenario::agent
