#include "engine/agent/tool_table.hpp"

namespace scenario::agent {

void register_config_tools(tool_table& /*table*/) {}

}  // namespace scenario::agent
