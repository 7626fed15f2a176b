// Fuzzes the State and Event JSON codec (docs/state-format.md). Input: one JSON document, decoded
// both as a State and as an Event. Decoding may refuse it only with state_validation_error; what
// it accepts must encode and decode back to an equal value.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "engine/state/json_codec.hpp"
#include "fuzz/fuzz_input.hpp"

namespace {

template <typename Value, typename Decode, typename Encode>
void check_round_trip(const nlohmann::json& doc, Decode decode, Encode encode, const char* what) {
  Value value;
  try {
    value = decode(doc);
  } catch (const scenario::state_validation_error&) {
    return;
  }
  if (!(decode(encode(value)) == value)) {
    std::fprintf(stderr, "%s changed in an encode/decode round trip\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace scenario::state;
  const auto doc = nlohmann::json::parse(scenario::fuzz::as_text(data, size), nullptr,
                                         /*allow_exceptions=*/false);
  if (doc.is_discarded()) return -1;  // not JSON: the codec never sees text
  check_round_trip<state>(doc, state_from_json, state_to_json, "State");
  check_round_trip<event>(doc, event_from_json, event_to_json, "Event");
  return 0;
}
