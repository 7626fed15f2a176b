"""The Python State model against the engine's field tables (`_engine.state_schema()`): a
field added on one side only fails here."""

import dataclasses
import json
import re
from pathlib import Path

import pytest
from ops.model import ActiveStatus

from scenario import _convert, _engine, _engine_form, state as state_module
from scenario.state import JujuLogLine

SCHEMA = _engine.state_schema()
DOC = Path(__file__).parents[3] / "docs" / "state-format.md"


def schema_names(struct):
    return [f["name"] for f in SCHEMA[struct]]


@pytest.mark.parametrize("cls", list(_convert.ENGINE_STRUCTS), ids=lambda c: c.__name__)
def test_each_dataclass_field_is_an_engine_field_and_back(cls):
    struct, derived = _convert.ENGINE_STRUCTS[cls]
    held = {engine for _, engine in _engine_form.engine_fields(cls)}
    unknown = held - set(schema_names(struct))
    assert not unknown, f"{cls.__name__} fields the engine's {struct} lacks: {sorted(unknown)}"
    assert not held & set(derived), f"{cls.__name__} holds fields listed as derived"
    missing = set(schema_names(struct)) - held - set(derived)
    assert not missing, f"{struct} fields no field of {cls.__name__} holds: {sorted(missing)}"


def test_every_engine_struct_has_a_python_form():
    covered = {struct for struct, _ in _convert.ENGINE_STRUCTS.values()}
    # the two the dataclasses hold as other types: ops statuses and juju-log tuples
    covered |= {"entity_status", "log_line"}
    assert covered == set(SCHEMA)


def test_statuses_and_log_lines_carry_the_engine_fields():
    assert list(_engine_form.status_to_engine(ActiveStatus("ok"))) == schema_names("entity_status")
    assert list(JujuLogLine._fields) == schema_names("log_line")


def test_every_state_dataclass_is_in_the_table():
    not_stored = {"_CharmSpec", "Inject", "InjectRelation", "RelationBase", "_DCBase"}
    dataclasses_here = {
        name
        for name, obj in vars(state_module).items()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == state_module.__name__
    }
    in_table = {cls.__name__ for cls in _convert.ENGINE_STRUCTS}
    assert dataclasses_here - not_stored == in_table


def _documented_fields():
    """The annotated JSON examples of docs/state-format.md (the State's, then the Event's)."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)
    return [json.loads(re.sub(r"//[^\n]*", "", block)) for block in blocks]


def _walk(value, struct, found):
    found.setdefault(struct, set()).update(value)
    for field in SCHEMA[struct]:
        if field["name"] in value:
            _walk_type(value[field["name"]], field["type"], found)


def _walk_type(value, type_, found):
    if type_.startswith("optional["):
        if value is not None:
            _walk_type(value, type_[len("optional["):-1], found)
    elif type_.startswith("list[") and not type_.startswith("list[["):
        for item in value:
            _walk_type(item, type_[len("list["):-1], found)
    elif type_.startswith("map[int,") or type_.startswith("map[string,"):
        of = type_[type_.index(",") + 1:-1]
        for item in value.values():
            _walk_type(item, of, found)
    elif type_ in SCHEMA:
        _walk(value, type_, found)


def test_state_format_doc_shows_every_field_of_every_struct():
    state_doc, event_doc = _documented_fields()[:2]
    found = {}
    _walk(state_doc, "state", found)
    _walk(event_doc, "event", found)
    for struct in SCHEMA:
        assert found.get(struct) == set(schema_names(struct)), f"docs/state-format.md, {struct}"


@pytest.mark.parametrize(
    "table",
    [_engine_form._STATE_FIELDS_TO_ENGINE, _convert._STATE_FIELDS_FROM_ENGINE],
    ids=["to_engine", "from_engine"],
)
def test_state_conversion_tables_name_only_state_fields(table):
    # A field the tables do not name is held as it is; a stale name would silently stop converting
    # a renamed field.
    fields = {f.name for f in dataclasses.fields(state_module.State)}
    assert set(table) <= fields, sorted(set(table) - fields)


def test_state_to_engine_writes_every_engine_field_of_state():
    written = _engine_form.state_to_engine(state_module.State())
    derived = set(_convert.ENGINE_STRUCTS[state_module.State][1])
    assert set(written) == set(schema_names("state")) - derived


def test_a_subclass_of_state_sends_only_states_fields():
    @dataclasses.dataclass(frozen=True)
    class MyState(state_module.State):
        note: str = "python only"

    assert "note" not in _engine_form.state_to_engine(MyState())
