// Fuzzes the charm spec parser. Input: metadata.yaml, config.yaml and actions.yaml texts,
// NUL-separated (missing ones are empty). Parsing may refuse them only with spec_error; what it
// accepts must parse again from the JSON form it keeps (raw_meta, raw_config, raw_actions).
#include <cstdint>

#include "engine/spec/spec.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto docs = scenario::fuzz::split_fields(scenario::fuzz::as_text(data, size));
  docs.resize(3);
  scenario::spec::charm_spec spec;
  try {
    spec = scenario::spec::spec_from_yaml(docs[0], docs[1], docs[2]);
  } catch (const scenario::spec_error&) {
    return 0;
  }
  scenario::spec::spec_from_json(spec.raw_meta, spec.raw_config, spec.raw_actions);
  return 0;
}
