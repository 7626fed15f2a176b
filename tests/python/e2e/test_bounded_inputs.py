"""Issue 14: 100 KB names, keys and versions from a State or a charm. The engine's std::regex
recursed once per character and killed the interpreter with SIGSEGV at about 20 KB; every one of
these now gets its ordinary answer or error."""

import errno

import ops
import pytest
from ops import pebble

from scenario import Container, Context, Event, InconsistentScenarioError, Relation, State
import charm_runs

LONG = 100 * 1024
META = {
    "name": "local",
    "requires": {"db": {"interface": "sql"}},
    "containers": {"workload": {}},
}


def probe(state, fn, event="update_status", **context_args):
    """Runs ``fn(charm)`` inside the hook and returns (output, fn's result)."""
    return charm_runs.probe(Context(ops.CharmBase, meta=META, **context_args), event, state, fn)


def test_reading_the_databag_of_a_remote_unit_with_a_100kb_app_name():
    remote = "a" * LONG
    rel = Relation("db", remote_app_name=remote, remote_units_data={0: {"k": "v"}})

    def read(charm):
        relation = charm.model.get_relation("db")
        return relation.data[charm.model.get_unit(f"{remote}/0")]["k"]

    _, value = probe(State(relations=[rel]), read)
    assert value == "v"


def test_secret_with_a_100kb_key():
    key = "a" * LONG

    def add(charm):
        try:
            charm.app.add_secret({key: "v"})
        except OSError as e:
            # ops >= 2.10 passes content as files named by their key (key#file=...): it fails
            # there, before any hook tool runs, as it would under Juju.
            return e.errno

    # strict: Juju's revision numbering, so that no divergence is reported on older ops
    out, errno_seen = probe(State(leader=True), add, strict=True)
    if errno_seen is not None:
        assert errno_seen == errno.ENAMETOOLONG
        assert out.secrets == []
    else:
        (secret,) = out.secrets
        assert secret.contents[max(secret.contents)] == {key: "v"}


def test_action_result_with_a_100kb_key():
    key = "a" * LONG
    meta_actions = {"go": {}}

    class Charm(ops.CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.go_action, self._on_go)

        def _on_go(self, event):
            event.set_results({key: "v"})

    out = Context(Charm, meta=META, actions=meta_actions).run(Event("go_action"), State())
    assert out.action_output.results == {key: "v"}


@pytest.mark.skipif(not hasattr(pebble.Client, "notify"),
                    reason=f"ops {ops.__version__} has no Pebble notices API (added in ops 2.10)")
def test_pebble_notice_with_a_100kb_key_is_refused_by_its_size():
    container = Container("workload", can_connect=True)

    def notify(charm):
        try:
            charm.unit.get_container("workload").pebble.notify(
                pebble.NoticeType.CUSTOM, "a" * LONG + ".com/k")
        except pebble.APIError as e:
            return e.code, e.message

    _, refused = probe(State(containers=[container]), notify)
    assert refused == (400, "key must be 256 bytes or less")


@pytest.mark.parametrize("version", ["3." + "7" * LONG, "7" * LONG + ".x"])
def test_a_100kb_juju_version_is_inconsistent(version):
    with pytest.raises(InconsistentScenarioError) as info:
        Context(ops.CharmBase, meta=META, juju_version=version).run("start", State())
    assert any("is not a Juju version" in p for p in info.value.problems)
