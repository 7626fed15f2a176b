"""Actions, opened ports, storages, resources and planned units through real charms."""

from pathlib import Path

import ops
import pytest
from ops.charm import CharmBase
from ops.model import ActiveStatus, ModelError

from scenario import (
    ActionOutput,
    Context,
    Event,
    InconsistentScenarioError,
    Model,
    Port,
    Resource,
    State,
    Storage,
    UncaughtCharmError,
)

OPS = tuple(int(p) for p in ops.__version__.split(".")[:2])
HAS_PORTS = hasattr(ops.model.Unit, "open_port")

ACTIONS = {
    "backup": {
        "params": {
            "dest": {"type": "string", "default": "/backups"},
            "count": {"type": "integer", "default": 1},
            "verbose": {"type": "boolean", "default": False},
        }
    },
    "explode": {},
}


class Backup(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.backup_action, self._on_backup)
        framework.observe(self.on.explode_action, self._on_explode)

    def _on_backup(self, event):
        params = event.params
        event.log(f"backing up to {params['dest']}")
        if params["count"] < 0:
            event.fail(f"bad count {params['count']}")
            return
        event.set_results({"dest": params["dest"], "count": params["count"], "nested": {"ok": "yes"}})
        event.log("done")
        self.unit.status = ActiveStatus(f"verbose={params['verbose']}")

    def _on_explode(self, _):
        raise RuntimeError("boom")


def ctx():
    return Context(Backup, meta={"name": "db"}, actions=ACTIONS)


def test_action_params_defaults_results_and_logs():
    out = ctx().run(Event("backup_action"), State())
    assert out.action_output == ActionOutput(
        results={"dest": "/backups", "count": "1", "nested": {"ok": "yes"}},
        logs=["backing up to /backups", "done"],
        failure_message=None,
    )
    assert out.action_output.success
    assert out.status.unit == ActiveStatus("verbose=False")


def test_action_params_override_defaults():
    out = ctx().run(Event("backup_action", params={"dest": "/mnt", "count": 3, "verbose": True}), State())
    assert out.action_output.results == {"dest": "/mnt", "count": "3", "nested": {"ok": "yes"}}
    assert out.action_output.logs[0] == "backing up to /mnt"
    assert out.status.unit == ActiveStatus("verbose=True")


def test_action_fail_sets_failure_message():
    out = ctx().run(Event("backup_action", params={"count": -2}), State())
    assert out.action_output.failure_message == "bad count -2"
    assert not out.action_output.success
    assert out.action_output.results == {}
    assert out.action_output.logs == ["backing up to /backups"]


def test_non_action_event_has_no_action_output():
    assert ctx().run("start", State()).action_output is None


def test_action_exception_is_uncaught_charm_error():
    with pytest.raises(UncaughtCharmError) as info:
        ctx().run(Event("explode_action"), State())
    assert isinstance(info.value.__cause__, RuntimeError)
    assert "boom" in str(info.value)


def test_undeclared_action_is_inconsistent():
    with pytest.raises(InconsistentScenarioError) as info:
        ctx().run(Event("restore_action"), State())
    assert any("restore" in p for p in info.value.problems)


def test_params_on_non_action_event_are_refused():
    from scenario import StateValidationError

    with pytest.raises(StateValidationError):
        Event("start", params={"a": 1})


def test_action_tools_outside_action_fail():
    def post(charm):
        try:
            charm.model._backend.action_get()
        except ModelError as e:
            return str(e)
        return None

    box = {}
    ctx().run("start", State(), post_event=lambda c: box.setdefault("r", post(c)))
    assert "not running an action" in box["r"]


# --- ports ------------------------------------------------------------------------------------


class Porter(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.stop, self._on_stop)

    def _on_start(self, _):
        self.unit.open_port("tcp", 8080)
        self.unit.open_port("udp", 53)
        self.unit.open_port("icmp")
        opened = sorted(f"{p.protocol}/{p.port}" for p in self.unit.opened_ports())
        self.unit.status = ActiveStatus(",".join(opened))

    def _on_stop(self, _):
        self.unit.close_port("tcp", 80)


@pytest.mark.skipif(not HAS_PORTS, reason=f"ops {ops.__version__} has no Unit.open_port")
def test_open_ports():
    out = Context(Porter, meta={"name": "p"}).run("start", State(opened_ports=[Port("tcp", 80)]))
    assert sorted(out.opened_ports, key=lambda p: (p.protocol, p.port or 0)) == [
        Port("icmp"),
        Port("tcp", 80),
        Port("tcp", 8080),
        Port("udp", 53),
    ]
    assert out.status.unit == ActiveStatus("icmp/None,tcp/80,tcp/8080,udp/53")


@pytest.mark.skipif(not HAS_PORTS, reason=f"ops {ops.__version__} has no Unit.close_port")
def test_close_port():
    out = Context(Porter, meta={"name": "p"}).run("stop", State(opened_ports=[Port("tcp", 80), Port("tcp", 443)]))
    assert out.opened_ports == [Port("tcp", 443)]


def test_port_validation():
    from scenario import StateValidationError

    # the engine's rule (the one the consistency checker applies), named with the Port
    with pytest.raises(StateValidationError, match=r"Port\('tcp', 70000\): port 70000 is out of range; use 1-65535"):
        Port("tcp", 70000)
    with pytest.raises(StateValidationError, match="icmp has no port; remove the port"):
        Port("icmp", 1)
    with pytest.raises(StateValidationError, match="protocol 'sctp' is not one of tcp, udp, icmp"):
        Port("sctp", 1)
    with pytest.raises(StateValidationError, match="a udp port needs a port number"):
        Port("udp")
    with pytest.raises(StateValidationError, match="port must be an int"):
        Port("tcp", "80")
    assert Port("icmp").port is None and Port("udp", 53).port == 53


def test_port_range_validation():
    from scenario import StateValidationError

    with pytest.raises(StateValidationError, match=r"Port\('tcp', 90, to_port=80\): to_port 80 is below port 90"):
        Port("tcp", 90, to_port=80)
    with pytest.raises(StateValidationError, match="to_port 65536 is out of range; use 1-65535"):
        Port("udp", 1, to_port=65536)
    with pytest.raises(StateValidationError, match="icmp has no port range; remove to_port"):
        Port("icmp", to_port=8)
    with pytest.raises(StateValidationError, match="to_port must be an int"):
        Port("tcp", 80, to_port="90")
    assert Port("tcp", 8000, to_port=8002).to_port == 8002 and Port("tcp", 80).to_port is None


class RangeOpener(CharmBase):
    """Opens a port range through the hook tool (ops has no API for ranges) on install, and
    shows what `opened-ports` lists on start."""

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.start, self._on_start)

    def _hook_tool(self, *args):
        # ops' own way to run a hook tool: ops 3.x's hookcmds, older ops' model backend
        if hasattr(self.model._backend, "_run"):
            return self.model._backend._run(*args, return_output=True)
        from ops.hookcmds import _utils

        return _utils.run(*args)

    def _on_install(self, _):
        self._hook_tool("open-port", "8000-8002/tcp")

    def _on_start(self, _):
        self.unit.status = ActiveStatus(" ".join(self._hook_tool("opened-ports").split()))


def test_port_range_opened_in_one_run_is_listed_as_a_range_in_the_next():
    ctx = Context(RangeOpener, meta={"name": "ranged"})
    installed = ctx.run("install", State(model=Model(type="lxd"), opened_ports=[Port("tcp", 80)]))
    assert installed.opened_ports == [Port("tcp", 80), Port("tcp", 8000, to_port=8002)]
    started = ctx.run("start", installed)
    assert started.status.unit == ActiveStatus("80/tcp 8000-8002/tcp")


def test_port_range_in_a_kubernetes_state_is_inconsistent():
    with pytest.raises(InconsistentScenarioError, match=r"opened_ports\[0\]: port ranges are not supported on Kubernetes"):
        Context(RangeOpener, meta={"name": "ranged"}).run("start", State(opened_ports=[Port("tcp", 8000, to_port=8002)]))


# --- storage ----------------------------------------------------------------------------------

STORAGE_META = {
    "name": "s",
    "storage": {
        "data": {"type": "filesystem", "location": "/srv/data"},
        "cache": {"type": "filesystem", "multiple": {"range": "0-3"}},
    },
}


class StorageCharm(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.data_storage_attached, self._on_attached)
        framework.observe(self.on.cache_storage_detaching, self._on_detaching)
        framework.observe(self.on.update_status, self._on_update)

    def _on_attached(self, event):
        self.unit.status = ActiveStatus(f"{event.storage.name}/{event.storage.index} at {event.storage.location}")

    def _on_detaching(self, event):
        self.unit.status = ActiveStatus(f"detaching {event.storage.name}/{event.storage.index}")

    def _on_update(self, _):
        names = sorted(f"{name}:{len(items)}" for name, items in self.model.storages.items())
        self.unit.status = ActiveStatus(" ".join(names))


def test_storage_attached_with_location():
    storage = Storage("data", index=0, location="/tmp/somewhere")
    out = Context(StorageCharm, meta=STORAGE_META).run(storage.attached_event, State(storages=[storage]))
    assert out.status.unit == ActiveStatus("data/0 at /tmp/somewhere")
    assert out.storages == [storage]


def test_storage_attached_declared_location():
    storage = Storage("data")
    out = Context(StorageCharm, meta=STORAGE_META).run(storage.attached_event, State(storages=[storage]))
    assert out.status.unit == ActiveStatus("data/0 at /srv/data")


class CacheWriter(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.cache_storage_attached, self._on_attached)

    def _on_attached(self, event):
        marker = event.storage.location / "initialised"
        before = marker.read_text() if marker.exists() else "nothing"
        marker.write_text(f"run after {before}")
        self.unit.status = ActiveStatus(before)


def test_storage_without_a_location_is_a_writable_directory_kept_across_a_contexts_runs():
    storage = Storage("cache", index=1)
    ctx = Context(CacheWriter, meta=STORAGE_META)
    first = ctx.run(storage.attached_event, State(storages=[storage]))
    assert first.status.unit == ActiveStatus("nothing")
    second = ctx.run(storage.attached_event, State(storages=[storage]))
    assert second.status.unit == ActiveStatus("run after nothing")  # what the first run wrote
    assert second.storages == [storage]  # the State is not changed by where it was mounted
    other = Context(CacheWriter, meta=STORAGE_META).run(storage.attached_event, State(storages=[storage]))
    assert other.status.unit == ActiveStatus("nothing")  # each Context mounts its own


def test_storage_detaching_names_instance():
    storage = Storage("cache", index=2)
    out = Context(StorageCharm, meta=STORAGE_META).run(
        storage.detaching_event, State(storages=[Storage("cache", 1), storage])
    )
    assert out.status.unit == ActiveStatus("detaching cache/2")


def test_model_storages():
    state = State(storages=[Storage("data"), Storage("cache", 0), Storage("cache", 1)])
    out = Context(StorageCharm, meta=STORAGE_META).run("update_status", state)
    assert out.status.unit == ActiveStatus("cache:2 data:1")


def test_storage_event_without_storage_in_state_is_inconsistent():
    with pytest.raises(InconsistentScenarioError) as info:
        Context(StorageCharm, meta=STORAGE_META).run(Storage("data").attached_event, State())
    assert info.value.problems


def test_undeclared_storage_is_inconsistent():
    with pytest.raises(InconsistentScenarioError) as info:
        Context(StorageCharm, meta=STORAGE_META).run("update_status", State(storages=[Storage("logs")]))
    assert any("logs" in p for p in info.value.problems)


# --- resources --------------------------------------------------------------------------------

RES_META = {"name": "r", "resources": {"model": {"type": "file", "filename": "model.bin"}}}


class ResourceCharm(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        try:
            path = self.model.resources.fetch("model")
        except (ModelError, NameError) as e:
            self.unit.status = ops.BlockedStatus(f"missing: {type(e).__name__}")
            return
        self.unit.status = ActiveStatus(Path(path).read_text())


def test_resource_fetch(tmp_path):
    blob = tmp_path / "model.bin"
    blob.write_text("weights")
    out = Context(ResourceCharm, meta=RES_META).run("start", State(resources=[Resource("model", blob)]))
    assert out.status.unit == ActiveStatus("weights")


def test_resource_missing_from_state():
    out = Context(ResourceCharm, meta=RES_META).run("start", State())
    assert out.status.unit == ops.BlockedStatus("missing: ModelError")


def test_undeclared_resource_fetch_raises_name_error():
    class Fetcher(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _):
            try:
                self.model.resources.fetch("other")
            except NameError:
                self.unit.status = ActiveStatus("NameError")

    out = Context(Fetcher, meta=RES_META).run("start", State())
    assert out.status.unit == ActiveStatus("NameError")


# --- planned units ----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(ops.model.Application, "planned_units"), reason="no planned_units in this ops")
@pytest.mark.parametrize("planned", [1, 3, 5])
def test_planned_units(planned):
    class Planner(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.update_status, self._on_update)

        def _on_update(self, _):
            self.unit.status = ActiveStatus(str(self.app.planned_units()))

    out = Context(Planner, meta={"name": "pl"}).run("update_status", State(leader=True, planned_units=planned))
    assert out.status.unit == ActiveStatus(str(planned))


# --- action params checked against actions.yaml -------------------------------------------------

STRICT_ACTIONS = {
    "go": {
        "params": {"n": {"type": "integer"}, "s": {"type": "string", "default": "d"}},
        "required": ["n"],
        "additionalProperties": False,
    }
}


class Goer(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.go_action, self._on_go)

    def _on_go(self, event):
        event.set_results({"n": event.params["n"], "s": event.params["s"]})


@pytest.mark.parametrize(
    "params, words",
    [
        ({"n": "x"}, ["'n'", "integer"]),
        ({}, ["required", "'n'"]),
        ({"n": 1, "zzz": 2}, ["'zzz'", "additionalProperties"]),
    ],
)
def test_action_params_checked_against_schema(params, words):
    with pytest.raises(InconsistentScenarioError) as info:
        Context(Goer, meta={"name": "g"}, actions=STRICT_ACTIONS).run(Event("go_action", params=params), State())
    joined = "\n".join(info.value.problems)
    for word in words:
        assert word in joined


def test_action_required_param_given():
    out = Context(Goer, meta={"name": "g"}, actions=STRICT_ACTIONS).run(Event("go_action", params={"n": 5}), State())
    assert out.action_output.results == {"n": "5", "s": "d"}


def test_action_id_reaches_the_charm():
    seen = {}

    class IdReader(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.go_action, self._on_go)

        def _on_go(self, event):
            seen["id"] = getattr(event, "id", None)

    Context(IdReader, meta={"name": "g"}, actions=STRICT_ACTIONS).run(
        Event("go_action", params={"n": 1}, action_id="42"), State()
    )
    if hasattr(ops.charm.ActionEvent, "id"):
        assert seen["id"] == "42"
    else:
        assert seen["id"] is None
