"""Scenario tests for the example charm, written against ops-scenario 3.1's API."""

import json

import ops
import pytest
from charm import WebappCharm

from scenario import Container, Context, Event, PeerRelation, Relation, State, StoredState


@pytest.fixture
def ctx() -> Context:
    return Context(WebappCharm)  # metadata, config and actions are read from examples/webapp


def test_start_counts_starts(ctx: Context) -> None:
    state = State(stored_state=[StoredState("WebappCharm", content={"starts": 2})])
    out = ctx.run("start", state)
    assert out.status.unit == ops.ActiveStatus("serving")
    [stored] = out.stored_state
    assert stored.content["starts"] == 3
    assert ("INFO", "started 3 time(s)") in [(line[0], line[1]) for line in out.juju_log]


def test_config_default_and_peer_data(ctx: Context) -> None:
    peers = PeerRelation("replicas")
    out = ctx.run("config_changed", State(leader=True, relations=[peers]))
    assert out.relations[0].local_app_data == {"port": "8080"}
    assert out.status.unit == ops.ActiveStatus("serving")


def test_bad_port_blocks(ctx: Context) -> None:
    out = ctx.run("config_changed", State(config={"port": 80}))
    assert out.status.unit == ops.BlockedStatus("port 80 is not in 1024-65535")


def test_db_relation_without_host_defers(ctx: Context) -> None:
    db = Relation("db", remote_app_name="postgresql")
    out = ctx.run(db.changed_event, State(relations=[db]))
    assert out.status.unit == ops.WaitingStatus("waiting for the database address")
    assert len(out.deferred) == 1
    # The deferred event runs again (first) on the next event, now with the address.
    db_ready = db.replace(remote_app_data={"host": "10.1.2.3"})
    again = ctx.run("update_status", out.replace(relations=[db_ready]))
    assert again.deferred == []
    assert again.relations[0].local_unit_data["url"] == "http://10.1.2.3:8080/"


def test_pebble_ready_configures_workload(ctx: Context) -> None:
    container = Container("webapp", can_connect=True)
    out = ctx.run(container.pebble_ready_event, State(containers=[container]))
    webapp = out.get_container("webapp")
    assert webapp.plan.services["webapp"].command == "/bin/webapp --port 8080"
    assert webapp.service_status["webapp"] == ops.pebble.ServiceStatus.ACTIVE
    pushed_file = webapp.files["/etc/webapp/config.json"]
    assert isinstance(pushed_file, str)
    pushed = json.loads(pushed_file)
    assert pushed == {"greeting": "hello", "database": ""}
    assert out.status.workload_version == "1.0.0"


def test_show_config_action(ctx: Context) -> None:
    out = ctx.run(Event("show_config_action", params={"verbose": True}), State())
    assert out.action_output is not None
    # Juju hands action results back as strings, whatever the charm passed.
    assert out.action_output.results == {"port": "8080", "greeting": "hello", "database": "none"}
    assert out.action_output.logs == ["reporting configuration"]
