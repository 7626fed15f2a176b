"""scenario._diff: one `path: left != right` line per differing field, for every State part."""

import dataclasses
import datetime
import subprocess
import sys
import textwrap

import pytest
from ops import pebble
from ops.model import (
    ActiveStatus,
    BlockedStatus,
    MaintenanceStatus,
    SecretRotate,
    UnknownStatus,
    WaitingStatus,
)

from scenario._diff import diff, is_scenario_value, stable_repr
from scenario.pytest_plugin import pytest_assertrepr_compare
from scenario.state import (
    ActionOutput,
    Address,
    BindAddress,
    CheckInfo,
    Container,
    DeferredEvent,
    Event,
    ExecOutput,
    ExecRecord,
    File,
    JujuLogLine,
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


def check(left, right, expected):
    """diff gives exactly `expected`, and is empty exactly when the values are equal."""
    lines = diff(left, right)
    assert lines == expected
    assert (left == right) == (lines == [])


# --- equal values, mismatched types ----------------------------------------------------------


def test_equal_states_have_no_diff():
    state = State(
        config={"a": 1},
        relations=[Relation("db", relation_id=1, remote_units_data={0: {"k": "v"}})],
        containers=[Container("web", layers={"l": pebble.Layer({"summary": "s"})})],
        secrets=[Secret("secret:1", {0: {"a": "b"}}, remote_grants={1: {"x", "y"}})],
    )
    assert diff(state, state.copy()) == []
    assert state.diff(state.replace()) == []


def test_different_types_are_one_line():
    check(State(), Container("web"), ["types differ: State != Container"])
    check(Relation("db", relation_id=1), PeerRelation("db", relation_id=1),
          ["types differ: Relation != PeerRelation"])


def test_same_key_different_relation_kind():
    check(
        State(relations=[Relation("db", relation_id=1)]),
        State(relations=[PeerRelation("db", relation_id=1)]),
        ["relations[db:1]: types differ: Relation != PeerRelation"],
    )


def test_plain_values_at_the_root():
    check(1, 2, ["1 != 2"])
    check({"a": 1}, {"a": 2}, ["['a']: 1 != 2"])


# --- State's own fields -----------------------------------------------------------------------


def test_scalar_fields():
    check(
        State(leader=True, unit_id=0, planned_units=1),
        State(leader=False, unit_id=3, planned_units=2),
        ["leader: True != False", "unit_id: 0 != 3", "planned_units: 1 != 2"],
    )


def test_config_keys_changed_added_removed():
    check(
        State(config={"port": 80, "debug": True, "name": "x"}),
        State(config={"port": 8080, "name": "x", "level": "info"}),
        [
            "config['port']: 80 != 8080",
            "config['debug']: missing on the right (left has True)",
            "config['level']: missing on the left (right has 'info')",
        ],
    )


def test_config_value_of_another_type():
    check(State(config={"n": 1}), State(config={"n": "1"}), ["config['n']: 1 != '1'"])


def test_model():
    check(
        State(model=Model(name="a")),
        State(model=Model(name="b", type="lxd")),
        ["model.name: 'a' != 'b'", "model.type: 'kubernetes' != 'lxd'"],
    )


def test_juju_log_lines_by_index():
    check(
        State(juju_log=[("INFO", "a"), ("DEBUG", "b")]),
        State(juju_log=[("INFO", "a"), ("WARNING", "b"), ("ERROR", "c")]),
        [
            "juju_log[1].level: 'DEBUG' != 'WARNING'",
            "juju_log[2]: missing on the left (right has JujuLogLine(level='ERROR', message='c'))",
        ],
    )


# --- relations --------------------------------------------------------------------------------


def test_relation_databag_path_matches_the_issue_example():
    check(
        State(relations=[Relation("db", relation_id=1, local_unit_data={"port": "80"})]),
        State(relations=[Relation("db", relation_id=1, local_unit_data={"port": "8080"})]),
        ["relations[db:1].local_unit_data['port']: '80' != '8080'"],
    )


def test_relations_matched_by_endpoint_and_id_not_position():
    db1 = Relation("db", relation_id=1)
    db2 = Relation("db", relation_id=2)
    peers = PeerRelation("peers", relation_id=3)
    check(
        State(relations=[db1, peers]),
        State(relations=[db2, db1.replace(remote_app_name="pg")]),
        [
            "relations[db:1].remote_app_name: 'remote' != 'pg'",
            "relations[peers:3]: missing on the right",
            "relations[db:2]: missing on the left",
        ],
    )


def test_relations_same_items_other_order():
    db1, db2 = Relation("db", relation_id=1), Relation("db", relation_id=2)
    check(
        State(relations=[db1, db2]),
        State(relations=[db2, db1]),
        ["relations: same items in a different order: [db:1, db:2] != [db:2, db:1]"],
    )


def test_relation_remote_units_and_app_data():
    check(
        Relation("db", relation_id=1, remote_app_data={"a": "1"},
                 remote_units_data={0: {"k": "v"}}),
        Relation("db", relation_id=1, remote_app_data={"a": "2"},
                 remote_units_data={0: {"k": "w"}, 1: {}}),
        [
            "remote_unit_ids[1]: missing on the left (right has 1)",
            "remote_app_data['a']: '1' != '2'",
            "remote_units_data[0]['k']: 'v' != 'w'",
            "remote_units_data[1]: missing on the left (right has {})",
        ],
    )


def test_peer_relation():
    check(
        State(relations=[PeerRelation("peers", relation_id=4, peers_data={1: {"a": "x"}})]),
        State(relations=[PeerRelation("peers", relation_id=4, peers_data={1: {"a": "y"}})]),
        ["relations[peers:4].peers_data[1]['a']: 'x' != 'y'"],
    )


def test_subordinate_relation():
    check(
        SubordinateRelation("juju-info", relation_id=2, remote_unit_id=0),
        SubordinateRelation("juju-info", relation_id=2, remote_unit_id=1,
                            remote_unit_data={"k": "v"}),
        ["remote_unit_data['k']: missing on the left (right has 'v')",
         "remote_unit_id: 0 != 1"],
    )


def test_duplicate_keys_fall_back_to_positions():
    # Two relations with one id is an invalid State, but the diff must still say something.
    a = Relation("db", relation_id=1)
    check(
        State(relations=[a, a]),
        State(relations=[a, a.replace(interface="pg")]),
        ["relations[1].interface: None != 'pg'"],
    )


# --- status -----------------------------------------------------------------------------------


def test_status_matches_the_issue_example():
    check(
        State(status=Status(unit=ActiveStatus("ok"))),
        State(status=Status(unit=BlockedStatus("no db"))),
        ["status.unit: ActiveStatus('ok') != BlockedStatus('no db')"],
    )


def test_status_app_history_and_workload_version():
    check(
        Status(app=UnknownStatus(), app_history=[MaintenanceStatus("a")], workload_version="1"),
        Status(app=WaitingStatus("w"), app_history=[MaintenanceStatus("b"), ActiveStatus("")],
               workload_version="2", previous_workload_version="1"),
        [
            "app: UnknownStatus() != WaitingStatus('w')",
            "workload_version: '1' != '2'",
            "app_history[0]: MaintenanceStatus('a') != MaintenanceStatus('b')",
            "app_history[1]: missing on the left (right has ActiveStatus(''))",
            "previous_workload_version: None != '1'",
        ],
    )


def test_status_repr_is_stable():
    assert stable_repr(ActiveStatus("ok")) == "ActiveStatus('ok')"
    assert stable_repr(ActiveStatus()) == "ActiveStatus('')"
    assert stable_repr(UnknownStatus()) == "UnknownStatus()"
    assert stable_repr(WaitingStatus("it's")) == 'WaitingStatus("it\'s")'


# --- containers -------------------------------------------------------------------------------


def test_container_fields():
    check(
        State(containers=[Container("web"), Container("db")]),
        State(containers=[Container("web", can_connect=True), Container("cache")]),
        [
            "containers[web].can_connect: False != True",
            "containers[db]: missing on the right",
            "containers[cache]: missing on the left",
        ],
    )


def test_container_layers_compare_as_dicts():
    left = Container("web", layers={"base": pebble.Layer({"services": {"s": {"command": "a"}}})})
    right_dict = Container("web", layers={"base": {"services": {"s": {"command": "a"}}}})
    assert diff(left, right_dict) == [] and left == right_dict
    check(
        left,
        Container("web", layers={"base": pebble.Layer({"services": {"s": {"command": "b"}}})}),
        ["layers['base']['services']['s']['command']: 'a' != 'b'"],
    )


def test_container_service_status_enum_mounts_exec_and_files():
    check(
        Container(
            "web",
            service_status={"s": pebble.ServiceStatus.ACTIVE},
            mounts={"data": Mount("/data", "/tmp/a")},
            exec_mock={("ls", "-l"): ExecOutput(stdout="x")},
            files={"/etc/a.conf": "one", "/etc/b": File(content=b"x", permissions=0o600)},
        ),
        Container(
            "web",
            service_status={"s": pebble.ServiceStatus.INACTIVE},
            mounts={"data": Mount("/data", "/tmp/b")},
            exec_mock={("ls", "-l"): ExecOutput(stdout="y", return_code=1)},
            files={"/etc/a.conf": "two", "/etc/b": File(content=b"x", permissions=0o644)},
        ),
        [
            "service_status['s']: ServiceStatus.ACTIVE != ServiceStatus.INACTIVE",
            "mounts['data'].src: '/tmp/a' != '/tmp/b'",
            "exec_mock[('ls', '-l')].return_code: 0 != 1",
            "exec_mock[('ls', '-l')].stdout: 'x' != 'y'",
            "files['/etc/a.conf']: 'one' != 'two'",
            "files['/etc/b'].permissions: 384 != 420",
        ],
    )


def test_container_notices_and_checks_by_key_exec_history_by_index():
    check(
        Container(
            "web",
            notices=[Notice("example.com/a", occurrences=1)],
            check_infos=[CheckInfo("http", status="up")],
            exec_history=[ExecRecord(["ls"])],
        ),
        Container(
            "web",
            notices=[Notice("example.com/a", occurrences=2), Notice("example.com/b", id="2")],
            check_infos=[CheckInfo("http", status="down", failures=3)],
            exec_history=[ExecRecord(["ls"]), ExecRecord(["cat", "/x"], return_code=1)],
        ),
        [
            "notices[example.com/a].occurrences: 1 != 2",
            "notices[example.com/b]: missing on the left",
            "check_infos[http].status: 'up' != 'down'",
            "check_infos[http].failures: 0 != 3",
            "exec_history[1]: missing on the left "
            "(right has ExecRecord(command=['cat', '/x'], return_code=1))",
        ],
    )


# --- secrets ----------------------------------------------------------------------------------


def test_secret_fields_by_id():
    expire = datetime.datetime(2030, 1, 1)
    check(
        State(secrets=[Secret("secret:1", {0: {"a": "b"}}, owner="app",
                              remote_grants={1: {"x", "y"}})]),
        State(
            secrets=[
                Secret(
                    "secret:1",
                    {0: {"a": "b"}, 1: {"a": "c"}},
                    owner="app",
                    revision=1,
                    remote_grants={1: {"z", "x"}},
                    expire=expire,
                    rotate=SecretRotate.DAILY,
                )
            ]
        ),
        [
            "secrets[secret:1].contents[1]: missing on the left (right has {'a': 'c'})",
            "secrets[secret:1].revision: 0 != 1",
            "secrets[secret:1].remote_grants[1]: {'x', 'y'} != {'x', 'z'}",
            "secrets[secret:1].expire: None != datetime.datetime(2030, 1, 1, 0, 0)",
            "secrets[secret:1].rotate: SecretRotate.NEVER != SecretRotate.DAILY",
        ],
    )


def test_secret_missing():
    check(
        State(secrets=[Secret("secret:1", {0: {}})]),
        State(secrets=[Secret("secret:2", {0: {}})]),
        ["secrets[secret:1]: missing on the right", "secrets[secret:2]: missing on the left"],
    )


def test_secret_without_id_is_keyed_by_label():
    check(
        State(secrets=[Secret("", {0: {}}, label="db-pass")]),
        State(secrets=[Secret("", {0: {}}, label="db-pass", description="d")]),
        ["secrets[label=db-pass].description: None != 'd'"],
    )


def test_set_repr_is_sorted_whatever_the_hash_seed():
    code = textwrap.dedent(
        """
        from scenario._diff import stable_repr
        print(stable_repr({'delta', 'alpha', 'charlie', 'bravo'}), stable_repr(frozenset()))
        """
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert outputs == {"{'alpha', 'bravo', 'charlie', 'delta'} frozenset()\n"}


# --- unit state -------------------------------------------------------------------------------


def test_stored_state_by_owner_and_name():
    check(
        State(stored_state=[StoredState("MyCharm", content={"n": 1, "s": {1, 2}}),
                            StoredState(None, name="_x")]),
        State(stored_state=[StoredState("MyCharm", content={"n": 2, "s": {1, 2, 3}}),
                            StoredState("MyCharm", name="_other")]),
        [
            "stored_state[MyCharm/_stored].content['n']: 1 != 2",
            "stored_state[MyCharm/_stored].content['s']: {1, 2} != {1, 2, 3}",
            "stored_state[_x]: missing on the right",
            "stored_state[MyCharm/_other]: missing on the left",
        ],
    )


def test_deferred_by_handle_path():
    start = DeferredEvent("MyCharm/on/start[1]", "MyCharm", "_on_start")
    changed = DeferredEvent("MyCharm/on/db_relation_changed[2]", "MyCharm", "_on_changed",
                            {"relation_id": 1})
    check(
        State(deferred=[start, changed]),
        State(deferred=[changed.replace(snapshot_data={"relation_id": 2})]),
        [
            "deferred[MyCharm/on/start[1]]: missing on the right",
            "deferred[MyCharm/on/db_relation_changed[2]].snapshot_data['relation_id']: 1 != 2",
        ],
    )


# --- networks, ports, storages, resources, action output ---------------------------------------


def test_networks_by_name_with_nested_addresses():
    check(
        State(networks=[Network.default("db", private_address="10.0.0.1"), Network.default("x")]),
        State(networks=[Network.default("db", private_address="10.0.0.2")]),
        [
            "networks[db].bind_addresses[0].addresses[0].value: '10.0.0.1' != '10.0.0.2'",
            "networks[x]: missing on the right",
        ],
    )


def test_bind_address_and_address_directly():
    check(
        BindAddress("eth0", [Address("h", "1.1.1.1", "1.1.1.0/24")]),
        BindAddress("eth1", [Address("h", "1.1.1.1", "1.1.1.0/24")], mac_address="aa"),
        ["interface_name: 'eth0' != 'eth1'", "mac_address: None != 'aa'"],
    )


def test_ports_storages_resources():
    check(
        State(opened_ports=[Port("tcp", 80), Port("icmp")],
              storages=[Storage("data", 0)],
              resources=[Resource("img", "/a")]),
        State(opened_ports=[Port("tcp", 80), Port("udp", 53)],
              storages=[Storage("data", 0, location="/mnt"), Storage("data", 1)],
              resources=[Resource("img", "/b")]),
        [
            "opened_ports[icmp]: missing on the right",
            "opened_ports[udp:53]: missing on the left",
            "storages[data/0].location: '' != '/mnt'",
            "storages[data/1]: missing on the left",
            "resources[img].path: '/a' != '/b'",
        ],
    )


def test_port_ranges_are_told_apart_by_their_bounds():
    check(
        State(opened_ports=[Port("tcp", 8000, to_port=8002)]),
        State(opened_ports=[Port("tcp", 8000, to_port=8003)]),
        [
            "opened_ports[tcp:8000-8002]: missing on the right",
            "opened_ports[tcp:8000-8003]: missing on the left",
        ],
    )


def test_action_output():
    check(
        State(),
        State(action_output=ActionOutput(results={"a": 1})),
        ["action_output: None != ActionOutput(results={'a': 1})"],
    )
    check(
        ActionOutput(results={"out": {"n": 1}}, logs=["x"]),
        ActionOutput(results={"out": {"n": 2}}, logs=["x", "y"], failure_message="bad"),
        [
            "results['out']['n']: 1 != 2",
            "logs[1]: missing on the left (right has 'y')",
            "failure_message: None != 'bad'",
        ],
    )


def test_event():
    rel = Relation("db", relation_id=1)
    check(
        Event("db_relation_changed", relation=rel),
        Event("db_relation_changed", relation=rel.replace(remote_app_name="pg"),
              relation_remote_unit_id=0),
        ["relation.remote_app_name: 'remote' != 'pg'", "relation_remote_unit_id: None != 0"],
    )


def test_many_differences_in_one_state_in_field_order():
    left = State(leader=True, config={"a": 1}, status=Status(unit=ActiveStatus("ok")),
                 containers=[Container("web")])
    right = State(leader=False, config={"a": 1}, status=Status(unit=ActiveStatus("ko")),
                  containers=[Container("web", can_connect=True)])
    assert left.diff(right) == [
        "containers[web].can_connect: False != True",
        "status.unit: ActiveStatus('ok') != ActiveStatus('ko')",
        "leader: True != False",
    ]
    # The other way round, left and right swap.
    assert right.diff(left) == [
        "containers[web].can_connect: True != False",
        "status.unit: ActiveStatus('ko') != ActiveStatus('ok')",
        "leader: False != True",
    ]


def test_unequal_values_that_look_the_same_still_get_a_line():
    class Weird:
        def __repr__(self):
            return "Weird()"

    a, b = Weird(), Weird()
    assert diff(State(config={"w": a}), State(config={"w": b})) == [
        "config['w']: Weird() (Weird) != Weird() (Weird)"
    ]


# --- jsonpatch_delta still works -------------------------------------------------------------


def test_jsonpatch_delta_is_unchanged():
    pytest.importorskip("jsonpatch")
    before = State(leader=False)
    after = State(leader=True, status=Status(unit=ActiveStatus("ok")))
    patch = after.jsonpatch_delta(before)
    assert {"op": "replace", "path": "/leader", "value": True} in patch
    assert {"op": "replace", "path": "/status/unit/name", "value": "active"} in patch


# --- the pytest hook --------------------------------------------------------------------------


def test_hook_explains_state_and_parts():
    left = State(status=Status(unit=ActiveStatus("ok")))
    right = State(status=Status(unit=BlockedStatus("no db")))
    assert pytest_assertrepr_compare(None, "==", left, right) == [
        "State instances differ:",
        "status.unit: ActiveStatus('ok') != BlockedStatus('no db')",
    ]
    assert pytest_assertrepr_compare(None, "==", Container("a"), Container("b")) == [
        "Container instances differ:",
        "name: 'a' != 'b'",
    ]


@pytest.mark.parametrize(
    "op, left, right",
    [
        ("!=", State(), State()),  # not ==
        ("==", State(), State(leader=True).status),  # different types
        ("==", Relation("db", relation_id=1), PeerRelation("db", relation_id=1)),
        ("==", {"a": 1}, {"a": 2}),  # not a scenario value
        ("==", ActiveStatus("a"), ActiveStatus("b")),
        ("==", State(), State()),  # equal: nothing to explain
    ],
)
def test_hook_leaves_other_comparisons_to_pytest(op, left, right):
    assert pytest_assertrepr_compare(None, op, left, right) is None


def test_is_scenario_value():
    assert is_scenario_value(State()) and is_scenario_value(Status())
    assert is_scenario_value(ExecOutput())
    assert not is_scenario_value(State)  # the class itself
    assert not is_scenario_value(JujuLogLine("INFO", "x"))  # a tuple
    assert not is_scenario_value(dataclasses.make_dataclass("X", [])())
