// Fuzzes the Pebble API handler on one container. Input: requests of four NUL-separated fields
// each (method, request target with query, content type, body), answered in order by one session,
// so a request can act on what an earlier one changed. The container has no mounts: the handler
// never touches the host.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "engine/pebble/api.hpp"
#include "engine/pebble/http_target.hpp"
#include "engine/state/json_codec.hpp"
#include "fuzz/fuzz_input.hpp"

namespace {

const scenario::state::container& fixed_container() {
  // Parsed once and only read afterwards.
  static const scenario::state::container container =
      scenario::state::state_from_json(nlohmann::json::parse(R"({"containers": [{
  "name": "workload",
  "can_connect": true,
  "layers": [["base", {"summary": "base", "services": {
      "srv": {"override": "replace", "command": "/bin/srv --port 80", "startup": "enabled"},
      "side": {"override": "replace", "command": "/bin/side", "requires": ["srv"]}},
    "checks": {"http": {"override": "replace", "level": "alive", "http": {"url": "http://localhost/"}}}}]],
  "service_status": {"srv": "active"},
  "files": [{"path": "/etc/app.conf", "content": "port = 80\n"},
            {"path": "/var/lib/app", "is_dir": true, "permissions": 493},
            {"path": "/var/lib/app/data.bin", "content": "AAEC", "encoding": "base64"}],
  "notices": [{"id": "1", "type": "custom", "key": "example.com/a", "occurrences": 1}],
  "check_infos": [{"name": "http", "level": "alive", "status": "up", "threshold": 3}]
}]})")).containers.front();
  return container;
}

constexpr std::size_t fields_per_request = 4;
constexpr std::size_t max_requests = 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace scenario::pebble;
  const auto fields = scenario::fuzz::split_fields(scenario::fuzz::as_text(data, size));
  const std::size_t requests = std::min(max_requests, (fields.size() + fields_per_request - 1) / fields_per_request);
  for (bool strict : {true, false}) {
    auto container = fixed_container();
    layer_cache layers;
    std::vector<std::string> divergences;
    session s(container, &layers, session_options{strict, &divergences});
    for (std::size_t i = 0; i < requests; ++i) {
      auto field = [&](std::size_t k) {
        const auto at = i * fields_per_request + k;
        return at < fields.size() ? fields[at] : std::string();
      };
      request r;
      r.method = field(0);
      split_target(field(1), r.path, r.query);
      r.content_type = field(2);
      r.body = field(3);
      const auto reply = handle(s, r);
      // handle()'s contract: JSON replies are Pebble's envelope, whatever the request.
      if (reply.content_type == "application/json" &&
          !nlohmann::json::accept(reply.body)) {
        std::fprintf(stderr, "status %d with a body that is not JSON: %s\n", reply.status,
                     reply.body.c_str());
        std::abort();
      }
    }
  }
  return 0;
}
