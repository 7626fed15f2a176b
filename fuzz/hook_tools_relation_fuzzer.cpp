// Fuzzes the relation-* hook tools in a relation-changed hook (input format: hook_tool_fuzzer.hpp).
#include "fuzz/hook_tool_fuzzer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scenario::fuzz::run_hook_tool_input(
      data, size, {"relation-ids", "relation-list", "relation-get", "relation-set", "relation-model-get"},
      R"({"name": "db_relation_changed", "relation_id": 1, "relation_remote_unit_id": 0})");
}
