// Fuzzes status-get, status-set and juju-log (input format: hook_tool_fuzzer.hpp).
#include "fuzz/hook_tool_fuzzer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scenario::fuzz::run_hook_tool_input(data, size, {"status-get", "status-set", "juju-log"},
                                             R"({"name": "update_status"})");
}
