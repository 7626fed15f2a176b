"""examples/webapp through its own dispatch (real ops.main in a child process) gives the same
output State as Context.run in-process, field by field; the same test bodies run both ways."""

import dataclasses
import json
import sys
import warnings
from pathlib import Path

import ops
import pytest

from scenario import Container, Context, Event, JujuDivergenceWarning, PeerRelation, Relation, State, StoredState
from scenario.errors import InconsistentScenarioError
from scenario.testing import run_out_of_process

WEBAPP = Path(__file__).resolve().parents[3] / "examples" / "webapp"
sys.path.insert(0, str(WEBAPP / "src"))
from charm import WebappCharm  # noqa: E402


def _db(**data):
    return Relation("db", remote_app_name="postgresql", remote_app_data=data)


def _on_relation(relation):
    return relation.changed_event, State(relations=[relation])


# (event, State) pairs covering each handler: StoredState, peer data, deferral, Pebble, actions.
CASES = {
    "start": lambda: ("start", State(stored_state=[StoredState("WebappCharm", content={"starts": 2})])),
    "config-leader-peers": lambda: ("config_changed", State(leader=True, relations=[PeerRelation("replicas")])),
    "bad-port": lambda: ("config_changed", State(config={"port": 80})),
    "db-defers": lambda: _on_relation(_db()),
    "db-ready": lambda: _on_relation(_db(host="10.1.2.3")),
    "pebble-ready": lambda: (
        Container("webapp", can_connect=True).pebble_ready_event,
        State(containers=[Container("webapp", can_connect=True)]),
    ),
    "action": lambda: (Event("show_config_action", params={"verbose": True}), State()),
}


@pytest.fixture
def ctx():
    return Context(WebappCharm)


def _same_fields(left: State, right: State):
    """Each State field that differs, by name (a State is a dataclass)."""
    return [
        (field.name, getattr(left, field.name), getattr(right, field.name))
        for field in dataclasses.fields(State)
        if getattr(left, field.name) != getattr(right, field.name)
    ]


@pytest.mark.parametrize("case", sorted(CASES))
def test_out_of_process_state_equals_in_process(ctx, case):
    event, state = CASES[case]()  # one input for both: relation ids are given out per object
    in_process = ctx.run(event, state)
    out_of_process = run_out_of_process(ctx, event, state)
    assert _same_fields(in_process, out_of_process) == []
    assert in_process == out_of_process


@pytest.fixture(params=["in-process", "out-of-process"])
def run(request, ctx):
    """ctx.run, or the same through `scenario run`: a test body written once runs both ways."""
    if request.param == "in-process":
        return ctx.run
    return lambda event, state: run_out_of_process(ctx, event, state)


def test_pebble_ready_configures_workload(run):
    container = Container("webapp", can_connect=True)
    out = run(container.pebble_ready_event, State(containers=[container]))
    webapp = out.get_container("webapp")
    assert webapp.plan.services["webapp"].command == "/bin/webapp --port 8080"
    assert webapp.service_status["webapp"] == ops.pebble.ServiceStatus.ACTIVE
    assert json.loads(webapp.files["/etc/webapp/config.json"]) == {"greeting": "hello", "database": ""}
    assert out.status.workload_version == "1.0.0"


def test_deferred_event_runs_again_with_the_address(run):
    db = _db()
    out = run(db.changed_event, State(relations=[db]))
    assert len(out.deferred) == 1
    again = run("update_status", out.replace(relations=[db.replace(remote_app_data={"host": "10.1.2.3"})]))
    assert again.deferred == []
    assert again.relations[0].local_unit_data["url"] == "http://10.1.2.3:8080/"


def test_start_counts_starts(run):
    out = run("start", State(stored_state=[StoredState("WebappCharm", content={"starts": 2})]))
    assert out.stored_state[0].content["starts"] == 3
    assert ("INFO", "started 3 time(s)") in [(line.level, line.message) for line in out.juju_log]


def test_out_of_process_reports_the_same_divergences(ctx):
    # An event on a relation the State does not hold: ops-scenario 3.1 ran it on the State's
    # relation with that endpoint, which compatible mode keeps and reports.
    event, state = _db(host="10.1.2.3").changed_event, State(relations=[_db(host="10.1.2.3")])

    def divergences(run):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run(event, state)
        return [str(w.message) for w in caught if issubclass(w.category, JujuDivergenceWarning)]

    in_process = divergences(ctx.run)
    assert in_process, "the case no longer diverges; pick one that does"
    assert divergences(lambda e, s: run_out_of_process(ctx, e, s)) == in_process


def test_strict_context_is_strict_out_of_process():
    # The same event on a relation the State does not hold: strict mode refuses it, both ways.
    event, state = _db(host="10.1.2.3").changed_event, State(relations=[_db(host="10.1.2.3")])
    strict = Context(WebappCharm, strict=True)
    with pytest.raises(InconsistentScenarioError) as in_process:
        strict.run(event, state)
    with pytest.raises(InconsistentScenarioError) as out_of_process:
        run_out_of_process(strict, event, state)
    assert out_of_process.value.problems == in_process.value.problems
