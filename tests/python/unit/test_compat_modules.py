"""Import paths ops-scenario 3.1 tests use besides ``from scenario import ...``."""

import logging
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import ops
import pytest

import scenario
import scenario.pytest_plugin
import scenario.runtime
from scenario import Context, Event, Relation, State, Status, Storage
from scenario.state import _CharmSpec, _EntityStatus, _status_to_entitystatus


def test_runtime_module_has_3_1_names():
    from scenario.runtime import (  # noqa: F401
        DirtyVirtualCharmRootError,
        InconsistentScenarioError,
        ScenarioRuntimeError,
        UncaughtCharmError,
        trigger,
    )

    assert UncaughtCharmError is scenario.UncaughtCharmError
    assert trigger is scenario.trigger
    assert issubclass(UncaughtCharmError, ScenarioRuntimeError)
    assert ScenarioRuntimeError is scenario.ScenarioError


def test_emitted_events_fixture_is_importable_from_the_package():
    from scenario import emitted_events

    assert emitted_events is scenario.pytest_plugin.emitted_events


def test_importing_scenario_does_not_import_pytest():
    code = "import sys, scenario; print('pytest' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_package_attribute_is_an_attribute_error():
    try:
        scenario.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("scenario.no_such_name did not raise")


# ---------------------------------------------------------------------------------------------
# 3.1's other modules and underscore names


class _Charm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        for event in self.on.events().values():
            self.framework.observe(event, self._on_event)

    def _on_event(self, event):
        if isinstance(event, ops.StartEvent):
            self.unit.status = ops.ActiveStatus("started")


_META = {"name": "my-charm", "requires": {"db": {"interface": "sql"}}}


def test_context_charm_spec_is_a_3_1_charm_spec():
    ctx = Context(_Charm, meta=_META, config={"options": {"x": {"type": "int"}}})

    spec = ctx.charm_spec

    assert isinstance(spec, _CharmSpec)
    assert spec.charm_type is _Charm
    assert spec.meta == _META
    assert spec.config == {"options": {"x": {"type": "int"}}}
    assert spec.actions is None
    assert spec.is_autoloaded is False


def test_charm_spec_autoload_reads_the_charm_root(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "autoloaded_charm.py").write_text(
        "import ops\nclass AutoCharm(ops.CharmBase):\n    pass\n"
    )
    (tmp_path / "metadata.yaml").write_text("name: auto\n")
    (tmp_path / "actions.yaml").write_text("go: {}\n")
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    from autoloaded_charm import AutoCharm  # type: ignore[import-not-found]

    spec = _CharmSpec.autoload(AutoCharm)

    assert (spec.charm_type, spec.meta, spec.actions, spec.config) == (
        AutoCharm, {"name": "auto"}, {"go": {}}, None
    )
    assert spec.is_autoloaded is True
    assert Context(AutoCharm).charm_spec == spec


@pytest.mark.parametrize(
    "event_name, expected",
    (
        ("qux", False),
        ("start", True),
        ("config-changed", True),
        ("secret_changed", True),
        ("foo-relation-changed", True),
        ("bar-relation-changed", False),
        ("data_storage_attached", True),
        ("logs_storage_attached", False),
        ("work_load_pebble_ready", True),
        ("other_pebble_ready", False),
        ("do_it_action", True),
        ("undo_action", False),
    ),
)
def test_is_builtin_event_follows_the_charm_spec(event_name, expected):
    spec = _CharmSpec(
        _Charm,
        meta={
            "name": "c",
            "requires": {"foo": {"interface": "f"}},
            "storage": {"data": {"type": "filesystem"}},
            "containers": {"work-load": {}},
        },
        actions={"do-it": {}},
    )
    assert Event(event_name)._is_builtin_event(spec) is expected


@pytest.mark.parametrize(
    "event_name, kind",
    (
        ("db_relation_departed", "_is_relation_event"),
        ("secret_rotate", "_is_secret_event"),
        ("data_storage_detaching", "_is_storage_event"),
        ("app_pebble_custom_notice", "_is_workload_event"),
        ("backup_action", "_is_action_event"),
    ),
)
def test_event_kind_helpers(event_name, kind):
    helpers = (
        "_is_relation_event",
        "_is_secret_event",
        "_is_storage_event",
        "_is_workload_event",
        "_is_action_event",
    )
    assert {h for h in helpers if getattr(Event(event_name), h)} == {kind}


def test_state_module_constants_and_reexports():
    from scenario.state import RELATION_EVENTS_SUFFIX, SECRET_EVENTS_SUFFIX, CharmEvents

    assert CharmEvents is ops.CharmEvents
    assert all(Event(f"x{s}")._is_relation_event for s in RELATION_EVENTS_SUFFIX)
    assert all(Event(name)._is_secret_event for name in SECRET_EVENTS_SUFFIX)
    assert "secret_changed".endswith(SECRET_EVENTS_SUFFIX)


def test_ops_main_mock_no_observer_error_is_scenarios():
    from scenario.ops_main_mock import NoObserverError

    assert NoObserverError is scenario.NoObserverError


def test_logger_module_is_the_parent_of_scenarios_loggers():
    from scenario.consistency_checker import logger as checker_logger
    from scenario.logger import logger

    assert logger is logging.getLogger("scenario")
    assert checker_logger.parent is logger


def test_mocking_and_fs_mocks_import():
    import scenario.fs_mocks
    import scenario.mocking

    assert scenario.mocking.__doc__ and scenario.fs_mocks.__doc__


# --- statuses ----------------------------------------------------------------------------------


def test_state_statuses_are_ops_statuses_and_equal_to_them():
    status = State(status=Status(unit=ops.BlockedStatus("no db"))).status

    assert isinstance(status.unit, ops.BlockedStatus)
    assert isinstance(status.unit, _EntityStatus)
    assert status.unit == ops.BlockedStatus("no db")
    assert ops.BlockedStatus("no db") == status.unit
    assert status.unit != ops.BlockedStatus("other")
    assert status.unit != ops.WaitingStatus("no db")
    assert ops.WaitingStatus("no db") != status.unit
    assert status.app == ops.UnknownStatus()
    assert repr(status.unit) == "BlockedStatus('no db')"
    assert repr(status.app) == "UnknownStatus()"


def test_status_equals_name_message_tuple_with_a_deprecation_warning():
    unit = State(status=Status(unit=ops.ActiveStatus("ok"))).status.unit

    with pytest.deprecated_call():
        assert unit == ("active", "ok")
    with pytest.deprecated_call():
        assert ("active", "ok") == unit
    with pytest.deprecated_call():
        assert unit != ("active", "not ok")


def test_status_unpacks_into_name_and_message_with_a_deprecation_warning():
    unit = State(status=Status(unit=ops.MaintenanceStatus("busy"))).status.unit

    with pytest.deprecated_call():
        name, message = unit

    assert (name, message) == ("maintenance", "busy")


def test_status_comparisons_with_ops_statuses_do_not_warn():
    unit = State(status=Status(unit=ops.ActiveStatus("ok"))).status.unit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert unit == ops.ActiveStatus("ok")


def test_output_statuses_compare_as_in_3_1():
    out = Context(_Charm, meta=_META).run("start", State(status=Status(unit=ops.WaitingStatus("w"))))

    assert out.status.unit == ops.ActiveStatus("started")
    assert isinstance(out.status.unit, _EntityStatus)
    assert out.status.unit_history == [ops.WaitingStatus("w")]
    with pytest.deprecated_call():
        assert out.status.unit == ("active", "started")
    with pytest.deprecated_call():
        assert out.status.unit_history[0] == ("waiting", "w")


def test_status_to_entitystatus_keeps_the_ops_class_and_ops_registry():
    entity = _status_to_entitystatus(ops.ErrorStatus("boom"))

    assert isinstance(entity, ops.ErrorStatus) and isinstance(entity, _EntityStatus)
    assert (entity.name, entity.message) == ("error", "boom")
    assert _status_to_entitystatus(entity) is entity
    # the charm's ops still builds its own classes from status names
    assert type(ops.StatusBase.from_name("error", "x")) is ops.ErrorStatus


def test_entity_statuses_pickle_and_copy():
    state = State(status=Status(app=ops.ActiveStatus("a")))

    restored = pickle.loads(pickle.dumps(state.status.app))

    assert restored == ops.ActiveStatus("a") and isinstance(restored, _EntityStatus)
    assert state.copy() == state


# --- consistency_checker -----------------------------------------------------------------------


def test_check_consistency_accepts_a_consistent_scenario(caplog):
    from scenario.consistency_checker import check_consistency

    with caplog.at_level(logging.WARNING, logger="scenario"):
        check_consistency(State(), Event("update_status"), _CharmSpec(_Charm, {}), "3.0")
    assert caplog.records == []


def test_check_consistency_raises_on_an_inconsistent_scenario():
    from scenario.consistency_checker import InconsistentScenarioError, check_consistency
    from scenario.state import Container

    with pytest.raises(InconsistentScenarioError, match="foo"):
        check_consistency(
            State(), Event("foo-pebble-ready", container=Container("foo")), _CharmSpec(_Charm, {}), "3.0"
        )


def test_check_consistency_logs_warnings(caplog):
    from scenario.consistency_checker import check_consistency

    with caplog.at_level(logging.WARNING, logger="scenario"):
        check_consistency(State(), Event("qux"), _CharmSpec(_Charm, {}), "3.0")
    assert any("qux" in r.getMessage() for r in caplog.records)


def test_check_consistency_reports_divergences_as_warnings_and_strict_as_errors(monkeypatch):
    from scenario.consistency_checker import check_consistency

    monkeypatch.delenv("SCENARIO_STRICT", raising=False)
    spec = _CharmSpec(_Charm, {})
    with pytest.warns(scenario.JujuDivergenceWarning, match="juju_version"):
        check_consistency(State(), Event("start"), spec, "3")
    with pytest.raises(scenario.InconsistentScenarioError, match="juju_version"):
        check_consistency(State(), Event("start"), spec, "3", strict=True)
    monkeypatch.setenv("SCENARIO_STRICT", "1")
    with pytest.raises(scenario.InconsistentScenarioError, match="juju_version"):
        check_consistency(State(), Event("start"), spec, "3")


def test_check_consistency_can_be_skipped_as_in_3_1(monkeypatch):
    from scenario.consistency_checker import check_consistency

    monkeypatch.setenv("SCENARIO_SKIP_CONSISTENCY_CHECKS", "1")
    check_consistency(State(), Event("nope_relation_changed"), _CharmSpec(_Charm, {}), "3.0")


# --- runtime -----------------------------------------------------------------------------------


def test_runtime_exec_runs_the_event_with_hooks():
    from scenario.runtime import Runtime

    seen = []
    runtime = Runtime(_CharmSpec(_Charm, meta={"name": "foo"}))

    out = runtime.exec(
        state=State(unit_id=42),
        event=Event("start"),
        pre_event=lambda charm: seen.append(("pre", charm.unit.name)),
        post_event=lambda charm: seen.append(("post", charm.unit.status)),
    )

    assert seen == [("pre", "foo/42"), ("post", ops.ActiveStatus("started"))]
    assert out.status.unit == ops.ActiveStatus("started")


def test_runtime_charm_errors_and_missing_name_raise_as_in_3_1():
    from scenario.runtime import Runtime, UncaughtCharmError

    class Broken(ops.CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._boom)

        def _boom(self, _):
            raise KeyError("boom")

    with pytest.raises(UncaughtCharmError):
        Runtime(_CharmSpec(Broken, meta={"name": "b"})).exec(State(), Event("start"))
    with pytest.raises(ValueError, match="name"):
        Runtime(_CharmSpec(Broken, meta={}))


def test_runtime_virtual_charm_root_holds_the_metadata(tmp_path):
    from scenario.runtime import Runtime

    runtime = Runtime(_CharmSpec(_Charm, meta={"name": "foo"}), charm_root=tmp_path)

    with runtime.virtual_charm_root() as root:
        assert Path(root) == tmp_path
        assert "name: foo" in (tmp_path / "metadata.yaml").read_text()
    assert not (tmp_path / "metadata.yaml").exists()


# --- sequences ---------------------------------------------------------------------------------


def _sequence_state() -> State:
    return State(
        leader=True,
        relations=[Relation("db", remote_units_data={0: {}})],
        storages=[Storage("data")],
    )


def test_startup_and_teardown_sequences_follow_the_engines_lifecycles():
    from scenario.sequences import (
        generate_startup_sequence,
        generate_teardown_sequence,
        lifecycle_events,
    )

    state = _sequence_state()
    for generate, kind in ((generate_startup_sequence, "deploy"), (generate_teardown_sequence, "teardown")):
        pairs = list(generate(state))
        assert [e.name for e, _ in pairs] == [e.name for e in lifecycle_events(state, kind)]
        assert all(s == state and s is not state for _, s in pairs)
    assert [e.name for e, _ in generate_startup_sequence(state)][-1] == "start"
    assert [e.name for e, _ in generate_teardown_sequence(state)][-1] == "remove"


def test_builtin_sequences_chain_startup_and_teardown_per_template():
    from scenario.sequences import generate_builtin_sequences, generate_startup_sequence, generate_teardown_sequence

    leader, follower = State(leader=True), State(leader=False)

    names = [e.name for e, _ in generate_builtin_sequences([leader, follower])]

    expected = [
        e.name
        for template in (leader, follower)
        for generate in (generate_startup_sequence, generate_teardown_sequence)
        for e, _ in generate(template)
    ]
    assert names == expected
    assert "leader_elected" in names and "leader_settings_changed" in names


@pytest.mark.parametrize(
    "meta_event, expected",
    (
        ("CREATE_ALL_RELATIONS", ["db_relation_created"]),
        ("BREAK_ALL_RELATIONS", ["db_relation_broken"]),
        ("ATTACH_ALL_STORAGES", ["data_storage_attached"]),
        ("DETACH_ALL_STORAGES", ["data_storage_detaching"]),
    ),
)
def test_decompose_meta_event(meta_event, expected):
    from scenario.sequences import decompose_meta_event

    state = _sequence_state()

    pairs = list(decompose_meta_event(Event(meta_event), state))

    assert [e.name for e, _ in pairs] == expected
    assert all(s == state and s is not state for _, s in pairs)


def test_decompose_meta_event_refuses_other_events():
    from scenario.sequences import decompose_meta_event

    with pytest.raises(scenario.ScenarioError, match="unknown meta-event 'start'"):
        list(decompose_meta_event(Event("start"), State()))


# --- the rest of 3.1's module names ----------------------------------------------------------

AREA_META = {"name": "local", "requires": {"db": {"interface": "pg"}}, "containers": {"web": {}}}


def test_area_checks_return_results_for_their_area_only():
    from scenario.consistency_checker import (
        Results,
        check_config_consistency,
        check_containers_consistency,
        check_event_consistency,
        check_relation_consistency,
        check_secrets_consistency,
    )

    spec = _CharmSpec(ops.CharmBase, AREA_META, config={"options": {"port": {"type": "int"}}})
    bad = State(
        config={"port": "eighty"},
        relations=[Relation("nope")],
        containers=[scenario.Container("ghost")],
    )
    config = check_config_consistency(state=bad, event=Event("start"), charm_spec=spec)
    assert isinstance(config, Results)
    assert len(config.errors) == 1 and "state.config['port']" in config.errors[0]
    relations = check_relation_consistency(state=bad, event=Event("start"), charm_spec=spec)
    assert len(relations.errors) == 1 and "endpoint='nope'" in relations.errors[0]
    containers = check_containers_consistency(state=bad, event=Event("start"), charm_spec=spec)
    assert len(containers.errors) == 1 and "ghost" in containers.errors[0]
    event = check_event_consistency(event=Event("db_relation_changed"), charm_spec=spec)
    assert any("relation_id" in e for e in event.errors)
    assert check_config_consistency(state=State(config={"port": 80}), charm_spec=spec) == Results([], [])
    secrets = check_secrets_consistency(
        event=Event("start"), state=State(secrets=[scenario.Secret("secret:x", {1: {"a": "b"}})]),
        juju_version=(2, 9),
    )
    assert any("secrets need Juju >= 3.0" in e for e in secrets.errors)


def test_unit_state_db_reads_back_what_it_wrote(tmp_path):
    from scenario.runtime import UnitStateDB

    db = UnitStateDB(tmp_path / ".unit-state.db")
    assert db.get_stored_state() == [] and db.get_deferred_events() == []
    state = State(
        stored_state=[scenario.StoredState("MyCharm", name="_stored", content={"n": 1})],
        deferred=[scenario.deferred("update_status", handler=_ObservingCharm._on_event)],
    )
    db.apply_state(state, "MyCharm")
    stored = [s for s in db.get_stored_state() if s.name == "_stored" and s.owner_path == "MyCharm"]
    assert stored[0].content == {"n": 1}
    # ops' event counter, written for the deferred event, is the store's business, not shown
    assert [s.owner_path for s in db.get_stored_state()] == ["MyCharm"]
    assert [d.name for d in db.get_deferred_events()] == ["update_status"]


class _ObservingCharm(ops.CharmBase):
    def _on_event(self, event):
        pass


def test_reexported_3_1_names_are_the_same_objects():
    import ops.pebble
    import ops.storage

    import scenario.mocking
    import scenario.ops_main_mock
    import scenario.sequences

    assert scenario.mocking.Client is ops.pebble.Client
    assert scenario.mocking.ExecError is ops.pebble.ExecError
    assert scenario.mocking.SecretRotate is ops.model.SecretRotate
    assert scenario.ops_main_mock.CHARM_STATE_FILE == ".unit-state.db"
    assert scenario.ops_main_mock.CharmMeta is ops.charm.CharmMeta
    assert scenario.sequences.trigger is scenario.trigger
    assert scenario.sequences.InjectRelation is scenario.InjectRelation
    assert scenario.runtime.SQLiteStorage is ops.storage.SQLiteStorage
    assert scenario.runtime.RUNTIME_MODULE == Path(scenario.__file__).parent
    assert scenario.runtime.NoObserverError is scenario.NoObserverError


def test_3_1_submodules_are_attributes_of_the_package():
    code = "import scenario; print(scenario.runtime.Runtime.__name__, scenario.ops_main_mock.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Runtime", "scenario.ops_main_mock"]
