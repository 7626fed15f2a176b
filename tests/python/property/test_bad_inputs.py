"""Generated bad States, metadata and events: every failure is a scenario.errors class (never
one blamed on the charm) whose message names the field that was made bad.

Fixed seed (derandomize) and a bounded example count, so the module runs in seconds and the
same way everywhere. The charm does nothing: any error is about the input.
"""

import os
import reprlib
import warnings

import ops
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from scenario import (  # noqa: E402
    Container,
    Context,
    DeferredEvent,
    Event,
    JujuDivergenceWarning,
    Model,
    PeerRelation,
    Relation,
    Secret,
    State,
    Storage,
    StoredState,
)
from scenario.errors import ScenarioError, UncaughtCharmError  # noqa: E402

EXAMPLES = settings(
    # a longer search: SCENARIO_PROPERTY_EXAMPLES=5000 (CI keeps the bounded default)
    max_examples=int(os.environ.get("SCENARIO_PROPERTY_EXAMPLES", "200")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)



class Idle(ops.CharmBase):
    pass


class Deep:
    """A list nested ``levels`` deep around ``leaf``, drawn as this small object (hypothesis
    prints failing examples recursively) and built by ``real`` inside the test."""

    def __init__(self, levels, leaf):
        self.levels, self.leaf = levels, leaf

    def __repr__(self):
        return f"Deep({self.levels}, {self.leaf!r})"


def real(value):
    if not isinstance(value, Deep):
        return value
    built = value.leaf
    for _ in range(value.levels):
        built = [built]
    return built


class Unstorable:
    pass


# Values a test could put anywhere, most of which some field cannot take.
bad_scalars = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=8),  # surrogates and NULs
    st.sampled_from(["\udc80", "a\0b", "\ud800x", ""]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([-1, -(2**31), 2**31, 2**63, 2**64]),
    st.binary(max_size=4),
    st.none(),
    st.booleans(),
    st.builds(Unstorable),
    st.builds(object),
)
bad_keys = st.one_of(st.text(max_size=4), st.integers(), st.sampled_from(["\udc80", (1, 2), None, 1.5, b"k"]))
bad_values = st.recursive(
    bad_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner),
        st.frozensets(st.integers(), max_size=2),
        st.dictionaries(bad_keys, inner, max_size=3),
    ),
    max_leaves=6,
) | st.builds(Deep, st.sampled_from([101, 200, 5000, 40_000]), bad_scalars)

def key(value):
    """``value`` as a dict key: an unhashable one cannot be a key in Python at all."""
    try:
        hash(value)
    except TypeError:
        return reprlib.repr(value)
    return value


def _relation_state(build):
    def make(value):
        relation = build(value)
        return relation.changed_event, State(relations=[relation])
    return make


FIELDS = {
    "config": lambda v: ("start", State(config={"x": v})),
    "config key": lambda v: ("start", State(config={key(v): "x"})),
    "relation_id": _relation_state(lambda v: Relation("db", relation_id=v)),
    "remote_app_data": _relation_state(lambda v: Relation("db", remote_app_data={"k": v})),
    "local_unit_data": _relation_state(lambda v: Relation("db", local_unit_data={key(v): "x"})),
    "remote_units_data": _relation_state(lambda v: Relation("db", remote_units_data={key(v): {}})),
    "peers_data": _relation_state(lambda v: PeerRelation("peers", peers_data={key(v): {}})),
    "remote_app_name": _relation_state(lambda v: Relation("db", remote_app_name=v)),
    "unit_id": lambda v: ("start", State(unit_id=v)),
    "planned_units": lambda v: ("start", State(planned_units=v)),
    "leader": lambda v: ("start", State(leader=v)),
    "model": lambda v: ("start", State(model=Model(name=v))),
    "revision": lambda v: ("start", State(secrets=[Secret("secret:1", {0: {"a": "b"}}, revision=v)])),
    "contents": lambda v: ("start", State(secrets=[Secret("secret:1", {0: {"a": v}})])),
    "label": lambda v: (
        (lambda s: (Event("secret_changed", secret=s), State(secrets=[s])))(
            Secret("secret:1", {0: {"a": "b"}}, label=v)
        )
    ),
    "index": lambda v: ((lambda s: (s.attached_event, State(storages=[s])))(Storage("data", index=v))),
    "stored_state": lambda v: ("start", State(stored_state=[StoredState("Idle", content={"k": v})])),
    "snapshot_data": lambda v: (
        "start",
        State(deferred=[DeferredEvent("Idle/on/start[1]", "Idle", "_on", {"k": v})]),
    ),
    "layers": lambda v: (
        "start",
        State(containers=[Container("web", layers={"base": {"services": {"s": {"environment": v}}}})]),
    ),
    "action_params": lambda v: (Event("do_action", params={"p": v}), State()),
}

# Words a message may use for a field (the engine's form names some differently).
ALIASES = {
    "config key": ("config",),
    "peers_data": ("peers_data", "remote_units_data"),
    "remote_app_name": ("remote_app_name", "JUJU_REMOTE_APP"),
    "model": ("model",),
    "label": ("label",),
    "index": ("index",),
    "stored_state": ("stored_state",),
    "snapshot_data": ("snapshot_data", "deferred"),
    "layers": ("layers", "containers"),
    "relation_id": ("relation_id", "relation"),
    "remote_app_data": ("remote_app_data",),
    "local_unit_data": ("local_unit_data",),
    "remote_units_data": ("remote_units_data",),
    "contents": ("contents", "secret"),
}

TRIED = {"inputs": 0, "refused": 0}


@pytest.fixture(scope="module")
def ctx(bad_input_spec):
    context = Context(Idle, **bad_input_spec)
    yield context
    context.cleanup()
    print(f"\nbad inputs tried: {TRIED['inputs']}, refused with a scenario.errors class: {TRIED['refused']}")


def assert_names_field(error, words):
    assert isinstance(error, ScenarioError), f"{type(error).__name__}: {error}"
    assert not isinstance(error, UncaughtCharmError), f"blamed on the charm: {error}"
    message = str(error)
    assert any(w in message for w in words), f"{words} not named in: {message}"


@EXAMPLES
@given(field=st.sampled_from(sorted(FIELDS)), value=bad_values)
def test_bad_state_fields_are_refused_naming_the_field(ctx, field, value):
    TRIED["inputs"] += 1
    words = ALIASES.get(field, (field,))
    # compatible mode may accept a bad value as 3.1 did; its divergence must name the field too
    with warnings.catch_warnings(record=True) as divergences:
        warnings.simplefilter("always", JujuDivergenceWarning)
        try:
            event, state = FIELDS[field](real(value))
            ctx.run(event, state)
        except Exception as e:  # noqa: BLE001 - what it is, is the assertion
            TRIED["refused"] += 1
            assert_names_field(e, words)
    for w in divergences:
        assert issubclass(w.category, JujuDivergenceWarning), f"{w.category.__name__}: {w.message}"
        assert any(word in str(w.message) for word in words), f"{words} not named in: {w.message}"


# Metadata documents with one bad value somewhere in them.
META_FIELDS = {
    "name": lambda v: {"name": v},
    "requires": lambda v: {"name": "m", "requires": {"db": {"interface": v}}},
    "requires key": lambda v: {"name": "m", "requires": {key(v): {"interface": "x"}}},
    "containers": lambda v: {"name": "m", "containers": {"web": v}},
    "storage": lambda v: {"name": "m", "storage": {"data": {"type": v}}},
    "peers": lambda v: {"name": "m", "peers": v},
}


@EXAMPLES
@given(field=st.sampled_from(sorted(META_FIELDS)), value=bad_values)
def test_bad_metadata_is_refused_naming_the_field(field, value):
    TRIED["inputs"] += 1
    try:
        Context(Idle, meta=META_FIELDS[field](real(value))).cleanup()
    except Exception as e:  # noqa: BLE001
        TRIED["refused"] += 1
        assert_names_field(e, ("meta", field.split()[0], "metadata"))


@EXAMPLES
@given(
    name=st.one_of(st.text(max_size=12), st.sampled_from(["do_action", "db_relation_changed", "start\0"])),
    params=st.dictionaries(bad_keys, bad_values, max_size=2),  # bad_keys are hashable
)
def test_bad_events_are_refused_naming_the_field(ctx, name, params):
    TRIED["inputs"] += 1
    try:
        ctx.run(Event(name, params={k: real(v) for k, v in params.items()}), State())
    except Exception as e:  # noqa: BLE001
        TRIED["refused"] += 1
        assert_names_field(e, ("event", "Event", "action_params", name, "params"))
