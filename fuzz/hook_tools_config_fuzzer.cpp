// Fuzzes config-get (input format: hook_tool_fuzzer.hpp).
#include "fuzz/hook_tool_fuzzer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scenario::fuzz::run_hook_tool_input(data, size, {"config-get"}, R"({"name": "config_changed"})");
}
