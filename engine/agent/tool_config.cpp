// config-get.
#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

// The unit's view of the configuration: every option's default (falsy ones included) under the
// values the State sets. Options without a value or default are null.
json effective_config(const hook_context& ctx) {
  json settings = json::object();
  for (const auto& [name, option] : ctx.spec.config) settings[name] = option.default_value;
  if (ctx.state.config.is_object()) {
    for (const auto& [k, v] : ctx.state.config.items()) settings[k] = v;
  }
  return settings;
}

// config-get [--all|-a] [<key>]: all set-or-defaulted options, all options (--all), or one
// value (null, printed as nothing in smart format, when unset).
std::string config_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"all", 'a', false}});
  expect_positionals(args, 0, 1, "");
  const bool all = flag_bool(args, "all");
  json settings = effective_config(ctx);
  if (!args.positional.empty() && !args.positional[0].empty()) {
    const std::string& key = args.positional[0];
    if (all) throw usage_error("cannot use argument --all together with key \"" + key + "\"");
    auto it = settings.find(key);
    return format_output(it == settings.end() ? json(nullptr) : *it, args);
  }
  if (!all) {
    for (auto it = settings.begin(); it != settings.end();) {
      it = it->is_null() ? settings.erase(it) : std::next(it);
    }
  }
  return format_output(settings, args);
}

}  // namespace

void register_config_tools(tool_table& table) { add_tools(table, {{"config-get", config_get}}); }

}  // namespace scenario::agent
