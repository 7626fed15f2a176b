// Fuzzes the network, port, storage and remaining hook tools in a storage-attached hook
// (input format: hook_tool_fuzzer.hpp).
#include "fuzz/hook_tool_fuzzer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scenario::fuzz::run_hook_tool_input(
      data, size,
      {"network-get", "open-port", "close-port", "opened-ports", "storage-get", "storage-list",
       "storage-add", "is-leader", "unit-get", "goal-state", "leader-get", "leader-set",
       "credential-get", "state-get", "state-set", "state-delete", "application-version-set",
       "juju-reboot", "resource-get", "add-metric"},
      R"({"name": "data_storage_attached", "storage_name": "data", "storage_index": 0})");
}
