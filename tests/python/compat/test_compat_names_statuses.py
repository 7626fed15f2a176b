"""ops-scenario 3.1's names that its README and tests use, and statuses that compare with and
unpack into (name, message) tuples as 3.1's did (deprecated)."""

import pytest
from ops.charm import CharmBase
from ops.model import ActiveStatus, BlockedStatus

import scenario
from scenario import Context, Event, InconsistentScenarioError, Relation, State, trigger
from scenario.consistency_checker import check_consistency
from scenario.ops_main_mock import NoObserverError
from scenario.runtime import Runtime
from scenario.state import _CharmSpec

META = {"name": "local", "requires": {"db": {"interface": "sql"}}}
ACTIONS = {"backup": {"params": {"to": {"type": "string"}}}}
CONFIG = {"options": {"port": {"type": "int", "default": 80}}}


class MyCharm(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        self.unit.status = ActiveStatus("ready")
        if self.unit.is_leader():
            self.app.status = BlockedStatus("waiting for db")


# --- names -----------------------------------------------------------------------------------


def test_charm_spec_of_a_context():
    spec = Context(MyCharm, meta=META, actions=ACTIONS, config=CONFIG).charm_spec
    assert isinstance(spec, _CharmSpec)
    assert spec.charm_type is MyCharm
    assert spec.meta == META
    assert spec.actions == ACTIONS
    assert spec.config == CONFIG


def test_is_builtin_event():
    spec = _CharmSpec(MyCharm, meta=META)
    assert Event("start")._is_builtin_event(spec)
    assert Event("db_relation_changed")._is_builtin_event(spec)
    assert not Event("my_custom_event")._is_builtin_event(spec)


def test_no_observer_error_is_scenarios():
    assert NoObserverError is scenario.NoObserverError


def test_check_consistency_does_not_run_the_charm():
    class Exploding(CharmBase):
        def __init__(self, framework):
            raise AssertionError("the charm must not run")

    spec = _CharmSpec(Exploding, meta=META)
    check_consistency(State(), Event("start"), spec, "3.0")
    with pytest.raises(InconsistentScenarioError, match="not in state.relations"):
        check_consistency(State(), Relation("db").changed_event, spec, "3.0")


def test_runtime_exec():
    runtime = Runtime(_CharmSpec(MyCharm, meta=META), juju_version="3.1")
    out = runtime.exec(State(leader=True), Event("start"))
    assert out.status.unit == ActiveStatus("ready")
    assert out.status.app == BlockedStatus("waiting for db")


# --- statuses as 3.1's -----------------------------------------------------------------------


def test_status_equals_a_name_message_tuple_deprecated():
    out = trigger(State(leader=True), "start", MyCharm, meta=META)
    with pytest.deprecated_call(match="tuple"):
        assert out.status.unit == ("active", "ready")
    with pytest.deprecated_call():
        assert out.status.app != ("active", "waiting for db")


def test_status_unpacks_into_name_and_message_deprecated():
    out = trigger(State(leader=True), "start", MyCharm, meta=META)
    with pytest.deprecated_call(match="unpacking"):
        name, message = out.status.app
    assert (name, message) == ("blocked", "waiting for db")


def test_status_still_equals_ops_statuses():
    out = trigger(State(leader=True), "start", MyCharm, meta=META)
    assert out.status.unit == ActiveStatus("ready")
    assert out.status.unit != ActiveStatus("other")
    assert out.status.app == BlockedStatus("waiting for db")
