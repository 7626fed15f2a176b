"""Errors Scenario raises on purpose, and the isolation guarantees of a run: environment
restored, input State untouched, Contexts independent, pre/post-event callbacks."""

import contextlib
import copy
import os
import warnings

import ops
import pytest
from ops.charm import CharmBase
from ops.model import ActiveStatus, BlockedStatus, UnknownStatus

import scenario
from scenario import (
    Container,
    Context,
    DeferredEvent,
    DirtyVirtualCharmRootError,
    Event,
    InconsistentScenarioError,
    MetadataError,
    MetadataNotFoundError,
    Network,
    PeerRelation,
    Port,
    Relation,
    ScenarioError,
    Secret,
    State,
    StateValidationError,
    Status,
    Storage,
    StoredState,
    SubordinateRelation,
    UncaughtCharmError,
    deferred,
)
from scenario import errors as scenario_errors
from charm_runs import LOCAL_META

META = {**LOCAL_META, "storage": {"data": {"type": "filesystem"}}}


class Idle(CharmBase):
    pass


class Busy(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.db_relation_changed, self._on_changed)
        framework.observe(self.on.update_status, self._on_update)

    def _on_start(self, _):
        self.unit.status = ActiveStatus("started")

    def _on_changed(self, event):
        event.relation.data[self.unit]["seen"] = event.relation.data[event.unit].get("v", "")
        if self.unit.is_leader():
            event.relation.data[self.app]["leader"] = "yes"

    def _on_update(self, event):
        event.defer()
        self.unit.status = BlockedStatus("busy")


# --- the public names --------------------------------------------------------------------


def test_every_public_name_is_exported():
    for name in scenario.__all__:
        assert hasattr(scenario, name), name
    for name in ("Context", "State", "Relation", "PeerRelation", "SubordinateRelation", "Secret",
                 "Status", "StoredState", "DeferredEvent", "Event", "Network", "Port", "Storage",
                 "Resource", "ActionOutput", "capture_events", "InconsistentScenarioError",
                 "StateValidationError", "UncaughtCharmError"):
        assert name in scenario.__all__, name


def test_errors_share_a_base_and_have_codes():
    classes = [
        StateValidationError, InconsistentScenarioError, UncaughtCharmError,
        scenario_errors.NoObserverError, DirtyVirtualCharmRootError, MetadataError,
        MetadataNotFoundError,
    ]
    codes = {cls.code for cls in classes}
    assert len(codes) == len(classes)
    for cls in classes:
        assert issubclass(cls, ScenarioError)
    assert issubclass(MetadataNotFoundError, FileNotFoundError)
    assert scenario_errors.ScenarioRuntimeError is ScenarioError


# --- InconsistentScenarioError ------------------------------------------------------------


def inconsistent(event, state, meta=META, **kw):
    with pytest.raises(InconsistentScenarioError) as info:
        Context(Idle, meta=meta, **kw).run(event, state)
    problems = info.value.problems
    assert problems and all(isinstance(p, str) for p in problems)
    return problems


def test_relation_event_for_relation_not_in_state():
    problems = inconsistent(Relation("db").changed_event, State())
    assert any("not in state.relations" in p for p in problems)


def test_relation_on_undeclared_endpoint():
    # Juju relates only declared endpoints; 3.1 accepted others (a warning by default)
    problems = inconsistent("start", State(relations=[Relation("nope")]), strict=True)
    assert any("nope" in p and "not declared" in p for p in problems)


def test_peer_relation_on_regular_endpoint_and_vice_versa():
    problems = inconsistent("start", State(relations=[PeerRelation("db"), Relation("cluster")]))
    assert any("PeerRelation" in p for p in problems)
    assert len(problems) >= 2


def test_subordinate_relation_needs_container_scope():
    problems = inconsistent("start", State(relations=[SubordinateRelation("db")]))
    assert any("scope" in p for p in problems)


def test_duplicate_relation_ids():
    # Juju's relation ids are unique; 3.1 accepted duplicates (a warning by default)
    problems = inconsistent(
        "start", State(relations=[Relation("db", relation_id=1), Relation("db", relation_id=1)]), strict=True
    )
    assert any("relation id 1" in p for p in problems)


def test_peer_lists_this_unit():
    # a unit is never its own peer in Juju; 3.1 accepted it (a warning by default)
    problems = inconsistent(
        "start", State(unit_id=2, relations=[PeerRelation("cluster", peers_ids=[1, 2])]), strict=True
    )
    assert any("unit_id" in p for p in problems)


def test_undeclared_container():
    problems = inconsistent("start", State(containers=[Container("other")]))
    assert any("other" in p for p in problems)


def test_pebble_ready_for_container_not_in_state():
    problems = inconsistent(Container("work").pebble_ready_event, State())
    assert any("not in state.containers" in p for p in problems)


def test_remote_unit_not_in_relation():
    rel = Relation("db", remote_unit_ids=[0])
    # Juju sends events only for units in the relation; 3.1 accepted any id (a warning by default)
    problems = inconsistent(rel.changed_event(remote_unit_id=5), State(relations=[rel]), strict=True)
    assert any("5" in p for p in problems)


def test_undeclared_network_binding():
    problems = inconsistent("start", State(networks=[Network.default("nowhere")]))
    assert any("nowhere" in p for p in problems)


def test_duplicate_secrets():
    s = Secret(id="secret:0123456789abcdefghij", contents={1: {"key": "val"}}, owner="unit")
    problems = inconsistent("start", State(secrets=[s, s]))
    assert any("appears 2 times" in p for p in problems)


def test_malformed_juju_version():
    problems = inconsistent("start", State(), juju_version="three")
    assert any("juju_version" in p for p in problems)


def test_secrets_need_juju_3():
    s = Secret(id="secret:0123456789abcdefghij", contents={1: {"key": "val"}}, owner="unit")
    problems = inconsistent("start", State(secrets=[s]), juju_version="2.9.44")
    assert any("Juju >= 3.0" in p for p in problems)


def test_every_problem_is_reported_at_once():
    state = State(
        relations=[Relation("nope")],
        containers=[Container("other")],
        storages=[Storage("missing")],
        config={"x": 1},
    )
    # strict: the undeclared endpoint is a problem too (by default only a warning)
    problems = inconsistent("start", state, strict=True)
    assert len(problems) >= 4
    joined = "\n".join(problems)
    for word in ("nope", "other", "missing", "x"):
        assert word in joined
    # the message of the error mentions each problem too
    with pytest.raises(InconsistentScenarioError) as info:
        Context(Idle, meta=META, strict=True).run("start", state)
    for problem in info.value.problems:
        assert problem in str(info.value)


def test_skip_consistency_checks_env(monkeypatch):
    monkeypatch.setenv("SCENARIO_SKIP_CONSISTENCY_CHECKS", "1")
    # an extra config key no longer stops the run
    out = Context(Idle, meta=META).run("start", State(config={"x": "1"}))
    assert out.status.unit == UnknownStatus()


# --- StateValidationError -----------------------------------------------------------------


def test_bad_databag_value_names_relation_and_key():
    with pytest.raises(StateValidationError) as info:
        Relation("db", relation_id=4, local_unit_data={"port": 80})
    message = str(info.value)
    assert "db" in message and "4" in message and "'port'" in message and "local_unit_data" in message


@pytest.mark.parametrize(
    "build, words",
    [
        (lambda: Relation("db", remote_app_data={"k": None}), ["remote_app_data", "'k'"]),
        (lambda: Relation("db", remote_units_data={1: {"k": 1.5}}), ["remote_units_data[1]", "'k'"]),
        (lambda: PeerRelation("cluster", peers_data={3: {"k": []}}), ["peers_data[3]", "'k'"]),
        (lambda: SubordinateRelation("db", remote_unit_data={1: "x"}), ["remote_unit_data"]),
        (lambda: Relation("db", local_app_data={"k": True}), ["local_app_data", "'k'"]),
    ],
)
def test_bad_databags(build, words):
    with pytest.raises(StateValidationError) as info:
        build()
    for word in words:
        assert word in str(info.value)


def test_other_validation_errors():
    with pytest.raises(StateValidationError, match="relations"):
        State(relations="db")
    with pytest.raises(StateValidationError, match="Status.unit"):
        Status(unit="active")
    with pytest.raises(StateValidationError, match="owner"):
        Secret(id="secret:x", contents={}, owner="someone")
    with pytest.raises(StateValidationError, match="unit_id"):
        State(unit_id=-1)
    with pytest.raises(StateValidationError):
        Port("tcp", 0)
    with pytest.raises(StateValidationError):
        Event("")
    assert issubclass(StateValidationError, ScenarioError)


# --- UncaughtCharmError and metadata errors ------------------------------------------------


class Raiser(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        raise KeyError("missing thing")


def test_uncaught_charm_error_chains_cause():
    with pytest.raises(UncaughtCharmError) as info:
        Context(Raiser, meta=META).run("start", State())
    assert isinstance(info.value.__cause__, KeyError)
    assert "Raiser" in str(info.value) and "start" in str(info.value)
    assert info.value.code == "uncaught-charm-error"


def test_bare_charm_errors_propagate_unwrapped():
    with pytest.raises(KeyError):
        Context(Raiser, meta=META, bare_charm_errors=True).run("start", State())


def test_metadata_not_found():
    with pytest.raises(MetadataNotFoundError):
        Context(Idle)


@pytest.mark.parametrize(
    "meta, words",
    [
        ({"name": 3}, ["name"]),
        ({"requires": {}}, ["name"]),
        ({"name": "x", "requires": {"db": {"interface": 3}}}, ["requires.db.interface"]),
        ({"name": "x", "storage": {"d": {"type": "weird"}}}, ["storage.d.type", "weird"]),
    ],
)
def test_malformed_metadata(meta, words):
    with pytest.raises(MetadataError) as info:
        Context(Idle, meta=meta)
    for word in words:
        assert word in str(info.value)
    assert isinstance(info.value, ValueError)


def test_dirty_charm_root(tmp_path):
    (tmp_path / "metadata.yaml").write_text("name: other\n")
    with pytest.raises(DirtyVirtualCharmRootError):
        Context(Idle, meta=META, charm_root=tmp_path).run("start", State())
    assert (tmp_path / "metadata.yaml").read_text() == "name: other\n"


def test_charm_root_may_be_a_charm_repository_with_its_charmcraft_yaml(tmp_path):
    # A charm repository holds charmcraft.yaml, which ops never reads: the run goes ahead with
    # the Context's metadata and leaves the repository as it was.
    charmcraft = "name: the-repo-charm\ntype: charm\n"
    (tmp_path / "charmcraft.yaml").write_text(charmcraft)
    (tmp_path / "src").mkdir()
    out = Context(Busy, meta=META, charm_root=tmp_path).run("start", State())
    assert out.status.unit == ActiveStatus("started")
    assert (tmp_path / "charmcraft.yaml").read_text() == charmcraft
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charmcraft.yaml", "src"]


def test_run_needs_a_state():
    with pytest.raises(TypeError):
        Context(Idle, meta=META).run("start", {"leader": True})


# --- isolation ----------------------------------------------------------------------------


def test_environ_unchanged_after_successful_and_failing_runs(monkeypatch):
    monkeypatch.setenv("JUJU_UNIT_NAME", "outer/7")
    monkeypatch.setenv("MY_VAR", "keep")
    before = dict(os.environ)
    rel = Relation("db", remote_units_data={0: {"v": "1"}})
    Context(Busy, meta=META).run(rel.changed_event, State(relations=[rel]))
    assert dict(os.environ) == before
    with pytest.raises(UncaughtCharmError):
        Context(Raiser, meta=META).run("start", State())
    assert dict(os.environ) == before
    with pytest.raises(InconsistentScenarioError):  # strict: an undeclared endpoint is an error
        Context(Idle, meta=META, strict=True).run("start", State(relations=[Relation("nope")]))
    assert dict(os.environ) == before


class EnvironmentMeddler(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        os.environ["ADDED_BY_CHARM"] = "x"
        os.environ["MY_VAR"] = "changed"
        del os.environ["GONE_VAR"]


def test_environ_changes_made_by_the_charm_are_undone(monkeypatch):
    monkeypatch.setenv("MY_VAR", "keep")
    monkeypatch.setenv("GONE_VAR", "here")
    before = dict(os.environ)
    Context(EnvironmentMeddler, meta=META).run("start", State())
    assert dict(os.environ) == before
    assert os.getenv("MY_VAR") == "keep" and os.getenv("GONE_VAR") == "here"
    assert "ADDED_BY_CHARM" not in os.environ


def test_input_state_is_never_mutated():
    rel = Relation("db", local_unit_data={"a": "b"}, remote_units_data={0: {"v": "x"}})
    state = State(
        leader=True,
        relations=[rel, PeerRelation("cluster", peers_data={1: {"p": "q"}})],
        secrets=[Secret(id="secret:0123456789abcdefghij", contents={1: {"key": "val"}}, owner="app")],
        stored_state=[StoredState(owner_path="Busy", content={"nested": {"a": [1, {2, 3}]}})],
        deferred=[deferred("update_status", handler=Busy._on_update)],
        containers=[Container("work", can_connect=True, files={"/etc/x": "y"})],
        storages=[Storage("data")],
        opened_ports=[Port("tcp", 80)],
        status=Status(unit=ActiveStatus("before"), unit_history=[BlockedStatus("older")]),
    )
    snapshot = copy.deepcopy(state)
    out = Context(Busy, meta=META).run(rel.changed_event, state)
    assert state == snapshot
    assert out != state  # something did change, on the output only
    assert out.relations[0].local_unit_data == {"a": "b", "seen": "x"}
    assert rel.local_unit_data == {"a": "b"}
    out2 = Context(Busy, meta=META).run("update_status", state)
    assert state == snapshot
    assert out2.status.unit == BlockedStatus("busy")


def test_two_contexts_do_not_interfere():
    other_meta = {"name": "other", "requires": {"db": {"interface": "sql"}}}
    ctx_a = Context(Busy, meta=META)
    ctx_b = Context(Busy, meta=other_meta, app_name="renamed")
    names = {}

    def record(key):
        def post(charm):
            names[key] = (charm.app.name, charm.unit.name)
        return post

    out_a = ctx_a.run("start", State(), post_event=record("a"))
    out_b = ctx_b.run("update_status", State(unit_id=3), post_event=record("b"))
    out_a2 = ctx_a.run("start", State(), post_event=record("a2"))
    assert names == {"a": ("local", "local/0"), "b": ("renamed", "renamed/3"), "a2": ("local", "local/0")}
    assert out_a == out_a2
    assert out_a.status.unit == ActiveStatus("started")
    assert out_b.status.unit == BlockedStatus("busy")
    assert out_a.deferred == [] and [d.name for d in out_b.deferred] == ["update_status"]


def test_pre_and_post_event_callbacks():
    seen = []

    def pre(charm):
        assert isinstance(charm, Busy)
        seen.append(("pre", charm.unit.status.name))

    def post(charm):
        seen.append(("post", charm.unit.status.name))

    out = Context(Busy, meta=META).run("start", State(), pre_event=pre, post_event=post)
    assert seen == [("pre", "unknown"), ("post", "active")]
    assert out.status.unit == ActiveStatus("started")


def test_pre_event_runs_after_deferred_events_are_reemitted():
    seen = []

    def pre(charm):
        seen.append(charm.unit.status)

    state = State(deferred=[deferred("update_status", handler=Busy._on_update)])
    Context(Busy, meta=META).run("start", state, pre_event=pre)
    assert seen == [BlockedStatus("busy")]


def test_pre_event_runs_before_collect_metrics_too():
    # ops re-emits no deferred events in collect-metrics (a restricted context); pre_event must
    # still run, once, before the event.
    seen = []

    class Metrics(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.collect_metrics, self._on_collect_metrics)

        def _on_collect_metrics(self, _):
            seen.append("handler")

    with ops_collect_metrics_deprecation():
        Context(Metrics, meta=META).run(
            "collect_metrics", State(), pre_event=lambda _: seen.append("pre"),
            post_event=lambda _: seen.append("post"),
        )
    assert seen == ["pre", "handler", "post"]


def test_post_event_changes_reach_output_and_errors_are_uncaught():
    def post(charm):
        charm.unit.status = BlockedStatus("from post")

    out = Context(Busy, meta=META).run("start", State(), post_event=post)
    assert out.status.unit == BlockedStatus("from post")

    def bad(charm):
        raise ValueError("post failed")

    with pytest.raises(UncaughtCharmError):
        Context(Busy, meta=META).run("start", State(), post_event=bad)


def test_deferred_event_value_fields():
    d = DeferredEvent("Busy/on/update_status[3]", "Busy", "_on_update")
    assert d.name == "update_status" and d.snapshot_data == {}


# --- NoObserverError ----------------------------------------------------------------------


class WithCustom(CharmBase):
    class _Events(ops.CharmEvents):
        pinged = ops.EventSource(ops.EventBase)

    on = _Events()

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.pinged, self._on_pinged)

    def _on_pinged(self, _):
        self.unit.status = ActiveStatus("pinged")


def test_event_not_on_the_charm_raises_no_observer_error():
    before = dict(os.environ)
    with pytest.raises(scenario_errors.NoObserverError, match="strat"):
        Context(WithCustom, meta=META).run("strat", State())
    assert dict(os.environ) == before


def test_custom_event_defined_on_the_charm_runs():
    out = Context(WithCustom, meta=META).run("pinged", State())
    assert out.status.unit == ActiveStatus("pinged")


def test_builtin_event_without_observer_is_fine():
    out = Context(WithCustom, meta=META).run("install", State())
    assert out.status.unit == UnknownStatus()


@contextlib.contextmanager
def ops_collect_metrics_deprecation():
    """Newer ops warns (DeprecationWarning) when collect-metrics is emitted: ops' notice to
    charm authors, not a problem of these tests, which fire that event on purpose."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "collect-metrics events", DeprecationWarning)
        yield


class Metered(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.collect_metrics, self._on_collect_metrics)

    def _on_collect_metrics(self, event):
        event.add_metrics({"users": 3})


def test_a_tool_the_state_cannot_hold_fails_naming_itself():
    # Not "no such file 'add-metric'": ops gets a failing tool and says what the engine said.
    ctx = scenario.Context(Metered, meta={"name": "metered"})
    with pytest.raises(scenario.UncaughtCharmError) as caught, ops_collect_metrics_deprecation():
        ctx.run("collect_metrics", scenario.State())
    cause = caught.value.__cause__
    assert isinstance(cause, ops.ModelError), repr(cause)
    assert "add-metric is not simulated" in str(cause)
