"""Running a test's own code inside a charm's hook, shared by the e2e tests.

Importable from any test under tests/python (pytest puts this directory, the conftest's, on
sys.path).
"""

import contextlib
import re
import warnings

import ops

from scenario import Context, JujuDivergenceWarning

# A charm with an endpoint of each kind the core e2e tests fire events on: a "db" requirer, a
# "cluster" peer relation and a "work" container.
LOCAL_META = {
    "name": "local",
    "requires": {"db": {"interface": "sql"}},
    "peers": {"cluster": {"interface": "c"}},
    "containers": {"work": {}},
}


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


def pulled(container, path, encoding="utf-8"):
    """The content of ``path`` pulled from an ops Container, with the file ops hands back closed."""
    with container.pull(path, encoding=encoding) as f:
        return f.read()


@contextlib.contextmanager
def expect_divergences(*patterns):
    """Expects, inside the block, a JujuDivergenceWarning matching each regex of ``patterns``
    and no other warning (pytest.warns checks one class and lets the rest through)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    messages = [f"{w.category.__name__}: {w.message}" for w in caught]
    for pattern in patterns:
        assert any(
            issubclass(w.category, JujuDivergenceWarning) and re.search(pattern, str(w.message))
            for w in caught
        ), f"no JujuDivergenceWarning matching {pattern!r} among {messages}"
    unexpected = [m for w, m in zip(caught, messages) if not any(re.search(p, str(w.message)) for p in patterns)]
    assert not unexpected, f"warnings no pattern expects: {unexpected}"
