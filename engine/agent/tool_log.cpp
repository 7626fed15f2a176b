// juju-log.
#include <algorithm>
#include <cctype>

#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"

namespace scenario::agent {

namespace {

// loggo.ParseLevel: case-insensitive; WARN is WARNING. Juju logs an invalid level at INFO.
std::string normalise_level(std::string level) {
  std::transform(level.begin(), level.end(), level.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (level == "WARN") return "WARNING";
  for (const char* known : {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}) {
    if (level == known) return level;
  }
  return "INFO";
}

// juju-log [--debug] [-l|--log-level LEVEL] <message...>: the positionals joined by spaces.
std::string juju_log(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"debug", 0, false}, {"log-level", 'l', true}});
  if (args.positional.empty()) throw usage_error("no message specified");
  std::string message;
  for (const auto& p : args.positional) message += (message.empty() ? "" : " ") + p;
  std::string level = "INFO";
  if (flag_bool(args, "debug")) {
    level = "DEBUG";
  } else if (auto l = args.get("log-level"); l && !l->empty()) {
    level = normalise_level(*l);
  }
  ctx.state.juju_log.push_back({level, message});
  return "";
}

}  // namespace

void register_log_tools(tool_table& table) { add_tools(table, {{"juju-log", juju_log}}); }

}  // namespace scenario::agent
