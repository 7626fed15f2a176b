"""The same scenarios written against the newest Scenario API (ops[testing] 3.9 / ops-scenario 8.x).

This is how a charm author writes these tests today with the newest ops; the charms and the checks
are the same as in scenarios_31.py.
"""

import dataclasses
import os

import _harness
from charms import deferring_charm, light_charm, null_charm, pebble_charm, realistic_charm

import ops
from ops import pebble, testing


def verify(tool):
    version = _harness.dist_version("ops-scenario")
    if tool != "latest" or not version or not version.startswith("8."):
        raise SystemExit(f"tool {tool!r}: scenarios_latest.py needs ops-scenario 8.x, found {version}")
    return {}


def versions():
    return {"ops": ops.__version__, "ops-scenario": _harness.dist_version("ops-scenario")}


def null_setup():
    ctx = testing.Context(null_charm.NullCharm, meta=null_charm.META)
    state = testing.State()

    def run():
        return ctx.run(ctx.on.start(), state)

    def check(out):
        assert not out.deferred, out.deferred

    return run, check


def db_relation():
    """The relation the realistic and light charms read on db-relation-changed."""
    return testing.Relation(
        "db",
        interface="pgsql",
        id=7,
        remote_app_name="postgresql",
        remote_app_data={"endpoint": "db.example:5432"},
        remote_units_data={0: {"host": "10.0.0.5"}},
    )


def realistic_setup():
    ctx = testing.Context(
        realistic_charm.RealisticCharm, meta=realistic_charm.META, config=realistic_charm.CONFIG
    )
    relation = db_relation()
    state = testing.State(
        leader=True,
        config={"log-level": "debug"},
        relations={relation},
        containers={testing.Container("workload", can_connect=True)},
        secrets={testing.Secret({"password": "s3cret"}, label="db-creds")},
    )

    def run():
        return ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)

    def check(out):
        assert out.unit_status == testing.ActiveStatus("serving on :8080"), out.unit_status
        rel = out.get_relation(7)
        assert rel.local_unit_data["url"] == "http://realistic-charm-0:8080", rel.local_unit_data
        assert rel.local_app_data["database"] == "app", rel.local_app_data

    return run, check


def light_setup():
    ctx = testing.Context(light_charm.LightCharm, meta=light_charm.META, config=light_charm.CONFIG)
    relation = db_relation()
    state = testing.State(relations={relation}, containers={testing.Container("workload", can_connect=True)})

    def run():
        return ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)

    def check(out):
        assert out.unit_status == testing.ActiveStatus(light_charm.STATUS), out.unit_status
        client = out.get_relation(7).local_unit_data["client"]
        assert client == "10.0.0.5->db.example:5432", out.get_relation(7).local_unit_data

    return run, check


def deferral_setup():
    ctx = testing.Context(deferring_charm.DeferringCharm, meta=deferring_charm.META)
    state = testing.State(leader=False)

    def run():
        deferred = ctx.run(ctx.on.start(), state)
        assert len(deferred.deferred) == 1, deferred.deferred
        return ctx.run(ctx.on.update_status(), dataclasses.replace(deferred, leader=True))

    def check(out):
        assert not out.deferred, out.deferred
        assert out.unit_status == testing.ActiveStatus("started"), out.unit_status

    return run, check


def pebble_setup():
    ctx = testing.Context(pebble_charm.PebbleCharm, meta=pebble_charm.META)
    state = testing.State(containers={testing.Container(pebble_charm.CONTAINER, can_connect=True)})

    def run():
        return ctx.run(ctx.on.start(), state)

    def check(out):
        assert out.unit_status == testing.ActiveStatus(pebble_charm.STATUS), out.unit_status
        container = out.get_container(pebble_charm.CONTAINER)
        assert pebble_charm.SERVICE in container.layers, container.layers
        service = container.plan.services.get(pebble_charm.SERVICE)
        assert service is not None and service.startup == "enabled", container.plan.to_dict()
        info = container.services[pebble_charm.SERVICE]
        assert info.current == pebble.ServiceStatus.ACTIVE, info
        # Scenario 8 keeps the container's files in a directory of the Context that outlives the
        # run: read the pushed file, then remove it so the next run has to push it again.
        pushed = container.get_filesystem(ctx) / pebble_charm.CONFIG_PATH.lstrip("/")
        assert pushed.read_text() == pebble_charm.CONFIG_TEXT, pushed
        os.unlink(pushed)

    return run, check


def pebble_free_setup():
    ctx = testing.Context(pebble_charm.PebbleFreeCharm, meta=pebble_charm.FREE_META)
    state = testing.State()

    def run():
        return ctx.run(ctx.on.start(), state)

    def check(out):
        assert out.unit_status == testing.ActiveStatus(pebble_charm.STATUS), out.unit_status
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
