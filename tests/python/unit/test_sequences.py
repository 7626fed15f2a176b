"""check_builtin_sequences: Juju's real startup/teardown order, each output fed forward."""

import pytest

import scenario.context
from scenario import sequences
from scenario.state import PeerRelation, Relation, State, Storage


class FakeContext:
    """Records what the sequence runs; each output State counts the runs so far."""

    instances = []

    def __init__(self, charm_type, meta=None, actions=None, config=None, **kwargs):
        self.args = (charm_type, meta, actions, config)
        self.calls = []
        FakeContext.instances.append(self)

    def run(self, event, state, pre_event=None, post_event=None):
        self.calls.append((event, state, pre_event, post_event))
        return state.replace(config={"runs": state.config.get("runs", 0) + 1})


@pytest.fixture
def fake_context(monkeypatch):
    FakeContext.instances = []
    monkeypatch.setattr(scenario.context, "Context", FakeContext)
    return FakeContext


def names(calls):
    out = []
    for event, _, _, _ in calls:
        label = event.name
        if event.relation_remote_unit_id is not None:
            label += f"({event.relation_remote_unit_id})"
        out.append(label)
    return out


def test_order_without_relations(fake_context):
    class Charm:
        pass

    pre, post = object(), object()
    finals = sequences.check_builtin_sequences(
        Charm, meta={"name": "x"}, actions={"a": {}}, config={"options": {}},
        pre_event=pre, post_event=post,
    )
    (ctx,) = fake_context.instances
    assert ctx.args == (Charm, {"name": "x"}, {"a": {}}, {"options": {}})
    leader_run = ["install", "leader_elected", "config_changed", "start", "stop", "remove"]
    follower_run = ["install", "leader_settings_changed", "config_changed", "start", "stop",
                    "remove"]
    assert names(ctx.calls) == leader_run + follower_run
    assert all(c[2] is pre and c[3] is post for c in ctx.calls)
    # leadership of the states the events ran on
    assert [c[1].leader for c in ctx.calls] == [True] * 6 + [False] * 6
    # each run starts from the previous run's output
    assert [c[1].config.get("runs", 0) for c in ctx.calls] == list(range(6)) * 2
    assert [f.config["runs"] for f in finals] == [6, 6]
    assert [f.leader for f in finals] == [True, False]


def test_order_with_relations_and_storage(fake_context):
    db = Relation("db", relation_id=1, remote_unit_ids=[0, 1])
    peers = PeerRelation("peers", relation_id=2, peers_ids=[3])
    template = State(relations=[db, peers], storages=[Storage("data")], config={"runs": 0})
    finals = sequences.check_builtin_sequences(object, meta={"name": "x"},
                                               template_state=template)
    (ctx,) = fake_context.instances
    expected = [
        "data_storage_attached", "install", "db_relation_created", "peers_relation_created",
        "leader_elected", "config_changed", "start",
        "db_relation_departed(0)", "db_relation_departed(1)", "db_relation_broken",
        "peers_relation_departed(3)", "peers_relation_broken",
        "data_storage_detaching", "stop", "remove",
    ]
    assert names(ctx.calls)[: len(expected)] == expected
    assert names(ctx.calls)[len(expected) + 4] == "leader_settings_changed"
    # relation events carry the relation as it is in the State they run on
    for event, state, _, _ in ctx.calls:
        if event.relation is not None:
            assert event.relation in state.relations
    # after relation-departed the unit is gone; after relation-broken the relation is gone
    by_name = {names([c])[0]: c[1] for c in ctx.calls[: len(expected)]}
    assert by_name["db_relation_departed(1)"].get_relation(1).remote_unit_ids == [1]
    assert [r.relation_id for r in by_name["peers_relation_departed(3)"].relations] == [2]
    assert by_name["stop"].relations == []
    assert all(f.relations == [] for f in finals)
    # the template is not modified
    assert template.relations == [db, peers]


def test_charm_errors_propagate(monkeypatch):
    class Boom(Exception):
        pass

    class FailingContext(FakeContext):
        def run(self, event, state, pre_event=None, post_event=None):
            if event.name == "config_changed":
                raise Boom(event.name)
            return state

    monkeypatch.setattr(scenario.context, "Context", FailingContext)
    with pytest.raises(Boom, match="config_changed"):
        sequences.check_builtin_sequences(object, meta={"name": "x"})


def test_event_generators_are_public():
    s = State(leader=False)
    assert [e.name for e, _ in sequences.startup_events(s)] == [
        "install", "leader_settings_changed", "config_changed", "start"]
    assert [e.name for e, _ in sequences.teardown_events(s)] == ["stop", "remove"]
