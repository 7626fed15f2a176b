"""Bad input is refused before the charm runs, with a scenario.errors class naming the field:
never a crash, a RecursionError, a raw codec or TypeError, nor an error blamed on the charm."""

import ops
import pytest

from scenario import (
    Container,
    Context,
    DeferredEvent,
    Event,
    PeerRelation,
    Relation,
    Secret,
    State,
    Storage,
    StoredState,
)
from scenario.errors import MetadataError, StateValidationError

LIMIT = 100  # docs/state-format.md: "Nesting"



class Fussy(ops.CharmBase):
    """Records that it ran: a refused input must stop the run before the charm."""

    ran = False

    def __init__(self, framework):
        super().__init__(framework)
        Fussy.ran = True


def nested(levels, leaf="v"):
    """A list nested ``levels`` deep around ``leaf``, built without recursion."""
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


@pytest.fixture
def ctx(bad_input_spec):
    Fussy.ran = False
    context = Context(Fussy, **bad_input_spec)
    yield context
    context.cleanup()


def refused(ctx, event, state, *words, error=StateValidationError):
    with pytest.raises(error) as info:
        ctx.run(event, state)
    for word in words:
        assert word in str(info.value)
    assert not Fussy.ran
    return str(info.value)


# --- item 1: deep nesting -----------------------------------------------------------------------

# Each field that crosses into the engine, holding `value`: (event, state, path named).
DEEP_FIELDS = {
    "config": lambda v: ("start", State(config={"x": v}), "state.config['x'][0][0]"),
    "action params": lambda v: (Event("do_action", params={"p": v}), State(), "event.action_params['p'][0]"),
    "layer": lambda v: (
        "start",
        State(containers=[Container("web", layers={"base": {"services": {"s": {"environment": v}}}})]),
        "state.containers[0]['layers'][0][1]['services']['s']['environment'][0]",
    ),
    "stored state": lambda v: (
        "start",
        State(stored_state=[StoredState("Fussy", content={"k": v})]),
        "stored_state[Fussy/StoredStateData[_stored]].content['k'][0]",
    ),
    "deferred snapshot": lambda v: (
        "start",
        State(deferred=[DeferredEvent("Fussy/on/start[1]", "Fussy", "_on", {"k": v})]),
        "deferred[Fussy/on/start[1]].snapshot_data['k'][0]",
    ),
}


@pytest.mark.parametrize("levels", [LIMIT + 1, 40_000])
@pytest.mark.parametrize("field", sorted(DEEP_FIELDS))
def test_deep_nesting_is_refused_naming_the_path(ctx, field, levels):
    event, state, path = DEEP_FIELDS[field](nested(levels))
    message = refused(ctx, event, state, f"nested deeper than {LIMIT} levels")
    assert message.startswith(path), message


def test_a_databag_value_nested_deep_is_refused_naming_the_relation():
    with pytest.raises(StateValidationError, match="relation db"):
        Relation("db", remote_app_data={"k": nested(40_000)})


def test_stored_state_as_deep_as_the_limit_round_trips(ctx):
    # state (1) > stored_state (2) > [0] (3) > content (4) > 'k': 96 lists reach level 100
    stored = StoredState("Fussy", content={"k": nested(LIMIT - 4)})
    out = ctx.run("start", State(stored_state=[stored]))
    assert out.stored_state[0].content == {"k": nested(LIMIT - 4)}


def test_deep_metadata_is_a_metadata_error_naming_the_path(bad_input_spec):
    for levels in (LIMIT + 1, 40_000):
        with pytest.raises(MetadataError, match=r"^meta\.containers\['web'\]\['x'\]\[0\]"):
            Context(Fussy, meta={**bad_input_spec["meta"], "containers": {"web": {"x": nested(levels)}}})


class DeepStorer(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        self._stored.deep = nested(LIMIT)


def test_a_charm_storing_a_value_too_deep_is_told_where():
    ctx = Context(DeepStorer, meta={"name": "deep"})
    with pytest.raises(StateValidationError, match=f"DeepStorer/StoredStateData.*nested deeper than {LIMIT} levels"):
        ctx.run("start", State())


class DeepResults(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.do_action, self._on_do)

    def _on_do(self, event):
        try:
            event.set_results({".".join(["a"] * 40_000): "x"})
        except ops.ModelError as e:
            event.set_results({"error": str(e)})


def test_action_results_nested_too_deep_are_the_tools_error_to_the_charm():
    ctx = Context(DeepResults, meta={"name": "deep"}, actions={"do": {}})
    out = ctx.run(Event("do_action"), State())
    assert f"results nest at most {LIMIT} levels deep" in out.action_output.results["error"]


# --- item 7: errors that say what is wrong ------------------------------------------------------


def test_a_lone_surrogate_in_a_value_names_the_field(ctx):
    refused(ctx, "start", State(config={"x": "a\udc80b"}), "state.config['x']", "lone surrogate")


def test_a_lone_surrogate_in_a_dict_key_names_the_field(ctx):
    refused(ctx, "start", State(config={"x\udc80": "v"}), "state.config key", "lone surrogate")


def test_a_lone_surrogate_in_a_databag_names_the_relation(ctx):
    db = Relation("db", remote_app_data={"k": "\ud800"})
    refused(
        ctx, db.changed_event, State(relations=[db]), "relations[0]['remote_app_data']['k']", "lone surrogate"
    )


def test_a_lone_surrogate_in_an_event_name_is_named():
    # the name reached the engine's event-name parser as a raw TypeError
    with pytest.raises(StateValidationError, match="Event name .* lone surrogate"):
        Event("do\udc80_action", params={"p": 1})


def test_a_container_plan_of_a_deep_layer_names_the_path():
    web = Container("web", layers={"base": {"services": {"s": {"environment": nested(LIMIT)}}}})
    with pytest.raises(StateValidationError, match=r"^container 'web'\.layers\[0\]\[1\]\['services'\]"):
        web.plan


def test_a_lone_surrogate_in_metadata_is_a_metadata_error():
    with pytest.raises(MetadataError, match=r"meta\.name.*lone surrogate"):
        Context(Fussy, meta={"name": "a\udc80"})


def test_a_key_that_is_not_a_str_names_the_field(ctx):
    refused(ctx, Event("do_action", params={(1, 2): "v"}), State(), "event.action_params", "(1, 2)")


def test_bytes_in_metadata_is_a_metadata_error_naming_the_field(bad_input_spec):
    with pytest.raises(MetadataError, match=r"meta\.requires\['db'\]\['interface'\]: a bytes"):
        Context(Fussy, meta={**bad_input_spec["meta"], "requires": {"db": {"interface": b"sql"}}})


@pytest.mark.parametrize(
    "state, source",
    [
        (State(model=__import__("scenario").Model(name="m\0x")), "state.model.name"),
        (State(secrets=[Secret("secret:1", {0: {"a": "b"}}, label="l\0")]), "the secret's label"),
    ],
)
def test_a_nul_bound_for_a_juju_variable_is_refused_before_the_charm_runs(ctx, state, source):
    event = Event("secret_changed", secret=state.secrets[0]) if state.secrets else Event("start")
    refused(ctx, event, state, source, "NUL")


def test_a_peer_relation_with_a_bad_unit_id_is_named():
    with pytest.raises(StateValidationError, match=r"PeerRelation\('peers'\)\.peers_data: unit id 'x'"):
        PeerRelation("peers", peers_data={"x": {}})


def test_a_relation_without_a_remote_app_name_is_refused_not_blamed_on_the_charm(ctx):
    # found by tests/python/property: ops cannot build the event, which was the charm's error
    db = Relation("db", remote_app_name="")
    refused(ctx, db.changed_event, State(relations=[db]), "relations[db:", "remote_app_name")


def test_a_message_quoting_a_long_non_ascii_value_names_the_field(ctx):
    # found by tests/python/property: the quoted value was cut inside a character, and the
    # message itself became a codec error
    storage = Storage("data", index=["0" * 52 + "\x80" * 5])
    refused(ctx, storage.attached_event, State(storages=[storage]), "storage_index: expected an integer")


@pytest.mark.parametrize(
    "argument, value, words",
    [
        ("app_name", "a\udc80", "Context(app_name=...)"),
        ("juju_version", "3.\udc80", "Context(juju_version=...)"),
        ("charm_root", "/tmp/x\0", "Context(charm_root=...) holds a NUL"),
        ("juju_version", 3, "Context(juju_version=...) must be a str"),
    ],
)
def test_bad_context_arguments_name_the_argument(bad_input_spec, argument, value, words):
    with pytest.raises(StateValidationError) as info:
        Context(Fussy, **{**bad_input_spec, argument: value}).run("start", State())
    assert words in str(info.value)


# --- item 8: nonsense values are bounded, in both modes -----------------------------------------

def _relation_run(relation):
    return relation.changed_event, State(relations=[relation])


# what -> (words the error names, the run's event and State)
NEGATIVES = {
    "relation id": ("relation_id: -1 is not a relation id", lambda: _relation_run(Relation("db", relation_id=-1))),
    "remote unit id": ("remote_units_data['-2']", lambda: _relation_run(Relation("db", remote_units_data={-2: {}}))),
    "peer id": ("remote_units_data['-2']", lambda: _relation_run(PeerRelation("peers", peers_data={-2: {}}))),
    "unit id": ("unit_id must be an int >= 0", lambda: ("start", State(unit_id=-1))),
    "secret revision": (
        "revision: -1 is not a secret revision",
        lambda: ("start", State(secrets=[Secret("secret:1", {0: {"a": "b"}}, revision=-1)])),
    ),
    "storage index": (
        "index: -1 is not a storage index",
        lambda: (lambda s: (s.attached_event, State(storages=[s])))(Storage("data", index=-1)),
    ),
    "planned units": ("at most 10000", lambda: ("start", State(planned_units=2**31 - 1))),
}


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("what", sorted(NEGATIVES))
def test_nonsense_ids_and_counts_are_refused_in_both_modes(bad_input_spec, what, strict):
    Fussy.ran = False
    words, build = NEGATIVES[what]
    ctx = Context(Fussy, **bad_input_spec, strict=strict)
    with pytest.raises(StateValidationError) as info:
        ctx.run(*build())
    assert words in str(info.value)
    assert not Fussy.ran
