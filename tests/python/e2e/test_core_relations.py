"""Relations through real charms: databag reads and writes with Juju's permissions, peer and
subordinate relations, relation events, config, network-get, leadership and logging."""

import ops
import pytest
from ops.charm import CharmBase
from ops.model import ActiveStatus, BlockedStatus, ModelError, RelationDataError

from scenario import (
    Address,
    BindAddress,
    Context,
    Network,
    PeerRelation,
    Relation,
    State,
    Status,
    SubordinateRelation,
)
from charm_runs import probe

OPS = tuple(int(p) for p in ops.__version__.split(".")[:2])

META = {
    "name": "local",
    "requires": {"db": {"interface": "sql"}},
    "provides": {"web": {"interface": "http"}},
    "peers": {"cluster": {"interface": "cluster"}},
    "extra-bindings": {"metrics": None},
}


class Idle(CharmBase):
    pass


# --- databag reads -------------------------------------------------------------------------


class DbReader(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.db_relation_changed, self._on_changed)

    def _on_changed(self, event):
        rel = event.relation
        remote_app = rel.data[event.app].get("host", "?")
        remote_unit = rel.data[event.unit].get("port", "?")
        units = ",".join(sorted(u.name for u in rel.units))
        self.unit.status = ActiveStatus(f"{remote_app}:{remote_unit} [{units}] app={rel.app.name}")


def test_relation_changed_reads_remote_app_and_unit_databags():
    rel = Relation(
        "db",
        remote_app_name="postgres",
        remote_app_data={"host": "pg.local"},
        remote_units_data={0: {"port": "5432"}, 1: {"port": "5433"}},
    )
    out = Context(DbReader, meta=META).run(rel.changed_event(remote_unit_id=1), State(relations=[rel]))
    assert out.status.unit == ActiveStatus("pg.local:5433 [postgres/0,postgres/1] app=postgres")
    # Reading changes nothing.
    assert out.relations == [rel]


class DbWriter(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.db_relation_joined, self._on_joined)

    def _on_joined(self, event):
        event.relation.data[self.unit]["address"] = "10.0.0.1"
        event.relation.data[self.unit]["stale"] = ""  # empty value deletes the key
        if self.unit.is_leader():
            event.relation.data[self.app]["database"] = "mydb"


@pytest.mark.parametrize("leader", [True, False])
def test_relation_write_unit_and_app_databags(leader):
    rel = Relation("db", local_unit_data={"stale": "x", "keep": "y"})
    out = Context(DbWriter, meta=META).run(rel.joined_event, State(relations=[rel], leader=leader))
    [out_rel] = out.relations
    assert out_rel.local_unit_data == {"keep": "y", "address": "10.0.0.1"}
    assert out_rel.local_app_data == ({"database": "mydb"} if leader else {})
    assert out_rel.remote_app_data == {}


def test_non_leader_cannot_write_app_databag():
    rel = Relation("db")

    def write(charm):
        with pytest.raises(ModelError) as info:
            charm.model.get_relation("db").data[charm.app]["k"] = "v"
        return info.value

    # Strict: by default a non-leader reads its own app databag, as under 3.1.
    out, error = probe(Context(Idle, meta=META, strict=True), "update_status", State(relations=[rel]), write)
    if OPS[0] == 2 and "update" in vars(ops.model.RelationDataContent):
        # late ops 2.x's batch update() (behind __setitem__) reads the bag before checking access; Juju refuses that read to a
        # non-leader on a regular relation, which ops reports as a plain ModelError.
        assert not isinstance(error, RelationDataError)
        assert "permission denied" in str(error)
    else:
        # ops 2.4 and 3.x check leadership before any read and raise RelationDataAccessError.
        assert isinstance(error, RelationDataError)
    assert out.relations[0].local_app_data == {}


def test_non_leader_cannot_read_app_databag_of_regular_relation():
    rel = Relation("db", local_app_data={"secret": "s"})

    def read(charm):
        with pytest.raises(RelationDataError):
            charm.model.get_relation("db").data[charm.app]["secret"]
        return True

    _, ok = probe(Context(Idle, meta=META), "update_status", State(relations=[rel]), read)
    assert ok


def test_leader_reads_own_app_databag():
    rel = Relation("db", local_app_data={"secret": "s"})
    _, value = probe(
        Context(Idle, meta=META),
        "update_status",
        State(relations=[rel], leader=True),
        lambda charm: charm.model.get_relation("db").data[charm.app]["secret"],
    )
    assert value == "s"


@pytest.mark.parametrize("leader", [True, False])
def test_remote_databags_are_read_only(leader):
    rel = Relation("db", remote_app_data={"a": "1"}, remote_units_data={0: {"u": "1"}})

    def write(charm):
        relation = charm.model.get_relation("db")
        results = []
        for entity in (relation.app, next(iter(relation.units))):
            try:
                relation.data[entity]["x"] = "y"
                results.append("written")
            except RelationDataError as e:
                results.append(type(e).__name__)
        return results

    out, results = probe(Context(Idle, meta=META), "update_status", State(relations=[rel], leader=leader), write)
    assert "written" not in results
    assert out.relations[0].remote_app_data == {"a": "1"}
    assert out.relations[0].remote_units_data == {0: {"u": "1"}}


def test_non_string_value_is_refused_by_ops():
    rel = Relation("db")

    def write(charm):
        try:
            charm.model.get_relation("db").data[charm.unit]["n"] = 1  # type: ignore[assignment]
        except RelationDataError as e:
            return type(e).__name__
        return "written"

    out, result = probe(Context(Idle, meta=META), "update_status", State(relations=[rel]), write)
    assert result != "written"
    assert out.relations[0].local_unit_data == {}


def test_relation_created_and_broken_have_no_remote_unit():
    seen = {}

    class Watcher(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.db_relation_created, self._record)
            framework.observe(self.on.db_relation_broken, self._record)

        def _record(self, event):
            seen[event.handle.kind] = (event.unit, event.app.name if event.app else None)

    rel = Relation("db", remote_app_name="pg")
    # Juju sets no remote unit on created/broken; 3.1 set one (the default, with a warning)
    ctx = Context(Watcher, meta=META, strict=True)
    ctx.run(rel.created_event, State(relations=[rel]))
    ctx.run(rel.broken_event, State(relations=[rel]))
    assert seen["db_relation_created"] == (None, "pg")
    assert seen["db_relation_broken"][0] is None


def test_relation_departed_names_departing_unit():
    seen = {}

    class Watcher(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.db_relation_departed, self._on_departed)

        def _on_departed(self, event):
            seen["unit"] = event.unit.name
            seen["departing"] = event.departing_unit.name
            seen["units"] = sorted(u.name for u in event.relation.units)

    rel = Relation("db", remote_app_name="pg", remote_unit_ids=[0, 1])
    Context(Watcher, meta=META).run(rel.departed_event(remote_unit_id=1, departed_unit_id=1), State(relations=[rel]))
    assert seen == {"unit": "pg/1", "departing": "pg/1", "units": ["pg/0"]}


def test_relation_ids_and_unknown_relation():
    rels = [Relation("db", relation_id=3), Relation("db", relation_id=7), Relation("web", relation_id=9)]

    def look(charm):
        ids = sorted(r.id for r in charm.model.relations["db"])
        return ids, [r.id for r in charm.model.relations["web"]], charm.model.get_relation("db", 7).id

    _, (db_ids, web_ids, by_id) = probe(Context(Idle, meta=META), "start", State(relations=rels), look)
    assert db_ids == [3, 7]
    assert web_ids == [9]
    assert by_id == 7


def test_relation_order_is_jujus_string_order():
    # Juju sorts relation-ids output as strings (jujuc/relation-ids.go: sort.Strings); ops keeps
    # that order in Model.relations.
    rels = [
        Relation("db", relation_id=2),
        Relation("db", relation_id=10),
        Relation("db", relation_id=1),
    ]

    def look(charm):
        return [r.id for r in charm.model.relations["db"]]

    _, ids = probe(Context(Idle, meta=META), "start", State(relations=rels), look)
    assert ids == [1, 10, 2]


# --- peer relations ------------------------------------------------------------------------


class PeerCharm(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.cluster_relation_changed, self._on_changed)

    def _on_changed(self, event):
        rel = event.relation
        # A non-leader may read its app's peer databag.
        shared = rel.data[self.app].get("shared", "-")
        peer_value = rel.data[event.unit].get("v", "-")
        rel.data[self.unit]["seen"] = peer_value
        units = ",".join(sorted(u.name for u in rel.units))
        self.unit.status = ActiveStatus(f"{shared} {peer_value} {units} {rel.app.name}")


def test_peer_relation_reads_and_writes():
    peers = PeerRelation("cluster", local_app_data={"shared": "S"}, peers_data={1: {"v": "one"}, 2: {}})
    out = Context(PeerCharm, meta=META).run(peers.changed_event(remote_unit_id=1), State(relations=[peers]))
    assert out.status.unit == ActiveStatus("S one local/1,local/2 local")
    [out_peers] = out.relations
    assert isinstance(out_peers, PeerRelation)
    assert out_peers.local_unit_data == {"seen": "one"}
    assert out_peers.peers_data == {1: {"v": "one"}, 2: {}}


def test_peer_relation_with_no_peers_lists_no_units():
    peers = PeerRelation("cluster")
    _, units = probe(
        Context(Idle, meta=META), "start", State(relations=[peers]),
        lambda charm: list(charm.model.get_relation("cluster").units),
    )
    assert units == []


def test_peer_app_databag_write_needs_leadership():
    peers = PeerRelation("cluster")

    def write(charm):
        try:
            charm.model.get_relation("cluster").data[charm.app]["k"] = "v"
            return "written"
        except RelationDataError:
            return "refused"

    ctx = Context(Idle, meta=META)
    out_leader, r1 = probe(ctx, "start", State(relations=[peers], leader=True), write)
    out_follower, r2 = probe(ctx, "start", State(relations=[peers], leader=False), write)
    assert (r1, r2) == ("written", "refused")
    assert out_leader.relations[0].local_app_data == {"k": "v"}
    assert out_follower.relations[0].local_app_data == {}


# --- subordinate relations -----------------------------------------------------------------

SUB_META = {
    "name": "logger",
    "subordinate": True,
    "requires": {"juju-info": {"interface": "juju-info", "scope": "container"}},
}


class SubCharm(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.juju_info_relation_changed, self._on_changed)

    def _on_changed(self, event):
        rel = event.relation
        principal = rel.data[event.unit].get("host", "?")
        self.unit.status = ActiveStatus(f"{event.unit.name} {principal} {rel.data[rel.app].get('a', '?')}")
        rel.data[self.unit]["attached"] = "yes"


def test_subordinate_relation_round_trip():
    sub = SubordinateRelation(
        "juju-info",
        remote_app_name="mysql",
        remote_unit_id=3,
        remote_unit_data={"host": "m3"},
        remote_app_data={"a": "b"},
    )
    out = Context(SubCharm, meta=SUB_META).run(sub.changed_event, State(relations=[sub]))
    assert out.status.unit == ActiveStatus("mysql/3 m3 b")
    [out_sub] = out.relations
    assert isinstance(out_sub, SubordinateRelation)
    assert out_sub.local_unit_data == {"attached": "yes"}
    assert out_sub.remote_unit_data == {"host": "m3"}
    assert out_sub.remote_unit_name == "mysql/3"


# --- config --------------------------------------------------------------------------------

CONFIG = {
    "options": {
        "port": {"type": "int", "default": 8080},
        "debug": {"type": "boolean", "default": False},
        "name": {"type": "string", "default": ""},
        "ratio": {"type": "float", "default": 0.5},
        "nodefault": {"type": "string"},
    }
}


def test_config_defaults_including_falsy_and_overrides():
    _, config = probe(
        Context(Idle, meta={"name": "c"}, config=CONFIG),
        "config_changed",
        State(config={"port": 9000}),
        lambda charm: dict(charm.config),
    )
    assert config == {"port": 9000, "debug": False, "name": "", "ratio": 0.5}


def test_config_type_error_is_inconsistent():
    from scenario import InconsistentScenarioError

    with pytest.raises(InconsistentScenarioError) as info:
        Context(Idle, meta={"name": "c"}, config=CONFIG).run("start", State(config={"port": "80"}))
    assert any("port" in p for p in info.value.problems)


def test_undeclared_config_key_is_inconsistent():
    from scenario import InconsistentScenarioError

    with pytest.raises(InconsistentScenarioError) as info:
        Context(Idle, meta={"name": "c"}, config=CONFIG).run("start", State(config={"bogus": "x"}))
    assert any("bogus" in p for p in info.value.problems)


# --- networks ------------------------------------------------------------------------------


def test_network_get_explicit_network():
    net = Network(
        name="db",
        bind_addresses=[BindAddress("eth1", [Address(hostname="h", value="10.1.2.3", cidr="10.1.2.0/24")])],
        ingress_addresses=["10.1.2.3"],
        egress_subnets=["10.1.2.0/24"],
    )

    def look(charm):
        binding = charm.model.get_binding("db")
        n = binding.network
        return str(n.bind_address), [str(a) for a in n.ingress_addresses], [str(s) for s in n.egress_subnets]

    _, result = probe(Context(Idle, meta=META), "start", State(relations=[Relation("db")], networks=[net]), look)
    assert result == ("10.1.2.3", ["10.1.2.3"], ["10.1.2.0/24"])


@pytest.mark.parametrize("binding", ["db", "web", "cluster", "metrics"])
def test_network_get_default_for_declared_bindings(binding):
    def look(charm):
        n = charm.model.get_binding(binding).network
        return str(n.bind_address), [i.name for i in n.interfaces]

    _, (addr, ifaces) = probe(Context(Idle, meta=META), "start", State(), look)
    assert addr == "192.0.2.0"
    assert ifaces == ["eth0"]


def test_network_get_default_network_helper():
    net = Network.default("metrics", private_address="172.16.0.5")
    _, addr = probe(
        Context(Idle, meta=META), "start", State(networks=[net]),
        lambda charm: str(charm.model.get_binding("metrics").network.bind_address),
    )
    assert addr == "172.16.0.5"


def test_network_get_unknown_binding_raises_model_error():
    def look(charm):
        try:
            charm.model.get_binding("nope").network
        except ModelError as e:
            return type(e).__name__, str(e)
        return None

    _, (name, message) = probe(Context(Idle, meta=META), "start", State(), look)
    # Not RelationNotFoundError: the binding simply does not exist.
    assert name == "ModelError"
    assert "nope" in message


# --- leadership, logging, workload version -------------------------------------------------


class LeaderFlow(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.leader_elected, self._on_elected)
        framework.observe(self.on.update_status, self._on_update)

    def _on_elected(self, _):
        self.app.status = ActiveStatus("led")
        self.unit.status = ActiveStatus("leader")

    def _on_update(self, _):
        if not self.unit.is_leader():
            self.unit.status = BlockedStatus("follower")


def test_leader_elected_sets_app_status():
    out = Context(LeaderFlow, meta={"name": "l"}).run("leader_elected", State(leader=True))
    assert out.status.app == ActiveStatus("led")
    assert out.status.unit == ActiveStatus("leader")


def test_non_leader_cannot_set_app_status():
    def set_app(charm):
        try:
            charm.app.status = ActiveStatus("x")
        except RuntimeError:  # ops checks leadership itself before status-set
            return "refused"
        return "set"

    out, result = probe(Context(Idle, meta={"name": "l"}), "update_status", State(leader=False), set_app)
    assert result == "refused"
    assert out.status.app == ops.UnknownStatus()


def test_follower_flow():
    out = Context(LeaderFlow, meta={"name": "l"}).run("update_status", State(leader=False))
    assert out.status.unit == BlockedStatus("follower")


class Logger(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        import logging

        log = logging.getLogger("my-charm")
        log.debug("dbg")
        log.info("inf")
        log.warning("wrn")
        log.error("err")
        self.unit.set_workload_version("1.2.3")


def test_juju_log_levels_and_workload_version():
    out = Context(Logger, meta={"name": "l"}).run("start", State())
    mine = [(line.level, line.message) for line in out.juju_log if line.message in ("dbg", "inf", "wrn", "err")]
    assert mine == [("DEBUG", "dbg"), ("INFO", "inf"), ("WARNING", "wrn"), ("ERROR", "err")]
    assert out.status.workload_version == "1.2.3"


def test_workload_version_history():
    out = Context(Logger, meta={"name": "l"}).run("start", State(status=State().status.replace(workload_version="1.0")))
    assert out.status.workload_version == "1.2.3"
    assert out.status.previous_workload_version == "1.0"


def test_juju_log_direct_levels():
    def log(charm):
        charm.model._backend.juju_log("WARNING", "direct")
        charm.model._backend.juju_log("debug", "lower")

    out, _ = probe(Context(Idle, meta={"name": "l"}), "start", State(), log)
    assert ("WARNING", "direct") in out.juju_log
    assert ("DEBUG", "lower") in out.juju_log


def test_planned_units():
    _, units = probe(
        Context(Idle, meta={"name": "p"}), "start", State(planned_units=4, leader=True),
        lambda charm: charm.app.planned_units(),
    )
    assert units == 4


# --- more relation rules ---------------------------------------------------------------------


def test_broken_relation_is_not_listed_during_its_broken_hook():
    seen = {}

    class Breaker(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.db_relation_broken, self._on_broken)

        def _on_broken(self, event):
            seen["listed"] = [r.id for r in self.model.relations["db"]]
            seen["event"] = event.relation.id
            seen["units"] = list(event.relation.units)

    broken = Relation("db", relation_id=1, remote_unit_ids=[0, 1])
    other = Relation("db", relation_id=2)
    # Juju's rule from 3.4 (runner/context/context.go, RelationIds); 3.1 listed the broken
    # relation and its units (the default, with a warning)
    Context(Breaker, meta=META, strict=True, juju_version="3.4.0").run(
        broken.broken_event, State(relations=[broken, other])
    )
    assert seen == {"listed": [2], "event": 1, "units": []}


def test_departing_unit_data_stays_readable():
    seen = {}

    class Reader(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.db_relation_departed, self._on_departed)

        def _on_departed(self, event):
            # relation-get still answers for the departing unit (Juju keeps its settings).
            seen["tool"] = self.model._backend.relation_get(event.relation.id, "pg/1", False)
            try:
                seen["data"] = dict(event.relation.data[event.departing_unit])
            except KeyError:
                seen["data"] = "KeyError"

    rel = Relation("db", remote_app_name="pg", remote_units_data={0: {}, 1: {"bye": "now"}})
    Context(Reader, meta=META).run(rel.departed_event(remote_unit_id=1, departed_unit_id=1), State(relations=[rel]))
    assert seen["tool"] == {"bye": "now"}
    if OPS <= (2, 4):
        # ops 2.4's RelationData only has the units relation-list shows, which Juju no longer
        # lists during their own departed hook.
        assert seen["data"] == "KeyError"
    elif OPS >= (2, 23):
        assert seen["data"] == {"bye": "now"}


def test_peer_event_app_is_own_app():
    seen = {}

    class PeerWatcher(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.cluster_relation_joined, self._on_joined)

        def _on_joined(self, event):
            seen["app"] = event.app.name
            seen["unit"] = event.unit.name

    peers = PeerRelation("cluster", peers_ids=[4])
    Context(PeerWatcher, meta=META).run(peers.joined_event, State(relations=[peers]))
    assert seen == {"app": "local", "unit": "local/4"}


@pytest.mark.skipif(not hasattr(ops.model.Relation, "remote_model"),
                    reason=f"ops {ops.__version__} has no Relation.remote_model")
def test_cross_model_relation_remote_model_uuid():
    rel = Relation("db", remote_model_uuid="deadbeef-0000-4000-8000-000000000001")
    same = Relation("db")
    _, uuids = probe(
        Context(Idle, meta=META), "start", State(relations=[rel, same]),
        lambda c: [r.remote_model.uuid for r in c.model.relations["db"]],
    )
    assert uuids == ["deadbeef-0000-4000-8000-000000000001", State().model.uuid]


def test_unit_id_and_app_name_reach_the_charm():
    _, names = probe(
        Context(Idle, meta=META, app_name="renamed"), "start", State(unit_id=7),
        lambda c: (c.unit.name, c.app.name),
    )
    assert names == ("renamed/7", "renamed")


# --- reading statuses; planned units with peers ----------------------------------------------


def test_charm_reads_statuses_from_state():
    state = State(leader=True, status=Status(app=BlockedStatus("b"), unit=ops.WaitingStatus("w")))
    _, seen = probe(Context(Idle, meta=META), "start", state, lambda c: (c.app.status, c.unit.status))
    assert seen == (BlockedStatus("b"), ops.WaitingStatus("w"))


def test_non_leader_cannot_read_app_status():
    def read(charm):
        try:
            charm.app.status
        except RuntimeError as e:  # ops checks leadership itself
            return str(e)
        return None

    _, message = probe(Context(Idle, meta=META), "start", State(leader=False), read)
    assert message and "leader" in message


def test_planned_units_counts_non_dying_units():
    # More peers in the State than planned: goal-state reports the surplus as dying.
    peers = PeerRelation("cluster", peers_ids=[1, 2, 3])
    _, planned = probe(Context(Idle, meta=META), "start", State(leader=True, planned_units=2, relations=[peers]),
                       lambda c: c.app.planned_units())
    assert planned == 2


class PeerWatcher(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.peers_relation_changed, self._on_peers)
        framework.observe(self.on.peers_relation_broken, self._on_peers)
        self.seen = []

    def _on_peers(self, event):
        type(self).seen.append((event.handle.kind, event.app and event.app.name,
                                event.unit and event.unit.name))


def test_deferred_peer_events_come_back_with_this_app_and_a_peer():
    PeerWatcher.seen = []
    meta = {"name": "watcher", "peers": {"peers": {"interface": "cluster"}}}
    peers = PeerRelation("peers", peers_data={2: {}, 1: {}})
    state = State(
        relations=[peers],
        deferred=[
            peers.changed_event.deferred(handler=PeerWatcher._on_peers),
            peers.broken_event.deferred(handler=PeerWatcher._on_peers, event_id=2),
        ],
    )
    out = Context(PeerWatcher, meta=meta).run("update_status", state)
    assert out.deferred == []
    assert PeerWatcher.seen == [
        ("peers_relation_changed", "watcher", "watcher/1"),
        ("peers_relation_broken", "watcher", None),
    ]


class AddressPublisher(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.db_relation_joined, self._on_joined)

    def _on_joined(self, event):
        mine = event.relation.data[self.unit]
        mine["url"] = f"http://{mine['ingress-address']}:5432"
        self.unit.status = ActiveStatus(f"{mine['private-address']} {mine['egress-subnets']}")


def test_own_unit_databag_holds_the_addresses_juju_writes_there():
    relation = Relation("db", remote_units_data={0: {}})
    out = Context(AddressPublisher, meta=META).run(
        relation.joined_event(remote_unit_id=0), State(relations=[relation])
    )
    assert out.status.unit == ActiveStatus("192.0.2.0 192.0.2.0/24")
    # The output holds what the charm wrote, not Juju's own keys.
    assert out.relations[0].local_unit_data == {"url": "http://192.0.2.0:5432"}


def test_own_unit_addresses_follow_the_bindings_network():
    network = Network.default(
        "db", private_address="10.0.0.7", ingress_addresses=["10.0.0.8"], egress_subnets=["10.0.0.0/24"]
    )
    relation = Relation("db", remote_units_data={0: {}})
    out = Context(AddressPublisher, meta=META).run(
        relation.joined_event(remote_unit_id=0), State(relations=[relation], networks=[network])
    )
    # ingress-address and private-address: the binding's ingress address, as Juju writes them
    assert out.status.unit == ActiveStatus("10.0.0.8 10.0.0.0/24")
    assert out.relations[0].local_unit_data == {"url": "http://10.0.0.8:5432"}
