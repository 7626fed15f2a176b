"""Pickled values that JSON has no plain form for, through real charm runs.

StoredState content and deferred-event snapshots are pickled by ops into its unit-state
database; the engine shows them as tagged JSON (docs/state-format.md, "Tagged values"). Every
tag must survive both ways: from the input State into the charm, and from the charm into the
output State (and again into the next run). Integers beyond 64 bits must stay ints (JSON would
make them floats), and nan / inf / -inf must stay floats (JSON has no literal for them).
"""

import math

import pytest
from ops.charm import CharmBase, CharmEvents
from ops.framework import EventBase, EventSource
from ops.framework import StoredState as OpsStoredState

from scenario import Context, DeferredEvent, State, StoredState
from scenario.errors import StateValidationError

META = {"name": "tagged"}

BIG = 2**70
# Every kind of value that needs a tag, nested in ones that need tags too.
VALUES = {
    "big": BIG,
    "negbig": -(2**70),
    "huge": 10**40 + 7,
    "just_over_int64": 2**64,  # the first int an unsigned 64-bit number cannot hold
    "just_under_int64": -(2**63) - 1,
    "uint64_max": 2**64 - 1,  # fits: the engine keeps it a plain number
    "int64_min": -(2**63),
    "nan": float("nan"),
    "inf": float("inf"),
    "neginf": float("-inf"),
    "whole_float": 2.0,
    "negzero": -0.0,
    "bytes": b"\x00\xff bytes",
    "set": {1, BIG, "s"},
    "frozen": [frozenset({BIG, float("inf")})],  # ops stores no frozenset at the top
    "tuple": [(BIG, float("-inf"), (1, b"x"))],  # nor a tuple
    "list": [BIG, -(2**70), float("inf"), [float("-inf")]],
    "int_keys": {BIG: "big key", -(2**70): "neg", 1: (2**80,)},
    "float_keys": {float("inf"): 1, float("-inf"): 2},
    "dollar_key": {"$int": "not a tag"},
    "nested": {"a": {"b": {BIG, -(2**70)}, "c": {"$float": "nan"}}},
}


def same(a, b):
    """Equal, treating nan as equal to nan, and with the same types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    # 2**70 == float(2**70): set members and dict keys are matched with same() too
    if isinstance(a, (set, frozenset)):
        return len(a) == len(b) and all(any(same(x, y) for y in b) for x in a)
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            any(same(ka, kb) and same(va, vb) for kb, vb in b.items()) for ka, va in a.items()
        )
    return a == b


def assert_same(actual, expected):
    assert set(actual) == set(expected)
    for key in expected:
        assert same(actual[key], expected[key]), (key, actual[key], expected[key])


# --- StoredState ----------------------------------------------------------------------------


# what the charms were given (Context runs a copy of the charm class: a class attribute would
# be set on the copy)
SEEN = {}
CARRIED = []


class Keeper(CharmBase):
    _stored = OpsStoredState()

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update)
        framework.observe(self.on.config_changed, self._on_config)

    def _on_start(self, _):
        for key, value in VALUES.items():
            setattr(self._stored, key, value)

    def _on_update(self, _):
        # the values ops restored from its unit-state database, as the charm holds them
        SEEN.clear()
        SEEN.update(self._stored._data.snapshot())

    def _on_config(self, _):
        # changes the big values it was given, so they are written back
        self._stored.big = self._stored.big + 1
        self._stored.nan = self._stored.nan * 2


@pytest.fixture(autouse=True)
def _reset_seen():
    SEEN.clear()
    del CARRIED[:]


@pytest.mark.parametrize("key", list(VALUES))
def test_input_stored_value_reaches_the_charm(key):
    state = State(stored_state=[StoredState(owner_path="Keeper", content={key: VALUES[key]})])
    Context(Keeper, meta=META).run("update_status", state)
    assert_same(SEEN, {key: VALUES[key]})


def test_all_input_stored_values_reach_the_charm_together():
    state = State(stored_state=[StoredState(owner_path="Keeper", content=dict(VALUES))])
    Context(Keeper, meta=META).run("update_status", state)
    assert_same(SEEN, VALUES)


def test_values_the_charm_stores_come_back_in_the_output():
    out = Context(Keeper, meta=META).run("start", State())
    assert_same(out.get_stored_state("_stored", owner_path="Keeper").content, VALUES)


def test_values_the_charm_stores_reach_it_in_the_next_run():
    ctx = Context(Keeper, meta=META)
    out = ctx.run("start", State())
    out2 = ctx.run("update_status", out)
    assert_same(SEEN, VALUES)
    assert_same(out2.get_stored_state("_stored", owner_path="Keeper").content, VALUES)


def test_values_changed_by_the_charm_come_back_changed():
    state = State(stored_state=[StoredState(owner_path="Keeper", content=dict(VALUES))])
    out = Context(Keeper, meta=META).run("config_changed", state)
    content = out.get_stored_state("_stored", owner_path="Keeper").content
    assert content["big"] == BIG + 1 and type(content["big"]) is int
    assert type(content["nan"]) is float and math.isnan(content["nan"])
    assert_same({k: v for k, v in content.items() if k not in ("big", "nan")},
                {k: v for k, v in VALUES.items() if k not in ("big", "nan")})


def test_unchanged_stored_state_comes_back_as_the_input_object():
    # nan != nan, so only the same JSON on both sides tells the content is unchanged
    stored = StoredState(owner_path="Keeper", content=dict(VALUES))
    out = Context(Keeper, meta=META).run("update_status", State(stored_state=[stored]))
    assert out.get_stored_state("_stored", owner_path="Keeper") is stored


# --- deferred snapshots ---------------------------------------------------------------------


class ValuesEvent(EventBase):
    def __init__(self, handle, values=None):
        super().__init__(handle)
        self.values = values

    def snapshot(self):
        return {"values": self.values}

    def restore(self, snapshot):
        self.values = snapshot["values"]


class DeferringEvents(CharmEvents):
    carry = EventSource(ValuesEvent)


class Deferring(CharmBase):
    on = DeferringEvents()
    _stored = OpsStoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(ready=False)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.config_changed, self._on_config)
        framework.observe(self.on.carry, self._on_carry)

    def _on_start(self, _):
        self.on.carry.emit(dict(VALUES))

    def _on_config(self, _):
        self._stored.ready = True

    def _on_carry(self, event):
        CARRIED.append(event.values)
        if not self._stored.ready:
            event.defer()


def test_deferred_snapshot_written_by_the_charm_comes_back():
    out = Context(Deferring, meta=META).run("start", State())
    [d] = out.deferred
    assert d.handle_path.startswith("Deferring/on/carry[")
    assert_same(d.snapshot_data["values"], VALUES)


def test_deferred_snapshot_round_trips_into_the_next_run():
    ctx = Context(Deferring, meta=META)
    out = ctx.run("start", State())
    del CARRIED[:]
    out2 = ctx.run("config_changed", out)
    # re-emitted before config-changed: deferred again, then kept with the same snapshot
    [values] = CARRIED
    assert_same(values, VALUES)
    [d] = out2.deferred
    assert_same(d.snapshot_data["values"], VALUES)
    del CARRIED[:]
    out3 = ctx.run("update_status", out2)
    [values] = CARRIED
    assert_same(values, VALUES)
    assert out3.deferred == []


def test_deferred_snapshot_given_in_input_reaches_the_charm():
    state = State(
        deferred=[
            DeferredEvent("Deferring/on/carry[1]", "Deferring", "_on_carry", {"values": dict(VALUES)})
        ],
        stored_state=[StoredState(owner_path="Deferring", content={"ready": True})],
    )
    out = Context(Deferring, meta=META).run("update_status", state)
    [values] = CARRIED
    assert_same(values, VALUES)
    assert out.deferred == []


# --- bad input ------------------------------------------------------------------------------


def test_values_ops_cannot_store_are_rejected_naming_the_field():
    content = {"ok": BIG, "bad": {"x": [object()]}}
    state = State(stored_state=[StoredState(owner_path="Keeper", content=content)])
    where = r"stored_state\[Keeper/.*\]\.content\['bad'\]\['x'\]\[0\]"
    with pytest.raises(StateValidationError, match=where):
        Context(Keeper, meta=META).run("update_status", state)
