"""The ops floor: ops itself running the realistic charm, with hook tools and Pebble that cost nothing.

What one floor run includes (all real, unmodified ops code of the installed version):
  * ``ops.main(<fresh subclass of RealisticCharm>)``: JujuContext/env parsing, root logging set-up (every ops debug
    line becomes a ``juju-log`` call), the dispatcher, reading ``metadata.yaml`` from a charm dir,
    CharmMeta, Model, Framework, charm construction, re-emission of deferred events, emitting
    ``db-relation-changed``, collect-status (ops 3.x), commit and close of the unit-state store;
  * ops' own hook-tool argument building and output parsing (``_ModelBackend`` in ops 2.x,
    ``ops.hookcmds`` in ops 3.x), including ops 2.x's ``shutil.which`` lookup of each tool;
  * ops' Pebble client doing everything it does per request down to the socket: building the
    request (JSON bodies, the streamed multipart body of ``push``), its urllib opener and handler
    (``_UnixSocketHandler``, ``_UnixSocketConnection``), ``http.client`` writing the request
    (chunked for ``push``) and parsing the response's status line and headers, and ops decoding
    the JSON.

What it replaces, and with what -- always at the process boundary, where the unit's process would
hand the work to another process:
  * the hook-tool processes: ``subprocess.run`` returns a canned ``CompletedProcess`` (a dict
    lookup); the tools exist on PATH as never-executed stubs so ops 2.x's ``which`` succeeds;
  * the Pebble daemon and its unix socket: ``_UnixSocketConnection.connect`` (ops' own, in ops 2.x
    and 3.x alike) gives ``http.client`` an in-memory socket instead of connecting. It keeps the
    bytes sent and, when ``http.client`` asks for the response, serves a canned, complete HTTP/1.1
    response picked by the request line's method and path (a dict lookup);
  * the unit-state file: ``SQLiteStorage`` opens ``:memory:`` (a fresh store every run). The
    ops.main floor (``main_floor.py``) keeps ops' own file instead (see ``UNIT_STATE``).

Hook tools and Pebble are cut at the same boundary so that ops' own Pebble client work counts in
the floor just as ops' own hook-tool argv building and output parsing does; only the transport and
the other process cost nothing.

Each run uses a fresh subclass of the charm class (see ``_fresh_charm_class``), and undoes the
three things ``ops.main`` leaves behind in a process that a real unit would throw away: the
``OPERATOR_DISPATCH`` guard, the root-logger handler, and the entry for its Framework in
``Framework.on._cache`` (which would otherwise keep every run's objects alive: ~20 KB a run). All
of this is inside the timed region (it costs microseconds).

Writes (relation-set, status-set, the pushed file, the layer) are recorded so the floor's check is
as strict as the other tools': a floor that stopped doing the work would fail, not get faster. The
Pebble writes are recorded as the raw requests; the check (outside the timed region) takes their
bodies apart (``Content-Length`` or chunked) as Pebble would.
"""

import atexit
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _harness
from charms import light_charm, null_charm, pebble_charm, realistic_charm

import ops
import ops.framework
import ops.pebble
import ops.storage

CONFIG_GET = json.dumps({"port": 8080, "log-level": "debug", "workers": 4})  # Juju merges defaults
RELATION_ID = 7
REMOTE_APP = "postgresql"
REMOTE_UNIT = "postgresql/0"
# What Juju adds to the environment for db-relation-changed (the realistic and light charms).
DB_RELATION_CHANGED_ENV = dict(
    JUJU_RELATION="db",
    JUJU_RELATION_ID=f"db:{RELATION_ID}",
    JUJU_REMOTE_APP=REMOTE_APP,
    JUJU_REMOTE_UNIT=REMOTE_UNIT,
)


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

    def __init__(self, unit):
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
            (unit, False): "{}",
            (unit.split("/")[0], True): "{}",
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


REPLAN_CHANGE = "1"
PEBBLE_ANSWERS = {
    ("GET", "/v1/system-info"): {"type": "sync", "status-code": 200, "result": {"version": "1.19.0"}},
    ("POST", "/v1/layers"): {"type": "sync", "status-code": 200, "result": True},
    # replan: an async change, then ops waits for it to be ready.
    ("POST", "/v1/services"): {
        "type": "async",
        "status-code": 202,
        "change": REPLAN_CHANGE,
        "result": None,
    },
    ("GET", f"/v1/changes/{REPLAN_CHANGE}/wait"): {
        "type": "sync",
        "status-code": 200,
        "result": {
            "id": REPLAN_CHANGE,
            "kind": "replan",
            "summary": "Replan service \"app\"",
            "status": "Done",
            "tasks": [],
            "ready": True,
            "err": None,
            "spawn-time": "2026-01-01T00:00:00Z",
            "ready-time": "2026-01-01T00:00:00Z",
        },
    },
}


def _http_response(answer):
    """A complete HTTP/1.1 response carrying ``answer`` as JSON, as the bytes Pebble would send."""
    body = json.dumps(answer).encode()
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


class _ZeroCostPebbleSocket:
    """The Pebble socket as ``http.client`` sees it, with nothing behind it.

    ``http.client`` writes the request into it (the headers and the body may come in separate
    ``sendall`` calls, and ``push`` streams its multipart body chunk by chunk) and then reads the
    response through ``makefile("rb")``. The request is kept as sent; the answer is picked by the
    request line's method and path and served from memory.
    """

    def __init__(self, responses, writes):
        self._responses = responses
        self._writes = writes
        self._sent = []

    def sendall(self, data):
        self._sent.append(data)

    def send(self, data):
        self._sent.append(data)
        return len(data)

    def settimeout(self, timeout):
        pass

    def makefile(self, mode="r", *args, **kwargs):
        assert mode == "rb", mode
        request = b"".join(self._sent)
        self._sent = []
        method, target, _ = request[: request.index(b"\r\n")].decode("ascii").split(" ", 2)
        path = target.partition("?")[0]
        response = self._responses.get((method, path))
        if response is None:
            raise RuntimeError(f"floor: no canned Pebble answer for {method} {path}")
        if method == "POST":
            # The whole request as sent; the check (outside the timed region) takes its body apart.
            self._writes.append(("pebble", path, request))
        return io.BytesIO(response)

    def close(self):
        pass


def _zero_cost_pebble_connect(writes, pushed_path):
    """The replacement for the connection to Pebble's unix socket; ops' HTTP client runs as in a
    unit.

    ``pushed_path`` is the file the charm pushes: ops checks that the answer names it.
    """
    answers = {
        **PEBBLE_ANSWERS,
        ("POST", "/v1/files"): {"type": "sync", "status-code": 200, "result": [{"path": pushed_path}]},
    }
    responses = {k: _http_response(v) for k, v in answers.items()}

    def connect(self):
        self.sock = _ZeroCostPebbleSocket(responses, writes)

    return connect


def _request_body(request):
    """The body of one raw HTTP request (``Content-Length`` or chunked), as Pebble would read it."""
    head, sep, rest = request.partition(b"\r\n\r\n")
    assert sep, request[:200]
    fields = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = bytearray()
        while True:
            size, crlf, rest = rest.partition(b"\r\n")
            assert crlf, request[:200]
            n = int(size.split(b";")[0], 16)
            if n == 0:
                assert rest == b"\r\n", rest[:200]
                return bytes(body)
            assert rest[n : n + 2] == b"\r\n", rest[:200]
            body += rest[:n]
            rest = rest[n + 2 :]
    assert int(fields[b"content-length"]) == len(rest), (fields, len(rest))
    return rest


_SQLITE_STORAGE = ops.storage.SQLiteStorage


class _MemoryStorage(_SQLITE_STORAGE):
    def __init__(self, filename):
        super().__init__(":memory:")


HOOK_TOOLS = ("juju-log", "is-leader", "config-get", "relation-ids", "relation-list", "relation-get",
              "relation-set", "secret-get", "status-set")


# Where ops' unit-state database lives, per floor: "memory" (floor.py) patches SQLiteStorage to
# open ":memory:"; "tmpfs" (main_floor.py) leaves ops.main to open its own file in a charm
# directory on tmpfs, and deletes it after each run, so every run starts from a fresh database.
UNIT_STATE = ("memory", "tmpfs")
TMPFS = "/dev/shm"


def _make_charm_dir(meta, config, unit_state):
    import yaml

    root = Path(tempfile.mkdtemp(prefix="bench-floor-", dir=TMPFS if unit_state == "tmpfs" else None))
    atexit.register(shutil.rmtree, root, True)
    (root / "metadata.yaml").write_text(yaml.safe_dump(meta))
    if config:
        (root / "config.yaml").write_text(yaml.safe_dump(config))
    dispatch = root / "dispatch"
    dispatch.write_text("#!/bin/sh\nexit 0\n")
    dispatch.chmod(0o755)
    tools = root / "bin"
    tools.mkdir()
    for tool in HOOK_TOOLS:
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


def _floor_setup(charm_type, meta, config, hook, hook_env, pushed_path, unit_state):
    """ops.main(charm_type) on ``hook`` in a unit whose hook tools and Pebble cost nothing.

    Returns (run, enter): each run returns the writes it made (hook tools and Pebble); enter()
    makes this unit's environment and patches the process's again, for a pair of floor
    scenarios run alternately in one process (it has been called once already).
    """
    assert unit_state in UNIT_STATE, unit_state
    charm_dir, tools = _make_charm_dir(meta, config, unit_state)
    state_file = charm_dir / ".unit-state.db"  # ops' CHARM_STATE_FILE, on ops 2.x and 3.x alike
    storage = _MemoryStorage if unit_state == "memory" else _SQLITE_STORAGE
    env = dict(
        JUJU_CHARM_DIR=str(charm_dir),
        JUJU_UNIT_NAME=f"{meta['name']}/0",
        JUJU_MODEL_NAME="bench",
        JUJU_MODEL_UUID="5b7f3f6e-1c59-4d0b-9f4e-6f1b2a3c4d5e",
        JUJU_VERSION="3.1.6",
        JUJU_DISPATCH_PATH=f"hooks/{hook}",
        JUJU_HOOK_NAME=hook,
        PATH=f"{tools}:{os.environ.get('PATH', '')}",
        **hook_env,
    )
    hook_tools = _ZeroCostHookTools(env["JUJU_UNIT_NAME"])
    pebble_connect = _zero_cost_pebble_connect(hook_tools.writes, pushed_path)

    def enter():
        for key in [k for k in os.environ if k.startswith("JUJU_") and k not in env]:
            del os.environ[key]
        os.environ.update(env)
        os.environ.pop("OPERATOR_DISPATCH", None)
        subprocess.run = hook_tools
        ops.pebble._UnixSocketConnection.connect = pebble_connect
        ops.storage.SQLiteStorage = storage

    enter()
    root = logging.getLogger()
    baseline_handlers = list(root.handlers)
    excepthook = sys.excepthook
    framework_events_cache = ops.framework.Framework.on._cache

    def run():
        try:
            ops.main(_fresh_charm_class(charm_type))
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
            if unit_state == "tmpfs":
                state_file.unlink()
        writes = list(hook_tools.writes)
        hook_tools.writes.clear()
        return writes

    return run, enter


def _status_set(writes):
    """The arguments of the run's status-set call (None if it set no status)."""
    return next((w[1] for w in writes if w[0] == "status-set"), None)


def _pebble_bodies(writes):
    """Request path -> body of each Pebble write, as Pebble would read it."""
    return {w[1]: _request_body(w[2]) for w in writes if w[0] == "pebble"}


def realistic_setup(unit_state):
    run, _ = _floor_setup(
        realistic_charm.RealisticCharm,
        realistic_charm.META,
        realistic_charm.CONFIG,
        "db-relation-changed",
        DB_RELATION_CHANGED_ENV,
        realistic_charm.CONFIG_PATH,
        unit_state,
    )

    def check(writes):
        status = _status_set(writes)
        assert status and "active" in status and status[-1] == "serving on :8080", writes
        # ops 2.x sends YAML on stdin, ops 3.x JSON
        rel = [(w[1], (w[2] or "").replace('"', "").replace(": ", ":")) for w in writes if w[0] == "relation-set"]
        assert any("--app" not in a and "url:http://realistic-charm-0:8080" in i for a, i in rel), writes
        assert any("--app" in a and "database:app" in i for a, i in rel), writes
        pebble = _pebble_bodies(writes)
        assert set(pebble) == {"/v1/layers", "/v1/files"}, writes
        assert json.loads(pebble["/v1/layers"])["label"] == "app", pebble
        assert realistic_charm.CONFIG_PATH.encode() in pebble["/v1/files"], pebble

    return run, check


def _pebble_charm_setup(charm_type, meta, check_pebble, unit_state):
    """One of the pebble pair: ``charm_type`` on ``start``. Each run's check asserts the status
    both charms set, then ``check_pebble(writes)``."""
    run, enter = _floor_setup(charm_type, meta, None, "start", {}, pebble_charm.CONFIG_PATH, unit_state)

    def check(writes):
        status = _status_set(writes)
        assert status and "active" in status and status[-1] == pebble_charm.STATUS, writes
        check_pebble(writes)

    return run, check, enter


def pebble_setup(unit_state):
    def check_pebble(writes):
        pebble = _pebble_bodies(writes)
        assert set(pebble) == {"/v1/layers", "/v1/files", "/v1/services"}, writes
        layer = json.loads(pebble["/v1/layers"])
        assert layer["label"] == pebble_charm.SERVICE and layer["combine"], layer
        assert pebble_charm.CONFIG_TEXT.encode() in pebble["/v1/files"], pebble
        assert json.loads(pebble["/v1/services"])["action"] == "replan", pebble

    return _pebble_charm_setup(pebble_charm.PebbleCharm, pebble_charm.META, check_pebble, unit_state)


def pebble_free_setup(unit_state):
    def check_pebble(writes):
        assert not _pebble_bodies(writes), writes

    return _pebble_charm_setup(pebble_charm.PebbleFreeCharm, pebble_charm.FREE_META, check_pebble,
                               unit_state)


def light_setup(unit_state):
    run, _ = _floor_setup(
        light_charm.LightCharm,
        light_charm.META,
        light_charm.CONFIG,
        "db-relation-changed",
        DB_RELATION_CHANGED_ENV,
        light_charm.CONFIG["options"]["port"]["default"],
        unit_state,
    )

    def check(writes):
        status = _status_set(writes)
        assert status and "active" in status and status[-1] == light_charm.STATUS, writes
        rel = [(w[1], (w[2] or "").replace('"', "").replace(": ", ":")) for w in writes if w[0] == "relation-set"]
        assert any("--app" not in a and "client:10.0.0.5->db.example:5432" in i for a, i in rel), writes
        assert not _pebble_bodies(writes), writes

    return run, check


def null_setup(unit_state):
    run, _ = _floor_setup(null_charm.NullCharm, null_charm.META, None, "start", {}, None, unit_state)

    def check(writes):
        assert writes == [], writes

    return run, check


def verify_label(prefix, script):
    """The worker's check of its tool label (``verify`` for ``_harness.main``)."""

    def verify(tool):
        if not tool.startswith(prefix):
            raise SystemExit(f"{script} measures the {prefix} tools; tool label {tool!r} is wrong")
        return {}

    return verify


def versions():
    return {"ops": ops.__version__}


def scenarios(unit_state):
    """Scenario name -> setup, for the floor whose unit-state database is ``unit_state``."""
    setups = {"realistic": realistic_setup, "soak": realistic_setup, "pebble": pebble_setup,
              "pebble-free": pebble_free_setup, "light": light_setup, "null": null_setup}
    return {name: (lambda setup=setup: setup(unit_state)) for name, setup in setups.items()}


if __name__ == "__main__":
    _harness.main(scenarios("memory"), versions, verify_label("floor", "floor.py"))
