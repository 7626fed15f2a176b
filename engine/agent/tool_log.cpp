#include "engine/agent/tool_table.hpp"

namespace scenario::agent {

void register_log_tools(tool_table& /*table*/) {}

}  // namespace scenario::agent
