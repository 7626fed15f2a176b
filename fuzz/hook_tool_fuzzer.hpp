// The driver shared by the hook-tool fuzz targets (one per tool family): a fixed charm spec and
// State with something for every tool to find, and one tool call read from the fuzz input.
//
// Input: NUL-separated fields; the first is argv[0] (a tool of the family, else the input is
// rejected), the last is stdin, the ones between are the arguments. Each call runs twice, under
// strict and compatible mode, on a fresh copy of the State.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "engine/agent/agent.hpp"
#include "engine/spec/spec.hpp"
#include "engine/state/json_codec.hpp"
#include "fuzz/fuzz_input.hpp"

namespace scenario::fuzz {

inline const spec::charm_spec& hook_tool_spec() {
  // Parsed once and only read afterwards.
  static const spec::charm_spec spec = spec::spec_from_yaml(R"(
name: app
requires:
  db: {interface: mysql, limit: 1}
provides:
  web: {interface: http}
peers:
  peers: {interface: app-peers}
extra-bindings: {admin: null}
containers:
  workload: {resource: image, mounts: [{storage: data, location: /data}]}
storage:
  data: {type: filesystem, multiple: {range: 1-3}}
resources:
  image: {type: oci-image}
  model: {type: file, filename: model.bin}
)",
                                                            R"(
options:
  port: {type: int, default: 8080}
  name: {type: string, default: app}
  ratio: {type: float}
  debug: {type: boolean, default: false}
  token: {type: secret}
)",
                                                            R"(
do-thing:
  description: Does the thing.
  params:
    target: {type: string}
    count: {type: integer, default: 1}
  required: [target]
)");
  return spec;
}

inline const state::state& hook_tool_state() {
  static const state::state st = state::state_from_json(nlohmann::json::parse(R"({
  "config": {"port": 8080, "name": "app", "debug": true, "ratio": 0.5},
  "leader": true,
  "unit_id": 0,
  "planned_units": 2,
  "relations": [
    {"endpoint": "db", "interface": "mysql", "relation_id": 1, "remote_app_name": "remote",
     "local_app_data": {"app-key": "a"}, "local_unit_data": {"mine": "1"},
     "remote_app_data": {"host": "db.example"}, "remote_units_data": {"0": {"u0": "zero"}, "1": {}}},
    {"kind": "peer", "endpoint": "peers", "relation_id": 2, "local_app_data": {"peer": "p"},
     "remote_units_data": {"1": {"peer1": "x"}}}
  ],
  "networks": [
    {"name": "db", "bind_addresses": [{"interface_name": "eth0", "mac_address": "",
      "addresses": [{"hostname": "", "value": "10.0.0.1", "cidr": "10.0.0.0/24", "address": ""}]}],
     "ingress_addresses": ["10.0.0.1"], "egress_subnets": ["10.0.0.0/24"]}
  ],
  "secrets": [
    {"id": "secret:0123456789abcdefghij", "contents": {"1": {"password": "hunter2"}},
     "owner": "app", "revision": 1, "label": "mine", "remote_grants": {"1": ["remote/0"]}},
    {"id": "secret:abcdefghij0123456789", "contents": {"1": {"token": "t1"}, "2": {"token": "t2"}},
     "revision": 1, "granted": "unit", "label": "theirs"}
  ],
  "opened_ports": [{"protocol": "tcp", "port": 80}, {"protocol": "icmp", "port": null}],
  "storages": [{"name": "data", "index": 0, "location": "/data/0"}],
  "resources": [{"name": "model", "path": "/tmp/model.bin"}],
  "status": {"unit": {"name": "active", "message": "ok"}, "workload_version": "1.0"}
})"));
  return st;
}

// Runs the input's tool call (if argv[0] is one of `family`) against `event_json`;
// `action_name` is set for action events.
inline int run_hook_tool_input(const std::uint8_t* data, std::size_t size,
                               std::initializer_list<std::string_view> family,
                               std::string_view event_json,
                               std::optional<std::string> action_name = std::nullopt) {
  auto fields = split_fields(as_text(data, size));
  if (fields.size() < 2 || std::find(family.begin(), family.end(), fields.front()) == family.end()) {
    return -1;  // not this family's input: keep it out of the corpus
  }
  const std::string stdin_data = std::move(fields.back());
  fields.pop_back();
  const state::event event = state::event_from_json(nlohmann::json::parse(event_json));
  for (bool strict : {true, false}) {
    state::state st = hook_tool_state();
    agent::hook_context ctx{hook_tool_spec(), st, event, "app"};
    ctx.action_name = action_name;
    ctx.strict = strict;
    ctx.app_trusted = true;
    ctx.cloud_spec = nlohmann::json{
        {"type", "kubernetes"}, {"name", "k8s"}, {"credential", {{"auth-type", "certificate"}}}};
    const auto result = agent::run_tool(ctx, fields, stdin_data);
    // run_tool's contract: a failure is an exit code with an "ERROR ..." line, never silence.
    if (result.exit_code != 0 && result.stderr_text.rfind("ERROR ", 0) != 0) {
      std::fprintf(stderr, "exit %d without an ERROR line: %s\n", result.exit_code,
                   result.stderr_text.c_str());
      std::abort();
    }
  }
  return 0;
}

}  // namespace scenario::fuzz
