"""Many runs in one process leave nothing behind: no frameworks, charm classes, log handlers."""

import gc
import logging
import os
import sys
import threading

import ops

from scenario import Context, Relation, State

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
