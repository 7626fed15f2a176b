"""The State/Event value classes: constructors, defaults, sugar and validation."""

import dataclasses
import datetime

import pytest
from ops import pebble
from ops.model import ActiveStatus, BlockedStatus, MaintenanceStatus, SecretRotate, UnknownStatus

from scenario.errors import StateValidationError
from scenario.state import (
    ActionOutput,
    Address,
    BindAddress,
    CheckInfo,
    Container,
    DeferredEvent,
    Event,
    ExecOutput,
    File,
    JujuLogLine,
    Model,
    Mount,
    Network,
    Notice,
    ParametrizedEvent,
    PeerRelation,
    Port,
    Relation,
    RelationBase,
    Resource,
    Secret,
    State,
    Status,
    Storage,
    StoredState,
    SubordinateRelation,
    deferred,
    next_relation_id,
    relation_id_scope,
    FIRST_SCOPED_RELATION_ID,
)


class MyCharm:
    def _on_start(self, event):
        pass

    def _on_foo_relation_changed(self, event):
        pass


# --- State -----------------------------------------------------------------------------------


def test_state_defaults():
    s = State()
    assert s.config == {}
    assert s.relations == [] and s.networks == [] and s.containers == []
    assert s.status.unit == UnknownStatus() and s.status.app == UnknownStatus()
    assert s.leader is False
    assert s.model == Model()
    assert s.juju_log == [] and s.secrets == [] and s.deferred == [] and s.stored_state == []
    assert s.unit_id == 0
    assert s.opened_ports == [] and s.storages == [] and s.resources == []
    assert s.planned_units == 1
    assert s.action_output is None


def test_default_states_are_equal_and_not_shared():
    a, b = State(), State()
    assert a == b
    # no mutable default shared between instances
    assert a.relations is not b.relations
    assert a.config is not b.config
    assert a.model is not b.model


def test_state_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        State().leader = True  # type: ignore[misc]


def test_state_positional_order_is_3_1s():
    names = [f.name for f in dataclasses.fields(State)]
    assert names[:12] == [
        "config", "relations", "networks", "containers", "status", "leader", "model",
        "juju_log", "secrets", "unit_id", "deferred", "stored_state",
    ]


def test_replace_and_copy():
    s = State(config={"a": 1})
    r = s.replace(leader=True)
    assert r.leader and not s.leader and r.config == {"a": 1}
    c = s.copy()
    assert c == s and c.config is not s.config


def test_with_helpers():
    s = State(containers=[Container("a"), Container("b")])
    s2 = s.with_can_connect("a", True)
    assert isinstance(s2.containers, list)
    assert s2.get_container("a").can_connect and not s2.get_container("b").can_connect
    assert s.with_leadership(True).leader
    assert s.with_unit_status(ActiveStatus("x")).status.unit == ActiveStatus("x")


def test_get_container():
    c = Container("foo")
    s = State(containers=[c])
    assert s.get_container("foo") is c
    assert s.get_container(Container("foo")) is c
    with pytest.raises(ValueError, match="container: bar"):
        s.get_container("bar")


def test_get_relations_and_relation():
    a, b, c = Relation("db"), Relation("db"), Relation("other-ep")
    s = State(relations=[a, b, c])
    assert s.get_relations("db") == (a, b)
    assert s.get_relations("other_ep") == (c,)
    assert s.get_relations("nope") == ()
    assert s.get_relation(c.relation_id) is c
    with pytest.raises(ValueError):
        s.get_relation(999)


def test_get_secret_and_stored_state():
    sec = Secret("secret:1", {0: {"a": "b"}}, label="lbl")
    st = StoredState("MyCharm", name="_s")
    s = State(secrets=[sec], stored_state=[st])
    assert s.get_secret(id="secret:1") is sec
    assert s.get_secret(label="lbl") is sec
    assert s.get_stored_state("_s", owner_path="MyCharm") is st
    with pytest.raises(ValueError):
        s.get_secret(id="secret:2")
    with pytest.raises(ValueError):
        s.get_stored_state("_stored")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"relations": [object()]}, r"State.relations\[0\] must be a RelationBase"),
        ({"containers": "abc"}, "State.containers must be a list"),
        ({"secrets": [Container("x")]}, "must be a Secret"),
        ({"status": ActiveStatus()}, "State.status must be a Status"),
        ({"unit_id": -1}, "unit_id"),
        ({"config": [1]}, "config"),
    ],
)
def test_state_validation(kwargs, match):
    with pytest.raises(StateValidationError, match=match):
        State(**kwargs)


def test_state_accepts_tuples_as_lists():
    s = State(relations=(Relation("a"),))
    assert isinstance(s.relations, list)


def test_juju_log_lines_compare_as_tuples():
    s = State(juju_log=[("INFO", "hello")])
    assert s.juju_log == [("INFO", "hello")]
    assert s.juju_log[0].level == "INFO" and s.juju_log[0].message == "hello"
    assert isinstance(s.juju_log[0], JujuLogLine)


def test_jsonpatch_delta():
    a = State()
    b = State(leader=True, status=Status(unit=ActiveStatus("ok")))
    patch = b.jsonpatch_delta(a)
    assert {"op": "replace", "path": "/leader", "value": True} in patch
    assert {"op": "replace", "path": "/status/unit/name", "value": "active"} in patch
    assert {"op": "replace", "path": "/status/unit/message", "value": "ok"} in patch
    assert patch == sorted(patch, key=lambda p: p["path"] + p["op"])
    assert a.jsonpatch_delta(a) == []


# --- relations -------------------------------------------------------------------------------


def test_relation_defaults():
    r = Relation("foo")
    assert r.interface is None
    assert r.remote_app_name == "remote"
    assert r.remote_unit_ids == [0]
    assert r.remote_units_data == {0: {}}
    assert r.limit == 1
    assert r.local_app_data == {} and r.local_unit_data == {} and r.remote_app_data == {}
    assert r.remote_model_uuid is None


def test_relation_ids_and_data_unify():
    assert Relation("a", remote_unit_ids=[1, 2]).remote_units_data == {1: {}, 2: {}}
    assert Relation("a", remote_units_data={3: {"k": "v"}}).remote_unit_ids == [3]
    r = Relation("a", remote_unit_ids=[4], remote_units_data={4: {"x": "y"}})
    assert r.remote_units_data == {4: {"x": "y"}}
    with pytest.raises(StateValidationError, match="must be the same"):
        Relation("a", remote_unit_ids=[1], remote_units_data={2: {}})


def test_relation_base_cannot_be_instantiated():
    with pytest.raises(RuntimeError, match="RelationBase cannot be instantiated"):
        RelationBase("foo")


def test_relation_ids_autoincrement_and_are_unique():
    ids = [Relation("a").relation_id for _ in range(5)]
    assert len(set(ids)) == 5
    assert ids == sorted(ids)
    assert Relation("a", relation_id=42).relation_id == 42


def test_relation_ids_restart_per_scope():
    with relation_id_scope():
        first = [Relation("a").relation_id, PeerRelation("p").relation_id]
    with relation_id_scope():
        second = [Relation("a").relation_id, PeerRelation("p").relation_id]
    assert first == second == [FIRST_SCOPED_RELATION_ID, FIRST_SCOPED_RELATION_ID + 1]


def test_relation_ids_outside_scope_do_not_collide_with_scoped_ones():
    import contextvars

    from scenario import state as state_mod

    ctx = contextvars.Context()  # no scope in a fresh context
    outside = ctx.run(next_relation_id)
    assert outside >= state_mod._OUT_OF_SCOPE_BASE
    with relation_id_scope():
        assert next_relation_id() == FIRST_SCOPED_RELATION_ID


@pytest.mark.parametrize(
    "kwargs, where",
    [
        ({"local_app_data": {"port": 5432}}, "local_app_data['port']"),
        ({"local_unit_data": {"a": None}}, "local_unit_data['a']"),
        ({"remote_app_data": {"x": b"b"}}, "remote_app_data['x']"),
        ({"remote_units_data": {1: {"n": 1.5}}}, "remote_units_data[1]['n']"),
    ],
)
def test_relation_databag_values_must_be_str(kwargs, where):
    with pytest.raises(StateValidationError) as exc:
        Relation("db", relation_id=7, **kwargs)
    msg = str(exc.value)
    assert "db:7" in msg and where in msg and "must be str" in msg


def test_relation_databag_keys_must_be_str():
    with pytest.raises(StateValidationError, match="non-string key 1"):
        Relation("db", local_app_data={1: "x"})


def test_databag_must_be_dict():
    with pytest.raises(StateValidationError, match="must be a dict"):
        Relation("db", local_app_data=[("a", "b")])


def test_peer_relation_has_no_peers_by_default():
    p = PeerRelation("peers")
    assert p.peers_data == {} and p.peers_ids == []
    assert p._remote_unit_ids == ()


def test_peer_relation_ids_and_data():
    p = PeerRelation("peers", peers_ids=[1, 2])
    assert p.peers_data == {1: {}, 2: {}}
    p = PeerRelation("peers", peers_data={3: {"a": "b"}})
    assert p.peers_ids == [3]
    assert p._get_databag_for_remote(3) == {"a": "b"}


def test_peer_relation_databags_are_validated():
    with pytest.raises(StateValidationError, match=r"peers_data\[1\]\['a'\]"):
        PeerRelation("peers", peers_data={1: {"a": 1}})


def test_subordinate_relation():
    s = SubordinateRelation("juju-info", remote_unit_data={"foo": "bar"},
                            remote_app_name="zookeeper", remote_unit_id=42)
    assert s.remote_unit_name == "zookeeper/42"
    assert s._remote_unit_ids == (42,)
    assert s._get_databag_for_remote(42) == {"foo": "bar"}
    big = SubordinateRelation("x", remote_unit_id=1000)
    assert big._get_databag_for_remote(int("1000")) == {}  # equality, not identity
    with pytest.raises(ValueError):
        s._get_databag_for_remote(1)
    with pytest.raises(StateValidationError, match="remote_unit_data"):
        SubordinateRelation("x", remote_unit_data={"a": 2})


@pytest.mark.parametrize("suffix", ["changed", "joined", "created", "departed", "broken"])
def test_relation_event_sugar(suffix):
    r = Relation("foo-bar")
    ev = getattr(r, f"{suffix}_event")
    assert ev.name == f"foo_bar_relation_{suffix}"
    assert ev.relation is r
    assert ev.relation_remote_unit_id is None


def test_relation_event_remote_unit():
    r = Relation("foo", remote_unit_ids=[0, 2])
    ev = r.joined_event(remote_unit_id=2)
    assert ev.relation_remote_unit_id == 2
    assert r.changed_event(remote_unit_id=0).relation_remote_unit_id == 0
    dep = r.departed_event(remote_unit_id=2, departed_unit_id=0)
    assert dep.relation_departed_unit_id == 0


def test_non_relation_event_rejects_remote_unit():
    with pytest.raises(ValueError, match="non-relation event"):
        Event("start")(remote_unit_id=1)
    with pytest.raises(ValueError):
        Event("start")(remote_unit_id=0)


# --- containers ------------------------------------------------------------------------------


def test_container_defaults():
    c = Container("w")
    assert c.can_connect is False
    assert c._base_plan == {} and c.layers == {} and c.service_status == {}
    assert c.mounts == {} and c.exec_mock == {} and c.files == {}
    assert c.notices == [] and c.check_infos == [] and c.exec_history == []


def test_container_plan_and_services():
    c = Container(
        "w",
        layers={
            "base": pebble.Layer({"services": {
                "srv": {"override": "replace", "command": "/bin/srv", "startup": "enabled"},
                "b": {"override": "replace", "command": "/bin/b"},
            }}),
            "over": {"services": {"srv": {"override": "merge", "environment": {"A": "1"}}},
                     "checks": {"up": {"override": "replace", "http": {"url": "http://x"}}}},
        },
        service_status={"srv": pebble.ServiceStatus.ACTIVE},
    )
    plan = c.plan
    assert isinstance(plan, pebble.Plan)
    assert plan.services["srv"].command == "/bin/srv"
    assert plan.services["srv"].environment == {"A": "1"}
    assert "up" in plan.checks
    services = c.services
    assert services["srv"].current == pebble.ServiceStatus.ACTIVE
    assert services["srv"].startup == pebble.ServiceStartup.ENABLED
    assert services["b"].current == pebble.ServiceStatus.INACTIVE
    assert services["b"].startup == pebble.ServiceStartup.DISABLED


def test_container_replace_layer_drops_earlier_service_fields():
    c = Container("w", layers={
        "a": {"services": {"s": {"override": "replace", "command": "x", "user": "u"}}},
        "b": {"services": {"s": {"override": "replace", "command": "y"}}},
    })
    assert c.plan.services["s"].command == "y"
    assert c.plan.services["s"].user in ("", None)


def test_pebble_ready_event():
    c = Container("my-ctr", can_connect=True)
    ev = c.pebble_ready_event
    assert ev.name == "my_ctr_pebble_ready" and ev.container is c


def test_notice_and_check_events():
    n = Notice("example.com/a", id="5")
    ci = CheckInfo("http", status="down", failures=3)
    c = Container("w", notices=[n], check_infos=[ci])
    assert c.get_notice("example.com/a") is n
    assert c.get_check_info("http") is ci
    with pytest.raises(KeyError):
        c.get_notice("nope")
    ev = c.custom_notice_event(n)
    assert ev.name == "w_pebble_custom_notice" and ev.notice is n
    assert c.check_failed_event(ci).name == "w_pebble_check_failed"
    assert c.check_recovered_event(ci).check_info is ci


def test_container_validation():
    with pytest.raises(StateValidationError, match="absolute path"):
        Container("w", files={"rel/path": "x"})
    with pytest.raises(StateValidationError, match=r"files\['/a'\]"):
        Container("w", files={"/a": 1})
    with pytest.raises(StateValidationError, match="tuple of str"):
        Container("w", exec_mock={"ls": ExecOutput()})


def test_file_mount_exec_defaults():
    f = File()
    assert (f.content, f.permissions, f.user, f.group, f.is_dir) == ("", 0o644, None, None, False)
    m = Mount("/data", "/tmp/x")
    assert m.location == "/data" and m.src == "/tmp/x"
    e = ExecOutput()
    assert (e.return_code, e.stdout, e.stderr) == (0, "", "")


# --- networks, model -------------------------------------------------------------------------


def test_network_default():
    n = Network.default("db")
    assert n.name == "db"
    assert n.bind_addresses == [BindAddress("", [Address("", "1.1.1.1", "")], None)]
    assert n.ingress_addresses == ["1.1.1.2"]
    assert n.egress_subnets == ["1.1.1.2/32"]
    out = Network.default("db", private_address="10.0.0.1", mac_address="aa").hook_tool_output_fmt()
    assert out["bind-addresses"][0]["mac-address"] == "aa"
    assert out["bind-addresses"][0]["addresses"][0]["value"] == "10.0.0.1"
    assert out["ingress-addresses"] == ["1.1.1.2"]


def test_network_hook_tool_output_fmt_is_3_1s_form_by_default(monkeypatch):
    monkeypatch.delenv("SCENARIO_STRICT", raising=False)
    n = Network("db", [BindAddress("eth0", [Address("h", "10.0.0.1", "10.0.0.0/24")])], [], [])
    assert n.hook_tool_output_fmt() == {
        "bind-addresses": [
            {
                "interface-name": "eth0",
                "addresses": [{"hostname": "h", "value": "10.0.0.1", "cidr": "10.0.0.0/24", "address": ""}],
            }
        ],
        "egress-subnets": [],
        "ingress-addresses": [],
    }
    assert n.bind_addresses[0].hook_tool_output_fmt() == n.hook_tool_output_fmt()["bind-addresses"][0]


def test_network_hook_tool_output_fmt_is_network_gets_in_strict_mode(monkeypatch):
    monkeypatch.setenv("SCENARIO_STRICT", "1")
    n = Network("db", [BindAddress("eth0", [Address("h", "", "10.0.0.0/24", address="10.0.0.1")])], [], [])
    # Juju prints the address under `value`, always prints mac-address and omits empty lists
    assert n.hook_tool_output_fmt() == {
        "bind-addresses": [
            {
                "interface-name": "eth0",
                "mac-address": "",
                "addresses": [{"hostname": "h", "value": "10.0.0.1", "cidr": "10.0.0.0/24"}],
            }
        ],
    }


def test_model_defaults():
    m = Model()
    assert m.type == "kubernetes"
    assert m.name and m.uuid
    import uuid

    assert uuid.UUID(m.uuid).version == 4
    assert Model(name="x", type="lxd").type == "lxd"


# --- status ----------------------------------------------------------------------------------


def test_status_defaults_and_statusbase():
    s = Status()
    assert s.app == UnknownStatus() and s.unit == UnknownStatus()
    assert s.workload_version == "" and s.previous_workload_version is None
    assert s.app_history == [] and s.unit_history == []
    s = Status(unit=ActiveStatus("ok"), unit_history=[MaintenanceStatus("m")])
    assert s.unit == ActiveStatus("ok")
    assert s.unit != BlockedStatus("ok")
    assert s.unit_history == [MaintenanceStatus("m")]


def test_status_accepts_deprecated_tuples():
    s = Status(unit=("blocked", "why"))
    assert s.unit == BlockedStatus("why")


def test_status_rejects_garbage():
    with pytest.raises(StateValidationError, match="Status.unit"):
        Status(unit="active")
    with pytest.raises(StateValidationError, match=r"Status.app_history\[0\]"):
        Status(app_history=[1])


# --- secrets ---------------------------------------------------------------------------------


def test_secret_defaults_and_normalisation():
    s = Secret("secret:x", {0: {"a": "b"}})
    assert s.owner is None and s.granted is False and s.revision == 0
    assert s.remote_grants == {} and s.rotate == SecretRotate.NEVER
    assert s.label is None and s.description is None and s.expire is None
    assert Secret("i", {0: {}}, owner="application").owner == "app"
    assert Secret("i", {0: {}}, remote_grants={1: ["a"]}).remote_grants == {1: {"a"}}
    assert Secret("i", {0: {}}, rotate="daily").rotate == SecretRotate.DAILY


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"owner": "someone"}, "owner"),
        ({"granted": True}, "granted"),
        ({"contents": {"0": {}}}, "int revision"),
        ({"contents": {0: {"a": 1}}}, r"contents\[0\]"),
    ],
)
def test_secret_validation(kwargs, match):
    args = {"id": "secret:x", "contents": {0: {"a": "b"}}, **kwargs}
    with pytest.raises(StateValidationError, match=match):
        Secret(**args)


def test_secret_events_have_ops_names():
    consumer = Secret("s", {0: {}})
    owned = Secret("s", {0: {}}, owner="unit")
    assert consumer.changed_event.name == "secret_changed"
    assert consumer.changed_event.secret is consumer
    assert owned.rotate_event.name == "secret_rotate"
    assert owned.expired_event.name == "secret_expired"
    assert owned.remove_event.name == "secret_remove"
    # who receives which event is the engine's rule; the words are 3.1's
    with pytest.raises(ValueError, match="never receive secret-changed for a secret it owns"):
        owned.changed_event
    for sugar, hook in (("rotate_event", "rotate"), ("expired_event", "expired"), ("remove_event", "remove")):
        with pytest.raises(ValueError, match=f"never receive secret-{hook} for a secret it does not own"):
            getattr(consumer, sugar)


# --- events / deferred -----------------------------------------------------------------------


def test_event_defaults_and_name_normalisation():
    e = Event("update-status")
    assert e.name == "update_status"
    assert e.args == () and e.kwargs == {}
    assert e.relation is None and e.relation_remote_unit_id is None
    assert e.secret is None and e.container is None and e.storage is None
    assert e.params == {} and e.action_id is None


def test_action_event_params():
    e = Event("do-backup-action", params={"target": "s3"})
    assert e.name == "do_backup_action" and e.params == {"target": "s3"}
    with pytest.raises(StateValidationError, match="only for action events"):
        Event("start", params={"a": 1})


def test_deferred_simple_event():
    d = Event("start").deferred(MyCharm._on_start)
    assert d == DeferredEvent("MyCharm/on/start[1]", "MyCharm", "_on_start", {})
    assert d.name == "start"
    assert Event("start").deferred(MyCharm._on_start, event_id=7).handle_path == \
        "MyCharm/on/start[7]"


def test_deferred_relation_event_keeps_snapshot():
    r = Relation("foo", relation_id=3, remote_app_name="db", remote_unit_ids=[4])
    d = r.changed_event.deferred(MyCharm._on_foo_relation_changed)
    assert d.handle_path == "MyCharm/on/foo_relation_changed[1]"
    assert d.observer == "_on_foo_relation_changed"
    assert d.snapshot_data == {
        "relation_name": "foo", "relation_id": 3, "app_name": "db", "unit_name": "db/4",
    }
    d2 = r.changed_event(remote_unit_id=9).deferred(MyCharm._on_start)
    assert d2.snapshot_data["unit_name"] == "db/9"
    dep = r.departed_event(remote_unit_id=4).deferred(MyCharm._on_start)
    assert dep.snapshot_data["departing_unit"] == "db/4"
    broken = r.broken_event.deferred(MyCharm._on_start)
    assert "unit_name" not in broken.snapshot_data


def test_deferred_peer_relation_event_does_not_crash():
    p = PeerRelation("peers", relation_id=2, peers_ids=[1])
    d = p.changed_event.deferred(MyCharm._on_start)
    assert d.snapshot_data["relation_id"] == 2


def test_deferred_workload_secret_storage_events():
    c = Container("w")
    assert c.pebble_ready_event.deferred(MyCharm._on_start).snapshot_data == {
        "container_name": "w"
    }
    n = Notice("k", id="3")
    assert c.custom_notice_event(n).deferred(MyCharm._on_start).snapshot_data == {
        "container_name": "w", "notice_id": "3", "notice_type": "custom", "notice_key": "k",
    }
    s = Secret("secret:1", {1: {}, 2: {}}, owner="app", label="l")
    assert s.remove_event.replace(secret_revision=1).deferred(MyCharm._on_start).snapshot_data \
        == {"id": "secret:1", "label": "l", "revision": 1}
    assert Secret("secret:1", {0: {}}).changed_event.deferred(MyCharm._on_start).snapshot_data \
        == {"id": "secret:1", "label": None}
    st = Storage("data", 1, "/mnt")
    assert st.attached_event.deferred(MyCharm._on_start).snapshot_data == {
        "storage_name": "data", "storage_index": 1, "storage_location": "/mnt",
    }


def test_deferred_function():
    r = Relation("foo", relation_id=1)
    d = deferred("foo_relation_changed", handler=MyCharm._on_foo_relation_changed, relation=r)
    assert d.snapshot_data["relation_id"] == 1
    c = Container("w")
    assert deferred("w_pebble_ready", MyCharm._on_start, container=c).snapshot_data == {
        "container_name": "w"
    }
    assert deferred(Event("start"), MyCharm._on_start, event_id=2).handle_path == \
        "MyCharm/on/start[2]"


def test_deferred_requires_method_and_context():
    with pytest.raises(ValueError, match="cannot construct DeferredEvent"):
        Event("start").deferred(print)
    with pytest.raises(ValueError, match="relation event"):
        Event("foo_relation_changed").deferred(MyCharm._on_start)


def test_parametrized_event():
    r = Relation("foo")
    pe = ParametrizedEvent(("remote_unit",), "relation", "foo_relation_joined", relation=r)
    ev = pe(remote_unit=3)
    assert ev.name == "foo_relation_joined" and ev.relation is r
    assert ev.relation_remote_unit_id == 3
    no = ParametrizedEvent((), "lifecycle", "start")
    with pytest.raises(ValueError):
        no(remote_unit=1)


# --- beyond 3.1 ------------------------------------------------------------------------------


def test_ports():
    assert Port("tcp", 80).port == 80
    assert Port("icmp").port is None
    for bad in [("tcp", 0), ("udp", 70000), ("tcp", None), ("sctp", 1), ("icmp", 1)]:
        with pytest.raises(StateValidationError):
            Port(*bad)


def test_storage_resource_action_output():
    s = Storage("data")
    assert (s.index, s.location) == (0, "")
    assert s.attached_event.name == "data_storage_attached" and s.attached_event.storage is s
    assert s.detaching_event.name == "data_storage_detaching"
    assert Resource("r", "/tmp/r").path == "/tmp/r"
    a = ActionOutput()
    assert a.results == {} and a.logs == [] and a.failure_message is None and a.success
    assert not ActionOutput(failure_message="boom").success


def test_stored_state_defaults():
    s = StoredState("MyCharm")
    assert s.name == "_stored" and s.content == {} and s.data_type_name == "StoredStateData"
    assert s.handle_path == "MyCharm/StoredStateData[_stored]"
    assert StoredState().owner_path is None
    assert StoredState().handle_path == "/StoredStateData[_stored]"


def test_secret_expire_datetime_kept():
    when = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    assert Secret("s", {0: {}}, expire=when).expire == when


def test_container_filesystem_view(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.txt").write_text("from mount")
    c = Container(
        "w",
        files={"/etc/a": "text", "/bin/b": b"\x00\x01", "/etc/c": File("meta", permissions=0o600),
               "/d": File(is_dir=True)},
        mounts={"m": Mount("/data", tmp_path)},
    )
    fs = c.filesystem
    assert fs.open("/etc/a").read() == "text"
    assert fs.open("/bin/b", encoding=None).read() == b"\x00\x01"
    assert fs.read_bytes("/etc/c") == b"meta"
    assert fs.open("/data/sub/f.txt").read() == "from mount"
    assert fs.exists("/data/sub/f.txt") and fs.exists("/etc/a")
    assert not fs.exists("/nope") and not fs.exists("/data/nope")
    with pytest.raises(FileNotFoundError, match="/nope"):
        fs.open("/nope")
    with pytest.raises(IsADirectoryError):
        fs.read_bytes("/d")
    # Pebble's view: a directory exists when something lies beneath it, and mounts hide nothing
    assert fs.exists("/etc") and fs.exists("/data") and fs.exists("/data/sub") and fs.exists("/d")
    with pytest.raises(IsADirectoryError):
        fs.read_bytes("/data/sub")
    with pytest.raises(FileNotFoundError, match="/data/nope"):
        fs.read_bytes("/data/nope")


def test_container_filesystem_view_stays_inside_a_mount(tmp_path):
    host, outside = tmp_path / "host", tmp_path / "outside.txt"
    host.mkdir()
    outside.write_text("secret")
    (host / "escape").symlink_to(outside)
    fs = Container("w", mounts={"m": Mount("/data", host)}).filesystem
    with pytest.raises(OSError, match="leads out of mount"):
        fs.read_bytes("/data/escape")


def test_relation_ids_start_at_the_scoped_base_in_each_test():
    # the autouse fixture (the plugin's, here conftest's) opens a fresh scope per test
    assert Relation("a").relation_id == FIRST_SCOPED_RELATION_ID
    assert SubordinateRelation("b").relation_id == FIRST_SCOPED_RELATION_ID + 1


def test_yaml_text_layers():
    c = Container("w", layers={"a": "services:\n  s:\n    override: replace\n    command: run\n"})
    assert c.plan.services["s"].command == "run"
