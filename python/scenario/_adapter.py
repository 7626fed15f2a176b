"""Routes ops' process boundary into the engine: hook-tool spawning and the Pebble socket path.

ops spawns hook tools from three places, depending on its version: ``_ModelBackend._run`` in
``ops.model`` (ops <= 3.3), ``ops.hookcmds._utils.run`` (ops >= 3.4) and ``ops.storage._run``
(controller storage, every version). Each calls ``subprocess.run`` (after ``shutil.which``) from
its own module namespace, so the adapter swaps those two names in those modules for proxies that
send hook tools of the active run to the engine and let every other call through untouched.
Which run is active is a context variable, so concurrent Contexts (threads) never mix.

Nothing here decides what a tool returns: the engine answers, this module only carries argv,
stdin, stdout, stderr and the exit code across, the way a real process would.
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil as _real_shutil
import subprocess as _real_subprocess
import threading
from typing import Any, Optional, Sequence

from . import _engine

_active_run: contextvars.ContextVar[Optional["_engine.Run"]] = contextvars.ContextVar(
    "scenario_active_run", default=None
)

_PEBBLE_SOCKET = re.compile(r"/charm/containers/(?P<name>[^/]+)/pebble\.socket")


def _hook_tool_name(cmd: Any) -> Optional[str]:
    """The tool name if ``cmd`` is a hook tool the engine answers while a run is active."""
    if isinstance(cmd, (list, tuple)) and cmd:
        cmd = cmd[0]
    if not isinstance(cmd, (str, os.PathLike)):
        return None
    name = os.path.basename(os.fspath(cmd))
    return name if _engine.is_hook_tool(name) else None


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
        return _call_tool(run, tool, list(args), kwargs)


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
    argv = [tool, *(os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args[1:])]
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

        real_get_pebble = ops.model._ModelBackend.get_pebble

        def get_pebble(self: Any, socket_path: str) -> Any:
            run = _active_run.get()
            match = _PEBBLE_SOCKET.fullmatch(socket_path) if run is not None else None
            if match:
                served = run.pebble_socket(match.group("name"))
                # A container the engine does not serve keeps its unreachable path, so the
                # charm gets ops' ConnectionError, as with a workload that is not up.
                socket_path = served or socket_path
            return real_get_pebble(self, socket_path)

        ops.model._ModelBackend.get_pebble = get_pebble
        _installed = True


def activate(run: "_engine.Run") -> contextvars.Token:
    install()
    return _active_run.set(run)


def deactivate(token: contextvars.Token) -> None:
    _active_run.reset(token)
