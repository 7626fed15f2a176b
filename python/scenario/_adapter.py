"""Routes ops' process boundary into the engine: hook tools, the Pebble socket, the unit state.

ops spawns hook tools from three places, depending on its version: ``_ModelBackend._run`` in
``ops.model`` (ops <= 3.3), ``ops.hookcmds._utils.run`` (ops >= 3.4) and ``ops.storage._run``
(controller storage, every version). Each calls ``subprocess.run`` (after ``shutil.which``) from
its own module namespace, so the adapter swaps those two names in those modules for proxies that
send hook tools of the active run to the engine and let every other call through untouched.
ops parses the charm root's metadata files (``metadata.yaml``...) with the YAML helper that
``ops.charm`` imports; the texts a Context wrote there parse the same on every run, so for the
active run that helper hands back a fresh copy of ops' own first parse of them.
ops' SQLiteStorage opens ``<charm dir>/.unit-state.db`` with ``sqlite3.connect`` from
``ops.storage``; for the active run that connection is an in-memory database loaded with the
image the engine built, and its final image goes back to the engine (no file I/O).
Which run is active is a context variable, so concurrent Contexts (threads) never mix.

Nothing here decides what a tool returns or what the store holds: the engine answers and reads,
this module only carries argv, stdin, stdout, stderr, exit codes and database bytes across.
"""

from __future__ import annotations

import contextvars
import functools
import io
import os
import pickle
import re
import shutil as _real_shutil
import sqlite3 as _real_sqlite3
import subprocess as _real_subprocess
import threading
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence

from . import _engine

# sqlite3.Connection.serialize/deserialize exist from Python 3.11 (when SQLite supports them).
UNIT_STATE_IN_MEMORY = hasattr(_real_sqlite3.Connection, "deserialize")


class _UnitStateConnection(_real_sqlite3.Connection):
    """ops' unit-state connection: keeps the database image it had when ops closed it."""

    final_image: Optional[bytes] = None

    def close(self) -> None:
        if self.in_transaction:  # what ops did not commit is lost, as with a file
            self.rollback()
        self.final_image = self.serialize()
        super().close()


class ActiveRun:
    """The engine run that ops' hook tools, Pebble client and storage talk to.

    ``pebble_openers`` maps a Pebble socket path to the urllib opener ops built for it; the
    engine keeps a container's socket across a Context's runs, so the opener (whose set-up costs
    as much as a request) is built once per container and handed to ops' Client each run.
    """

    def __init__(
        self,
        engine_run: "_engine.Run",
        unit_state_in_memory: bool,
        pebble_openers: Optional[Dict[str, Any]] = None,
        spec_file_parses: Optional[Mapping[str, bytes]] = None,
    ) -> None:
        self.engine = engine_run
        self.spec_file_parses = {} if spec_file_parses is None else spec_file_parses
        self.unit_state_path = engine_run.unit_state_path if unit_state_in_memory else None
        self._unit_db: Optional[_UnitStateConnection] = None
        self._pebble_openers = {} if pebble_openers is None else pebble_openers

    def pebble_client(self, socket_path: str) -> Any:
        """ops' Pebble client for a socket the engine serves, as ``_ModelBackend`` makes it."""
        import ops.pebble

        opener = self._pebble_openers.get(socket_path)
        if opener is None:
            opener = ops.pebble.Client._get_default_opener(socket_path)
            self._pebble_openers[socket_path] = opener
        return ops.pebble.Client(socket_path=socket_path, opener=opener)

    def parsed_spec_file(self, text: str) -> Any:
        """A fresh copy of ops' parse of a spec file's text, or None if the Context wrote no such text."""
        parse = self.spec_file_parses.get(text)
        return None if parse is None else pickle.loads(parse)

    def open_unit_state(self, *args: Any, **kwargs: Any) -> _UnitStateConnection:
        kwargs["factory"] = _UnitStateConnection
        db = _real_sqlite3.connect(":memory:", *args, **kwargs)
        # A second open in one run (ops opens once) starts from what the first left.
        previous = self._unit_db
        image = self.engine.unit_state_image if previous is None else self._image_of(previous)
        db.deserialize(image)
        self._unit_db = db
        return db

    @staticmethod
    def _image_of(db: _UnitStateConnection) -> bytes:
        if db.final_image is None:
            db.close()
        assert db.final_image is not None
        return db.final_image

    def final_unit_state(self) -> Optional[bytes]:
        """The database as ops left it (closing it if ops did not); None if never opened."""
        return None if self._unit_db is None else self._image_of(self._unit_db)


_active_run: contextvars.ContextVar[Optional[ActiveRun]] = contextvars.ContextVar(
    "scenario_active_run", default=None
)

_PEBBLE_SOCKET = re.compile(r"/charm/containers/(?P<name>[^/]+)/pebble\.socket")


@functools.lru_cache(maxsize=512)
def _hook_tool_of_program(program: str) -> Optional[str]:
    """The hook tool ``program`` (a name or path) runs, if the engine answers it."""
    name = os.path.basename(program)
    return name if _engine.is_hook_tool(name) else None


def _hook_tool_name(cmd: Any) -> Optional[str]:
    """The tool name if ``cmd`` is a hook tool the engine answers while a run is active."""
    if isinstance(cmd, (list, tuple)) and cmd:
        cmd = cmd[0]
    if isinstance(cmd, str):  # what ops passes; checking os.PathLike (an ABC) costs more
        return _hook_tool_of_program(cmd)
    if not isinstance(cmd, os.PathLike):
        return None
    return _hook_tool_of_program(os.fspath(cmd))


def _argument(value: Any) -> str:
    if isinstance(value, str):  # what ops passes; checking os.PathLike (an ABC) costs more
        return value
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


class _RoutedSubprocess:
    """Stands in for the ``subprocess`` module inside ops' modules."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_real_subprocess, name)

    @staticmethod
    def run(args: Sequence[Any], *popenargs: Any, **kwargs: Any) -> Any:
        run = _active_run.get()
        tool = _hook_tool_name(args) if run is not None else None
        if tool is None:
            return _real_subprocess.run(args, *popenargs, **kwargs)
        return _call_tool(run.engine, tool, list(args), kwargs)


class _RoutedSqlite3:
    """Stands in for the ``sqlite3`` module inside ``ops.storage``."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_real_sqlite3, name)

    @staticmethod
    def connect(database: Any, *args: Any, **kwargs: Any) -> Any:
        run = _active_run.get()
        if (
            run is not None
            and run.unit_state_path is not None
            and isinstance(database, (str, os.PathLike))
            and os.fspath(database) == run.unit_state_path
        ):
            return run.open_unit_state(*args, **kwargs)
        return _real_sqlite3.connect(database, *args, **kwargs)


class _RoutedYaml:
    """Stands in for ops' YAML helper module inside ``ops.charm`` (it parses the spec files)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def safe_load(self, stream: Any, *args: Any, **kwargs: Any) -> Any:
        run = _active_run.get()
        if run is not None and isinstance(stream, str) and not args and not kwargs:
            parsed = run.parsed_spec_file(stream)
            if parsed is not None:
                return parsed
        return self._real.safe_load(stream, *args, **kwargs)


def spec_file_parses(texts: Iterable[str]) -> Dict[str, bytes]:
    """ops' own parse of each spec file text, pickled (a copy of it costs a fiftieth of a parse)."""
    import ops.charm

    parser = getattr(ops.charm, "yaml")  # ops' YAML helper (routed or not: outside a run it parses)
    return {text: pickle.dumps(parser.safe_load(text), pickle.HIGHEST_PROTOCOL) for text in texts}


class _RoutedShutil:
    """Stands in for the ``shutil`` module inside ops' modules (``which`` finds hook tools)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_real_shutil, name)

    @staticmethod
    def which(cmd: Any, mode: int = os.F_OK | os.X_OK, path: Any = None) -> Any:
        if _active_run.get() is not None and _hook_tool_name(cmd) is not None:
            return os.fspath(cmd)
        return _real_shutil.which(cmd, mode=mode, path=path)


def _call_tool(run: "_engine.Run", tool: str, args: list, kwargs: dict) -> Any:
    """One hook-tool call, with subprocess.run's contract (captures, text mode, check)."""
    text_mode = bool(
        kwargs.get("encoding") or kwargs.get("text") or kwargs.get("universal_newlines")
    )
    stdin = kwargs.get("input")
    if isinstance(stdin, bytes):
        stdin = stdin.decode("utf-8")
    argv = [tool, *map(_argument, args[1:])]
    returncode, out, err = run.call_tool(argv, stdin or "")

    capture_all = kwargs.get("capture_output", False)
    stdout = out if capture_all or kwargs.get("stdout") == _real_subprocess.PIPE else None
    stderr = err if capture_all or kwargs.get("stderr") == _real_subprocess.PIPE else None
    if not text_mode:
        stdout = stdout.encode("utf-8") if stdout is not None else None
        stderr = stderr.encode("utf-8") if stderr is not None else None
    if kwargs.get("check") and returncode != 0:
        raise _real_subprocess.CalledProcessError(returncode, args, output=stdout, stderr=stderr)
    return _real_subprocess.CompletedProcess(args, returncode, stdout=stdout, stderr=stderr)


_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Patch ops' spawn points once per process; idempotent and thread-safe."""
    global _installed  # a one-time, process-wide install flag, guarded by the lock
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        import ops.charm
        import ops.model
        import ops.storage

        routed_subprocess, routed_shutil = _RoutedSubprocess(), _RoutedShutil()
        modules = [ops.model, ops.storage]
        try:
            import ops.hookcmds._utils as hookcmd_utils

            modules.append(hookcmd_utils)
        except ImportError:  # ops < 3.4 has no ops.hookcmds
            pass
        for module in modules:
            if hasattr(module, "subprocess"):
                module.subprocess = routed_subprocess
            if hasattr(module, "shutil"):
                module.shutil = routed_shutil
        if UNIT_STATE_IN_MEMORY:
            ops.storage.sqlite3 = _RoutedSqlite3()
        setattr(ops.charm, "yaml", _RoutedYaml(getattr(ops.charm, "yaml")))

        real_get_pebble = ops.model._ModelBackend.get_pebble

        def get_pebble(self: Any, socket_path: str) -> Any:
            run = _active_run.get()
            match = _PEBBLE_SOCKET.fullmatch(socket_path) if run is not None else None
            if match:
                served = run.engine.pebble_socket(match.group("name"))
                if served:
                    return run.pebble_client(served)
                # A container the engine does not serve keeps its unreachable path, so the
                # charm gets ops' ConnectionError, as with a workload that is not up.
            return real_get_pebble(self, socket_path)

        ops.model._ModelBackend.get_pebble = get_pebble
        _keep_exec_output_after_wait(ops.pebble.ExecProcess)
        _installed = True


def _keep_exec_output_after_wait(exec_process: type) -> None:
    """Lets a charm read a process's output after ``wait()``, where the engine says to.

    ops' client shuts the output websockets down in ``wait()``; ops-scenario 3.1's mock kept
    the output readable. Whether to keep it is the engine's call (``client_divergence``: None
    under strict mode); this only drains the streams before ops closes them.
    """
    real_wait = exec_process.wait

    def wait(self: Any) -> None:
        run = _active_run.get()
        streams = [name for name in ("stdout", "stderr") if _is_websocket_stream(self, name)]
        if run is None or not streams:
            return real_wait(self)
        drained = {}
        for name in streams:
            try:
                drained[name] = getattr(self, name).read()
            except Exception:  # the charm closed or half-read it: leave ops' behaviour alone
                return real_wait(self)
        try:
            return real_wait(self)
        finally:
            if any(drained.values()) and run.engine.client_divergence(
                "exec-output-after-wait", " ".join(self._command)
            ) is not None:
                for name, data in drained.items():
                    setattr(self, name, io.StringIO(data, newline="") if isinstance(data, str) else io.BytesIO(data))

    exec_process.wait = wait


def _is_websocket_stream(process: Any, name: str) -> bool:
    """Whether ``process.<name>`` is ops' reader over the exec websocket (the charm passed none)."""
    stream = getattr(process, name, None)
    if stream is None:
        return False
    raw = getattr(stream, "buffer", stream)  # text mode wraps the websocket reader
    return type(raw).__name__ == "_WebsocketReader"


def activate(run: ActiveRun) -> contextvars.Token:
    install()
    return _active_run.set(run)


def deactivate(token: contextvars.Token) -> None:
    _active_run.reset(token)
