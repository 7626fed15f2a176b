// Fuzzes the action-* hook tools while an action runs (input format: hook_tool_fuzzer.hpp).
#include "fuzz/hook_tool_fuzzer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scenario::fuzz::run_hook_tool_input(
      data, size, {"action-get", "action-set", "action-log", "action-fail"},
      R"({"name": "do_thing_action", "action_params": {"target": "x", "count": 2}, "action_id": "1"})",
      "do-thing");
}
