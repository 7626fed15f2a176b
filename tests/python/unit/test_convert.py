"""Conversion to and from the engine's JSON (docs/state-format.md), without the engine."""

import dataclasses
import datetime
import json
import math
from pathlib import Path, PurePosixPath

import pytest
from ops import pebble
from ops.model import (
    ActiveStatus,
    BlockedStatus,
    ErrorStatus,
    MaintenanceStatus,
    SecretRotate,
    UnknownStatus,
    WaitingStatus,
)

from scenario._convert import state_from_engine
from scenario._engine_form import decode_value, encode_value, event_to_engine, state_to_engine
from scenario.errors import StateValidationError
from scenario.state import (
    ActionOutput,
    CheckInfo,
    Container,
    DeferredEvent,
    Event,
    ExecOutput,
    ExecRecord,
    File,
    Model,
    Mount,
    Network,
    Notice,
    PeerRelation,
    Port,
    Relation,
    Resource,
    Secret,
    State,
    Status,
    Storage,
    StoredState,
    SubordinateRelation,
)
from engine_json import round_trip, through_json


def rich_state() -> State:
    return State(
        config={"port": 8080, "debug": False, "name": "x", "ratio": 0.5},
        relations=[
            Relation("db", interface="mysql", relation_id=1, remote_app_name="mysql",
                     remote_units_data={2: {}, 10: {"a": "b"}}, remote_unit_ids=[2, 10],
                     local_app_data={"k": "v"}, local_unit_data={"u": "1"},
                     remote_app_data={"r": "2"}, limit=3, remote_model_uuid="abc"),
            PeerRelation("peers", relation_id=2, peers_data={1: {"p": "q"}, 3: {}},
                         local_app_data={"l": "a"}),
            SubordinateRelation("juju-info", relation_id=3, remote_app_name="prin",
                                remote_unit_id=300, remote_unit_data={"x": "y"},
                                remote_app_data={"z": "w"}),
        ],
        networks=[Network.default("db", private_address="10.0.0.1", mac_address="aa:bb")],
        containers=[
            Container(
                "workload",
                can_connect=True,
                _base_plan={"services": {"base": {"command": "/bin/b"}}},
                layers={
                    "z-first": pebble.Layer({"summary": "s", "services": {
                        "srv": {"override": "replace", "command": "/bin/srv"}}}),
                    "a-second": {"services": {"srv": {"override": "merge", "user": "u"}}},
                },
                service_status={"srv": pebble.ServiceStatus.ACTIVE},
                mounts={"data": Mount("/data", "/tmp/host")},
                exec_mock={("ls", "-l"): ExecOutput(1, "out", "err"), ("true",): ExecOutput()},
                files={
                    "/etc/app.conf": "text",
                    "/bin/blob": b"\x00\xff\xfe",
                    "/etc/secret": File("s3cr3t", permissions=0o600, user="app", user_id=1000,
                                        group="app", group_id=1000),
                    "/var/lib/app": File(is_dir=True, permissions=0o755),
                },
                notices=[Notice("example.com/a", id="1", last_data={"k": "v"},
                                repeat_after=1.5)],
                check_infos=[CheckInfo("http", level="alive", status="down", failures=2)],
                exec_history=[ExecRecord(["ls"], environment={"A": "1"}, working_dir="/",
                                         timeout=2.5, stdin="in", return_code=3)],
            )
        ],
        status=Status(
            app=ActiveStatus("app ok"),
            unit=WaitingStatus("wait"),
            app_history=[UnknownStatus()],
            unit_history=[MaintenanceStatus("m"), BlockedStatus("b")],
            workload_version="1.2",
            previous_workload_version="1.1",
        ),
        leader=True,
        model=Model("m", "11111111-1111-4111-8111-111111111111", "lxd"),
        juju_log=[("INFO", "hello"), ("DEBUG", "x")],
        secrets=[
            Secret("secret:aaa", {0: {"a": "b"}, 1: {"a": "c"}}, owner="app", revision=1,
                   remote_grants={1: {"mysql", "mysql/10"}}, label="l", description="d",
                   expire=datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
                   rotate=SecretRotate.DAILY),
            Secret("secret:bbb", {3: {"x": "y"}}, granted="unit", revision=3),
        ],
        unit_id=4,
        deferred=[
            DeferredEvent("MyCharm/on/start[1]", "MyCharm", "_on_start"),
            DeferredEvent("MyCharm/on/db_relation_changed[2]", "MyCharm", "_on_db",
                          {"relation_name": "db", "relation_id": 1, "app_name": "mysql",
                           "unit_name": "mysql/10"}),
        ],
        stored_state=[
            StoredState("MyCharm", content={
                "s": {1, 2}, "f": frozenset({"a"}), "t": (1, "x"), "b": b"\x00\x01",
                "d": {42: 42, (1, 2): "tuple-key"}, "n": None, "l": [1, [2, {"x": 3}]],
                "$escaped": {"$only": 1},
            }),
            StoredState(None, name="_fw", data_type_name="Other"),
        ],
        opened_ports=[Port("tcp", 80), Port("icmp")],
        storages=[Storage("data", 1, "/mnt/data")],
        resources=[Resource("model", "/tmp/model.bin")],
        planned_units=3,
        action_output=ActionOutput({"a": {"b": 1}}, ["log1"], "failed"),
    )


# --- exact JSON shape ------------------------------------------------------------------------


def test_default_state_json():
    j = through_json(State())
    assert j == {
        "config": {},
        "relations": [],
        "networks": [],
        "containers": [],
        "status": {
            "app": {"name": "unknown", "message": ""},
            "unit": {"name": "unknown", "message": ""},
            "app_history": [],
            "unit_history": [],
            "workload_version": "",
            "previous_workload_version": None,
        },
        "leader": False,
        "model": {"name": "scenario-model", "uuid": "00000000-0000-4000-8000-000000000000",
                  "type": "kubernetes"},
        "juju_log": [],
        "secrets": [],
        "unit_id": 0,
        "deferred": [],
        "stored_state": [],
        "opened_ports": [],
        "storages": [],
        "resources": [],
        "planned_units": 1,
        "action": None,
    }


def test_relation_json():
    j = through_json(rich_state())["relations"]
    assert j[0] == {
        "kind": "regular", "endpoint": "db", "interface": "mysql", "relation_id": 1,
        "remote_app_name": "mysql", "limit": 3, "local_app_data": {"k": "v"},
        "local_unit_data": {"u": "1"}, "remote_app_data": {"r": "2"},
        "remote_units_data": {"2": {}, "10": {"a": "b"}}, "remote_model_uuid": "abc",
    }
    assert j[1]["kind"] == "peer"
    assert j[1]["remote_units_data"] == {"1": {"p": "q"}, "3": {}}
    assert j[1]["local_app_data"] == {"l": "a"}
    assert j[2]["kind"] == "subordinate"
    assert j[2]["remote_units_data"] == {"300": {"x": "y"}}
    assert j[2]["remote_app_name"] == "prin"
    assert j[2]["remote_app_data"] == {"z": "w"}


def test_default_peer_relation_json_has_no_self_peer():
    j = through_json(State(relations=[PeerRelation("peers", relation_id=1)]))
    assert j["relations"][0]["remote_units_data"] == {}


def test_network_json():
    j = through_json(rich_state())["networks"][0]
    assert j == {
        "name": "db",
        "bind_addresses": [{"interface_name": "", "mac_address": "aa:bb", "addresses": [
            {"hostname": "", "value": "10.0.0.1", "cidr": "", "address": ""}]}],
        "ingress_addresses": ["1.1.1.2"],
        "egress_subnets": ["1.1.1.2/32"],
    }
    assert through_json(State(networks=[Network.default("x")]))["networks"][0][
        "bind_addresses"][0]["mac_address"] == ""


def test_container_json():
    c = through_json(rich_state())["containers"][0]
    assert c["name"] == "workload" and c["can_connect"] is True
    assert c["base_plan"] == {"services": {"base": {"command": "/bin/b"}}}
    assert [label for label, _ in c["layers"]] == ["z-first", "a-second"]  # insertion order
    assert c["layers"][0][1]["services"]["srv"]["command"] == "/bin/srv"
    assert c["layers"][1][1] == {"services": {"srv": {"override": "merge", "user": "u"}}}
    assert c["service_status"] == {"srv": "active"}
    assert c["mounts"] == {"data": {"location": "/data", "src": "/tmp/host"}}
    assert c["exec_mock"] == [
        {"command": ["ls", "-l"], "return_code": 1, "stdout": "out", "stderr": "err"},
        {"command": ["true"], "return_code": 0, "stdout": "", "stderr": ""},
    ]
    files = {f["path"]: f for f in c["files"]}
    assert files["/etc/app.conf"] == {
        "path": "/etc/app.conf", "content": "text", "encoding": "utf-8", "is_dir": False,
        "permissions": 0o644, "user": None, "user_id": None, "group": None, "group_id": None,
    }
    assert files["/bin/blob"]["encoding"] == "base64"
    assert files["/bin/blob"]["content"] == "AP/+"
    assert files["/etc/secret"]["permissions"] == 0o600
    assert files["/etc/secret"]["user_id"] == 1000
    assert files["/var/lib/app"]["is_dir"] is True
    assert c["notices"] == [{
        "key": "example.com/a", "id": "1", "type": "custom", "first_occurred": "",
        "last_occurred": "", "last_repeated": "", "occurrences": 1, "last_data": {"k": "v"},
        "repeat_after": 1.5, "expire_after": None,
    }]
    assert c["check_infos"] == [{"name": "http", "level": "alive", "status": "down",
                                 "failures": 2, "threshold": 3, "startup": "enabled"}]
    assert c["exec_history"][0]["command"] == ["ls"]
    assert c["exec_history"][0]["timeout"] == 2.5


def test_status_json():
    st = through_json(rich_state())["status"]
    assert st == {
        "app": {"name": "active", "message": "app ok"},
        "unit": {"name": "waiting", "message": "wait"},
        "app_history": [{"name": "unknown", "message": ""}],
        "unit_history": [{"name": "maintenance", "message": "m"},
                         {"name": "blocked", "message": "b"}],
        "workload_version": "1.2",
        "previous_workload_version": "1.1",
    }


def test_secret_json():
    s = through_json(rich_state())["secrets"]
    assert s[0] == {
        "id": "secret:aaa", "contents": {"0": {"a": "b"}, "1": {"a": "c"}}, "owner": "app",
        "revision": 1, "granted": None, "remote_grants": {"1": ["mysql", "mysql/10"]},
        "label": "l", "description": "d", "expire": "2030-01-02T03:04:05Z", "rotate": "daily",
    }
    assert s[1]["granted"] == "unit" and s[1]["owner"] is None


def test_misc_json():
    j = through_json(rich_state())
    assert j["juju_log"] == [{"level": "INFO", "message": "hello"},
                             {"level": "DEBUG", "message": "x"}]
    assert j["model"] == {"name": "m", "uuid": "11111111-1111-4111-8111-111111111111",
                          "type": "lxd"}
    assert j["opened_ports"] == [{"protocol": "tcp", "port": 80, "to_port": None},
                                 {"protocol": "icmp", "port": None, "to_port": None}]
    assert j["storages"] == [{"name": "data", "index": 1, "location": "/mnt/data"}]
    assert j["resources"] == [{"name": "model", "path": "/tmp/model.bin"}]
    assert j["planned_units"] == 3 and j["unit_id"] == 4 and j["leader"] is True
    assert j["action"] == {"results": {"a": {"b": 1}}, "logs": ["log1"],
                           "failure_message": "failed"}
    assert j["deferred"][1]["snapshot_data"]["unit_name"] == "mysql/10"
    assert j["stored_state"][1] == {"owner_path": None, "name": "_fw", "content": {},
                                    "data_type_name": "Other"}


def test_stored_state_tagged_json():
    content = through_json(rich_state())["stored_state"][0]["content"]
    assert content["s"] == {"$set": [1, 2]}
    assert content["f"] == {"$frozenset": ["a"]}
    assert content["t"] == {"$tuple": [1, "x"]}
    assert content["b"] == {"$bytes": "AAE="}
    assert content["d"] == {"$dict": [[42, 42], [{"$tuple": [1, 2]}, "tuple-key"]]}
    assert content["n"] is None
    assert content["l"] == [1, [2, {"x": 3}]]
    assert content["$escaped"] == {"$dict": [["$only", 1]]}


# --- tagged values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None, True, 0, -3, 1.25, "s", "", [], {}, [1, "a", None],
        {1, 2, 3}, frozenset({"x", "y"}), (1, (2, 3)), b"", b"\x00\xff",
        {1: "a", 2: {3: 4}}, {"a": {"$x": 1}}, {"$x": 1, "$y": 2}, {"$set": [1]},
        {(1, 2): frozenset({(3,)})}, [set(), tuple(), {"k": b"v"}],
    ],
)
def test_tagged_value_round_trip(value):
    encoded = json.loads(json.dumps(encode_value(value)))
    decoded = decode_value(encoded)
    assert decoded == value
    assert type(decoded) is type(value)


def test_tagged_set_of_mixed_types_is_deterministic():
    assert encode_value({1, "a"}) == encode_value({"a", 1})


@pytest.mark.parametrize(
    "value, encoded",
    [
        # as the engine's pickle codec writes them: plain numbers within int64 / uint64 ...
        (2**63 - 1, 2**63 - 1),
        (-(2**63), -(2**63)),
        (2**64 - 1, 2**64 - 1),
        (2.0, 2.0),
        # ... "$int" beyond (a JSON parser would make a float of it), "$float" for what JSON lacks
        (2**64, {"$int": "18446744073709551616"}),
        (-(2**63) - 1, {"$int": "-9223372036854775809"}),
        (-(2**70), {"$int": "-1180591620717411303424"}),
        (float("inf"), {"$float": "inf"}),
        (float("-inf"), {"$float": "-inf"}),
        ((2**70, float("inf")), {"$tuple": [{"$int": "1180591620717411303424"}, {"$float": "inf"}]}),
        ({2**70: 1}, {"$dict": [[{"$int": "1180591620717411303424"}, 1]]}),
        ({"$int": "1"}, {"$dict": [["$int", "1"]]}),
    ],
)
def test_big_ints_and_non_finite_floats_are_tagged(value, encoded):
    assert encode_value(value) == encoded
    decoded = decode_value(json.loads(json.dumps(encode_value(value), allow_nan=False)))
    assert decoded == value
    assert type(decoded) is type(value)


def test_nan_is_tagged():
    assert encode_value(float("nan")) == {"$float": "nan"}
    assert encode_value([{float("nan")}]) == [{"$set": [{"$float": "nan"}]}]
    decoded = decode_value({"$float": "nan"})
    assert type(decoded) is float and math.isnan(decoded)


@pytest.mark.parametrize(
    "encoded, message",
    [
        ({"k": [{"$int": "12a"}]}, r"content\['k'\]\[0\]: .*\$int takes a decimal string"),
        ({"k": {"$int": 12}}, r"content\['k'\]: .*\$int takes a decimal string"),
        ({"k": {"$int": "-"}}, r"\$int takes a decimal string"),
        ({"k": {"$float": "NaN"}}, r"content\['k'\]: .*\$float takes \"nan\", \"inf\" or \"-inf\""),
        ({"k": {"$float": 1.5}}, r"\$float takes"),
        ({"k": {"$bytes": "not base64!"}}, r"content\['k'\]: .*\$bytes takes a base64 string"),
        ({"k": {"$tuple": 1}}, r"\$tuple takes a list"),
        ({"k": {"$dict": [[1]]}}, r"\$dict takes a list of \[key, value\] pairs"),
        ({"k": {"$set": [[1]]}}, r"content\['k'\]\.\$set\[0\]: set members must be hashable"),
        ({"k": {"$dict": [[{"a": 1}, 2]]}}, r"\['k'\]\.\$dict\[0\]\[0\]: dict keys must be"),
        ({"k": {"$dict": [[1, {"$int": "x"}]]}}, r"\['k'\]\.\$dict\[0\]\[1\]: .*\$int takes"),
        ({"k": {"$complex": "1j"}}, r"content\['k'\]: unknown tag '\$complex'"),
    ],
)
def test_malformed_tags_from_the_engine_are_errors_naming_the_field(encoded, message):
    with pytest.raises(StateValidationError, match=message):
        decode_value(encoded, "stored_state[C/StoredStateData[_stored]].content")


def test_unstorable_values_are_rejected_with_their_path():
    with pytest.raises(StateValidationError, match=r"stored_state\[MyCharm/.*\]\.content\['when'\]"):
        state_to_engine(State(stored_state=[StoredState("MyCharm", content={"when": object()})]))
    with pytest.raises(StateValidationError, match="snapshot_data"):
        state_to_engine(State(deferred=[
            DeferredEvent("C/on/start[1]", "C", "_on", {"x": datetime.date.today()})]))


# --- round trips -----------------------------------------------------------------------------


def test_round_trip_default_state():
    s = State()
    assert round_trip(s) == s


def test_round_trip_rich_state_with_own_template():
    s = rich_state()
    out = round_trip(s)
    assert out == s
    # unchanged parts are the very same objects
    for name in ("relations", "containers", "secrets", "deferred", "stored_state"):
        for a, b in zip(getattr(out, name), getattr(s, name)):
            assert a is b, name


def test_round_trip_every_field_with_empty_template():
    # rebuilt from JSON only: every field must come back with the right Python types
    s = rich_state()
    out = round_trip(s, template=State())
    for f in dataclasses.fields(State):
        assert getattr(out, f.name) == getattr(s, f.name), f.name
    assert out == s


def test_round_trip_types_with_empty_template():
    s = rich_state()
    out = round_trip(s, template=State())
    assert [type(r) for r in out.relations] == [Relation, PeerRelation, SubordinateRelation]
    assert out.relations[0].remote_unit_ids == [2, 10]  # numeric order without a template
    assert isinstance(out.status.unit, WaitingStatus)
    assert isinstance(out.status.unit_history[1], BlockedStatus)
    content = out.stored_state[0].content
    assert isinstance(content["s"], set) and isinstance(content["f"], frozenset)
    assert isinstance(content["t"], tuple) and isinstance(content["b"], bytes)
    c = out.containers[0]
    assert isinstance(c.layers["z-first"], pebble.Layer)
    assert c.service_status["srv"] is pebble.ServiceStatus.ACTIVE
    assert c.exec_mock[("ls", "-l")] == ExecOutput(1, "out", "err")
    assert c.files["/etc/app.conf"] == "text"
    assert c.files["/bin/blob"] == b"\x00\xff\xfe"
    assert c.files["/etc/secret"] == File("s3cr3t", permissions=0o600, user="app",
                                          user_id=1000, group="app", group_id=1000)
    sec = out.secrets[0]
    assert sec.remote_grants == {1: {"mysql", "mysql/10"}}
    assert sec.expire == datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert sec.rotate is SecretRotate.DAILY
    assert out.secrets[1].granted == "unit"
    assert out.juju_log[0].level == "INFO"


def test_round_trip_keeps_template_orders_and_types():
    r = Relation("db", relation_id=1, remote_unit_ids=[10, 2])
    p = PeerRelation("peers", relation_id=2, peers_ids=[9, 1])
    s = State(relations=[r, p])
    j = through_json(s)
    j["relations"][0]["local_app_data"] = {"changed": "yes"}  # force a rebuild
    j["relations"][1]["local_unit_data"] = {"changed": "yes"}
    out = state_from_engine(j, s)
    assert out.relations[0].remote_unit_ids == [10, 2]
    assert out.relations[0].local_app_data == {"changed": "yes"}
    assert out.relations[1].peers_ids == [9, 1]


def test_round_trip_paths_and_mounts_keep_path_types():
    s = State(
        containers=[Container("c", mounts={"m": Mount(PurePosixPath("/d"), Path("/tmp/x"))})],
        resources=[Resource("r", Path("/tmp/r"))],
    )
    out = round_trip(s)
    assert out == s
    assert isinstance(out.resources[0].path, Path)
    assert isinstance(out.containers[0].mounts["m"].src, Path)


def test_round_trip_dict_layers_stay_dicts():
    s = State(containers=[Container("c", layers={"a": {"summary": "x"}})])
    j = through_json(s)
    j["containers"][0]["can_connect"] = True
    out = state_from_engine(j, s)
    assert out.containers[0].layers == {"a": {"summary": "x"}}
    assert isinstance(out.containers[0].layers["a"], dict)


def test_round_trip_naive_expire():
    s = State(secrets=[Secret("s", {0: {}}, expire=datetime.datetime(2031, 5, 6, 7, 8, 9))])
    out = round_trip(s, template=State())
    assert out.secrets[0].expire == datetime.datetime(2031, 5, 6, 7, 8, 9)


def test_round_trip_bytes_file_that_is_valid_utf8():
    s = State(containers=[Container("c", files={"/a": b"abc", "/b": "xyz"})])
    j = through_json(s)
    # the engine writes valid UTF-8 back as text
    for f in j["containers"][0]["files"]:
        if f["path"] == "/a":
            f["content"], f["encoding"] = "abc-new", "utf-8"
        else:
            f["content"], f["encoding"] = "eHl6LW5ldw==", "base64"  # "xyz-new"
    out = state_from_engine(j, s)
    assert out.containers[0].files == {"/a": b"abc-new", "/b": "xyz-new"}


# --- engine output -> Python -----------------------------------------------------------------


def test_state_from_engine_reads_outputs():
    template = State(
        relations=[Relation("db", relation_id=1)],
        containers=[Container("w", can_connect=True)],
        status=Status(unit=MaintenanceStatus("m")),
    )
    out_json = through_json(template)
    out_json["status"]["unit"] = {"name": "active", "message": "ready"}
    out_json["status"]["unit_history"] = [{"name": "maintenance", "message": "m"}]
    out_json["status"]["app"] = {"name": "error", "message": "hook failed"}
    out_json["status"]["workload_version"] = "2.0"
    out_json["status"]["previous_workload_version"] = ""
    out_json["juju_log"] = [{"level": "WARNING", "message": "careful"}]
    out_json["relations"][0]["local_unit_data"] = {"k": "v"}
    out_json["containers"][0]["exec_history"] = [{
        "command": ["ls", "-l"], "environment": {}, "working_dir": None, "user": None,
        "user_id": None, "group": None, "group_id": None, "timeout": None, "stdin": "",
        "return_code": 0}]
    out_json["containers"][0]["files"] = [{
        "path": "/etc/new.conf", "content": "pushed", "encoding": "utf-8", "is_dir": False,
        "permissions": 0o644, "user": None, "user_id": None, "group": None, "group_id": None}]
    out_json["containers"][0]["layers"] = [["charm", {"summary": "s", "services": {
        "srv": {"override": "replace", "command": "/bin/srv", "startup": "enabled"}}}]]
    out_json["containers"][0]["service_status"] = {"srv": "active"}
    out_json["action"] = {"results": {"out": "x"}, "logs": ["one"], "failure_message": None}
    out_json["deferred"] = [{"handle_path": "C/on/start[1]", "owner": "C",
                             "observer": "_on_start", "snapshot_data": {}}]
    out_json["stored_state"] = [{"owner_path": "C", "name": "_stored",
                                 "content": {"seen": {"$set": ["a"]}},
                                 "data_type_name": "StoredStateData"}]
    out_json["opened_ports"] = [{"protocol": "udp", "port": 53}]
    out = state_from_engine(out_json, template)

    assert out.status.unit == ActiveStatus("ready")
    assert out.status.unit_history == [MaintenanceStatus("m")]
    assert out.status.app == ErrorStatus("hook failed")
    assert out.status.workload_version == "2.0"
    assert out.juju_log == [("WARNING", "careful")]
    assert out.relations[0].local_unit_data == {"k": "v"}
    assert type(out.relations[0]) is Relation
    c = out.get_container("w")
    assert c.exec_history == [ExecRecord(["ls", "-l"])]
    assert c.files == {"/etc/new.conf": "pushed"}
    assert c.plan.services["srv"].command == "/bin/srv"
    assert c.services["srv"].current == pebble.ServiceStatus.ACTIVE
    assert out.action_output == ActionOutput({"out": "x"}, ["one"], None)
    assert out.deferred == [DeferredEvent("C/on/start[1]", "C", "_on_start")]
    assert out.stored_state == [StoredState("C", content={"seen": {"a"}})]
    assert out.opened_ports == [Port("udp", 53)]
    # the input is untouched
    assert template.status.unit == MaintenanceStatus("m")
    assert template.relations[0].local_unit_data == {}


def test_state_from_engine_missing_fields_keep_template():
    template = State(leader=True, config={"a": 1}, planned_units=4)
    out = state_from_engine({"leader": False}, template)
    assert out.leader is False and out.config == {"a": 1} and out.planned_units == 4


def test_state_from_engine_service_status_backoff_is_kept():
    template = State(containers=[Container("w")])
    j = through_json(template)
    j["containers"][0]["service_status"] = {"s": "backoff"}
    out = state_from_engine(j, template)
    assert out.containers[0].service_status["s"] in ("backoff", getattr(
        pebble.ServiceStatus, "BACKOFF", "backoff"))


def test_state_from_engine_bad_status_name():
    j = through_json(State())
    j["status"]["unit"] = {"name": "bogus", "message": ""}
    with pytest.raises(StateValidationError, match="bogus"):
        state_from_engine(j, State())


# --- events ----------------------------------------------------------------------------------

EMPTY_EVENT = {
    "name": "start", "relation_id": None, "relation_remote_unit_id": None,
    "relation_departed_unit_id": None, "secret_id": None, "secret_revision": None,
    "container": None, "notice_id": None, "check_name": None, "storage_name": None,
    "storage_index": None, "action_params": {}, "action_id": None,
}


def test_event_json_simple():
    assert event_to_engine(Event("start"), State()) == EMPTY_EVENT


def test_event_json_relation():
    r = Relation("db", relation_id=5)
    j = event_to_engine(r.departed_event(remote_unit_id=0, departed_unit_id=1), State())
    assert j == {**EMPTY_EVENT, "name": "db_relation_departed", "relation_id": 5,
                 "relation_remote_unit_id": 0, "relation_departed_unit_id": 1}
    # no remote unit given: left to the engine
    assert event_to_engine(r.changed_event, State())["relation_remote_unit_id"] is None


def test_event_json_secret_workload_storage_action():
    s = Secret("secret:x", {1: {}}, owner="unit")
    assert event_to_engine(s.remove_event.replace(secret_revision=1), State()) == {
        **EMPTY_EVENT, "name": "secret_remove", "secret_id": "secret:x", "secret_revision": 1}
    c = Container("w")
    assert event_to_engine(c.pebble_ready_event, State())["container"] == "w"
    n = Notice("k", id="7")
    j = event_to_engine(c.custom_notice_event(n), State())
    assert (j["container"], j["notice_id"]) == ("w", "7")
    j = event_to_engine(c.check_failed_event(CheckInfo("http")), State())
    assert j["check_name"] == "http"
    st = Storage("data", 2)
    j = event_to_engine(st.attached_event, State())
    assert (j["storage_name"], j["storage_index"]) == ("data", 2)
    j = event_to_engine(Event("backup_action", params={"to": "s3"}, action_id="9"), State())
    assert (j["name"], j["action_params"], j["action_id"]) == ("backup_action", {"to": "s3"}, "9")
    json.dumps(j)


def test_yaml_text_layer_round_trip():
    s = State(containers=[Container("c", layers={"a": "summary: x\n"})])
    j = through_json(s)
    assert j["containers"][0]["layers"] == [["a", {"summary": "x"}]]
    assert state_from_engine(j, s) == s


def _nested_list(levels, leaf=1):
    for _ in range(levels):
        leaf = [leaf]
    return leaf


def test_engine_value_problem_stops_at_the_nesting_limit_without_recursing_further():
    from scenario._engine_form import MAX_NESTING_DEPTH, engine_value_problem

    assert MAX_NESTING_DEPTH == 100
    document = {"config": {"x": _nested_list(MAX_NESTING_DEPTH - 2)}}
    assert engine_value_problem(document, "state") is None
    document = {"config": {"x": _nested_list(50_000)}}
    problem = engine_value_problem(document, "state")
    assert problem.startswith("state.config['x'][0][0]")
    assert "nested deeper than 100 levels" in problem


def test_engine_value_problem_does_not_count_tag_wrappers():
    from scenario._engine_form import engine_value_problem

    tuples = 1
    for _ in range(95):
        tuples = {"$tuple": [tuples]}
    assert engine_value_problem({"stored_state": [{"content": {"t": tuples}}]}, "state") is None


def test_encode_value_refuses_values_deeper_than_the_limit():
    from scenario._engine_form import encode_value

    with pytest.raises(StateValidationError, match=r"^stored\[0\]\[0\].*nested deeper than 100 levels"):
        encode_value([_nested_list(50_000)], "stored")


def test_engine_value_problem_names_keys_and_surrogates():
    from scenario._engine_form import engine_value_problem

    assert "the key (1, 2) is a tuple" in engine_value_problem({"config": {(1, 2): "x"}}, "state")
    assert "state.config key" in engine_value_problem({"config": {"\udc80": "x"}}, "state")
    assert "lone surrogate" in engine_value_problem({"config": {"x": "\ud800"}}, "state")
