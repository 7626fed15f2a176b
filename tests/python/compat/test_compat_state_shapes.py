"""States, metadata and config that ops-scenario 3.1 accepted and Juju would refuse.

By default each runs as in 3.1, with a JujuDivergenceWarning naming Juju's rule and the field;
under strict mode each is an InconsistentScenarioError.
"""

import pytest
from ops.charm import CharmBase
from ops.model import ActiveStatus

import scenario
from scenario import (
    Container,
    Context,
    Event,
    InconsistentScenarioError,
    PeerRelation,
    Relation,
    State,
    trigger,
)
from scenario.consistency_checker import check_consistency
from scenario.state import _CharmSpec

META = {
    "name": "local",
    "requires": {"db": {"interface": "sql"}},
    "peers": {"cluster": {"interface": "cluster"}},
}

STRICT_SUFFIX = r"\(accepted as ops-scenario 3\.1 did; strict mode makes it an error\)"


class MyCharm(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.db_relation_changed, self._on_changed)
        framework.observe(self.on.config_changed, self._on_config_changed)

    def _on_start(self, _):
        self.unit.status = ActiveStatus(
            ",".join(f"{r.name}:{r.id}" for rs in self.model.relations.values() for r in rs)
        )

    def _on_changed(self, event):
        self.unit.status = ActiveStatus(f"from {event.unit.name}")

    def _on_config_changed(self, _):
        self.unit.status = ActiveStatus(repr(dict(self.config)))


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv("SCENARIO_STRICT", "1")


# --- a remote_unit_id that is not a unit of the relation ----------------------------------


def test_remote_unit_not_in_relation():
    relation = Relation("db", remote_unit_ids=[0])
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"event.relation_remote_unit_id 5 is not a remote unit of relation \d+, and Juju "
        r"sends events only for units in the relation.*" + STRICT_SUFFIX,
    ):
        out = trigger(
            State(relations=[relation]), relation.changed_event(remote_unit_id=5), MyCharm, meta=META
        )
    assert out.status.unit == ActiveStatus("from remote/5")


def test_remote_unit_not_in_relation_strict(strict):
    relation = Relation("db", remote_unit_ids=[0])
    with pytest.raises(InconsistentScenarioError, match="is not a remote unit of relation"):
        trigger(State(relations=[relation]), relation.changed_event(remote_unit_id=5), MyCharm, meta=META)


# --- a PeerRelation that lists this unit ---------------------------------------------------


def test_peer_relation_listing_this_unit():
    peers = PeerRelation("cluster", peers_data={0: {}, 1: {}})
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"peer data lists unit 0, which is this unit \(state.unit_id\), and Juju lists only "
        r"the other units as peers.*" + STRICT_SUFFIX,
    ):
        out = Context(MyCharm, meta=META).run("start", State(relations=[peers]))
    assert out.status.unit == ActiveStatus(f"cluster:{peers.relation_id}")


def test_peer_relation_listing_this_unit_strict():
    peers = PeerRelation("cluster", peers_data={0: {}, 1: {}})
    with pytest.raises(InconsistentScenarioError, match=r"which is this unit \(state.unit_id\)"):
        Context(MyCharm, meta=META, strict=True).run("start", State(relations=[peers]))


# --- a relation on an endpoint the metadata does not declare ------------------------------


def test_relation_on_undeclared_endpoint():
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"endpoint='nope'\]: endpoint not declared in metadata provides/requires/peers, and "
        r"Juju relates only declared endpoints.*" + STRICT_SUFFIX,
    ):
        out = trigger(State(relations=[Relation("nope", relation_id=4)]), "start", MyCharm, meta=META)
    # ops lists only declared endpoints; the relation stays in the output State
    assert out.status.unit == ActiveStatus("")
    assert [(r.endpoint, r.relation_id) for r in out.relations] == [("nope", 4)]


def test_relation_on_undeclared_endpoint_strict(strict):
    with pytest.raises(InconsistentScenarioError, match="endpoint not declared in metadata"):
        trigger(State(relations=[Relation("nope")]), "start", MyCharm, meta=META)


# --- duplicate relation ids ----------------------------------------------------------------


def test_duplicate_relation_ids():
    state = State(relations=[Relation("db", relation_id=2), Relation("db", relation_id=2)])
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"state.relations: relation id 2 is used 2 times, and Juju gives each relation its "
        r"own id.*" + STRICT_SUFFIX,
    ):
        out = Context(MyCharm, meta=META).run("start", state)
    assert out.status.unit.name == "active"
    assert out.status.unit.message.startswith("db:2")


def test_duplicate_relation_ids_strict():
    state = State(relations=[Relation("db", relation_id=2), Relation("db", relation_id=2)])
    with pytest.raises(InconsistentScenarioError, match="relation id 2 is used 2 times"):
        Context(MyCharm, meta=META, strict=True).run("start", state)


# --- a container resource not declared under resources ------------------------------------


CONTAINER_META = {**META, "containers": {"workload": {"resource": "workload-image"}}}


def test_undeclared_container_resource():
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"containers.workload.resource: 'workload-image' is not declared under resources.*"
        + STRICT_SUFFIX,
    ):
        out = trigger(State(containers=[Container("workload")]), "start", MyCharm, meta=CONTAINER_META)
    assert out.status.unit.name == "active"


def test_undeclared_container_resource_strict(strict):
    with pytest.raises(InconsistentScenarioError, match="'workload-image' is not declared under resources"):
        trigger(State(containers=[Container("workload")]), "start", MyCharm, meta=CONTAINER_META)


def test_declared_container_resource_is_no_divergence(recwarn):
    meta = {**CONTAINER_META, "resources": {"workload-image": {"type": "oci-image"}}}
    Context(MyCharm, meta=meta, strict=True).run("start", State(containers=[Container("workload")]))
    assert not [w for w in recwarn if issubclass(w.category, scenario.JujuDivergenceWarning)]


# --- relation without interface in the metadata -------------------------------------------


def test_relation_without_interface_in_metadata():
    # ops itself needs the interface: 3.1 let ops fail on it, and so does the default mode
    meta = {"name": "local", "requires": {"db": {}}}
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"requires.db.interface: missing; every relation needs an interface.*" + STRICT_SUFFIX,
    ):
        with pytest.raises(scenario.UncaughtCharmError, match="KeyError"):
            Context(MyCharm, meta=meta).run("start", State())


def test_relation_without_interface_in_metadata_strict():
    meta = {"name": "local", "requires": {"db": {}}}
    with pytest.raises(InconsistentScenarioError, match="requires.db.interface: missing"):
        Context(MyCharm, meta=meta, strict=True).run("start", State())


# --- the config option types and defaults 3.1 accepted ------------------------------------


@pytest.mark.parametrize(
    "option, value, juju_type",
    [({"type": "integer", "default": 3}, 3, "int"), ({"type": "number", "default": 1.5}, 1.5, "float")],
)
def test_config_type_names_of_3_1(option, value, juju_type):
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=rf"config.yaml: options.opt.type: '{option['type']}' is not a Juju config type; "
        rf"use {juju_type}.*" + STRICT_SUFFIX,
    ):
        out = trigger(
            State(), "config_changed", MyCharm, meta=META, config={"options": {"opt": option}}
        )
    assert out.status.unit == ActiveStatus(repr({"opt": value}))


@pytest.mark.parametrize("type_name", ["integer", "number"])
def test_config_type_names_of_3_1_strict(type_name, strict):
    with pytest.raises(InconsistentScenarioError, match=f"'{type_name}' is not a Juju config type"):
        trigger(State(), "start", MyCharm, meta=META, config={"options": {"opt": {"type": type_name}}})


def test_config_default_that_does_not_fit_its_type():
    config = {"options": {"port": {"type": "int", "default": "8080"}}}
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=r"options.port.default: a string \(\"8080\"\) does not fit the option's type int.*"
        + STRICT_SUFFIX,
    ):
        out = Context(MyCharm, meta=META, config=config).run("config_changed", State())
    assert out.status.unit == ActiveStatus(repr({"port": "8080"}))


def test_config_default_that_does_not_fit_its_type_strict():
    config = {"options": {"port": {"type": "int", "default": "8080"}}}
    with pytest.raises(InconsistentScenarioError, match=r"does not fit the option's type int"):
        Context(MyCharm, meta=META, config=config, strict=True).run("config_changed", State())


# --- juju_version strings 3.1 accepted ------------------------------------------------------


@pytest.mark.parametrize("version", ["3", "100"])
def test_juju_version_as_dotted_numbers(version):
    spec = _CharmSpec(MyCharm, meta=META)
    with pytest.warns(
        scenario.JujuDivergenceWarning,
        match=rf"juju_version '{version}' is not a Juju version \(major.minor\[.patch\[.build\]\]\).*"
        + STRICT_SUFFIX,
    ):
        check_consistency(State(), Event("start"), spec, version)


@pytest.mark.parametrize("version", ["3", "100"])
def test_juju_version_as_dotted_numbers_strict(version, strict):
    with pytest.raises(InconsistentScenarioError, match=f"juju_version '{version}' is not a Juju version"):
        check_consistency(State(), Event("start"), _CharmSpec(MyCharm, meta=META), version)


def test_juju_version_run_is_left_to_ops():
    # 3.1 handed the version to ops, which refuses a bare "3"; the default does the same
    with pytest.warns(scenario.JujuDivergenceWarning, match="juju_version '3' is not a Juju version"):
        with pytest.raises(scenario.UncaughtCharmError, match="not a valid Juju version string"):
            Context(MyCharm, meta=META, juju_version="3").run("start", State())


def test_juju_version_run_strict():
    with pytest.raises(InconsistentScenarioError, match="juju_version '3' is not a Juju version"):
        Context(MyCharm, meta=META, juju_version="3", strict=True).run("start", State())
