#include "engine/state/json_codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "engine/state/bytes_text.hpp"

namespace scenario::state {
namespace {

using ::testing::HasSubstr;

// A State in canonical form that sets every field to a non-default value.
json full_state_json() {
  return json::parse(R"({
    "config": {"port": 8080, "debug": true, "name": "x", "ratio": 0.5},
    "relations": [
      {"kind": "regular", "endpoint": "db", "interface": "mysql", "relation_id": 1,
       "remote_app_name": "mysql", "limit": 2,
       "local_app_data": {"a": "1"}, "local_unit_data": {"b": "2"}, "remote_app_data": {"c": "3"},
       "remote_units_data": {"0": {"host": "h0"}, "10": {}}, "remote_model_uuid": "abc-uuid"},
      {"kind": "peer", "endpoint": "cluster", "interface": null, "relation_id": 2,
       "remote_app_name": "remote", "limit": 1, "local_app_data": {}, "local_unit_data": {},
       "remote_app_data": {}, "remote_units_data": {"1": {"k": "v"}}, "remote_model_uuid": null},
      {"kind": "subordinate", "endpoint": "juju-info", "interface": "juju-info", "relation_id": 3,
       "remote_app_name": "principal", "limit": 1, "local_app_data": {}, "local_unit_data": {},
       "remote_app_data": {}, "remote_units_data": {"4": {}}, "remote_model_uuid": null}
    ],
    "networks": [
      {"name": "db",
       "bind_addresses": [{"interface_name": "eth0", "mac_address": "aa:bb",
         "addresses": [{"hostname": "h", "value": "10.0.0.1", "cidr": "10.0.0.0/24", "address": "10.0.0.1"}]}],
       "ingress_addresses": ["10.0.0.1"], "egress_subnets": ["10.0.0.0/24"]}
    ],
    "containers": [
      {"name": "workload", "can_connect": true,
       "base_plan": {"services": {"a": {"command": "/bin/a"}}},
       "layers": [["base", {"summary": "s", "services": {"srv": {"override": "replace", "command": "/bin/srv"}}}],
                  ["extra", {}]],
       "service_status": {"srv": "active", "other": "backoff"},
       "mounts": {"data": {"location": "/data", "src": "/tmp/host-dir"}},
       "exec_mock": [{"command": ["ls", "-l"], "return_code": 2, "stdout": "out", "stderr": "err"}],
       "files": [
         {"path": "/etc/app.conf", "content": "text é", "encoding": "utf-8", "is_dir": false,
          "permissions": 420, "user": "root", "user_id": 0, "group": "root", "group_id": 0},
         {"path": "/bin/blob", "content": "/wA=", "encoding": "base64", "is_dir": false,
          "permissions": 493, "user": null, "user_id": null, "group": null, "group_id": null},
         {"path": "/var/lib", "content": "", "encoding": "utf-8", "is_dir": true,
          "permissions": 448, "user": null, "user_id": 1000, "group": null, "group_id": 1000}
       ],
       "notices": [{"id": "1", "type": "custom", "key": "example.com/a", "first_occurred": "2024-01-01T00:00:00Z",
                    "last_occurred": "2024-01-02T00:00:00Z", "last_repeated": "2024-01-02T00:00:00Z",
                    "occurrences": 3, "last_data": {"x": "y"}, "repeat_after": 1.5, "expire_after": 60.0}],
       "check_infos": [{"name": "http", "level": "ready", "status": "down", "failures": 2,
                        "threshold": 5, "startup": "disabled"}],
       "exec_history": [{"command": ["ls"], "environment": {"A": "B"}, "working_dir": "/tmp", "user": "u",
                         "user_id": 7, "group": "g", "group_id": 8, "timeout": 2.5,
                         "stdin": "input", "return_code": 1}]}
    ],
    "status": {
      "app": {"name": "waiting", "message": "w"},
      "unit": {"name": "active", "message": "ok"},
      "app_history": [{"name": "unknown", "message": ""}],
      "unit_history": [{"name": "maintenance", "message": "starting"}],
      "workload_version": "1.2",
      "previous_workload_version": "1.1"
    },
    "leader": true,
    "model": {"name": "m", "uuid": "11111111-0000-4000-8000-000000000000", "type": "lxd"},
    "juju_log": [{"level": "INFO", "message": "hello"}],
    "secrets": [
      {"id": "secret:0123456789abcdefghij", "contents": {"0": {"key": "value"}, "2": {"key": "v2"}},
       "owner": "app", "revision": 2, "granted": "unit", "remote_grants": {"1": ["remote/0", "remote"]},
       "label": "l", "description": "d", "expire": "2030-01-01T00:00:00Z", "rotate": "daily"}
    ],
    "unit_id": 3,
    "deferred": [
      {"handle_path": "MyCharm/on/start[1]", "owner": "MyCharm", "observer": "_on_start",
       "snapshot_data": {"relation_id": 1, "t": {"$tuple": [1, 2]}}}
    ],
    "stored_state": [
      {"owner_path": null, "name": "_stored", "content": {"count": 1, "s": {"$set": [1]}}, "data_type_name": "StoredStateData"},
      {"owner_path": "MyCharm/lib", "name": "_other", "content": {}, "data_type_name": "StoredStateData"}
    ],
    "opened_ports": [{"protocol": "tcp", "port": 80, "to_port": null}, {"protocol": "icmp", "port": null, "to_port": null},
                     {"protocol": "udp", "port": 8000, "to_port": 8002}],
    "storages": [{"name": "data", "index": 1, "location": "/srv"}],
    "resources": [{"name": "model", "path": "/tmp/model.bin"}],
    "planned_units": 4,
    "action": {"results": {"a": {"b": 1}}, "logs": ["step 1"], "failure_message": "boom"}
  })");
}

TEST(json_codec, full_state_round_trips_exactly) {
  json input = full_state_json();
  state s = state_from_json(input);
  EXPECT_EQ(state_to_json(s), input);
  EXPECT_EQ(state_to_json(state_from_json(state_to_json(s))), input);
}

TEST(json_codec, decode_of_encode_is_an_equal_value) {
  state s = state_from_json(full_state_json());
  EXPECT_TRUE(state_from_json(state_to_json(s)) == s);
  state changed = s;
  changed.containers[0].files[1].content += "x";
  EXPECT_FALSE(changed == s);
  event e = event_from_json(json::parse(R"({"name": "start", "action_params": {"a": [1]}})"));
  EXPECT_TRUE(event_from_json(event_to_json(e)) == e);
}

TEST(json_codec, full_state_decodes_into_the_right_fields) {
  state s = state_from_json(full_state_json());
  ASSERT_EQ(s.relations.size(), 3u);
  EXPECT_EQ(s.relations[1].kind, relation_kind::peer);
  EXPECT_EQ(s.relations[2].kind, relation_kind::subordinate);
  EXPECT_EQ(s.relations[0].remote_units_data.at(10).size(), 0u);
  EXPECT_EQ(s.relations[0].remote_units_data.at(0).at("host"), "h0");
  ASSERT_EQ(s.containers.size(), 1u);
  const container& c = s.containers[0];
  EXPECT_EQ(c.exec_mock[0].stdout_text, "out");
  EXPECT_EQ(c.exec_mock[0].stderr_text, "err");
  EXPECT_EQ(c.exec_history[0].stdin_text, "input");
  EXPECT_EQ(c.files[1].content, std::string("\xff\x00", 2));
  EXPECT_EQ(c.files[0].content, "text \xc3\xa9");
  EXPECT_EQ(c.layers[1].first, "extra");
  EXPECT_EQ(s.secrets[0].contents.at(2).at("key"), "v2");
  EXPECT_EQ(s.secrets[0].remote_grants.at(1).size(), 2u);
  EXPECT_FALSE(s.stored_state[0].owner_path.has_value());
  EXPECT_EQ(s.opened_ports[1].protocol, "icmp");
  EXPECT_FALSE(s.opened_ports[1].port.has_value());
  EXPECT_FALSE(s.opened_ports[0].to_port.has_value());
  EXPECT_EQ(s.opened_ports[2].to_port, 8002);
  ASSERT_TRUE(s.action.has_value());
  EXPECT_EQ(*s.action->failure_message, "boom");
  EXPECT_EQ(s.planned_units, 4);
}

// Checks `value` against the schema type `type` (a struct name, "list[X]", "optional[X]",
// "map[int,X]" or "map[string,X]"; scalars are not looked into) and returns the struct names met.
void expect_matches_schema(const json& schema, const json& value, const std::string& type, const std::string& path,
                           std::set<std::string>& seen) {
  auto inner = [&](std::string_view prefix) { return type.substr(prefix.size(), type.size() - prefix.size() - 1); };
  if (type.starts_with("optional[")) {
    if (!value.is_null()) expect_matches_schema(schema, value, inner("optional["), path, seen);
  } else if (type.starts_with("list[") && !type.starts_with("list[[")) {
    for (std::size_t i = 0; i < value.size(); ++i)
      expect_matches_schema(schema, value[i], inner("list["), path + "[" + std::to_string(i) + "]", seen);
  } else if (type.starts_with("map[int,") || type.starts_with("map[string,")) {
    std::string of = type.starts_with("map[int,") ? inner("map[int,") : inner("map[string,");
    for (const auto& [k, v] : value.items()) expect_matches_schema(schema, v, of, path + "['" + k + "']", seen);
  } else if (schema.contains(type)) {
    seen.insert(type);
    std::set<std::string> written, listed;
    for (const auto& [k, v] : value.items()) written.insert(k);
    for (const auto& f : schema[type]) listed.insert(f["name"].get<std::string>());
    EXPECT_EQ(written, listed) << path << " (" << type << ")";
    for (const auto& f : schema[type]) {
      auto name = f["name"].get<std::string>();
      if (value.contains(name)) expect_matches_schema(schema, value[name], f["type"], path + "." + name, seen);
    }
  }
}

TEST(json_codec, schema_names_exactly_the_fields_the_writer_writes) {
  const json schema = state_schema();
  std::set<std::string> seen;
  expect_matches_schema(schema, state_to_json(state_from_json(full_state_json())), "state", "state", seen);
  event e;
  expect_matches_schema(schema, event_to_json(e), "event", "event", seen);
  // full_state_json sets every field, so every struct of the schema is met.
  std::set<std::string> all;
  for (const auto& [name, fields] : schema.items()) all.insert(name);
  EXPECT_EQ(seen, all);
}

TEST(json_codec, schema_types_name_the_rules) {
  const json schema = state_schema();
  auto type_of = [&](const std::string& s, const std::string& field) {
    for (const auto& f : schema[s])
      if (f["name"] == field) return f["type"].get<std::string>();
    return std::string("(missing)");
  };
  EXPECT_EQ(type_of("opened_port", "protocol"), "enum[tcp|udp|icmp]");
  EXPECT_EQ(type_of("opened_port", "port"), "optional[int]");
  EXPECT_EQ(type_of("relation", "remote_units_data"), "map[int,databag]");
  EXPECT_EQ(type_of("state", "relations"), "list[relation]");
  EXPECT_EQ(type_of("event", "relation_id"), "optional[id]");
  EXPECT_EQ(type_of("container", "mounts"), "map[string,mount]");
}

TEST(json_codec, empty_object_gives_defaults) {
  state s = state_from_json(json::object());
  state d;
  EXPECT_EQ(state_to_json(s), state_to_json(d));
  EXPECT_EQ(s.model.name, "scenario-model");
  EXPECT_EQ(s.planned_units, 1);
  EXPECT_FALSE(s.action.has_value());
}

TEST(json_codec, partial_objects_take_defaults) {
  state s = state_from_json(json::parse(R"({"relations": [{"endpoint": "db"}], "containers": [{"name": "c"}],
                                            "secrets": [{"id": "secret:x", "granted": false}]})"));
  EXPECT_EQ(s.relations[0].remote_app_name, "remote");
  EXPECT_EQ(s.relations[0].limit, 1);
  EXPECT_FALSE(s.containers[0].can_connect);
  EXPECT_FALSE(s.secrets[0].granted.has_value());
}

TEST(json_codec, binary_file_content_encodes_as_base64) {
  state s;
  container c;
  c.name = "w";
  file_entry f;
  f.path = "/bin/x";
  f.content = std::string("\x00\x01\xfe\xff", 4);
  c.files.push_back(f);
  s.containers.push_back(c);
  json j = state_to_json(s);
  EXPECT_EQ(j["containers"][0]["files"][0]["encoding"], "base64");
  EXPECT_EQ(j["containers"][0]["files"][0]["content"], "AAH+/w==");
  EXPECT_EQ(state_from_json(j).containers[0].files[0].content, f.content);
}

TEST(json_codec, event_round_trips) {
  json full = json::parse(R"({"name": "db_relation_departed", "relation_id": 1, "relation_remote_unit_id": 0,
    "relation_departed_unit_id": 2, "secret_id": "secret:x", "secret_revision": 3, "container": "w",
    "notice_id": "7", "check_name": "http", "storage_name": "data", "storage_index": 1,
    "action_params": {"n": 1}, "action_id": "42"})");
  event e = event_from_json(full);
  EXPECT_EQ(*e.relation_departed_unit_id, 2);
  EXPECT_EQ(event_to_json(e), full);
  event empty = event_from_json(json::object());
  EXPECT_EQ(event_to_json(empty)["relation_id"], nullptr);
}

// Decodes a State and returns the validation error message.
std::string error_of(const std::string& text) {
  try {
    state_from_json(json::parse(text));
  } catch (const state_validation_error& e) {
    EXPECT_EQ(e.code(), "invalid-state");
    return e.what();
  }
  ADD_FAILURE() << "no error for " << text;
  return {};
}

TEST(json_codec_errors, databag_integer_value) {
  std::string m = error_of(R"({"relations": [{"endpoint": "db", "relation_id": 1, "local_app_data": {"port": 8080}}]})");
  EXPECT_EQ(m, "relations[db:1].local_app_data['port']: databag values must be strings, got 8080 (an integer); write '8080'");
}

TEST(json_codec_errors, databag_bool_in_remote_unit) {
  std::string m = error_of(R"({"relations": [{"endpoint": "db", "remote_units_data": {"0": {"ok": true}}}]})");
  EXPECT_THAT(m, HasSubstr("relations[db].remote_units_data['0']['ok']"));
  EXPECT_THAT(m, HasSubstr("write 'true'"));
}

TEST(json_codec_errors, bad_unit_id_key) {
  std::string m = error_of(R"({"relations": [{"endpoint": "db", "remote_units_data": {"zero": {}}}]})");
  EXPECT_THAT(m, HasSubstr("relations[db].remote_units_data['zero']"));
  EXPECT_THAT(m, HasSubstr("decimal"));
}

TEST(json_codec_errors, mount_src_must_be_absolute) {
  // An empty src once mapped the container's path onto the host's root.
  for (const char* src : {"", "relative/dir"}) {
    std::string m = error_of(std::string(R"({"containers": [{"name": "w", "mounts": {"data": {"location": "/data", "src": ")") +
                             src + R"("}}}]})");
    EXPECT_THAT(m, HasSubstr("containers[w].mounts['data'].src: the mount's host directory must be an absolute path"));
  }
}

TEST(json_codec_errors, unknown_top_level_field) {
  std::string m = error_of(R"({"leadership": true})");
  EXPECT_THAT(m, HasSubstr("leadership: unknown field of a State"));
  EXPECT_THAT(m, HasSubstr("leader"));
}

TEST(json_codec_errors, unknown_nested_field) {
  std::string m = error_of(R"({"containers": [{"name": "w", "exec_mock": [{"stdout_text": ""}]}]})");
  EXPECT_THAT(m, HasSubstr("containers[w].exec_mock[0].stdout_text: unknown field"));
}

TEST(json_codec_errors, wrong_type_leader) {
  EXPECT_THAT(error_of(R"({"leader": "yes"})"), HasSubstr("leader: expected true or false, got \"yes\" (a string)"));
}

TEST(json_codec_errors, wrong_type_relation_id) {
  EXPECT_THAT(error_of(R"({"relations": [{"endpoint": "db", "relation_id": "1"}]})"),
              HasSubstr("relations[db].relation_id: expected an integer, got \"1\" (a string)"));
}

TEST(json_codec_errors, float_for_integer) {
  EXPECT_THAT(error_of(R"({"unit_id": 1.5})"), HasSubstr("unit_id: expected an integer, got 1.5 (a float)"));
}

TEST(json_codec_errors, integer_out_of_range) {
  EXPECT_THAT(error_of(R"({"planned_units": 99999999999})"), HasSubstr("planned_units: 99999999999 is too large"));
}

TEST(json_codec_errors, relations_not_a_list) {
  EXPECT_THAT(error_of(R"({"relations": {}})"), HasSubstr("relations: expected a list"));
}

TEST(json_codec_errors, bad_relation_kind) {
  std::string m = error_of(R"({"relations": [{"endpoint": "db", "relation_id": 4, "kind": "peers"}]})");
  EXPECT_THAT(m, HasSubstr("relations[db:4].kind: 'peers' is not valid; use one of 'regular', 'peer', 'subordinate'"));
}

TEST(json_codec_errors, bad_port_protocol) {
  EXPECT_THAT(error_of(R"({"opened_ports": [{"protocol": "sctp", "port": 1}]})"),
              HasSubstr("opened_ports[0].protocol: 'sctp' is not valid"));
}

// A range is one entry: the writer keeps to_port, so a range opened in one run is a range in the next.
TEST(json_codec, port_range_survives_a_round_trip) {
  state s;
  s.opened_ports = {{"tcp", 8000, 8002}, {"tcp", 80, std::nullopt}};
  const json written = state_to_json(s);
  EXPECT_EQ(written["opened_ports"][0], json::parse(R"({"protocol": "tcp", "port": 8000, "to_port": 8002})"));
  EXPECT_EQ(state_from_json(written).opened_ports, s.opened_ports);
  // to_port may be left out, as 3.1's State JSON has none.
  EXPECT_FALSE(state_from_json(json::parse(R"({"opened_ports": [{"protocol": "tcp", "port": 80}]})"))
                   .opened_ports[0]
                   .to_port.has_value());
}

TEST(json_codec_errors, port_range_end_not_an_integer) {
  EXPECT_THAT(error_of(R"({"opened_ports": [{"protocol": "tcp", "port": 1, "to_port": "9"}]})"),
              HasSubstr("opened_ports[0].to_port"));
}

TEST(json_codec_errors, bad_secret_owner) {
  EXPECT_THAT(error_of(R"({"secrets": [{"id": "secret:a", "owner": "model"}]})"),
              HasSubstr("secrets[secret:a].owner: 'model' is not valid; use one of 'unit', 'app'"));
}

TEST(json_codec_errors, granted_true_is_rejected) {
  EXPECT_THAT(error_of(R"({"secrets": [{"id": "secret:a", "granted": true}]})"),
              HasSubstr("secrets[secret:a].granted: true is ambiguous"));
}

TEST(json_codec_errors, bad_granted_value) {
  EXPECT_THAT(error_of(R"({"secrets": [{"id": "secret:a", "granted": "everyone"}]})"),
              HasSubstr("secrets[secret:a].granted: 'everyone' is not valid"));
}

TEST(json_codec_errors, bad_service_status) {
  EXPECT_THAT(error_of(R"({"containers": [{"name": "w", "service_status": {"srv": "running"}}]})"),
              HasSubstr("containers[w].service_status['srv']: 'running' is not valid; use one of 'active'"));
}

TEST(json_codec_errors, bad_file_encoding) {
  EXPECT_THAT(error_of(R"({"containers": [{"name": "w", "files": [{"path": "/a", "encoding": "latin-1"}]}]})"),
              HasSubstr("containers[w].files[/a].encoding: 'latin-1' is not valid"));
}

TEST(json_codec_errors, bad_base64_content) {
  EXPECT_THAT(error_of(R"({"containers": [{"name": "w", "files": [{"path": "/a", "encoding": "base64", "content": "%%%"}]}]})"),
              HasSubstr("containers[w].files[/a].content: content is not valid base64"));
}

TEST(json_codec_errors, bad_layer_shape) {
  EXPECT_THAT(error_of(R"({"containers": [{"name": "w", "layers": [{"services": {}}]}]})"),
              HasSubstr("containers[w].layers[0]: expected a [label, layer] pair"));
}

TEST(json_codec_errors, bad_status_name) {
  EXPECT_THAT(error_of(R"({"status": {"unit": {"name": "happy"}}})"), HasSubstr("status.unit.name: 'happy' is not valid"));
}

TEST(json_codec_errors, bad_secret_revision_key) {
  EXPECT_THAT(error_of(R"({"secrets": [{"id": "secret:a", "contents": {"01": {}}}]})"),
              HasSubstr("secrets[secret:a].contents['01']"));
}

TEST(json_codec_errors, secret_content_value_not_string) {
  EXPECT_THAT(error_of(R"({"secrets": [{"id": "secret:a", "contents": {"1": {"k": 1}}}]})"),
              HasSubstr("secrets[secret:a].contents['1']['k']: values must be strings"));
}

TEST(json_codec_errors, stored_state_content_not_object) {
  EXPECT_THAT(error_of(R"({"stored_state": [{"content": [1]}]})"), HasSubstr("stored_state[0].content: expected an object"));
}

TEST(json_codec_errors, config_not_object) {
  EXPECT_THAT(error_of(R"({"config": 3})"), HasSubstr("config: expected an object, got 3 (an integer)"));
}

TEST(json_codec_errors, state_not_object) {
  EXPECT_THAT(error_of(R"([1])"), HasSubstr("expected a State"));
}

TEST(json_codec_errors, event_unknown_field) {
  try {
    event_from_json(json::parse(R"({"name": "start", "relation": 1})"));
    FAIL() << "no error";
  } catch (const state_validation_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("event.relation: unknown field of an Event"));
  }
}

TEST(json_codec_errors, event_wrong_type) {
  EXPECT_THROW(event_from_json(json::parse(R"({"relation_id": "db:1"})")), state_validation_error);
}

// A list nested `levels` deep around 1, built without recursion.
json nested_list(int levels) {
  json value = 1;
  for (int i = 0; i < levels; ++i) value = json::array({std::move(value)});
  return value;
}

TEST(json_codec_errors, nesting_deeper_than_the_limit_is_refused_naming_the_path) {
  // state (1) > config (2) > 'x': its outermost list is level 3.
  json ok = {{"config", {{"x", nested_list(max_nesting_depth - 2)}}}};
  EXPECT_NO_THROW(state_from_json(ok));
  json deep = {{"config", {{"x", nested_list(max_nesting_depth - 1)}}}};
  try {
    state_from_json(deep);
    FAIL() << "no error";
  } catch (const state_validation_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("state.config['x'][0][0]"));
    EXPECT_THAT(e.what(), HasSubstr("nested deeper than 100 levels"));
  }
}

TEST(json_codec_errors, very_deep_nesting_is_refused_without_recursing_into_it) {
  // Deep enough to overflow the stack of any recursive copy or dump.
  // Built by moves: an initializer list would copy, and a copy this deep recurses.
  json deep = {{"config", json::object()}};
  deep["config"]["x"] = nested_list(200000);
  EXPECT_THROW(state_from_json(deep), state_validation_error);
  json event = {{"name", "start"}, {"action_params", json::object()}};
  event["action_params"]["p"] = nested_list(200000);
  try {
    event_from_json(event);
    FAIL() << "no error";
  } catch (const state_validation_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("event.action_params['p'][0]"));
  }
}

TEST(json_codec_errors, tag_wrappers_do_not_count_as_levels) {
  json tuple = 1;
  for (int i = 0; i < max_nesting_depth - 4; ++i) tuple = {{"$tuple", json::array({std::move(tuple)})}};
  json ok = {{"stored_state", json::array({{{"content", {{"t", tuple}}}}})}};
  EXPECT_NO_THROW(state_from_json(ok));
  EXPECT_FALSE(nesting_problem(tuple, "value").has_value());
}

TEST(json_codec_errors, negative_ids_revisions_and_indexes_are_refused) {
  EXPECT_THAT(error_of(R"({"relations": [{"endpoint": "db", "relation_id": -1}]})"),
              HasSubstr("relations[db:-1].relation_id: -1 is not a relation id"));
  EXPECT_THAT(error_of(R"({"relations": [{"endpoint": "db", "relation_id": 1, "remote_units_data": {"-2": {}}}]})"),
              HasSubstr("relations[db:1].remote_units_data['-2']: keys of this map are ids"));
  EXPECT_THAT(error_of(R"({"unit_id": -3})"), HasSubstr("unit_id: -3 is not a unit id"));
  EXPECT_THAT(error_of(R"({"secrets": [{"id": "secret:a", "revision": -1}]})"),
              HasSubstr("secrets[secret:a].revision: -1 is not a secret revision"));
  EXPECT_THAT(error_of(R"({"secrets": [{"id": "secret:a", "contents": {"-1": {}}}]})"),
              HasSubstr("secrets[secret:a].contents['-1']"));
  EXPECT_THAT(error_of(R"({"storages": [{"name": "data", "index": -1}]})"),
              HasSubstr("storages[0].index: -1 is not a storage index"));
  for (const char* field : {"relation_id", "relation_remote_unit_id", "relation_departed_unit_id",
                            "secret_revision", "storage_index"}) {
    try {
      event_from_json(json{{"name", "start"}, {field, -1}});
      ADD_FAILURE() << field << ": no error";
    } catch (const state_validation_error& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("event.") + field + ": -1 is not"));
    }
  }
}

TEST(json_codec_errors, an_empty_remote_app_name_is_refused) {
  EXPECT_THAT(error_of(R"({"relations": [{"endpoint": "db", "relation_id": 1, "remote_app_name": ""}]})"),
              HasSubstr("relations[db:1].remote_app_name: the remote application has a name"));
  EXPECT_NO_THROW(state_from_json(json::parse(
      R"({"relations": [{"kind": "peer", "endpoint": "p", "relation_id": 1, "remote_app_name": ""}]})")));
}

TEST(json_codec_errors, a_value_cut_short_in_a_message_stays_valid_utf8) {
  // found by tests/python/property: the cut fell inside a two-byte character
  std::string m = error_of(R"({"storages": [{"name": "d", "index": ["0000000000000000000000000000000000000000000000000000\u0080\u0080\u0080\u0080\u0080"]}]})");
  EXPECT_THAT(m, HasSubstr("storages[0].index: expected an integer"));
  EXPECT_TRUE(is_valid_utf8(m)) << m;
}

TEST(json_codec_errors, planned_units_are_bounded) {
  EXPECT_NO_THROW(state_from_json(json{{"planned_units", 10000}}));
  EXPECT_THAT(error_of(R"({"planned_units": 2147483647})"),
              HasSubstr("planned_units: 2147483647 planned units is more than Scenario simulates (at most 10000)"));
  EXPECT_THAT(error_of(R"({"planned_units": -1})"), HasSubstr("planned_units: -1 is not a unit count"));
}

TEST(bytes_text, base64_round_trip_all_lengths) {
  std::string bytes;
  for (int i = 0; i < 260; ++i) {
    auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, bytes);
    bytes += static_cast<char>(i * 7);
  }
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_FALSE(base64_decode("aGVsbG8").has_value());
  EXPECT_FALSE(base64_decode("a=bc").has_value());
}

TEST(bytes_text, utf8_validation) {
  EXPECT_TRUE(is_valid_utf8("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc0\x80"));      // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));      // truncated
}

}  // namespace
}  // namespace scenario::state
