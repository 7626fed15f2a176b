// Value types for everything a Scenario State holds, and the Event fired on it.
//
// These mirror ops-scenario 3.1's Python dataclasses (same field names) plus what 3.1 lacked
// (actions, ports, storages, resources, planned units). They carry no behaviour: Juju semantics
// live in engine/agent, Pebble semantics in engine/pebble. The JSON form of these types is the
// portable format documented in docs/state-format.md (see json_codec.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scenario::state {

using json = nlohmann::json;
using databag = std::map<std::string, std::string>;

enum class relation_kind { regular, peer, subordinate };

// One relation as this unit sees it. `remote_units_data` is keyed by remote unit id: for a
// regular relation the remote application's units, for a peer relation the other peers (never
// this unit), for a subordinate relation the single principal unit.
struct relation {
  relation_kind kind = relation_kind::regular;
  std::string endpoint;
  std::optional<std::string> interface;
  int relation_id = 0;
  std::string remote_app_name = "remote";  // peer relations: ignored, the own app is remote
  int limit = 1;
  databag local_app_data;
  databag local_unit_data;
  databag remote_app_data;
  std::map<int, databag> remote_units_data;
  // Juju >= 3.6 cross-model relations; empty means "this model".
  std::optional<std::string> remote_model_uuid;
  bool operator==(const relation&) const = default;
};

struct address {
  std::string hostname;
  std::string value;
  std::string cidr;
  std::string address;  // Juju 2.9+ name of `value`; kept for output fidelity
  bool operator==(const struct address&) const = default;  // `address` alone names the member
};

struct bind_address {
  std::string interface_name;
  std::vector<address> addresses;
  std::string mac_address;
  bool operator==(const bind_address&) const = default;
};

struct network {
  std::string name;  // the binding (endpoint or extra-binding) name
  std::vector<bind_address> bind_addresses;
  std::vector<std::string> ingress_addresses;
  std::vector<std::string> egress_subnets;
  bool operator==(const network&) const = default;
};

struct mount {
  std::string location;  // path inside the container
  std::string src;       // directory on the host
  bool operator==(const mount&) const = default;
};

struct exec_output {
  std::vector<std::string> command;  // matched exactly first, then as the longest prefix
  int return_code = 0;
  std::string stdout_text;
  std::string stderr_text;
  bool operator==(const exec_output&) const = default;
};

// One command the charm ran through Pebble exec, as recorded for the output State.
struct exec_record {
  std::vector<std::string> command;
  std::map<std::string, std::string> environment;
  std::optional<std::string> working_dir;
  std::optional<std::string> user;
  std::optional<int> user_id;
  std::optional<std::string> group;
  std::optional<int> group_id;
  std::optional<double> timeout;
  std::string stdin_text;
  int return_code = 0;
  bool operator==(const exec_record&) const = default;
};

// A file in a container's in-memory filesystem (outside any mount).
struct file_entry {
  std::string path;
  std::string content;  // raw bytes
  bool is_dir = false;
  int permissions = 0644;
  std::optional<std::string> user;
  std::optional<int> user_id;
  std::optional<std::string> group;
  std::optional<int> group_id;
  bool operator==(const file_entry&) const = default;
};

struct notice {
  std::string id;
  std::string type = "custom";
  std::string key;
  std::string first_occurred;
  std::string last_occurred;
  std::string last_repeated;
  int occurrences = 1;
  std::map<std::string, std::string> last_data;
  std::optional<double> repeat_after;
  std::optional<double> expire_after;
  bool operator==(const notice&) const = default;
};

struct check_info {
  std::string name;
  std::string level;  // "", "alive", "ready"
  std::string status = "up";  // "up" or "down"
  int failures = 0;
  int threshold = 3;
  std::string startup = "enabled";
  bool operator==(const check_info&) const = default;
};

struct container {
  std::string name;
  bool can_connect = false;
  json base_plan = json::object();
  // label -> Pebble layer (the YAML/JSON dict form), in the order they were added
  std::vector<std::pair<std::string, json>> layers;
  std::map<std::string, std::string> service_status;  // service -> active|inactive|error|backoff
  std::map<std::string, mount> mounts;
  std::vector<exec_output> exec_mock;
  std::vector<file_entry> files;
  std::vector<notice> notices;
  std::vector<check_info> check_infos;
  std::vector<exec_record> exec_history;  // output only
  bool operator==(const container&) const = default;
};

struct entity_status {
  std::string name = "unknown";
  std::string message;
  bool operator==(const entity_status&) const = default;
};

struct status_record {
  entity_status app;
  entity_status unit;
  std::vector<entity_status> app_history;   // previous statuses, oldest first
  std::vector<entity_status> unit_history;
  std::string workload_version;
  std::optional<std::string> previous_workload_version;
  bool operator==(const status_record&) const = default;
};

struct model_info {
  std::string name = "scenario-model";
  std::string uuid = "00000000-0000-4000-8000-000000000000";
  std::string type = "kubernetes";  // "kubernetes" or "lxd"
  bool operator==(const model_info&) const = default;
};

struct log_line {
  std::string level;
  std::string message;
  bool operator==(const log_line&) const = default;
};

struct secret {
  std::string id;
  std::map<int, std::map<std::string, std::string>> contents;  // revision -> content
  std::optional<std::string> owner;  // "unit", "app" or none (this unit only consumes it)
  int revision = 0;                  // the revision this unit tracks
  // Whether this unit may read it as a consumer: false, "unit" or "app".
  std::optional<std::string> granted;
  std::map<int, std::vector<std::string>> remote_grants;  // relation id -> unit/app names
  std::optional<std::string> label;
  std::optional<std::string> description;
  std::optional<std::string> expire;  // RFC 3339
  std::optional<std::string> rotate;  // never|hourly|daily|weekly|monthly|quarterly|yearly
  bool operator==(const secret&) const = default;
};

struct deferred_event {
  std::string handle_path;  // e.g. "MyCharm/on/start[1]"
  std::string owner;        // e.g. "MyCharm"
  std::string observer;     // method name, e.g. "_on_start"
  json snapshot_data = json::object();
  bool operator==(const deferred_event&) const = default;
};

// StoredState content uses the tagged JSON of docs/state-format.md for values JSON lacks
// (sets, tuples, bytes, dicts with non-string keys).
struct stored_state_entry {
  std::optional<std::string> owner_path;  // null means the charm itself
  std::string name = "_stored";
  json content = json::object();
  std::string data_type_name = "StoredStateData";
  bool operator==(const stored_state_entry&) const = default;
};

struct opened_port {
  std::string protocol = "tcp";  // tcp|udp|icmp
  std::optional<int> port;       // none for icmp; the first port of a range
  std::optional<int> to_port{};  // the last port of a range (Juju's `8000-8002/tcp`); none: port alone
  bool operator==(const opened_port&) const = default;
};

struct storage {
  std::string name;
  int index = 0;
  std::string location;  // host directory the storage is mounted at; empty: engine picks
  bool operator==(const storage&) const = default;
};

struct resource {
  std::string name;
  std::string path;
  bool operator==(const resource&) const = default;
};

// What an action produced (output only).
struct action_output {
  json results = json::object();
  std::vector<std::string> logs;
  std::optional<std::string> failure_message;
  bool operator==(const action_output&) const = default;
};

struct state {
  json config = json::object();
  std::vector<relation> relations;
  std::vector<network> networks;
  std::vector<container> containers;
  status_record status;
  bool leader = false;
  model_info model;
  std::vector<log_line> juju_log;
  std::vector<secret> secrets;
  int unit_id = 0;
  std::vector<deferred_event> deferred;
  std::vector<stored_state_entry> stored_state;
  std::vector<opened_port> opened_ports;
  std::vector<storage> storages;
  std::vector<resource> resources;
  int planned_units = 1;
  std::optional<action_output> action;  // set when the event was an action
  // Units that have joined the relation but the charm has no data for yet etc. are not modelled.
  bool operator==(const state&) const = default;
};

struct event {
  std::string name;  // ops-style, with underscores: "start", "db_relation_changed"
  std::optional<int> relation_id;
  std::optional<int> relation_remote_unit_id;
  std::optional<int> relation_departed_unit_id;
  std::optional<std::string> secret_id;
  std::optional<int> secret_revision;
  std::optional<std::string> container;
  std::optional<std::string> notice_id;
  std::optional<std::string> check_name;
  std::optional<std::string> storage_name;
  std::optional<int> storage_index;
  json action_params = json::object();
  std::optional<std::string> action_id;
  bool operator==(const event&) const = default;
};

}  // namespace scenario::state
