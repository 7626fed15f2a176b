"""Round trips through the engine: StoredState (nested values), deferred events fed back in,
status histories, and capture_events / the emitted_events fixture."""

import ops
import pytest
from ops.charm import (
    CharmBase,
    CharmEvents,
    ConfigChangedEvent,
    RelationChangedEvent,
    RelationEvent,
    StartEvent,
    UpdateStatusEvent,
)
from ops.framework import EventBase, EventSource, Object
from ops.framework import StoredState as OpsStoredState
from ops.model import ActiveStatus, BlockedStatus, MaintenanceStatus, UnknownStatus, WaitingStatus

from scenario import (
    Container,
    Context,
    DeferredEvent,
    Event,
    PeerRelation,
    Relation,
    State,
    Status,
    StoredState,
    capture_events,
    deferred,
)
from charm_runs import LOCAL_META as META, pulled

# --- StoredState ----------------------------------------------------------------------------


class Counter(CharmBase):
    _stored = OpsStoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(count=0, nested={}, items=[], tags=set(), text="")
        framework.observe(self.on.update_status, self._on_update)

    def _on_update(self, _):
        self._stored.count += 1
        self._stored.nested["level1"] = {"level2": {"n": self._stored.count}, "list": [1, "two", None]}
        self._stored.items.append(self._stored.count)
        self._stored.tags.add(f"t{self._stored.count}")
        self._stored.text += "x"


def test_stored_state_defaults_written_on_first_run():
    out = Context(Counter, meta=META).run("start", State())
    stored = out.get_stored_state("_stored", owner_path="Counter")
    assert stored.content == {"count": 0, "nested": {}, "items": [], "tags": set(), "text": ""}


def test_stored_state_round_trip_nested_values():
    ctx = Context(Counter, meta=META)
    state = State()
    for expected in (1, 2, 3):
        state = ctx.run("update_status", state)
        stored = state.get_stored_state("_stored", owner_path="Counter")
        assert stored.content["count"] == expected
    assert stored.content == {
        "count": 3,
        "nested": {"level1": {"level2": {"n": 3}, "list": [1, "two", None]}},
        "items": [1, 2, 3],
        "tags": {"t1", "t2", "t3"},
        "text": "xxx",
    }


def test_stored_state_given_in_input():
    stored_in = StoredState(
        owner_path="Counter",
        content={"count": 41, "nested": {"a": {"b": [1, 2]}}, "items": [], "tags": {"old"}, "text": "y"},
    )
    out = Context(Counter, meta=META).run("update_status", State(stored_state=[stored_in]))
    content = out.get_stored_state("_stored", owner_path="Counter").content
    assert content["count"] == 42
    assert content["nested"] == {"a": {"b": [1, 2]}, "level1": {"level2": {"n": 42}, "list": [1, "two", None]}}
    assert content["tags"] == {"old", "t42"}
    assert content["text"] == "yx"
    # the input StoredState is untouched
    assert stored_in.content["count"] == 41 and stored_in.content["tags"] == {"old"}


class Lib(Object):
    _stored = OpsStoredState()

    def __init__(self, parent, key):
        super().__init__(parent, key)
        self._stored.set_default(seen=0)

    def bump(self):
        self._stored.seen += 1


class LibCharm(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        self.lib = Lib(self, "mylib")
        framework.observe(self.on.update_status, self._on_update)

    def _on_update(self, _):
        self.lib.bump()


def test_stored_state_owned_by_child_object():
    stored_in = StoredState(owner_path="LibCharm/Lib[mylib]", content={"seen": 5})
    out = Context(LibCharm, meta=META).run("update_status", State(stored_state=[stored_in]))
    assert out.get_stored_state("_stored", owner_path="LibCharm/Lib[mylib]").content == {"seen": 6}


# --- deferral -------------------------------------------------------------------------------


class Deferrer(CharmBase):
    _stored = OpsStoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(ok=False, handled=[])
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)
        framework.observe(self.on.work_pebble_ready, self._on_ready)
        framework.observe(self.on.config_changed, self._on_config)

    def _on_start(self, event):
        if not self._stored.ok:
            event.defer()
        else:
            self._stored.handled.append("start")

    def _on_db_changed(self, event):
        if not self._stored.ok:
            event.defer()
        else:
            self._stored.handled.append(f"db:{event.relation.id}:{event.unit.name}")

    def _on_ready(self, event):
        if not self._stored.ok:
            event.defer()
        else:
            self._stored.handled.append(f"ready:{event.workload.name}")

    def _on_config(self, _):
        self._stored.ok = True


def test_deferred_start_is_reemitted_and_handled():
    ctx = Context(Deferrer, meta=META)
    out = ctx.run("start", State())
    assert [d.name for d in out.deferred] == ["start"]
    assert out.deferred[0].observer == "_on_start"
    out2 = ctx.run("config_changed", out)
    # start was re-emitted before config-changed (still not ok then), so it is deferred again.
    assert [d.name for d in out2.deferred] == ["start"]
    out3 = ctx.run("update_status", out2)
    assert out3.deferred == []
    assert out3.get_stored_state("_stored", owner_path="Deferrer").content["handled"] == ["start"]


def test_deferred_relation_event_round_trip_keeps_snapshot():
    rel = Relation("db", remote_app_name="pg", remote_unit_ids=[0, 3])
    ctx = Context(Deferrer, meta=META)
    out = ctx.run(rel.changed_event(remote_unit_id=3), State(relations=[rel]))
    [d] = out.deferred
    assert d.name == "db_relation_changed"
    assert d.snapshot_data["relation_id"] == rel.relation_id
    assert d.snapshot_data["unit_name"] == "pg/3"
    stored = StoredState(owner_path="Deferrer", content={"ok": True, "handled": []})
    out2 = ctx.run("update_status", out.replace(stored_state=[stored]))
    assert out2.deferred == []
    assert out2.get_stored_state("_stored", owner_path="Deferrer").content["handled"] == [
        f"db:{rel.relation_id}:pg/3"
    ]


def test_deferred_event_built_by_hand_is_handled():
    rel = Relation("db", remote_app_name="pg")
    state = State(
        relations=[rel],
        deferred=[rel.changed_event.deferred(Deferrer._on_db_changed)],
        stored_state=[StoredState(owner_path="Deferrer", content={"ok": True, "handled": []})],
    )
    out = Context(Deferrer, meta=META).run("update_status", state)
    assert out.deferred == []
    assert out.get_stored_state("_stored", owner_path="Deferrer").content["handled"] == [
        f"db:{rel.relation_id}:pg/0"
    ]


def test_deferred_workload_event_round_trip():
    container = Container("work", can_connect=True)
    ctx = Context(Deferrer, meta=META)
    out = ctx.run(container.pebble_ready_event, State(containers=[container]))
    [d] = out.deferred
    assert d.snapshot_data["container_name"] == "work"
    out2 = ctx.run(
        "update_status",
        out.replace(stored_state=[StoredState(owner_path="Deferrer", content={"ok": True, "handled": []})]),
    )
    assert out2.deferred == []
    assert out2.get_stored_state("_stored", owner_path="Deferrer").content["handled"] == ["ready:work"]


def test_deferred_helper_and_value():
    d = deferred("start", handler=Deferrer._on_start, event_id=7)
    assert d == DeferredEvent("Deferrer/on/start[7]", "Deferrer", "_on_start", {})
    assert d.name == "start"
    with pytest.raises(ValueError):
        Event("start").deferred(handler=print)


# --- status history -------------------------------------------------------------------------


class StatusFlipper(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update)

    def _on_update(self, _):
        self.unit.status = MaintenanceStatus("working")
        self.unit.status = WaitingStatus("almost")
        self.unit.status = ActiveStatus("done")
        if self.unit.is_leader():
            self.app.status = BlockedStatus("app blocked")
            self.app.status = ActiveStatus("app done")


def test_unit_and_app_status_history():
    state = State(leader=True, status=Status(unit=BlockedStatus("before"), app=WaitingStatus("app before")))
    out = Context(StatusFlipper, meta=META).run("update_status", state)
    assert out.status.unit == ActiveStatus("done")
    assert out.status.unit_history == [BlockedStatus("before"), MaintenanceStatus("working"), WaitingStatus("almost")]
    assert out.status.app == ActiveStatus("app done")
    assert out.status.app_history == [WaitingStatus("app before"), BlockedStatus("app blocked")]


def test_status_history_accumulates_across_runs():
    ctx = Context(StatusFlipper, meta=META)
    out = ctx.run("update_status", State())
    out2 = ctx.run("update_status", out)
    assert out2.status.unit_history == [
        UnknownStatus(),
        MaintenanceStatus("working"),
        WaitingStatus("almost"),
        ActiveStatus("done"),
        MaintenanceStatus("working"),
        WaitingStatus("almost"),
    ]
    assert out2.status.app_history == []


def test_status_unchanged_without_status_set():
    state = State(status=Status(unit=ActiveStatus("keep"), unit_history=[BlockedStatus("old")]))
    out = Context(CharmBase, meta=META).run("update_status", state)
    assert out.status == state.status


# --- capture_events -------------------------------------------------------------------------


class CustomEvent(EventBase):
    pass


class CustomEvents(CharmEvents):
    custom = EventSource(CustomEvent)


class Emitter(CharmBase):
    on = CustomEvents()

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update)
        framework.observe(self.on.custom, self._on_custom)
        framework.observe(self.on.db_relation_changed, self._on_db)

    def _on_start(self, _):
        self.on.custom.emit()

    def _on_update(self, event):
        event.defer()

    def _on_custom(self, _):
        pass

    def _on_db(self, event):
        event.defer()


def test_capture_events_all_in_order():
    with capture_events() as captured:
        Context(Emitter, meta=META).run("start", State())
    assert [type(e) for e in captured] == [StartEvent, CustomEvent]


def test_capture_events_filters_by_type():
    with capture_events(CustomEvent) as captured:
        Context(Emitter, meta=META).run("start", State())
    assert [type(e) for e in captured] == [CustomEvent]


def test_capture_events_deferred_first_and_exclusion():
    state = State(deferred=[deferred("update_status", handler=Emitter._on_update)])
    with capture_events() as captured:
        Context(Emitter, meta=META).run("start", state)
    assert [type(e) for e in captured] == [UpdateStatusEvent, StartEvent, CustomEvent]
    with capture_events(include_deferred=False) as captured:
        Context(Emitter, meta=META).run("start", state)
    assert [type(e) for e in captured] == [StartEvent, CustomEvent]


def test_capture_events_deferred_relation_event_keeps_relation():
    rel = Relation("db", remote_app_name="pg")
    state = State(relations=[rel], deferred=[rel.changed_event.deferred(Emitter._on_db)])
    with capture_events(RelationEvent) as captured:
        Context(Emitter, meta=META).run("update_status", state)
    [event] = captured
    assert isinstance(event, RelationChangedEvent)
    assert event.relation.id == rel.relation_id


def test_capture_events_framework_events():
    with capture_events(include_framework=True) as captured:
        Context(Emitter, meta=META).run("config_changed", State())
    names = [type(e).__name__ for e in captured]
    assert names[0] == "ConfigChangedEvent"
    assert "PreCommitEvent" in names and "CommitEvent" in names
    has_collect_status = hasattr(ops.charm, "CollectStatusEvent")
    assert ("CollectStatusEvent" in names) == has_collect_status
    with capture_events() as captured:
        Context(Emitter, meta=META).run("config_changed", State())
    assert [type(e) for e in captured] == [ConfigChangedEvent]


def test_capture_events_restores_framework():
    from ops.framework import Framework

    emit, reemit = Framework._emit, Framework.reemit
    with capture_events():
        assert Framework._emit is not emit
    assert (Framework._emit, Framework.reemit) == (emit, reemit)


def test_emitted_events_fixture(emitted_events):
    Context(Emitter, meta=META).run("start", State())
    assert [type(e) for e in emitted_events] == [StartEvent, CustomEvent]


# --- peer relation state round trip ---------------------------------------------------------


class PeerCounter(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update)

    def _on_update(self, _):
        rel = self.model.get_relation("cluster")
        n = int(rel.data[self.unit].get("n", "0")) + 1
        rel.data[self.unit]["n"] = str(n)
        if self.unit.is_leader():
            rel.data[self.app]["leader-n"] = str(n)


def test_peer_databags_round_trip_across_runs():
    ctx = Context(PeerCounter, meta=META)
    state = State(leader=True, relations=[PeerRelation("cluster", peers_data={1: {"x": "y"}})])
    for _ in range(3):
        state = ctx.run("update_status", state)
    [rel] = state.relations
    assert rel.local_unit_data == {"n": "3"}
    assert rel.local_app_data == {"leader-n": "3"}
    assert rel.peers_data == {1: {"x": "y"}}


# --- the remaining public names, each through a charm -----------------------------------------

from scenario import (  # noqa: E402 - grouped with the tests that use them
    CheckInfo,
    ExecOutput,
    File,
    InjectRelation,
    JujuLogLine,
    Model,
    Mount,
    Notice,
    ParametrizedEvent,
    RelationBase,
    trigger,
)


def _probe(ctx, event, state, fn):
    box = {}

    def post(charm):
        box["result"] = fn(charm)

    return ctx.run(event, state, post_event=post), box.get("result")


def test_model_is_what_the_charm_sees():
    model = Model(name="prod", uuid="12345678-1234-4123-8123-123456789abc", type="lxd")
    _, seen = _probe(Context(CharmBase, meta={"name": "m"}), "start", State(model=model),
                     lambda c: (c.model.name, c.model.uuid))
    assert seen == ("prod", "12345678-1234-4123-8123-123456789abc")
    assert State().model == State().model == Model()


def test_juju_log_lines_are_juju_log_line_tuples():
    out, _ = _probe(Context(CharmBase, meta={"name": "m"}), "start", State(),
                    lambda c: c.model._backend.juju_log("ERROR", "bad"))
    assert JujuLogLine("ERROR", "bad") in out.juju_log
    assert all(isinstance(line, JujuLogLine) for line in out.juju_log)
    assert JujuLogLine("ERROR", "bad") == ("ERROR", "bad")


def test_trigger_is_a_one_shot_context_run():
    class Starter(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _):
            self.unit.status = ActiveStatus("triggered")

    out = trigger(State(), "start", Starter, meta={"name": "t"})
    assert out.status.unit == ActiveStatus("triggered")


def test_relation_base_and_parametrized_event_and_inject_relation():
    with pytest.raises(RuntimeError):
        RelationBase("db")
    assert isinstance(Relation("db"), RelationBase)
    factory = ParametrizedEvent(("remote_unit",), "relation", "db_relation_joined")
    assert factory(remote_unit=2).relation_remote_unit_id == 2
    with pytest.raises(ValueError):
        ParametrizedEvent((), "workload", "start")(remote_unit=1)
    assert InjectRelation("db", 3).relation_id == 3


def test_container_files_mounts_and_exec(tmp_path):
    (tmp_path / "host.txt").write_text("from host")
    container = Container(
        "work",
        can_connect=True,
        files={"/etc/app.conf": File("conf", permissions=0o600)},
        mounts={"m": Mount("/mnt", tmp_path)},
        exec_mock={("echo", "hi"): ExecOutput(stdout="hi\n")},
    )

    def use(charm):
        c = charm.unit.get_container("work")
        conf = pulled(c, "/etc/app.conf")
        host = pulled(c, "/mnt/host.txt")
        out, _ = c.exec(["echo", "hi"]).wait_output()
        c.push("/etc/new.conf", "pushed")
        return conf, host, out

    out, seen = _probe(Context(CharmBase, meta=META), "update_status", State(containers=[container]), use)
    assert seen == ("conf", "from host", "hi\n")
    [c] = out.containers
    assert [r.command for r in c.exec_history] == [["echo", "hi"]]
    assert c.filesystem.read_bytes("/etc/new.conf") == b"pushed"


@pytest.mark.skipif(not hasattr(ops.charm, "PebbleCustomNoticeEvent"),
                    reason=f"ops {ops.__version__} has no Pebble notices")
def test_custom_notice_event():
    notice = Notice("example.com/thing", id="7")
    container = Container("work", can_connect=True, notices=[notice])

    class Noticer(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.work_pebble_custom_notice, self._on_notice)

        def _on_notice(self, event):
            self.unit.status = ActiveStatus(f"{event.notice.key} {event.notice.id}")

    out = Context(Noticer, meta=META).run(container.custom_notice_event(notice), State(containers=[container]))
    assert out.status.unit == ActiveStatus("example.com/thing 7")


@pytest.mark.skipif(not hasattr(ops.charm, "PebbleCheckFailedEvent"),
                    reason=f"ops {ops.__version__} has no Pebble check events")
def test_check_failed_event():
    check = CheckInfo("ping", status="down", failures=3)
    container = Container("work", can_connect=True, check_infos=[check])

    class Checker(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.work_pebble_check_failed, self._on_failed)

        def _on_failed(self, event):
            self.unit.status = BlockedStatus(f"{event.info.name} failed")

    out = Context(Checker, meta=META).run(container.check_failed_event(check), State(containers=[container]))
    assert out.status.unit == BlockedStatus("ping failed")


class Scalars(CharmBase):
    _stored = OpsStoredState()

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update)

    def _on_update(self, _):
        self._stored.f = 1.5
        self._stored.b = True
        self._stored.none = None
        self._stored.raw = b"\x00\xff"
        self._stored.big = 2**62
        self._stored.unicode = "żółw"
        self._stored.deep = {"l": [{"s": {1, 2}}, [[]]], "e": {}}


def test_stored_state_scalar_types_round_trip():
    ctx = Context(Scalars, meta=META)
    out = ctx.run("update_status", State())
    content = out.get_stored_state("_stored", owner_path="Scalars").content
    expected = {
        "f": 1.5, "b": True, "none": None, "raw": b"\x00\xff", "big": 2**62,
        "unicode": "żółw", "deep": {"l": [{"s": {1, 2}}, [[]]], "e": {}},
    }
    assert content == expected
    assert type(content["b"]) is bool and type(content["f"]) is float
    # fed back in unchanged, it comes out unchanged
    again = ctx.run("start", out)
    assert again.get_stored_state("_stored", owner_path="Scalars").content == expected
