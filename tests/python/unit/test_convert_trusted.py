"""Objects built from the engine's output skip their __post_init__ checks (`_convert._trusted`):
they must still be exactly what the constructors would have made."""

import dataclasses
import datetime

import pytest
from ops import pebble
from ops.model import ActiveStatus, BlockedStatus, SecretRotate

from scenario import _convert
from scenario._convert import _as_layer, _trusted, state_from_engine
from scenario.errors import StateValidationError
from scenario.state import (
    Container,
    File,
    Mount,
    PeerRelation,
    Port,
    Relation,
    Secret,
    State,
    Status,
    SubordinateRelation,
)
from engine_json import through_json


def sample_state() -> State:
    return State(
        config={"a": 1},
        relations=[
            Relation("db", relation_id=1, remote_units_data={3: {"h": "x"}, 1: {}},
                     local_app_data={"k": "v"}),
            PeerRelation("peers", relation_id=2, peers_data={5: {"p": "q"}}),
            SubordinateRelation("info", relation_id=3, remote_unit_id=7,
                                remote_unit_data={"u": "d"}),
        ],
        containers=[
            Container("w", can_connect=True, files={
                "/a": "text", "/b": b"\xff\x00", "/c": File("c", permissions=0o600)},
                layers={"l": pebble.Layer({"summary": "s", "services": {"x": {"command": "y"}}})},
                service_status={"x": pebble.ServiceStatus.ACTIVE}),
        ],
        status=Status(unit=ActiveStatus("ok"), unit_history=[BlockedStatus("b")]),
        secrets=[
            Secret("secret:s", {0: {"a": "b"}, 2: {"c": "d"}}, owner="app",
                   remote_grants={1: {"db", "db/3"}}, rotate=SecretRotate.DAILY,
                   expire=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)),
            Secret("secret:t", {1: {}}, granted="unit"),
        ],
        juju_log=[("INFO", "m")],
        opened_ports=[Port("tcp", 80)],
        unit_id=2,
    )


def changed_json(state: State) -> dict:
    """The engine's output for ``state`` with every list item changed, so nothing is reused."""
    j = through_json(state)
    for r in j["relations"]:
        r["local_unit_data"] = {"changed": "1"}
    for c in j["containers"]:
        c["can_connect"] = not c["can_connect"]
    for s in j["secrets"]:
        s["label"] = "changed"
    j["status"]["unit"] = {"name": "waiting", "message": "changed"}
    return j


def dataclass_objects(obj, found):
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        found.append(obj)
        for f in dataclasses.fields(obj):
            dataclass_objects(getattr(obj, f.name), found)
    elif isinstance(obj, dict):
        for v in obj.values():
            dataclass_objects(v, found)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            dataclass_objects(v, found)
    return found


@pytest.mark.parametrize("template", ["own", "empty"])
def test_engine_objects_are_what_their_constructors_make(template):
    s = sample_state()
    out = state_from_engine(changed_json(s), s if template == "own" else State())
    objects = dataclass_objects(out, [])
    assert {type(o) for o in objects} >= {
        State, Relation, PeerRelation, SubordinateRelation, Container, File, Status, Secret, Port
    }
    for obj in objects:
        rebuilt = dataclasses.replace(obj)  # through __init__ and __post_init__
        assert rebuilt == obj, type(obj).__name__
        assert list(vars(rebuilt)) == list(vars(obj)), type(obj).__name__
        for name, value in vars(obj).items():
            assert type(getattr(rebuilt, name)) is type(value), (type(obj).__name__, name)


def test_regular_relation_without_remote_units_comes_back_without_any():
    # 3.1's default unit 0 applies to a Relation a test builds, not to the engine's output.
    s = State(relations=[Relation("db", relation_id=1)])
    j = through_json(s)
    j["relations"][0]["remote_units_data"] = {}
    out = state_from_engine(j, s)
    assert out.relations[0].remote_unit_ids == []
    assert out.relations[0].remote_units_data == {}


def test_container_with_mounts_still_refuses_files_inside_them():
    s = State(containers=[Container("c", mounts={"m": Mount("/data", "/tmp/host")})])
    j = through_json(s)
    j["containers"][0]["files"] = [
        {"path": "/data/x", "content": "y", "encoding": "utf-8", "is_dir": False,
         "permissions": 420, "user": None, "user_id": None, "group": None, "group_id": None}
    ]
    with pytest.raises(StateValidationError, match="inside mount"):
        state_from_engine(j, s)


def test_state_subclass_template_keeps_its_class_and_own_fields():
    @dataclasses.dataclass(frozen=True)
    class MyState(State):
        extra: int = 5

    s = MyState(leader=True, extra=7)
    out = state_from_engine(through_json(s), s)
    assert type(out) is MyState and out.extra == 7 and out == s


def test_fields_missing_from_the_engine_output_keep_the_template_values_in_new_lists():
    s = sample_state()
    out = state_from_engine({"leader": True}, s)
    assert out == s.replace(leader=True)
    assert out.relations == s.relations and out.relations is not s.relations


def test_output_lists_are_not_the_template_lists():
    s = sample_state()
    out = state_from_engine(through_json(s), s)
    assert out == s
    for f in dataclasses.fields(State):
        value = getattr(out, f.name)
        if isinstance(value, (list, dict)):
            assert value is not getattr(s, f.name), f.name


def test_trusted_falls_back_to_the_constructor_when_fields_do_not_match():
    assert _trusted(Port, {"protocol": "tcp", "port": 80}) == Port("tcp", 80)
    with pytest.raises(StateValidationError):
        _trusted(Port, {"protocol": "tcp"})  # port missing: Port's own check


@pytest.mark.parametrize("raw", [
    {"summary": "s"},
    {"summary": "s", "services": {"a": {"command": "x"}}, "checks": {}},
    {"description": "d", "log-targets": {}},
    {"log-targets": {"t": {"type": "loki", "location": "http://l", "services": ["all"]}}},
])
def test_as_layer_keeps_a_section_ops_would_drop(raw):
    layer = pebble.Layer(raw)
    drops = any(v and k not in layer.to_dict() for k, v in raw.items())
    out = _as_layer(raw)
    if drops:
        assert out is raw
    else:
        assert isinstance(out, pebble.Layer) and out.to_dict() == layer.to_dict()
    assert _convert._LAYER_SECTIONS_ALWAYS_KEPT <= set(
        pebble.Layer({"summary": "s", "description": "d", "services": {"a": {}},
                      "checks": {"c": {}}}).to_dict()
    )
