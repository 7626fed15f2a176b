"""Pebble plans as ops-scenario 3.1 built them: layers without "override" merge (a later item
replaces the earlier one) and plans are not validated, with a JujuDivergenceWarning; strict mode
gives Pebble's 400 (or, for a State's layers, an InconsistentScenarioError). A plan problem is
never a 500."""

import pytest
from ops import pebble
from ops.charm import CharmBase

import scenario
from scenario import Container, Context, ExecOutput, InconsistentScenarioError, State, trigger
from charm_runs import expect_divergences

META = {"name": "local", "containers": {"workload": {}}}

BASE = {"services": {"web": {"override": "replace", "command": "/bin/web", "environment": {"A": "1"}}}}
NO_OVERRIDE = {"services": {"web": {"command": "/bin/web --fast"}}}
NO_COMMAND = {"services": {"worker": {"override": "replace", "startup": "enabled"}}}


@pytest.fixture
def mycharm():
    class MyCharm(CharmBase):
        seen = {}
        body = None

        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.workload_pebble_ready, self._on_ready)

        def _on_ready(self, event):
            try:
                MyCharm.seen["result"] = MyCharm.body(event.workload)
            except pebble.APIError as e:
                MyCharm.seen["result"] = (e.code, e.message)

    return MyCharm


def services(plan: pebble.Plan):
    return {name: service.to_dict() for name, service in plan.services.items()}


# --- layers without "override" -------------------------------------------------------------


def test_state_layer_without_override_merges_as_3_1(mycharm):
    container = Container(
        "workload",
        can_connect=True,
        layers={"a": pebble.Layer(BASE), "b": pebble.Layer(NO_OVERRIDE)},
    )
    mycharm.body = lambda c: services(c.get_plan())
    with expect_divergences(
        r'container "workload": its layers make a plan Pebble refuses: layer "b" must define '
        r'"override" for service "web".*\(accepted as ops-scenario 3.1 did; strict mode makes it '
        r"an error\)",
        # and the charm's get_plan is answered with that plan
        r'container "workload": Pebble refuses this plan \(layer "b" must define "override" for '
        r'service "web"\); served as ops-scenario 3.1 merged it',
    ):
        trigger(State(containers=[container]), container.pebble_ready_event, mycharm, meta=META)
    # the later item replaced the earlier one, environment and all
    assert mycharm.seen["result"] == {"web": {"command": "/bin/web --fast"}}


def test_state_layer_without_override_strict(mycharm, monkeypatch):
    monkeypatch.setenv("SCENARIO_STRICT", "1")
    container = Container(
        "workload",
        can_connect=True,
        layers={"a": pebble.Layer(BASE), "b": pebble.Layer(NO_OVERRIDE)},
    )
    mycharm.body = lambda c: services(c.get_plan())
    with pytest.raises(
        InconsistentScenarioError, match='layer "b" must define "override" for service "web"'
    ):
        trigger(State(containers=[container]), container.pebble_ready_event, mycharm, meta=META)
    assert mycharm.seen == {}


def add_and_plan(layers):
    def body(container):
        for label, layer in layers:
            container.add_layer(label, layer)
        return services(container.get_plan())

    return body


def test_charm_layer_without_override_merges_as_3_1(mycharm):
    container = Container("workload", can_connect=True)
    mycharm.body = add_and_plan([("a", BASE), ("b", NO_OVERRIDE)])
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r'Pebble refuses this plan \(layer "b" must define "override" for service "web"\); '
        r"served as ops-scenario 3.1 merged it.*Strict mode answers Pebble's 400 instead",
    ):
        Context(mycharm, meta=META).run(container.pebble_ready_event, State(containers=[container]))
    assert mycharm.seen["result"] == {"web": {"command": "/bin/web --fast"}}


def test_charm_layer_without_override_strict(mycharm):
    container = Container("workload", can_connect=True)
    mycharm.body = add_and_plan([("a", BASE), ("b", NO_OVERRIDE)])
    out = Context(mycharm, meta=META, strict=True).run(
        container.pebble_ready_event, State(containers=[container])
    )
    assert mycharm.seen["result"] == (400, 'layer "b" must define "override" for service "web"')
    assert list(out.get_container("workload").layers) == ["a"]


# --- plans are not validated ----------------------------------------------------------------


def test_service_without_command_is_accepted_as_3_1(mycharm):
    container = Container("workload", can_connect=True)
    mycharm.body = add_and_plan([("a", NO_COMMAND)])
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r'Pebble refuses this plan \(plan must define "command" for service "worker"\)',
    ):
        out = Context(mycharm, meta=META).run(
            container.pebble_ready_event, State(containers=[container])
        )
    assert mycharm.seen["result"] == {"worker": {"override": "replace", "startup": "enabled"}}
    assert list(out.get_container("workload").layers) == ["a"]


def test_service_without_command_strict(mycharm):
    container = Container("workload", can_connect=True)
    mycharm.body = add_and_plan([("a", NO_COMMAND)])
    Context(mycharm, meta=META, strict=True).run(
        container.pebble_ready_event, State(containers=[container])
    )
    assert mycharm.seen["result"] == (400, 'plan must define "command" for service "worker"')


# --- a plan problem is answered 400 (strict) or served (default), never 500 ----------------

# Every Pebble call that reads the plan.
PLAN_CALLS = [
    lambda c: c.get_plan(),
    lambda c: c.get_services(),
    lambda c: c.get_checks(),
    lambda c: c.replan(),
    lambda c: c.start("worker"),
    lambda c: c.restart("worker"),
]
PLAN_CALL_IDS = ["plan", "services", "checks", "replan", "start", "restart"]


@pytest.mark.parametrize("call", PLAN_CALLS, ids=PLAN_CALL_IDS)
def test_state_layers_pebble_refuses_are_served(mycharm, monkeypatch, call):
    # with the consistency checks skipped, an invalid State layer reaches the Pebble server
    monkeypatch.setenv("SCENARIO_SKIP_CONSISTENCY_CHECKS", "1")
    container = Container("workload", can_connect=True, layers={"a": pebble.Layer(NO_COMMAND)})
    mycharm.body = lambda c: (call(c), "answered")[1]
    with pytest.warns(scenario.JujuDivergenceWarning, match="Pebble refuses this plan"):
        Context(mycharm, meta=META).run(container.pebble_ready_event, State(containers=[container]))
    assert mycharm.seen["result"] == "answered"


@pytest.mark.parametrize("call", PLAN_CALLS, ids=PLAN_CALL_IDS)
def test_state_layers_pebble_refuses_are_a_400_strict(mycharm, monkeypatch, call):
    monkeypatch.setenv("SCENARIO_SKIP_CONSISTENCY_CHECKS", "1")
    container = Container("workload", can_connect=True, layers={"a": pebble.Layer(NO_COMMAND)})
    mycharm.body = lambda c: (call(c), "answered")[1]
    Context(mycharm, meta=META, strict=True).run(
        container.pebble_ready_event, State(containers=[container])
    )
    assert mycharm.seen["result"] == (400, 'plan must define "command" for service "worker"')


# --- exec: the output read after wait(), as 3.1's mock allowed --------------------------------


def read_after_wait(container):
    process = container.exec(["ls", "/srv"])
    process.wait()
    try:
        return process.stdout.read()
    except Exception as e:  # ops 2.x's client: the websocket is closed by then
        return type(e).__name__


EXEC_CONTAINER = Container(
    "workload", can_connect=True, exec_mock={("ls", "/srv"): ExecOutput(stdout="data\nlogs\n")}
)


def test_exec_output_readable_after_wait(mycharm):
    mycharm.body = read_after_wait
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"exec ls /srv: ops' Pebble client closes the process's output streams in wait\(\).*"
        r"kept for reading after wait\(\) as ops-scenario 3.1's mock did. Strict mode leaves ops' "
        r"client as it is",
    ):
        trigger(State(containers=[EXEC_CONTAINER]), EXEC_CONTAINER.pebble_ready_event, mycharm, meta=META)
    assert mycharm.seen["result"] == "data\nlogs\n"


def test_exec_output_after_wait_strict(mycharm):
    mycharm.body = read_after_wait
    Context(mycharm, meta=META, strict=True).run(
        EXEC_CONTAINER.pebble_ready_event, State(containers=[EXEC_CONTAINER])
    )
    # ops' real client: the read fails (ops 2.x) or gives nothing (ops 3.x)
    assert mycharm.seen["result"] in ("WebSocketConnectionClosedException", "")
