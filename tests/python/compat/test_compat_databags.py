"""relation-get as ops-scenario 3.1 answered it: a non-leader reads its own application databag,
and application names Juju would refuse are read. Strict mode answers as Juju does."""

import ops
import pytest
from ops.charm import CharmBase
from ops.model import ModelError

import scenario
from scenario import Context, PeerRelation, Relation, State, trigger

META = {
    "name": "local",
    "requires": {"db": {"interface": "sql"}},
    "peers": {"cluster": {"interface": "cluster"}},
}


OPS_2 = ops.__version__.startswith("2.")
# How a charm sees relation-get refusing a databag: ops 3 reads Juju's "permission denied" on a
# relation it may no longer have as a gone relation, whose databags are empty.
REFUSED = "ModelError: ERROR permission denied" if OPS_2 else (False, 0)


def read_databags(charm: CharmBase, seen: dict):
    relation = charm.model.get_relation("db")
    for key, entity in (("own_app", charm.app), ("remote_app", relation.app)):
        try:
            # membership and length go through relation-get and nothing else in ops
            seen[key] = ("token" in relation.data[entity], len(relation.data[entity]))
        except ModelError as e:
            seen[key] = f"{type(e).__name__}: {str(e).strip()}"


def read_own_app_databag(charm: CharmBase, seen: dict):
    # relation-get --app, as ops calls it: ops' own follower check (which ops 3 applies before
    # calling relation-get) stays out of the way
    relation = charm.model.get_relation("db")
    try:
        seen["own_app"] = charm.model._backend.relation_get(relation.id, charm.app.name, is_app=True)
    except ModelError as e:
        seen["own_app"] = f"{type(e).__name__}: {str(e).strip()}"


@pytest.fixture
def seen():
    return {}


# --- a non-leader reading its own application databag ------------------------------------


def test_follower_reads_own_app_databag(seen):
    relation = Relation("db", local_app_data={"token": "abc"}, remote_app_data={"token": "xyz"})
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"relation-get -r \d+ --app: Juju refuses a non-leader unit its own application's "
        r"databag \(permission denied\); read as ops-scenario 3.1 did; strict mode answers as "
        r"Juju does",
    ):
        trigger(
            State(leader=False, relations=[relation]),
            "update_status",
            CharmBase,
            meta=META,
            post_event=lambda charm: read_own_app_databag(charm, seen),
        )
    assert seen == {"own_app": {"token": "abc"}}


def test_follower_reads_own_app_databag_strict(seen):
    relation = Relation("db", local_app_data={"token": "abc"}, remote_app_data={"token": "xyz"})
    Context(CharmBase, meta=META, strict=True).run(
        "update_status",
        State(leader=False, relations=[relation]),
        post_event=lambda charm: read_own_app_databag(charm, seen),
    )
    assert seen == {"own_app": "ModelError: ERROR permission denied"}


def test_leader_reads_own_app_databag_without_divergence(seen, recwarn):
    relation = Relation("db", local_app_data={"token": "abc"})
    Context(CharmBase, meta=META).run(
        "update_status",
        State(leader=True, relations=[relation]),
        post_event=lambda charm: read_databags(charm, seen),
    )
    assert seen["own_app"] == (True, 1)
    assert not [w for w in recwarn if issubclass(w.category, scenario.JujuDivergenceWarning)]


def test_follower_reads_peer_app_databag_in_both_modes(seen, recwarn):
    # Juju lets every peer read the peer relation's application databag: no divergence there
    def read(charm):
        relation = charm.model.get_relation("cluster")
        seen["peer_app"] = dict(relation.data[charm.app])

    peers = PeerRelation("cluster", local_app_data={"token": "abc"}, peers_data={1: {}})
    for strict in (False, True):
        Context(CharmBase, meta=META, strict=strict).run(
            "update_status", State(leader=False, relations=[peers]), post_event=read
        )
        assert seen["peer_app"] == {"token": "abc"}
    assert not [w for w in recwarn if issubclass(w.category, scenario.JujuDivergenceWarning)]


# --- application names Juju refuses, in relation-get ---------------------------------------


def test_remote_app_name_with_underscore(seen):
    relation = Relation("db", remote_app_name="my_db", remote_app_data={"token": "xyz"})
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r'relation-get: "my_db" is not a valid Juju application name; read as ops-scenario '
        r"3.1 did; strict mode answers as Juju does",
    ):
        Context(CharmBase, meta=META).run(
            "update_status",
            State(leader=True, relations=[relation]),
            post_event=lambda charm: read_databags(charm, seen),
        )
    assert seen["remote_app"] == (True, 1)


def test_remote_app_name_with_underscore_strict(seen, monkeypatch):
    monkeypatch.setenv("SCENARIO_STRICT", "1")
    relation = Relation("db", remote_app_name="my_db", remote_app_data={"token": "xyz"})
    trigger(
        State(leader=True, relations=[relation]),
        "update_status",
        CharmBase,
        meta=META,
        post_event=lambda charm: read_databags(charm, seen),
    )
    assert seen["remote_app"] == REFUSED
    assert seen["own_app"] == (False, 0)


def test_own_app_name_with_underscore(seen):
    meta = {**META, "name": "my_charm"}
    relation = Relation("db", local_app_data={"token": "abc"})
    with pytest.warns(
        scenario.JujuDivergenceWarning, match=r'relation-get: "my_charm" is not a valid Juju application name'
    ):
        Context(CharmBase, meta=meta).run(
            "update_status",
            State(leader=True, relations=[relation]),
            post_event=lambda charm: read_databags(charm, seen),
        )
    assert seen["own_app"] == (True, 1)


def test_own_app_name_with_underscore_strict(seen):
    meta = {**META, "name": "my_charm"}
    relation = Relation("db", local_app_data={"token": "abc"})
    Context(CharmBase, meta=meta, strict=True).run(
        "update_status",
        State(leader=True, relations=[relation]),
        post_event=lambda charm: read_databags(charm, seen),
    )
    assert seen["own_app"] == REFUSED
