#include "engine/spec/spec.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace scenario::spec {
namespace {

using ::testing::HasSubstr;

// Runs `fn`, expects a spec_error and returns its message.
template <typename Fn>
std::string spec_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const spec_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a spec_error";
  return {};
}

// What Juju refuses but ops-scenario 3.1 accepted: recorded in spec.juju_problems, one per line.
std::string juju_problems_of(const charm_spec& spec) {
  std::string out;
  for (const auto& p : spec.juju_problems) out += p + "\n";
  return out;
}
std::string meta_problems(const std::string& meta) {
  return juju_problems_of(spec_from_yaml(meta, "", ""));
}
std::string config_problems(const std::string& config) {
  return juju_problems_of(spec_from_yaml("name: c\n", config, ""));
}

std::string meta_error(const std::string& meta) {
  return spec_error_of([&] { spec_from_yaml(meta, "", ""); });
}
std::string config_error(const std::string& config) {
  return spec_error_of([&] { spec_from_yaml("name: c\n", config, ""); });
}
std::string actions_error(const std::string& actions) {
  return spec_error_of([&] { spec_from_yaml("name: c\n", "", actions); });
}

const char* const full_meta = R"(
name: my-charm
subordinate: false
provides:
  website:
    interface: http
    limit: 2
requires:
  db:
    interface: mysql
    scope: container
    optional: true
  logs: loki_push
peers:
  cluster:
    interface: cluster
extra-bindings:
  public:
  admin:
storage:
  data:
    type: filesystem
    location: /var/data
    description: the data
  blocks:
    type: block
    multiple:
      range: 1-3
resources:
  image:
    type: oci-image
  blob:
    type: file
    filename: blob.bin
containers:
  work-load:
    resource: image
    mounts:
      - storage: data
        location: /data
  sidecar:
    mounts:
      - storage: data
)";

TEST(spec_errors, documents_nested_deeper_than_a_state_may_are_refused_naming_the_path) {
  const std::string deep = "name: c\ncontainers:\n  web:\n    x: " + std::string(150, '[') + std::string(150, ']') + "\n";
  EXPECT_NE(meta_error(deep).find("metadata.yaml.containers['web']['x'][0]"), std::string::npos) << meta_error(deep);
  EXPECT_NE(meta_error(deep).find("nested deeper than 100 levels"), std::string::npos);
  json nested = 1;
  for (int i = 0; i < 100000; ++i) nested = json::array({std::move(nested)});
  json meta = {{"name", "c"}};
  meta["x"] = std::move(nested);  // moved: a copy this deep would recurse
  std::string message = spec_error_of([&] { spec_from_json(meta, json(), json()); });
  EXPECT_NE(message.find("meta.x[0][0]"), std::string::npos) << message;
}

TEST(spec_from_yaml, parses_metadata) {
  charm_spec s = spec_from_yaml(full_meta, "", "");
  EXPECT_EQ(s.name, "my-charm");
  EXPECT_FALSE(s.subordinate);
  ASSERT_EQ(s.relations.size(), 4u);
  EXPECT_EQ(s.relations[0].name, "website");
  EXPECT_EQ(s.relations[0].role, relation_role::provides);
  EXPECT_EQ(s.relations[0].limit, 2);
  EXPECT_EQ(s.relations[0].scope, "global");
  const relation_spec* db = s.find_relation("db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->interface, "mysql");
  EXPECT_EQ(db->role, relation_role::requires_);
  EXPECT_EQ(db->scope, "container");
  EXPECT_TRUE(db->optional);
  EXPECT_FALSE(db->limit.has_value());
  const relation_spec* logs = s.find_relation("logs");
  ASSERT_NE(logs, nullptr);
  EXPECT_EQ(logs->interface, "loki_push");  // string shorthand
  ASSERT_NE(s.find_relation("cluster"), nullptr);
  EXPECT_EQ(s.find_relation("cluster")->role, relation_role::peers);
  EXPECT_EQ(s.find_relation("nope"), nullptr);

  EXPECT_THAT(s.extra_bindings, ::testing::UnorderedElementsAre("public", "admin"));

  ASSERT_EQ(s.storages.size(), 2u);
  for (const auto& st : s.storages) {
    if (st.name == "data") {
      EXPECT_EQ(st.type, "filesystem");
      EXPECT_EQ(st.location, "/var/data");
      EXPECT_EQ(st.description, "the data");
      EXPECT_FALSE(st.multiple);
    } else {
      EXPECT_EQ(st.name, "blocks");
      EXPECT_EQ(st.type, "block");
      EXPECT_FALSE(st.location.has_value());
      EXPECT_TRUE(st.multiple);
    }
  }
  ASSERT_EQ(s.resources.size(), 2u);
  for (const auto& r : s.resources) {
    if (r.name == "image") {
      EXPECT_EQ(r.type, "oci-image");
      EXPECT_FALSE(r.filename.has_value());
    } else {
      EXPECT_EQ(r.type, "file");
      EXPECT_EQ(r.filename, "blob.bin");
    }
  }
  const container_spec* c = s.find_container("work_load");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "work-load");
  EXPECT_EQ(c->resource, "image");
  EXPECT_EQ(c->mounts.at("data"), "/data");
  ASSERT_NE(s.find_container("work-load"), nullptr);
  const container_spec* side = s.find_container("sidecar");
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->mounts.at("data"), "/var/data");  // falls back to the storage's location
  EXPECT_EQ(s.find_container("other"), nullptr);

  EXPECT_EQ(s.raw_meta["name"], "my-charm");
  EXPECT_TRUE(s.raw_config.is_null());
  EXPECT_TRUE(s.raw_actions.is_null());
  EXPECT_TRUE(s.config.empty());
  EXPECT_TRUE(s.actions.empty());
}

TEST(spec_from_yaml, relations_keep_file_order) {
  charm_spec s = spec_from_yaml(R"(
name: c
peers:
  zz: {interface: p}
requires:
  zeta: {interface: a}
  alpha: {interface: b}
provides:
  mid: {interface: c}
extra-bindings:
  second:
  first:
containers:
  z-c:
  a-c:
)", "", "");
  std::vector<std::string> names;
  for (const auto& r : s.relations) names.push_back(r.name);
  // provides, requires, peers; within each, the order of the file
  EXPECT_EQ(names, (std::vector<std::string>{"mid", "zeta", "alpha", "zz"}));
  EXPECT_EQ(s.extra_bindings, (std::vector<std::string>{"second", "first"}));
  ASSERT_EQ(s.containers.size(), 2u);
  EXPECT_EQ(s.containers[0].name, "z-c");
}

TEST(spec_from_yaml, find_relation_accepts_underscored_endpoint) {
  charm_spec s = spec_from_yaml("name: c\nrequires:\n  db-admin: {interface: pg}\n", "", "");
  ASSERT_NE(s.find_relation("db_admin"), nullptr);
  EXPECT_EQ(s.find_relation("db_admin")->name, "db-admin");
}

TEST(spec_from_yaml, subordinate_flag) {
  EXPECT_TRUE(spec_from_yaml("name: c\nsubordinate: true\nrequires:\n  host: {interface: "
                             "juju-info, scope: container}\n",
                             "", "")
                  .subordinate);
  EXPECT_THAT(meta_error("name: c\nsubordinate: true\nrequires:\n  db: {interface: pg}\n"),
              HasSubstr("metadata.yaml: subordinate: a subordinate charm needs a requires "
                        "endpoint with `scope: container`"));
  EXPECT_THAT(meta_error("name: c\nsubordinate: maybe\n"),
              HasSubstr("metadata.yaml: subordinate: expected true or false"));
}

TEST(spec_from_yaml, parses_config) {
  charm_spec s = spec_from_yaml("name: c\n", R"(
options:
  port:
    type: int
    default: 8080
    description: the port
  ratio:
    type: float
    default: 1
  name:
    type: string
    default: "123"
  debug:
    type: boolean
    default: yes
  password:
    type: secret
)", "");
  ASSERT_EQ(s.config.size(), 5u);
  EXPECT_EQ(s.config.at("port").type, "int");
  EXPECT_EQ(s.config.at("port").default_value, 8080);
  EXPECT_TRUE(s.config.at("port").default_value.is_number_integer());
  EXPECT_EQ(s.config.at("port").description, "the port");
  EXPECT_EQ(s.config.at("ratio").type, "float");
  EXPECT_EQ(s.config.at("name").default_value, "123");  // quoted stays a string
  EXPECT_EQ(s.config.at("debug").default_value, true);
  EXPECT_TRUE(s.config.at("password").default_value.is_null());
  EXPECT_EQ(s.config.at("password").type, "secret");
  EXPECT_EQ(s.raw_config["options"]["port"]["default"], 8080);
}

TEST(spec_from_yaml, parses_actions) {
  charm_spec s = spec_from_yaml("name: c\n", "", R"(
backup:
  description: take a backup
  params:
    target:
      type: string
      default: /tmp
    count:
      type: integer
  required: [count]
  additionalProperties: false
restart:
noop:
  description: nothing
)");
  ASSERT_EQ(s.actions.size(), 3u);
  const action_spec& b = s.actions.at("backup");
  EXPECT_EQ(b.description, "take a backup");
  EXPECT_EQ(b.params["target"]["type"], "string");
  EXPECT_EQ(b.params["target"]["default"], "/tmp");
  EXPECT_EQ(b.params["count"]["type"], "integer");
  EXPECT_EQ(b.required, std::vector<std::string>{"count"});
  EXPECT_FALSE(b.additional_properties);
  EXPECT_TRUE(s.actions.at("restart").params.empty());
  EXPECT_TRUE(s.actions.at("restart").additional_properties);
  EXPECT_EQ(s.actions.at("noop").description, "nothing");
}

TEST(spec_from_yaml, scalar_typing) {
  charm_spec s = spec_from_yaml(R"(
name: c
values:
  i: 42
  neg: -7
  hex: 0x1F
  oct: 0o17
  f: 1.5
  exp: 1e3
  inf: .inf
  t: true
  y: yes
  off: off
  n: null
  tilde: ~
  empty:
  s: hello
  quoted_int: "42"
  quoted_bool: 'true'
  version: 1.2.3
  leading_zero: 08
  tagged: !!str 12
  tagged_float: !!float 3
  block: |
    line
  list: [1, two, 3.0]
  huge: 0x10000000000000000
  min: -9223372036854775808
)", "", "");
  const json& v = s.raw_meta["values"];
  EXPECT_TRUE(v["i"].is_number_integer());
  EXPECT_EQ(v["i"], 42);
  EXPECT_EQ(v["neg"], -7);
  EXPECT_EQ(v["hex"], 31);
  EXPECT_EQ(v["oct"], 15);
  EXPECT_TRUE(v["f"].is_number_float());
  EXPECT_DOUBLE_EQ(v["f"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(v["exp"].get<double>(), 1000.0);
  EXPECT_TRUE(std::isinf(v["inf"].get<double>()));
  EXPECT_EQ(v["t"], true);
  EXPECT_EQ(v["y"], true);
  EXPECT_EQ(v["off"], false);
  EXPECT_TRUE(v["n"].is_null());
  EXPECT_TRUE(v["tilde"].is_null());
  EXPECT_TRUE(v["empty"].is_null());
  EXPECT_EQ(v["s"], "hello");
  EXPECT_EQ(v["quoted_int"], "42");
  EXPECT_EQ(v["quoted_bool"], "true");
  EXPECT_EQ(v["version"], "1.2.3");
  EXPECT_EQ(v["leading_zero"], "08");
  EXPECT_EQ(v["tagged"], "12");
  EXPECT_TRUE(v["tagged_float"].is_number_float());
  EXPECT_EQ(v["block"], "line\n");
  EXPECT_EQ(v["list"], json::parse(R"([1, "two", 3.0])"));
  EXPECT_DOUBLE_EQ(v["huge"].get<double>(), 18446744073709551616.0);
  EXPECT_EQ(v["min"].get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
}

TEST(spec_from_yaml, merge_keys) {
  charm_spec s = spec_from_yaml(R"(
name: c
requires:
  db: &base {interface: pg, limit: 1}
  db2:
    <<: *base
    limit: 3
)", "", "");
  EXPECT_EQ(s.find_relation("db2")->interface, "pg");
  EXPECT_EQ(s.find_relation("db2")->limit, 3);
  EXPECT_THAT(meta_error("name: c\nx:\n  <<: 3\n"),
              HasSubstr("metadata.yaml: x.<<: a merge key (<<) takes a mapping"));
}

TEST(spec_from_yaml, charmcraft_document) {
  charm_spec s = spec_from_yaml(R"(
type: charm
name: unified
requires:
  db: {interface: pg}
config:
  options:
    port: {type: int, default: 80}
actions:
  go:
    params:
      fast: {type: boolean}
)", "", "");
  EXPECT_EQ(s.name, "unified");
  ASSERT_NE(s.find_relation("db"), nullptr);
  EXPECT_EQ(s.config.at("port").default_value, 80);
  EXPECT_EQ(s.actions.at("go").params["fast"]["type"], "boolean");
  EXPECT_FALSE(s.raw_meta.contains("config"));
  EXPECT_FALSE(s.raw_meta.contains("actions"));
  EXPECT_EQ(s.raw_config["options"]["port"]["default"], 80);
  EXPECT_TRUE(s.raw_actions.contains("go"));
}

TEST(spec_from_yaml, charmcraft_errors_name_charmcraft_yaml) {
  EXPECT_THAT(meta_problems("type: charm\nname: x\nconfig:\n  options:\n    p: {type: integer}\n"),
              HasSubstr("charmcraft.yaml: config.options.p.type: 'integer' is not a Juju config "
                        "type; use int"));
  EXPECT_THAT(meta_error("type: bundle\nname: x\n"),
              HasSubstr("charmcraft.yaml: type: 'bundle' is not a charm"));
  EXPECT_THAT(meta_error("type: charm\nname: x\nextensions: [flask-framework]\n"),
              HasSubstr("charmcraft.yaml: extensions: "));
  EXPECT_THAT(meta_error("type: charm\nname: x\nactions:\n  a:\n    params: 3\n"),
              HasSubstr("charmcraft.yaml: actions.a.params: expected a mapping"));
  EXPECT_THAT(spec_error_of([] {
                spec_from_yaml("type: charm\nname: x\nconfig:\n  options: {}\n",
                               "options: {}\n", "");
              }),
              HasSubstr("charmcraft.yaml: config: config is given both here and separately"));
  EXPECT_THAT(spec_error_of([] {
                spec_from_yaml("type: charm\nname: x\nactions:\n  a:\n", "", "b:\n");
              }),
              HasSubstr("charmcraft.yaml: actions: actions are given both"));
}

TEST(spec_from_json, takes_parsed_documents) {
  json meta = {{"name", "j"}, {"requires", {{"db", {{"interface", "pg"}, {"limit", 1}}}}}};
  json config = {{"options", {{"x", {{"type", "float"}, {"default", 0.5}}}}}};
  json actions = {{"a", {{"params", {{"n", {{"type", "integer"}}}}}}}};
  charm_spec s = spec_from_json(meta, config, actions);
  EXPECT_EQ(s.name, "j");
  EXPECT_EQ(s.find_relation("db")->limit, 1);
  EXPECT_DOUBLE_EQ(s.config.at("x").default_value.get<double>(), 0.5);
  EXPECT_EQ(s.actions.at("a").params["n"]["type"], "integer");
  EXPECT_EQ(s.raw_meta, meta);
  EXPECT_EQ(s.raw_config, config);
  EXPECT_EQ(s.raw_actions, actions);
}

TEST(spec_from_json, null_config_and_actions) {
  charm_spec s = spec_from_json({{"name", "j"}}, nullptr, nullptr);
  EXPECT_TRUE(s.config.empty());
  EXPECT_TRUE(s.actions.empty());
}

TEST(spec_from_json, whole_charmcraft_dict) {
  json doc = {{"name", "cc"},
              {"type", "charm"},
              {"config", {{"options", {{"p", {{"type", "int"}}}}}}},
              {"actions", {{"go", nullptr}}}};
  charm_spec s = spec_from_json(doc, nullptr, nullptr);
  EXPECT_EQ(s.config.at("p").type, "int");
  EXPECT_EQ(s.actions.count("go"), 1u);
}

// --- metadata errors -------------------------------------------------------------------------

TEST(metadata_errors, missing_name) {
  EXPECT_THAT(meta_error("requires: {}\n"),
              HasSubstr("metadata.yaml: name: missing; every charm needs a name"));
  EXPECT_THAT(meta_error("name: ''\n"), HasSubstr("metadata.yaml: name: empty"));
  EXPECT_THAT(meta_error("name: [a]\n"), HasSubstr("metadata.yaml: name: expected a string"));
  EXPECT_THAT(meta_error(""), HasSubstr("metadata.yaml: the document must be a mapping"));
  // Found by fuzz/spec_yaml_fuzzer: a value that is not UTF-8 made the message itself throw.
  EXPECT_THAT(meta_error("\xff\n"),
              HasSubstr("the document must be a mapping of keys, got a string (\"\xEF\xBF\xBD\")"));
  EXPECT_THAT(spec_error_of([] { spec_from_json(json::array(), nullptr, nullptr); }),
              HasSubstr("metadata.yaml: the document must be a mapping"));
}

TEST(metadata_errors, relation_problems) {
  EXPECT_THAT(meta_problems("name: c\nrequires:\n  db:\n    scope: global\n"),
              HasSubstr("metadata.yaml: requires.db.interface: missing; every relation needs an "
                        "interface"));
  EXPECT_THAT(meta_error("name: c\nprovides:\n  web:\n    interface: http\n    scope: local\n"),
              HasSubstr("metadata.yaml: provides.web.scope: 'local' is not a relation scope"));
  EXPECT_THAT(meta_error("name: c\npeers:\n  p:\n    interface: x\n    limit: many\n"),
              HasSubstr("metadata.yaml: peers.p.limit: expected an integer"));
  EXPECT_THAT(meta_error("name: c\npeers:\n  p:\n    interface: x\n    limit: -1\n"),
              HasSubstr("metadata.yaml: peers.p.limit: must not be negative"));
  EXPECT_THAT(meta_error("name: c\nrequires:\n  db:\n    interface: x\n    optional: 3\n"),
              HasSubstr("metadata.yaml: requires.db.optional: expected true or false"));
  EXPECT_THAT(meta_error("name: c\nrequires: [db]\n"),
              HasSubstr("metadata.yaml: requires: expected a mapping"));
  EXPECT_THAT(meta_error("name: c\nrequires:\n  db: [x]\n"),
              HasSubstr("metadata.yaml: requires.db: expected a mapping with an 'interface'"));
  EXPECT_THAT(meta_problems("name: c\nrequires:\n  db:\n    interface: ''\n"),
              HasSubstr("requires.db.interface: empty"));
}

TEST(metadata_errors, storage_problems) {
  EXPECT_THAT(meta_error("name: c\nstorage:\n  d:\n    location: /x\n"),
              HasSubstr("metadata.yaml: storage.d.type: missing; every storage needs a type"));
  EXPECT_THAT(meta_error("name: c\nstorage:\n  d:\n    type: tmpfs\n"),
              HasSubstr("metadata.yaml: storage.d.type: 'tmpfs' is not a storage type"));
  EXPECT_THAT(meta_error("name: c\nstorage:\n  d:\n    type: block\n    multiple: {range: lots}\n"),
              HasSubstr("metadata.yaml: storage.d.multiple.range: 'lots' is not a range"));
  EXPECT_THAT(meta_error("name: c\nstorage:\n  d:\n    type: block\n    multiple: 3\n"),
              HasSubstr("metadata.yaml: storage.d.multiple: expected a mapping with a 'range'"));
  EXPECT_THAT(meta_error("name: c\nstorage:\n  d: block\n"),
              HasSubstr("metadata.yaml: storage.d: expected a mapping"));
  EXPECT_FALSE(
      spec_from_yaml("name: c\nstorage:\n  d: {type: block, multiple: {range: 1}}\n", "", "")
                   .storages[0]
                   .multiple);
}

TEST(metadata_errors, resource_problems) {
  EXPECT_THAT(meta_error("name: c\nresources:\n  r:\n    type: docker\n"),
              HasSubstr("metadata.yaml: resources.r.type: 'docker' is not a resource type"));
  EXPECT_EQ(spec_from_yaml("name: c\nresources:\n  r: {filename: a}\n", "", "").resources[0].type,
            "file");
  EXPECT_THAT(meta_error("name: c\nresources:\n  r: file\n"),
              HasSubstr("metadata.yaml: resources.r: expected a mapping"));
}

TEST(metadata_errors, container_problems) {
  EXPECT_THAT(meta_problems("name: c\ncontainers:\n  w:\n    resource: img\n"),
              HasSubstr("metadata.yaml: containers.w.resource: 'img' is not declared under "
                        "resources"));
  EXPECT_THAT(meta_problems("name: c\nresources:\n  img: {type: file}\ncontainers:\n  w:\n"
                            "    resource: img\n"),
              HasSubstr("must have type oci-image"));
  EXPECT_THAT(meta_error("name: c\ncontainers:\n  w:\n    mounts:\n      - storage: data\n"
                         "        location: /d\n"),
              HasSubstr("metadata.yaml: containers.w.mounts.0.storage: 'data' is not declared "
                        "under storage"));
  EXPECT_THAT(meta_error("name: c\nstorage:\n  data: {type: filesystem}\ncontainers:\n  w:\n"
                         "    mounts:\n      - storage: data\n"),
              HasSubstr("metadata.yaml: containers.w.mounts.0.location: missing"));
  EXPECT_THAT(meta_error("name: c\ncontainers:\n  w:\n    mounts:\n      - location: /d\n"),
              HasSubstr("containers.w.mounts.0.storage: missing"));
  EXPECT_THAT(meta_error("name: c\ncontainers:\n  w:\n    mounts: {a: b}\n"),
              HasSubstr("containers.w.mounts: expected a list"));
  EXPECT_THAT(meta_error("name: c\ncontainers:\n  w: 3\n"),
              HasSubstr("containers.w: expected a mapping"));
  EXPECT_THAT(meta_error("name: c\ncontainers: [w]\n"),
              HasSubstr("metadata.yaml: containers: expected a mapping"));
}

TEST(metadata_errors, extra_bindings_must_be_mapping) {
  EXPECT_THAT(meta_error("name: c\nextra-bindings: [a]\n"),
              HasSubstr("metadata.yaml: extra-bindings: expected a mapping"));
}

TEST(metadata_errors, yaml_syntax_error_has_line_and_column) {
  std::string msg = meta_error("name: c\nrequires:\n  db: {interface: x\n");
  EXPECT_THAT(msg, HasSubstr("metadata.yaml: YAML syntax error at line "));
  EXPECT_THAT(msg, HasSubstr(", column "));
  EXPECT_THAT(config_error("options:\n  a: [\n"), HasSubstr("config.yaml: YAML syntax error"));
  EXPECT_THAT(actions_error("a: b: c\n"), HasSubstr("actions.yaml: YAML syntax error at line 1"));
}

TEST(metadata_errors, non_scalar_mapping_key) {
  EXPECT_THAT(meta_error("name: c\n? [a, b]\n: 1\n"), HasSubstr("a mapping key must be a plain"));
}

TEST(metadata_errors, spec_error_has_code) {
  try {
    spec_from_yaml("x: 1\n", "", "");
    FAIL();
  } catch (const spec_error& e) {
    EXPECT_EQ(e.code(), "invalid-charm-spec");
  }
}

// --- config errors ---------------------------------------------------------------------------

TEST(config_errors, unknown_type) {
  EXPECT_THAT(config_error("options:\n  port:\n    type: colour\n"),
              HasSubstr("config.yaml: options.port.type: 'colour' is not a Juju config type (use "
                        "int, float, string, boolean or secret)"));
}

TEST(config_errors, json_schema_type_names_are_juju_problems_read_as_juju_types) {
  const auto spec = spec_from_yaml("name: c\n", "options:\n  n: {type: integer}\n  x: {type: number}\n", "");
  EXPECT_EQ(spec.config.at("n").type, "int");
  EXPECT_EQ(spec.config.at("x").type, "float");
  EXPECT_THAT(juju_problems_of(spec),
              HasSubstr("config.yaml: options.n.type: 'integer' is not a Juju config type; use int"));
  EXPECT_THAT(juju_problems_of(spec), HasSubstr("'number' is not a Juju config type; use float"));
}

TEST(config_errors, missing_type) {
  EXPECT_THAT(config_error("options:\n  port:\n    default: 1\n"),
              HasSubstr("config.yaml: options.port.type: missing; give the option a type"));
}

TEST(config_errors, default_of_wrong_type) {
  EXPECT_THAT(config_problems("options:\n  port:\n    type: int\n    default: '80'\n"),
              HasSubstr("config.yaml: options.port.default: a string (\"80\") does not fit the "
                        "option's type int"));
  EXPECT_THAT(config_problems("options:\n  d:\n    type: boolean\n    default: 1\n"),
              HasSubstr("options.d.default"));
  EXPECT_THAT(config_problems("options:\n  s:\n    type: string\n    default: 1\n"),
              HasSubstr("options.s.default"));
  EXPECT_THAT(config_problems("options:\n  f:\n    type: float\n    default: x\n"),
              HasSubstr("options.f.default"));
}

TEST(config_errors, structure) {
  EXPECT_THAT(config_error("port:\n  type: int\n"),
              HasSubstr("config.yaml: port: unexpected key; config options go under the top-level "
                        "'options:' key"));
  EXPECT_THAT(config_error("- a\n"), HasSubstr("config.yaml: the document must be a mapping"));
  EXPECT_THAT(config_error("options: [a]\n"),
              HasSubstr("config.yaml: options: expected a mapping"));
  EXPECT_THAT(config_error("options:\n  a: 3\n"),
              HasSubstr("config.yaml: options.a: expected a mapping"));
  EXPECT_THAT(config_error("options:\n  a:\n    type: int\n    description: [x]\n"),
              HasSubstr("options.a.description: expected a string"));
}

// --- actions errors --------------------------------------------------------------------------

TEST(actions_errors, structure) {
  EXPECT_THAT(actions_error("- a\n"), HasSubstr("actions.yaml: the document must be a mapping"));
  EXPECT_THAT(actions_error("a: 3\n"), HasSubstr("actions.yaml: a: expected a mapping"));
  EXPECT_THAT(actions_error("a:\n  params:\n    p: 3\n"),
              HasSubstr("actions.yaml: a.params.p: expected a JSON schema mapping"));
  EXPECT_THAT(actions_error("a:\n  params:\n    p: {type: 3}\n"),
              HasSubstr("actions.yaml: a.params.p.type: expected a JSON schema type name"));
  EXPECT_THAT(actions_error("a:\n  required: p\n"),
              HasSubstr("actions.yaml: a.required: expected a list of param names"));
  EXPECT_THAT(actions_error("a:\n  required: [1]\n"),
              HasSubstr("actions.yaml: a.required.0: expected a string"));
  EXPECT_THAT(actions_error("a:\n  additionalProperties: no-way\n"),
              HasSubstr("actions.yaml: a.additionalProperties: expected true or false"));
}

// --- directories -----------------------------------------------------------------------------

class charm_dir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = std::filesystem::temp_directory_path() /
            ("spec-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / name) << text;
  }
  std::string load_error() const {
    return spec_error_of([&] { spec_from_directory(root_); });
  }
  std::filesystem::path root_;
};

// Which files spec_from_directory reads, and what it takes from each.
TEST_F(charm_dir, reads_legacy_files_and_charmcraft_yaml) {
  struct dir_case {
    const char* what;
    std::map<std::string, std::string> files;
    std::string name;
    std::string option_a_type;  // empty: no config
    json option_a_default;
    std::vector<std::string> actions;
  };
  const std::vector<dir_case> cases{
      {"legacy files",
       {{"metadata.yaml", "name: legacy\nrequires:\n  db: {interface: pg}\n"},
        {"config.yaml", "options:\n  a: {type: string, default: x}\n"},
        {"actions.yaml", "go:\n  description: run\n"}},
       "legacy", "string", "x", {"go"}},
      {"metadata only", {{"metadata.yaml", "name: bare\n"}}, "bare", "", nullptr, {}},
      {"charmcraft.yaml",
       {{"charmcraft.yaml", "type: charm\nname: cc\nconfig:\n  options:\n    a: {type: int}\nactions:\n  go:\n"}},
       "cc", "int", nullptr, {"go"}},
      {"charmcraft.yaml without a name: metadata.yaml's",
       {{"charmcraft.yaml", "type: charm\nbases: []\n"},
        {"metadata.yaml", "name: meta\n"},
        {"config.yaml", "options:\n  a: {type: boolean}\n"}},
       "meta", "boolean", nullptr, {}},
      {"charmcraft.yaml with a separate config.yaml",
       {{"charmcraft.yaml", "type: charm\nname: cc\n"}, {"config.yaml", "options:\n  a: {type: float}\n"}},
       "cc", "float", nullptr, {}},
  };
  for (const auto& c : cases) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    for (const auto& [file, text] : c.files) write(file, text);
    const charm_spec s = spec_from_directory(root_);
    EXPECT_EQ(s.name, c.name) << c.what;
    if (c.option_a_type.empty()) {
      EXPECT_TRUE(s.raw_config.is_null()) << c.what;
    } else {
      EXPECT_EQ(s.config.at("a").type, c.option_a_type) << c.what;
      EXPECT_EQ(s.config.at("a").default_value, c.option_a_default) << c.what;
    }
    std::vector<std::string> actions;
    for (const auto& [name, action] : s.actions) actions.push_back(name);
    EXPECT_EQ(actions, c.actions) << c.what;
  }
}

TEST_F(charm_dir, errors) {
  EXPECT_THAT(load_error(), HasSubstr("no charmcraft.yaml with a name and no metadata.yaml"));
  write("charmcraft.yaml", "name: a\n");
  write("metadata.yaml", "name: b\n");
  EXPECT_THAT(load_error(), HasSubstr("defined both here and in metadata.yaml"));
  std::filesystem::remove(root_ / "charmcraft.yaml");
  write("config.yaml", "options:\n  a: {type: colour}\n");
  EXPECT_THAT(load_error(), HasSubstr("config.yaml: options.a.type: 'colour' is not a Juju config type"));
  write("config.yaml", "options: {}\n");
  write("actions.yaml", "a: [\n");
  EXPECT_THAT(load_error(), HasSubstr("actions.yaml: YAML syntax error"));
}

}  // namespace
}  // namespace scenario::spec
