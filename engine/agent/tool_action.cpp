// action-get, action-set, action-log, action-fail.

#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"
#include "engine/state/json_codec.hpp"
#include "engine/state/text_forms.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

state::action_output& action_output(hook_context& ctx) {
  if (!ctx.state.action) ctx.state.action = state::action_output{};
  return *ctx.state.action;
}

// The params the action runs with: each declared param's default, under the given values.
json action_params(const hook_context& ctx) {
  json params = json::object();
  if (auto it = ctx.spec.actions.find(*ctx.action_name); it != ctx.spec.actions.end()) {
    if (it->second.params.is_object()) {
      for (const auto& [name, schema] : it->second.params.items()) {
        if (schema.is_object() && schema.contains("default")) params[name] = schema["default"];
      }
    }
  }
  if (ctx.event.action_params.is_object()) {
    for (const auto& [k, v] : ctx.event.action_params.items()) params[k] = v;
  }
  return params;
}

// action-get [<key>[.<key>...]]: all params, or the value at a dotted path (null if absent).
std::string action_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  expect_positionals(args, 0, 1, "");
  util::require_action(ctx);
  json params = action_params(ctx);
  if (args.positional.empty()) return format_output(params, args);
  const json* node = &params;
  std::string path = args.positional[0];
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return format_output(nullptr, args);
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return format_output(*node, args);
}

// action-set <key>=<value>...: dotted keys build nested maps; values stay strings.
std::string action_set(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {}, format_flag::undefined);
  // charm.GetActionNameRule(): lowercase alphanumerics, inner hyphens and periods.
  static const char* reserved[] = {"stdout", "stdout-encoding", "stderr", "stderr-encoding"};
  std::vector<std::pair<std::vector<std::string>, std::string>> updates;
  for (const auto& arg : args.positional) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos) {
      throw usage_error("argument \"" + arg + "\" must be of the form key...=value");
    }
    std::vector<std::string> keys;
    const std::string path = arg.substr(0, eq);
    std::size_t start = 0;
    while (true) {
      const auto dot = path.find('.', start);
      keys.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const auto& key : keys) {
      if (!state::is_action_result_key(key)) {
        throw usage_error("key \"" + key +
                          "\" must start and end with lowercase alphanumeric, and contain only "
                          "lowercase alphanumeric, hyphens and periods");
      }
      if (std::find(std::begin(reserved), std::end(reserved), key) != std::end(reserved)) {
        throw usage_error("cannot set reserved action key \"" + key + "\"");
      }
    }
    updates.emplace_back(std::move(keys), arg.substr(eq + 1));
  }
  util::require_action(ctx);
  // The results are state.action.results (level 3); a key of n parts adds n - 1 maps below them.
  constexpr std::size_t max_key_parts = state::max_nesting_depth - 2;
  for (const auto& update : updates) {
    if (update.first.size() > max_key_parts)
      throw usage_error("key \"" + update.first.front() + "...\" has more than " + std::to_string(max_key_parts) +
                        " parts: results nest at most " + std::to_string(state::max_nesting_depth) + " levels deep");
  }
  json& results = action_output(ctx).results;
  for (const auto& [keys, value] : updates) {
    json* node = &results;
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
      json& next = (*node)[keys[i]];
      if (!next.is_object()) next = json::object();  // a later nested key replaces a scalar
      node = &next;
    }
    (*node)[keys.back()] = value;
  }
  return "";
}

// action-log <message...>
std::string action_log(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {}, format_flag::undefined);
  if (args.positional.empty()) throw usage_error("no message specified");
  util::require_action(ctx);
  std::string message;
  for (const auto& p : args.positional) message += (message.empty() ? "" : " ") + p;
  action_output(ctx).logs.push_back(message);
  return "";
}

// action-fail ["<message>"]: without an argument Juju's default text; an empty argument (what
// ops sends when no message is given) is kept as an empty message.
std::string action_fail(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {}, format_flag::undefined);
  expect_positionals(args, 0, 1, "");
  util::require_action(ctx);
  action_output(ctx).failure_message =
      args.positional.empty() ? "action failed without reason given, check action for errors"
                              : args.positional[0];
  return "";
}

}  // namespace

void register_action_tools(tool_table& table) {
  add_tools(table, {
      {"action-get", action_get}, {"action-set", action_set}, {"action-log", action_log},
      {"action-fail", action_fail}
  });
}

}  // namespace scenario::agent
