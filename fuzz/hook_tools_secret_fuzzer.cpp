// Fuzzes the secret-* hook tools in a secret-changed hook (input format: hook_tool_fuzzer.hpp).
#include "fuzz/hook_tool_fuzzer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scenario::fuzz::run_hook_tool_input(
      data, size,
      {"secret-add", "secret-get", "secret-info-get", "secret-set", "secret-grant", "secret-revoke",
       "secret-remove", "secret-ids"},
      R"({"name": "secret_changed", "secret_id": "secret:abcdefghij0123456789"})");
}
