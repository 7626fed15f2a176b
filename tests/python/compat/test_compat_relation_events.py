"""Relation events as ops-scenario 3.1 ran them, with a JujuDivergenceWarning where Juju differs.

Each behaviour has its default test (3.1's result plus the warning) and its strict counterpart
(Juju's result or error). Written as a 3.1 suite would write them: ``trigger`` or
``Context(...).run`` with a charm that records what its handler saw.
"""

import logging

import pytest
from ops.charm import CharmBase

import scenario
from scenario import Context, InconsistentScenarioError, PeerRelation, Relation, State, trigger
from charm_runs import expect_divergences

META = {
    "name": "local",
    "requires": {"db": {"interface": "sql"}},
    "peers": {"cluster": {"interface": "cluster"}},
}


@pytest.fixture
def mycharm():
    class MyCharm(CharmBase):
        seen = {}

        def __init__(self, framework):
            super().__init__(framework)
            for event in self.on.events().values():
                framework.observe(event, self._on_event)

        def _on_event(self, event):
            relation = getattr(event, "relation", None)
            if relation is None:
                return
            MyCharm.seen["event"] = event.handle.kind
            MyCharm.seen["relation"] = relation.id
            MyCharm.seen["unit"] = event.unit.name if event.unit else None
            # relation-ids as the charm's backend gets it (ops >= 2.10 itself leaves the broken
            # relation out of model.relations)
            MyCharm.seen["listed"] = self.model._backend.relation_ids(relation.name)
            MyCharm.seen["units"] = sorted(u.name for u in relation.units)

    return MyCharm


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv("SCENARIO_STRICT", "1")


# --- an event whose relation matches a State relation by endpoint, not by id --------------


def test_event_relation_matched_by_endpoint(mycharm):
    in_state = Relation("db", relation_id=7, remote_unit_ids=[3])
    elsewhere = Relation("db", relation_id=8, remote_unit_ids=[3])
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"relation_id 8 is not in state.relations; ran it on relation 7 .*"
        r"Juju names the relation by id; strict mode makes this an error",
    ):
        trigger(State(relations=[in_state]), elsewhere.changed_event, mycharm, meta=META)
    assert mycharm.seen["relation"] == 7
    assert mycharm.seen["unit"] == "remote/3"


def test_event_relation_matched_by_endpoint_strict(mycharm, strict):
    in_state = Relation("db", relation_id=7)
    elsewhere = Relation("db", relation_id=8)
    with pytest.raises(InconsistentScenarioError, match="relation_id 8 is not in state.relations"):
        trigger(State(relations=[in_state]), elsewhere.changed_event, mycharm, meta=META)
    assert mycharm.seen == {}


# --- the remote unit of relation-created and relation-broken ------------------------------


# In its own relation-broken hook, Juju lists no remote units (and, from Juju 3.4 on, not the
# relation either: Context's default juju_version 3.0 still lists it); ops asks for both while
# building the model, and the compatible mode answers as 3.1 did.
BROKEN_LISTINGS = {
    "created": (),
    "broken": (r"relation-list -r \d+: by relation-broken every remote unit has departed",),
}


@pytest.mark.parametrize("kind", ["created", "broken"])
def test_created_and_broken_get_the_lowest_remote_unit(mycharm, kind, caplog):
    relation = Relation("db", remote_unit_ids=[4, 2])
    event = getattr(relation, f"{kind}_event")
    with caplog.at_level(logging.WARNING, logger="scenario"), expect_divergences(
        rf"Juju sets no JUJU_REMOTE_UNIT on db-relation-{kind}, so event.unit is None "
        r"there; the run set unit 2 as ops-scenario 3.1 did. Strict mode leaves it unset",
        *BROKEN_LISTINGS[kind],
    ):
        Context(mycharm, meta=META).run(event, State(relations=[relation]))
    assert mycharm.seen["unit"] == "remote/2"
    assert any(
        r.name.startswith("scenario")
        and "remote unit ID unset, and multiple remote unit IDs are present" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize("kind", ["created", "broken"])
def test_created_and_broken_have_no_remote_unit_strict(mycharm, kind):
    relation = Relation("db", remote_unit_ids=[4, 2])
    event = getattr(relation, f"{kind}_event")
    Context(mycharm, meta=META, strict=True).run(event, State(relations=[relation]))
    assert mycharm.seen["event"] == f"db_relation_{kind}"
    assert mycharm.seen["unit"] is None


def test_created_honours_an_explicit_remote_unit(mycharm):
    relation = Relation("db", remote_unit_ids=[0, 1, 2])
    with pytest.warns(scenario.JujuDivergenceWarning, match="the run set unit 1 as ops-scenario 3.1 did"):
        Context(mycharm, meta=META).run(
            relation.created_event(remote_unit_id=1), State(relations=[relation])
        )
    assert mycharm.seen["unit"] == "remote/1"


def test_broken_honours_an_explicit_remote_unit(mycharm):
    relation = Relation("db", remote_unit_ids=[0, 5])
    with expect_divergences("the run set unit 5 as ops-scenario 3.1 did", *BROKEN_LISTINGS["broken"]):
        Context(mycharm, meta=META).run(
            relation.broken_event(remote_unit_id=5), State(relations=[relation])
        )
    assert mycharm.seen["unit"] == "remote/5"


def test_explicit_remote_unit_on_created_is_ignored_strict(mycharm):
    relation = Relation("db", remote_unit_ids=[0, 1])
    Context(mycharm, meta=META, strict=True).run(
        relation.created_event(remote_unit_id=1), State(relations=[relation])
    )
    assert mycharm.seen["unit"] is None


def test_one_remote_unit_logs_nothing(mycharm, caplog):
    relation = Relation("db", remote_unit_ids=[6])
    with caplog.at_level(logging.DEBUG, logger="scenario"):
        with pytest.warns(scenario.JujuDivergenceWarning, match="the run set unit 6"):
            Context(mycharm, meta=META).run(relation.created_event, State(relations=[relation]))
    assert mycharm.seen["unit"] == "remote/6"
    assert not any("multiple remote unit IDs" in r.getMessage() for r in caplog.records)


def test_multiple_remote_units_log_line_without_consistency_checks(mycharm, caplog, monkeypatch):
    monkeypatch.setenv("SCENARIO_SKIP_CONSISTENCY_CHECKS", "1")
    relation = Relation("db", remote_unit_ids=[1, 0])
    with caplog.at_level(logging.WARNING, logger="scenario"):
        with pytest.warns(scenario.JujuDivergenceWarning, match="the run set unit 0"):
            trigger(State(relations=[relation]), relation.created_event, mycharm, meta=META)
    assert mycharm.seen["unit"] == "remote/0"
    assert any(
        "remote unit ID unset, and multiple remote unit IDs are present" in r.getMessage()
        for r in caplog.records
    )


def test_changed_with_several_units_and_no_remote_unit_id_is_not_a_divergence(mycharm, recwarn):
    # for the unit events Juju names a unit too: 3.1's default is no divergence there
    relation = Relation("db", remote_unit_ids=[3, 1])
    trigger(State(relations=[relation]), relation.changed_event, mycharm, meta=META)
    assert mycharm.seen["unit"] == "remote/1"
    assert not [w for w in recwarn if issubclass(w.category, scenario.JujuDivergenceWarning)]


# --- during relation-broken: the broken relation is still listed, with its units ----------


def test_broken_relation_listed_with_its_units(mycharm):
    broken = Relation("db", relation_id=1, remote_unit_ids=[0, 1])
    other = Relation("db", relation_id=2)
    with pytest.warns(scenario.JujuDivergenceWarning) as record:
        Context(mycharm, meta=META, juju_version="3.4.0").run(
            broken.broken_event(remote_unit_id=0), State(relations=[broken, other])
        )
    assert mycharm.seen["listed"] == [1, 2]
    assert mycharm.seen["units"] == ["remote/0", "remote/1"]
    messages = [str(w.message) for w in record]
    assert any(
        "relation-ids db: Juju 3.4.0 (3.4 and later) leaves relation 1 out during its own "
        "relation-broken hook; listed as ops-scenario 3.1 did; strict mode answers as Juju does"
        in m
        for m in messages
    )
    assert any(
        "relation-list -r 1: by relation-broken every remote unit has departed, so Juju lists "
        "none; listed as ops-scenario 3.1 did; strict mode answers as Juju does" in m
        for m in messages
    )


def test_broken_relation_not_listed_strict(mycharm, strict):
    broken = Relation("db", relation_id=1, remote_unit_ids=[0, 1])
    other = Relation("db", relation_id=2)
    Context(mycharm, meta=META, juju_version="3.4.0").run(
        broken.broken_event, State(relations=[broken, other])
    )
    assert mycharm.seen["relation"] == 1
    assert mycharm.seen["listed"] == [2]
    assert mycharm.seen["units"] == []


def test_broken_relation_listed_before_juju_3_4_strict(mycharm, strict):
    # Juju's RelationIds skips the broken relation only from 3.4 on.
    broken = Relation("db", relation_id=1, remote_unit_ids=[0, 1])
    other = Relation("db", relation_id=2)
    Context(mycharm, meta=META, juju_version="3.3.2").run(
        broken.broken_event, State(relations=[broken, other])
    )
    assert mycharm.seen["listed"] == [1, 2]
    assert mycharm.seen["units"] == []


# --- a unit event on a relation without remote units --------------------------------------


def test_unit_event_on_relation_without_remote_units(mycharm):
    lonely = PeerRelation("cluster", peers_data={})
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"has no remote units, and Juju always names one \(JUJU_REMOTE_UNIT\) for "
        r"relation_changed.*strict mode makes it an error",
    ):
        trigger(State(relations=[lonely]), lonely.changed_event, mycharm, meta=META)
    assert mycharm.seen["event"] == "cluster_relation_changed"
    assert mycharm.seen["unit"] is None


def test_unit_event_on_relation_without_remote_units_strict(mycharm):
    lonely = PeerRelation("cluster", peers_data={})
    with pytest.raises(InconsistentScenarioError, match="has no remote units"):
        Context(mycharm, meta=META, strict=True).run(lonely.changed_event, State(relations=[lonely]))
    assert mycharm.seen == {}
