#include "engine/agent/tool_table.hpp"

#include <filesystem>

namespace scenario::agent {

namespace {

// Built once, read-only afterwards: the table is immutable shared data, not mutable state.
const tool_table& tools() {
  static const tool_table table = [] {
    tool_table t;
    register_relation_tools(t);
    register_config_tools(t);
    register_status_tools(t);
    register_log_tools(t);
    register_network_tools(t);
    register_secret_tools(t);
    register_action_tools(t);
    register_port_tools(t);
    register_storage_tools(t);
    register_misc_tools(t);
    return t;
  }();
  return table;
}

}  // namespace

void add_tools(tool_table& table, std::initializer_list<std::pair<std::string_view, tool_fn>> rows) {
  for (const auto& [name, implementation] : rows) table.insert_or_assign(std::string(name), implementation);
}

bool is_hook_tool(std::string_view name) { return tools().find(name) != tools().end(); }

std::vector<std::string> hook_tool_names() {
  std::vector<std::string> names;
  for (const auto& [name, implementation] : tools()) names.push_back(name);
  return names;
}

tool_result run_tool(hook_context& ctx, const std::vector<std::string>& argv,
                     std::string_view stdin_data) {
  if (argv.empty()) return {2, "", "ERROR no hook tool given\n"};
  const std::string name = std::filesystem::path(argv[0]).filename().string();
  auto it = tools().find(name);
  if (it == tools().end()) {
    return {127, "", "ERROR unknown hook tool \"" + name + "\"\n"};
  }
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  try {
    return {0, it->second(ctx, args, stdin_data), ""};
  } catch (const usage_error& e) {
    return {2, "", std::string("ERROR ") + e.what() + "\n"};
  } catch (const tool_error& e) {
    return {e.exit_code(), "", std::string("ERROR ") + e.what() + "\n"};
  } catch (const std::exception& e) {
    // A malformed input the tool did not anticipate must fail this tool call, not the run.
    return {1, "", "ERROR " + name + ": " + e.what() + "\n"};
  }
}

}  // namespace scenario::agent
