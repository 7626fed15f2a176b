"""Running a test's own code inside a charm's hook, shared by the e2e tests.

Importable from any test under tests/python (pytest puts this directory, the conftest's, on
sys.path).
"""

import ops

from scenario import Context


def run_in_charm(state, handler, event="start", meta=None, **context_args):
    """Fires ``event`` on ``state`` at a charm whose handler calls ``handler(charm, ops_event)``.

    Returns (output State, what handler returned). An exception the handler raises is re-raised
    as is after the run (not wrapped), so tests can match ops' own exception types.
    """
    seen = {}

    class Charm(ops.CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            name = event if isinstance(event, str) else event.name
            framework.observe(getattr(self.on, name), self._handle)

        def _handle(self, ev):
            try:
                seen["result"] = handler(self, ev)
            except Exception as e:  # handed to the test after the run
                seen["error"] = e

    out = Context(Charm, meta=meta, **context_args).run(event, state)
    if "error" in seen:
        raise seen["error"]
    return out, seen.get("result")


def probe(ctx, event, state, fn):
    """Runs ``fn(charm)`` after ``ctx``'s charm handled ``event`` (hook tools still live);
    returns (output State, what fn returned)."""
    box = {}

    def post(charm):
        box["result"] = fn(charm)

    out = ctx.run(event, state, post_event=post)
    return out, box.get("result")
