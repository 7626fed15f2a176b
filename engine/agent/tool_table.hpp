// The route table from hook-tool name to its implementation. Each tool family registers its
// tools from its own tool_<family>.cpp.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/agent/agent.hpp"
#include "engine/agent/argv.hpp"

namespace scenario::agent {

// A tool gets argv without argv[0]. It returns its stdout; it reports failures by throwing
// tool_error (exit 1) or usage_error (exit 2), which run_tool turns into "ERROR <msg>\n".
using tool_fn = std::function<std::string(hook_context&, const std::vector<std::string>& args,
                                          std::string_view stdin_data)>;
using tool_table = std::map<std::string, tool_fn, std::less<>>;

// A family's tools, one {name, implementation} row each, into the table.
void add_tools(tool_table& table, std::initializer_list<std::pair<std::string_view, tool_fn>> rows);

void register_relation_tools(tool_table& table);
void register_config_tools(tool_table& table);
void register_status_tools(tool_table& table);
void register_log_tools(tool_table& table);
void register_network_tools(tool_table& table);
void register_secret_tools(tool_table& table);
void register_action_tools(tool_table& table);
void register_port_tools(tool_table& table);
void register_storage_tools(tool_table& table);
void register_misc_tools(tool_table& table);  // is-leader, unit-get, goal-state, state-*, ...

}  // namespace scenario::agent
