"""Event sequences and Juju's lifecycles, on a real charm that records what it sees."""

import ops
import pytest

from scenario import Context, PeerRelation, Relation, State, Storage
from scenario import sequences
from charm_runs import expect_divergences

META = {
    "name": "recorder",
    "requires": {"db": {"interface": "sql"}},
    "peers": {"replicas": {"interface": "rep"}},
    "storage": {"data": {"type": "filesystem"}},
}


class Recorder(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(seen=[], instances=0)
        self._stored.instances += 1
        for name in ("install", "start", "stop", "remove", "config_changed", "upgrade_charm",
                     "leader_elected", "leader_settings_changed"):
            framework.observe(getattr(self.on, name), self._record)
        for endpoint in ("db", "replicas"):
            for kind in ("created", "joined", "changed", "departed", "broken"):
                framework.observe(getattr(self.on, f"{endpoint}_relation_{kind}"), self._record)
        framework.observe(self.on.data_storage_attached, self._record)
        framework.observe(self.on.data_storage_detaching, self._record)

    def _record(self, event):
        label = event.handle.kind
        if isinstance(event, ops.RelationDepartedEvent):
            label += f"({event.departing_unit.name})"
        self._stored.seen.append(label)


def seen(state):
    return list(state.get_stored_state("_stored", owner_path="Recorder").content["seen"])


def test_run_sequence_carries_stored_state_and_returns_each_state():
    ctx = Context(Recorder, meta=META)
    states = ctx.run_sequence(["install", "start"], State())
    assert len(states) == 2
    assert seen(states[0]) == ["install"]
    assert seen(states[1]) == ["install", "start"]
    stored = states[1].get_stored_state("_stored", owner_path="Recorder").content
    assert stored["instances"] == 2  # a fresh charm per event


@pytest.mark.parametrize("leader, election", [(True, "leader_elected"), (False, "leader_settings_changed")])
def test_deploy_in_juju_order(leader, election):
    ctx = Context(Recorder, meta=META)
    db = Relation("db", remote_units_data={0: {}})
    state = State(leader=leader, relations=[db], storages=[Storage("data")])
    with expect_divergences("Juju sets no JUJU_REMOTE_UNIT on db-relation-created"):
        states = sequences.deploy(ctx, state)
    assert seen(states[-1]) == [
        "data_storage_attached",
        "install",
        "db_relation_created",
        election,
        "config_changed",
        "start",
    ]


def test_upgrade_order():
    ctx = Context(Recorder, meta=META)
    assert seen(sequences.upgrade(ctx, State())[-1]) == ["upgrade_charm", "config_changed", "start"]


def test_teardown_departs_each_unit_then_breaks():
    ctx = Context(Recorder, meta=META)
    db = Relation("db", remote_units_data={0: {}, 1: {}})
    # Context's default juju_version is 3.0, where relation-ids still lists the broken relation
    # as 3.1 did (Juju leaves it out from 3.4 on): no divergence to report.
    final = sequences.teardown(ctx, State(relations=[db]))[-1]
    assert seen(final) == [
        "db_relation_departed(remote/0)",
        "db_relation_departed(remote/1)",
        "db_relation_broken",
        "stop",
        "remove",
    ]
    assert final.relations == []


def test_teardown_keeps_the_remote_units_the_engine_reports():
    # 3.1's default remote unit 0 is for a Relation the test builds, not for one the engine
    # returns: by relation-broken units 5 and 6 have departed and the relation has no remote unit.
    ctx = Context(Recorder, meta=META)
    db = Relation("db", remote_units_data={5: {}, 6: {}})
    states = sequences.teardown(ctx, State(relations=[db]))
    shown = [[(r.remote_unit_ids, r.remote_units_data) for r in s.relations] for s in states[:3]]
    assert shown == [
        [([5, 6], {5: {}, 6: {}})],  # departed(5): the unit leaves once its hook has run
        [([6], {6: {}})],
        [([], {})],  # relation-broken
    ]


def test_check_builtin_sequences_runs_for_leader_and_follower():
    finals = sequences.check_builtin_sequences(
        Recorder, meta=META, template_state=State(relations=[PeerRelation("replicas")])
    )
    assert len(finals) == 2
    assert seen(finals[0])[:2] == ["install", "replicas_relation_created"]
    assert "leader_elected" in seen(finals[0])
    assert "leader_settings_changed" in seen(finals[1])
    assert seen(finals[1])[-2:] == ["stop", "remove"]
