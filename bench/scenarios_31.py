"""The scenarios written against the ops-scenario 3.1 API.

The same file measures ops-scenario 3.1 (tool ``s31``) and ours (tools ``ours-ops2`` and
``ours-ops3``): ours is a drop-in for the 3.1 API, so the test code is byte-for-byte the same.

Before measuring, ``verify`` checks that ``import scenario`` gives the package the tool label
promises, so a venv mix-up can never print ops-scenario's numbers under our name (or the reverse).
"""

import importlib.util
import os

import _harness
from charms import deferring_charm, light_charm, null_charm, pebble_charm, realistic_charm

import ops
from ops import pebble
from scenario import Container, Context, Relation, Secret, State

# Ours (the package with the C++ engine) or ops-scenario 3.1: they expose different things about
# a container in the output State, so the pebble check is strict for ours and weaker for 3.1.
OURS = importlib.util.find_spec("scenario._engine") is not None


def verify(tool):
    ours = OURS
    if tool == "s31":
        version = _harness.dist_version("ops-scenario")
        if ours or version != "3.1":
            raise SystemExit(f"tool s31 needs ops-scenario==3.1 as `scenario`, found {version}")
        return {}
    if tool.startswith("ours"):
        if ours:
            return {}
        if os.environ.get("BENCH_STUB_OURS") == "1":
            # Self-test of the harness only: the numbers are ops-scenario's, never ours.
            return {"stub": True}
        raise SystemExit(
            f"tool {tool}: `scenario` here is not our package (no scenario._engine); "
            f"found {importlib.util.find_spec('scenario').origin}. Install the repo into this venv."
        )
    raise SystemExit(f"unknown tool label {tool!r} for the 3.1 API")


def versions():
    return {
        "ops": ops.__version__ if hasattr(ops, "__version__") else _harness.dist_version("ops"),
        "ops-scenario": _harness.dist_version("ops-scenario"),
        "scenario-engine": _harness.dist_version("scenario-engine"),
    }


def null_setup():
    ctx = Context(null_charm.NullCharm, meta=null_charm.META)
    state = State()

    def run():
        return ctx.run("start", state)

    def check(out):
        assert out.deferred == [], out.deferred

    return run, check


def db_relation():
    """The relation the realistic and light charms read on db-relation-changed."""
    return Relation(
        endpoint="db",
        interface="pgsql",
        relation_id=7,
        remote_app_name="postgresql",
        remote_app_data={"endpoint": "db.example:5432"},
        remote_units_data={0: {"host": "10.0.0.5"}},
    )


def realistic_state():
    relation = db_relation()
    state = State(
        leader=True,
        config={"log-level": "debug"},
        relations=[relation],
        containers=[Container(name="workload", can_connect=True)],
        # Owned by another app and granted to ours, as Juju requires for a consumer to read it
        # (3.1 ignores `granted`; ours enforces it).
        secrets=[
            Secret(
                id="cu8lbd3ng3usv0tqjk70",
                label="db-creds",
                contents={0: {"password": "s3cret"}},
                granted="app",
            )
        ],
    )
    return state, relation


def realistic_setup():
    ctx = Context(
        realistic_charm.RealisticCharm, meta=realistic_charm.META, config=realistic_charm.CONFIG
    )
    state, relation = realistic_state()
    event = relation.changed_event(remote_unit_id=0)

    def run():
        return ctx.run(event, state)

    def check(out):
        assert out.status.unit == ops.ActiveStatus("serving on :8080"), out.status.unit
        rel = out.relations[0]
        assert rel.local_unit_data["url"] == "http://realistic-charm-0:8080", rel.local_unit_data
        assert rel.local_app_data["database"] == "app", rel.local_app_data

    return run, check


def light_setup():
    ctx = Context(light_charm.LightCharm, meta=light_charm.META, config=light_charm.CONFIG)
    relation = db_relation()
    state = State(relations=[relation], containers=[Container(name="workload", can_connect=True)])
    event = relation.changed_event(remote_unit_id=0)

    def run():
        return ctx.run(event, state)

    def check(out):
        assert out.status.unit == ops.ActiveStatus(light_charm.STATUS), out.status.unit
        client = out.relations[0].local_unit_data["client"]
        assert client == "10.0.0.5->db.example:5432", out.relations[0].local_unit_data

    return run, check


def deferral_setup():
    ctx = Context(deferring_charm.DeferringCharm, meta=deferring_charm.META)
    state = State(leader=False)

    def run():
        deferred = ctx.run("start", state)
        assert len(deferred.deferred) == 1, deferred.deferred
        return ctx.run("update_status", deferred.replace(leader=True))

    def check(out):
        assert out.deferred == [], out.deferred
        assert out.status.unit == ops.ActiveStatus("started"), out.status.unit

    return run, check


def pebble_setup():
    ctx = Context(pebble_charm.PebbleCharm, meta=pebble_charm.META)
    state = State(containers=[Container(name=pebble_charm.CONTAINER, can_connect=True)])

    def run():
        return ctx.run("start", state)

    def check(out):
        assert out.status.unit == ops.ActiveStatus(pebble_charm.STATUS), out.status.unit
        (container,) = out.containers
        assert pebble_charm.SERVICE in container.layers, container.layers
        service = container.plan.services.get(pebble_charm.SERVICE)
        assert service is not None and service.startup == "enabled", container.plan.to_dict()
        # replan started the enabled service.
        info = container.services[pebble_charm.SERVICE]
        assert info.current == pebble.ServiceStatus.ACTIVE, info
        if OURS:
            # The pushed file is in the output State. (ops-scenario 3.1 keeps a push into a
            # container without mounts in an in-memory filesystem that the output State does not
            # carry, so it is checked for layer, plan and service status only.)
            pushed = container.filesystem.read_bytes(pebble_charm.CONFIG_PATH)
            assert pushed == pebble_charm.CONFIG_TEXT.encode(), pushed

    return run, check


def pebble_free_setup():
    ctx = Context(pebble_charm.PebbleFreeCharm, meta=pebble_charm.FREE_META)
    state = State()

    def run():
        return ctx.run("start", state)

    def check(out):
        assert out.status.unit == ops.ActiveStatus(pebble_charm.STATUS), out.status.unit
        assert not out.containers, out.containers

    return run, check


SCENARIOS = {
    "null": null_setup,
    "realistic": realistic_setup,
    "soak": realistic_setup,
    "light": light_setup,
    "deferral": deferral_setup,
    "pebble": pebble_setup,
    "pebble-free": pebble_free_setup,
}

if __name__ == "__main__":
    _harness.main(SCENARIOS, versions, verify)
