"""The ops floor: ops itself running the realistic charm, with hook tools and Pebble that cost nothing.

What one floor run includes (all real, unmodified ops code of the installed version):
  * ``ops.main(<fresh subclass of RealisticCharm>)``: JujuContext/env parsing, root logging set-up (every ops debug
    line becomes a ``juju-log`` call), the dispatcher, reading ``metadata.yaml`` from a charm dir,
    CharmMeta, Model, Framework, charm construction, re-emission of deferred events, emitting
    ``db-relation-changed``, collect-status (ops 3.x), commit and close of the unit-state store;
  * ops' own hook-tool argument building and output parsing (``_ModelBackend`` in ops 2.x,
    ``ops.hookcmds`` in ops 3.x), including ops 2.x's ``shutil.which`` lookup of each tool;
  * ops' Pebble client building each request (JSON bodies, the multipart body of ``push``) and
    parsing each response.

What it replaces, and with what:
  * the hook-tool processes: ``subprocess.run`` returns a canned ``CompletedProcess`` (a dict
    lookup); the tools exist on PATH as never-executed stubs so ops 2.x's ``which`` succeeds;
  * the Pebble socket: ``pebble.Client._request_raw`` returns a canned JSON response;
  * the unit-state file: ``SQLiteStorage`` opens ``:memory:`` (a fresh store every run).

Each run uses a fresh subclass of the charm class (see ``_fresh_charm_class``), and undoes the
three things ``ops.main`` leaves behind in a process that a real unit would throw away: the
``OPERATOR_DISPATCH`` guard, the root-logger handler, and the entry for its Framework in
``Framework.on._cache`` (which would otherwise keep every run's objects alive: ~20 KB a run). All
of this is inside the timed region (it costs microseconds).

Writes (relation-set, status-set, the pushed file, the layer) are recorded so the floor's check is
as strict as the other tools': a floor that stopped doing the work would fail, not get faster.
"""

import email.message
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import _harness
from charms import realistic_charm

import ops
import ops.framework
import ops.pebble
import ops.storage

UNIT = "realistic-charm/0"
CONFIG_GET = json.dumps({"port": 8080, "log-level": "debug", "workers": 4})  # Juju merges defaults
RELATION_ID = 7
REMOTE_APP = "postgresql"
REMOTE_UNIT = "postgresql/0"


def _strip(args):
    """argv without the tool, the relation flag pair and ``--format=json`` (order differs by ops)."""
    rest = []
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-r":
            skip = True
            continue
        if a != "--format=json":
            rest.append(a)
    return rest


class _ZeroCostHookTools:
    """The hook-tool answers of one fixed unit state; every call is a dict lookup."""

    def __init__(self):
        self.writes = []
        self._simple = {
            "juju-log": "",
            "is-leader": "true",
            "config-get": CONFIG_GET,
            "relation-ids": json.dumps([f"db:{RELATION_ID}"]),
            "relation-list": json.dumps([REMOTE_UNIT]),
            "secret-get": json.dumps({"password": "s3cret"}),
        }
        self._relation_get = {
            (REMOTE_APP, True): json.dumps({"endpoint": "db.example:5432"}),
            (REMOTE_UNIT, False): json.dumps({"host": "10.0.0.5"}),
            # ops 3.x reads the local databags before writing them
            (UNIT, False): "{}",
            (UNIT.split("/")[0], True): "{}",
        }

    def __call__(self, args, **kwargs):
        tool = os.path.basename(args[0])
        out = self._simple.get(tool)
        if out is None:
            if tool == "relation-get":
                rest = _strip(args)
                who = [a for a in rest if a not in ("-", "--app")][0]
                out = self._relation_get[(who, "--app" in rest)]
            elif tool in ("relation-set", "status-set"):
                self.writes.append((tool, tuple(_strip(args)), kwargs.get("input")))
                out = ""
            else:
                raise RuntimeError(f"floor: no canned answer for hook tool call {list(args)}")
        return subprocess.CompletedProcess(args, 0, stdout=out, stderr="")


class _CannedResponse:
    def __init__(self, headers, body):
        self.headers = headers
        self._body = body

    def read(self):
        return self._body


def _install_zero_cost_pebble(writes):
    headers = email.message.Message()
    headers["Content-Type"] = "application/json"
    bodies = {
        ("GET", "/v1/system-info"): {"type": "sync", "status-code": 200, "result": {"version": "1.19.0"}},
        ("POST", "/v1/layers"): {"type": "sync", "status-code": 200, "result": True},
        ("POST", "/v1/files"): {
            "type": "sync",
            "status-code": 200,
            "result": [{"path": realistic_charm.CONFIG_PATH}],
        },
    }
    encoded = {k: json.dumps(v).encode() for k, v in bodies.items()}

    def request_raw(self, method, path, query=None, headers_=None, data=None):
        if data is not None and not isinstance(data, (bytes, bytearray)):
            data = b"".join(data)  # a real server reads the whole multipart body
        body = encoded.get((method, path))
        if body is None:
            raise RuntimeError(f"floor: no canned Pebble answer for {method} {path}")
        if method == "POST":
            writes.append(("pebble", path, len(data or b"")))
        return _CannedResponse(headers, body)

    ops.pebble.Client._request_raw = request_raw


class _MemoryStorage(ops.storage.SQLiteStorage):
    def __init__(self, filename):
        super().__init__(":memory:")


def _make_charm_dir():
    import yaml

    root = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    (root / "metadata.yaml").write_text(yaml.safe_dump(realistic_charm.META))
    (root / "config.yaml").write_text(yaml.safe_dump(realistic_charm.CONFIG))
    dispatch = root / "dispatch"
    dispatch.write_text("#!/bin/sh\nexit 0\n")
    dispatch.chmod(0o755)
    tools = root / "bin"
    tools.mkdir()
    for tool in ("juju-log", "is-leader", "config-get", "relation-ids", "relation-list",
                 "relation-get", "relation-set", "secret-get", "status-set"):
        stub = tools / tool
        stub.write_text("#!/bin/sh\necho 'never executed by the floor' >&2\nexit 1\n")
        stub.chmod(0o755)
    return root, tools


def _fresh_charm_class(charm_type):
    """A new subclass of the charm with its own CharmEvents subclass.

    ops defines the relation/container/storage events on the charm's CharmEvents *class* when
    the charm is constructed, and refuses to define them twice. A real unit runs each hook in a
    new process; any tool that runs many hooks in one process (Scenario 3.1 and 8 included) must
    give each run fresh classes, so the floor does the same, inside the timed region.
    """
    events = type(charm_type.on.__class__.__name__, (charm_type.on.__class__,), {})
    return type(charm_type.__name__, (charm_type,), {"on": events()})


def realistic_setup():
    charm_dir, tools = _make_charm_dir()
    os.environ.update(
        JUJU_CHARM_DIR=str(charm_dir),
        JUJU_UNIT_NAME=UNIT,
        JUJU_MODEL_NAME="bench",
        JUJU_MODEL_UUID="5b7f3f6e-1c59-4d0b-9f4e-6f1b2a3c4d5e",
        JUJU_VERSION="3.1.6",
        JUJU_DISPATCH_PATH="hooks/db-relation-changed",
        JUJU_HOOK_NAME="db-relation-changed",
        JUJU_RELATION="db",
        JUJU_RELATION_ID=f"db:{RELATION_ID}",
        JUJU_REMOTE_APP=REMOTE_APP,
        JUJU_REMOTE_UNIT=REMOTE_UNIT,
        PATH=f"{tools}:{os.environ.get('PATH', '')}",
    )
    os.environ.pop("OPERATOR_DISPATCH", None)
    hook_tools = _ZeroCostHookTools()
    subprocess.run = hook_tools
    _install_zero_cost_pebble(hook_tools.writes)
    ops.storage.SQLiteStorage = _MemoryStorage
    root = logging.getLogger()
    baseline_handlers = list(root.handlers)
    excepthook = sys.excepthook
    framework_events_cache = ops.framework.Framework.on._cache

    def run():
        try:
            ops.main(_fresh_charm_class(realistic_charm.RealisticCharm))
        finally:
            # ops.Framework.on caches one bound FrameworkEvents per Framework in a
            # WeakKeyDictionary whose value refers back to its key, so without this every
            # run's Framework, Model and charm would stay alive for the life of the process.
            framework_events_cache.clear()
            os.environ.pop("OPERATOR_DISPATCH", None)
            for h in root.handlers[:]:
                if h not in baseline_handlers:
                    root.removeHandler(h)
            sys.excepthook = excepthook
        writes = list(hook_tools.writes)
        hook_tools.writes.clear()
        return writes

    def check(writes):
        tools_called = {w[0]: w for w in writes}
        status = tools_called.get("status-set")
        assert status and "active" in status[1] and status[1][-1] == "serving on :8080", writes
        # ops 2.x sends YAML on stdin, ops 3.x JSON
        rel = [(w[1], (w[2] or "").replace('"', "").replace(": ", ":")) for w in writes if w[0] == "relation-set"]
        assert any("--app" not in a and "url:http://realistic-charm-0:8080" in i for a, i in rel), writes
        assert any("--app" in a and "database:app" in i for a, i in rel), writes
        assert {w[1] for w in writes if w[0] == "pebble"} == {"/v1/layers", "/v1/files"}, writes

    return run, check


def verify(tool):
    if not tool.startswith("floor"):
        raise SystemExit(f"floor.py measures the ops floor; tool label {tool!r} is wrong")
    return {}


def versions():
    return {"ops": ops.__version__}


SCENARIOS = {"realistic": realistic_setup, "soak": realistic_setup}

if __name__ == "__main__":
    _harness.main(SCENARIOS, versions, verify)
