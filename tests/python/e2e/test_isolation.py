"""Many runs in one process leave nothing behind: no frameworks, charm classes, log handlers."""

import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import timeit
import warnings
from pathlib import Path

import ops
import pytest

from charm_runs import run_in_charm
from scenario import Container, Context, Relation, State

META = {"name": "busy", "requires": {"db": {"interface": "sql"}}}


class Busy(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(n=0)
        framework.observe(self.on.db_relation_changed, self._on_changed)

    def _on_changed(self, event):
        self._stored.n += 1
        logging.getLogger(__name__).info("changed")
        event.relation.data[self.unit]["n"] = str(self._stored.n)
        self.unit.status = ops.ActiveStatus("ok")


def live(kind):
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, kind))


def busy_classes():
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, type) and o.__name__ == "Busy")


def test_runs_leave_no_frameworks_classes_or_handlers_behind():
    ctx = Context(Busy, meta=META)
    db = Relation("db", remote_app_data={"k": "v"})
    state = State(relations=[db])
    ctx.run(db.changed_event, state)
    frameworks, classes = live(ops.Framework), busy_classes()
    handlers = list(logging.getLogger().handlers)
    hooks = (sys.excepthook, sys.breakpointhook)
    environ = dict(os.environ)
    for _ in range(200):
        out = ctx.run(db.changed_event, state)
    assert out.relations[0].local_unit_data == {"n": "1"}
    assert live(ops.Framework) == frameworks
    assert busy_classes() == classes
    assert logging.getLogger().handlers == handlers
    assert (sys.excepthook, sys.breakpointhook) == hooks
    assert dict(os.environ) == environ


def test_what_a_charm_does_to_its_parsed_metadata_does_not_reach_the_next_run():
    # ops parses the same metadata text on every run of a Context; each run gets its own copy.
    seen = []

    def tag_and_look(charm):
        seen.append(list(charm.meta.tags))
        charm.meta.tags.append("changed by the charm")

    ctx = Context(ops.CharmBase, meta={"name": "tagged", "tags": ["database"]})
    for _ in range(2):
        ctx.run("start", State(), post_event=tag_and_look)
    assert seen == [["database"], ["database"]]


def child_environment():
    """JUJU_* and OPERATOR_DISPATCH as a child process sees them (the real environment, not
    os.environ's copy)."""
    shown = subprocess.run(
        [sys.executable, "-c", "import os; print(sorted((k, v) for k, v in os.environ.items() "
         "if k.startswith('JUJU_') or k == 'OPERATOR_DISPATCH'))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return dict(eval(shown))


def test_a_child_process_sees_the_hooks_environment_during_the_run_only(monkeypatch):
    monkeypatch.setenv("JUJU_FROM_OUTSIDE", "outer")
    monkeypatch.setenv("OPERATOR_DISPATCH", "outer-dispatch")
    outside = child_environment()
    _, inside = run_in_charm(State(), lambda charm, event: child_environment(), meta={"name": "envy"})
    assert inside["JUJU_UNIT_NAME"] == "envy/0"
    assert "JUJU_FROM_OUTSIDE" not in inside
    assert inside.get("OPERATOR_DISPATCH") != "outer-dispatch"  # ops sets its own guard
    assert child_environment() == outside


def test_two_contexts_in_threads_do_not_mix():
    results = {}

    def worker(name, leader):
        ctx = Context(Busy, meta={**META, "name": name})
        db = Relation("db")
        for _ in range(20):
            out = ctx.run(db.changed_event, State(relations=[db], leader=leader))
        results[name] = (out.leader, out.status.unit)

    threads = [threading.Thread(target=worker, args=(f"app{i}", i % 2 == 0)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {
        "app0": (True, ops.ActiveStatus("ok")),
        "app1": (False, ops.ActiveStatus("ok")),
    }


PEBBLE_META = {"name": "web", "containers": {"web": {"resource": "img"}},
               "resources": {"img": {"type": "oci-image"}}}


class CpuWatcher(ops.CharmBase):
    """Records the CPUs its thread may use while it talks to its container."""

    seen = {}

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event):
        self.unit.get_container("web").can_connect()
        CpuWatcher.seen["during"] = os.sched_getaffinity(0)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs a thread allowed on 2+ CPUs")
@pytest.mark.parametrize("share, can_connect", [("1", True), ("0", True), ("1", False)])
def test_the_charm_shares_a_cpu_with_pebble_only_while_it_runs(monkeypatch, share, can_connect):
    monkeypatch.setenv("SCENARIO_PEBBLE_SHARE_CPU", share)
    cpus = os.sched_getaffinity(0)
    ctx = Context(CpuWatcher, meta=PEBBLE_META)
    ctx.run("start", State(containers=[Container("web", can_connect=can_connect)]))
    pinned = share == "1" and can_connect
    assert len(CpuWatcher.seen["during"]) == (1 if pinned else len(cpus))
    assert os.sched_getaffinity(0) == cpus  # given back when the run ends


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs a thread allowed on 2+ CPUs")
def test_by_default_the_charm_keeps_every_cpu_while_it_talks_to_pebble(monkeypatch):
    monkeypatch.delenv("SCENARIO_PEBBLE_SHARE_CPU", raising=False)
    cpus = os.sched_getaffinity(0)
    ctx = Context(CpuWatcher, meta=PEBBLE_META)
    ctx.run("start", State(containers=[Container("web", can_connect=True)]))
    assert CpuWatcher.seen["during"] == cpus


def test_a_bad_share_cpu_setting_names_the_variable_and_its_values(monkeypatch):
    monkeypatch.setenv("SCENARIO_PEBBLE_SHARE_CPU", "yes")
    ctx = Context(CpuWatcher, meta=PEBBLE_META)
    with pytest.raises(ValueError, match=r"SCENARIO_PEBBLE_SHARE_CPU='yes': use 1 .* or 0"):
        ctx.run("start", State(containers=[Container("web", can_connect=True)]))


class Rude(ops.CharmBase):
    """Changes every process-wide setting a charm can reach."""

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        os.chdir(self.framework.charm_dir)
        os.umask(0o077)
        signal.signal(signal.SIGUSR1, lambda *_: None)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sys.path.insert(0, "/rude/lib")
        warnings.simplefilter("ignore")
        socket.setdefaulttimeout(0.5)
        logging.disable(logging.CRITICAL)


def process_settings():
    mask = os.umask(0o022)
    os.umask(mask)
    return {
        "cwd": os.getcwd(),
        "umask": mask,
        "signals": {s: signal.getsignal(s) for s in (signal.SIGUSR1, signal.SIGTERM)},
        "sys.path": list(sys.path),
        "warnings filters": list(warnings.filters),
        "socket timeout": socket.getdefaulttimeout(),
        "logging.disable": logging.root.manager.disable,
    }


def test_process_settings_the_charm_changes_are_restored():
    before = process_settings()
    Context(Rude, meta={"name": "rude"}).run("start", State())
    after = process_settings()
    for name in before:
        assert after[name] == before[name], name


def test_a_warning_filter_the_charm_adds_does_not_outlive_the_run():
    Context(Rude, meta={"name": "rude"}).run("start", State())
    with pytest.warns(UserWarning, match="still seen"):
        warnings.warn("still seen", UserWarning)


def test_restoring_process_settings_costs_microseconds():
    from scenario.context import _process_state_restored

    def enter_and_leave():
        with _process_state_restored():
            pass

    enter_and_leave()
    runs = 2000
    seconds = min(timeit.repeat(enter_and_leave, number=runs, repeat=3)) / runs
    assert seconds < 1e-3, f"{seconds * 1e6:.1f} µs per run"  # a few µs; loose for loaded CI


ORPHAN = """
import os, sys, time, ops
sys.path[:0] = {path!r}
from scenario import Context
ctx = Context(ops.CharmBase, meta={{"name": "orphan"}})
print(ctx._workdir, flush=True)
time.sleep(60)
"""


def test_a_killed_processs_workdir_is_removed_by_the_next_context():
    child = subprocess.Popen(
        [sys.executable, "-c", ORPHAN.format(path=sys.path)], stdout=subprocess.PIPE, text=True
    )
    try:
        workdir = Path(child.stdout.readline().strip())
        assert workdir.name.startswith(f"scenario-{child.pid}-")
        assert workdir.is_dir()
        # a live process's directory is left alone
        Context(ops.CharmBase, meta={"name": "other"}).cleanup()
        assert workdir.is_dir()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    Context(ops.CharmBase, meta={"name": "other"}).cleanup()
    assert not workdir.exists()
