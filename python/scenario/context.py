"""Context: runs one event on a charm, in-process, on real ops, against the C++ engine."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import warnings
import weakref
from types import TracebackType
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Sequence, Type, Union

import yaml

from . import _adapter, _convert, _engine, _engine_form
from ._engine_form import load_spec
from .errors import (
    DirtyVirtualCharmRootError,
    JujuDivergenceWarning,
    NoObserverError,
    StateValidationError,
    UncaughtCharmError,
)
from ._modes import environment_switch, strict_from_environment
from .state import Event, State, _CharmSpec

if TYPE_CHECKING:
    import ops

logger = logging.getLogger("scenario")

# The metadata files a run writes into the charm root and ops reads (ops never reads
# charmcraft.yaml, so a charm repository's own one may stay where it is).
_SPEC_FILES = ("metadata.yaml", "config.yaml", "actions.yaml")
# Files a run puts into a virtual charm root, besides the spec files.
_RUN_FILES = ("dispatch", ".unit-state.db")


def _fast_tmp_dir() -> Optional[str]:
    """A memory-backed directory for the virtual charm root, when the system has one.

    ops commits its unit-state database with fsync on every run; on a disk that costs
    milliseconds, on tmpfs next to nothing. None means the default temporary directory.
    """
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


# A Context's working directory is <tmp>/scenario-<pid>-<random>: the pid says whose it is.
_WORKDIR_PREFIX = "scenario-"


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _remove_orphaned_workdirs(parent: Optional[str]) -> None:
    """Removes the working directories a killed process left in ``parent`` (None: the default
    temporary directory): a Context's finalizer never ran there. Only this user's directories
    of processes that no longer exist are touched."""
    uid = os.getuid()
    try:
        entries = list(os.scandir(parent or tempfile.gettempdir()))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(_WORKDIR_PREFIX):
            continue
        pid_text = entry.name[len(_WORKDIR_PREFIX):].partition("-")[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != uid:
                continue
        except OSError:
            continue
        if not _process_exists(int(pid_text)):
            shutil.rmtree(entry.path, ignore_errors=True)


def _check_context_text(name: str, value: Any) -> None:
    """StateValidationError for a Context argument the engine or the file system cannot take."""
    if value is None:
        return
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(text, str):
        raise StateValidationError(f"Context({name}=...) must be a str, not {type(value).__name__}")
    problem = _engine_form.engine_value_problem(text, f"Context({name}=...)")
    if problem:
        raise StateValidationError(problem)
    if "\0" in text:
        raise StateValidationError(f"Context({name}=...) holds a NUL character ('\\x00'); remove it")


def _spec_file_texts(spec: "_engine.CharmSpec") -> Dict[str, str]:
    """The metadata files ops reads at start-up, as Scenario writes them: file name -> text."""
    documents = {
        "metadata.yaml": json.loads(spec.meta_json),
        "config.yaml": json.loads(spec.config_json),
        "actions.yaml": json.loads(spec.actions_json),
    }
    return {
        name: yaml.dump(document, Dumper=_YAML_DUMPER)
        for name, document in documents.items()
        if document is not None
    }


# libyaml's safe dumper writes the same text as PyYAML's, at a quarter of the cost; every Context
# writes its spec files once, and suites make a Context per test.
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _write_spec_files(root: Path, spec_texts: Dict[str, str]) -> List[Path]:
    """Writes what ops reads at start-up into ``root``; returns the paths written."""
    written = []
    for name, text in spec_texts.items():
        path = root / name
        path.write_text(text)
        written.append(path)
    # ops runs in dispatch mode only when the charm has an executable `dispatch`.
    dispatch = root / "dispatch"
    dispatch.write_text("#!/bin/sh\n# written by scenario: ops checks that it exists\n")
    dispatch.chmod(0o755)
    written.append(dispatch)
    # ops looks for its unit-state file before opening it (ops 2.x logs its creation). The
    # database itself is held in memory during a run (see _adapter), so an empty file stands in.
    unit_state = root / ".unit-state.db"
    unit_state.touch(mode=0o600)
    written.append(unit_state)
    return written


# ops.main reads the hook's environment from os.environ and sets up process-wide logging and
# hooks, so two runs in one process take turns (runs in different processes, e.g. pytest-xdist
# workers, share nothing).
_PROCESS_STATE_LOCK = threading.RLock()


def _encoded_environ() -> Optional[Dict[bytes, bytes]]:
    """CPython's dict of os.environ's encoded keys and values (``_data``), None elsewhere.

    Copying and comparing it costs microseconds, while going through os.environ decodes every
    entry.
    """
    data = getattr(os.environ, "_data", None)
    return data if isinstance(data, dict) else None


def _environ_snapshot() -> Dict[Any, Any]:
    """A copy of the process environment, cheap to take and to compare."""
    data = _encoded_environ()
    return dict(data) if data is not None else dict(os.environ)


def _environ_restore(saved: Dict[Any, Any]) -> None:
    """Puts the environment back to ``saved`` (from _environ_snapshot), touching only changes."""
    data = _encoded_environ()
    if data is None:
        for name in [k for k in os.environ if k not in saved]:
            del os.environ[name]
        for name, text in saved.items():
            if os.environ.get(name) != text:
                os.environ[name] = text
        return
    if data == saved:
        return
    for key in [k for k in data if k not in saved]:
        _unset_encoded(data, key)
    for key, value in saved.items():
        if data.get(key) != value:
            _set_encoded(data, key, value)


# What os.environ does per item (putenv or unsetenv, then its _data), minus its layers of
# per-item encoding calls, which cost more than the libc calls for the dozen variables of a hook.
def _set_encoded(data: Dict[bytes, bytes], key: bytes, value: bytes) -> None:
    os.putenv(key, value)
    data[key] = value


def _unset_encoded(data: Dict[bytes, bytes], key: bytes) -> None:
    os.unsetenv(key)
    del data[key]


_FS_ENCODING = sys.getfilesystemencoding()


def _enter_hook_environment(variables: Dict[str, str]) -> None:
    """Makes the process environment the hook's: ``variables`` set, every other JUJU_* and
    OPERATOR_DISPATCH (ops' guard against dispatching twice) unset."""
    data = _encoded_environ()
    if data is None:
        for name in [k for k in os.environ if k.startswith("JUJU_")]:
            del os.environ[name]
        os.environ.pop("OPERATOR_DISPATCH", None)
        os.environ.update(variables)
        return
    for key in [k for k in data if k.startswith(b"JUJU_") or k == b"OPERATOR_DISPATCH"]:
        _unset_encoded(data, key)
    for name, text in variables.items():
        _set_encoded(data, _encoded(name), _encoded(text))


def _encoded(text: str) -> bytes:
    """``text`` as os.environ keeps it on POSIX."""
    return text.encode(_FS_ENCODING, "surrogateescape")


# Every signal a handler can be set for: a charm may set any of them.
_SIGNALS = tuple(int(s) for s in signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP})
# signal.getsignal turns each answer into an enum member, which costs 20 times the lookup; the C
# function's raw answers (ints or callables) compare and restore alike.
_raw_getsignal = getattr(signal, "_signal", signal).getsignal


def _current_umask() -> int:
    # os.umask is the only reader, and it sets as it reads: put it straight back
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _current_cwd() -> Optional[str]:
    try:
        return os.getcwd()
    except FileNotFoundError:  # the charm removed it
        return None


@contextlib.contextmanager
def _process_state_restored() -> Iterator[None]:
    """Puts back what ops.main or the charm changes process-wide: environment, logging, hooks,
    the working directory, umask, signal handlers, sys.path, warnings filters, the default
    socket timeout and logging.disable (a unit's charm process ends after each hook; ours does
    not). Each is compared first and set only when it changed, so a run pays only the reads.
    """
    import ops

    environ = _environ_snapshot()
    cwd, umask = _current_cwd(), _current_umask()
    handlers_by_signal = list(map(_raw_getsignal, _SIGNALS))
    path = list(sys.path)
    filters_list = warnings.filters
    filters = list(filters_list)
    socket_timeout = socket.getdefaulttimeout()
    logging_disabled = logging.root.manager.disable
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    excepthook, breakpointhook = sys.excepthook, sys.breakpointhook
    # ops 3.x routes warnings to its logging (ops.log); Scenario's own warnings must reach pytest.
    showwarning = warnings.showwarning
    # ops caches each Framework's bound events in a class-level WeakKeyDictionary whose values
    # hold the Framework strongly, so a Framework there lives as long as the process. A unit
    # runs ops once per process; we run it thousands of times, so the run's entry must go.
    framework_events = getattr(ops.Framework.__dict__.get("on"), "_cache", None)
    known_frameworks = {id(f) for f in framework_events.keys()} if framework_events is not None else set()
    try:
        yield
    finally:
        if framework_events is not None:
            for framework in [f for f in framework_events.keys() if id(f) not in known_frameworks]:
                del framework_events[framework]
        _environ_restore(environ)
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
        sys.excepthook, sys.breakpointhook = excepthook, breakpointhook
        warnings.showwarning = showwarning
        _restore_process_settings(
            cwd, umask, handlers_by_signal, path, filters_list, filters, socket_timeout, logging_disabled
        )


def _restore_process_settings(
    cwd: Optional[str],
    umask: int,
    handlers_by_signal: List[Any],
    path: List[str],
    filters_list: List[Any],
    filters: List[Any],
    socket_timeout: Optional[float],
    logging_disabled: int,
) -> None:
    """The second half of _process_state_restored: the settings a charm may change."""
    if cwd is not None and _current_cwd() != cwd:
        with contextlib.suppress(OSError):  # the charm removed it: there is no way back
            os.chdir(cwd)
    os.umask(umask)  # one call whether or not the charm changed it
    if list(map(_raw_getsignal, _SIGNALS)) != handlers_by_signal:
        for signum, handler in zip(_SIGNALS, handlers_by_signal):
            # None: a handler set outside Python, which Python cannot set back
            if handler is not None and _raw_getsignal(signum) != handler:
                signal.signal(signum, handler)
    if sys.path != path:
        sys.path[:] = path
    if warnings.filters is not filters_list or filters_list != filters:
        filters_list[:] = filters
        warnings.filters = filters_list
        warnings._filters_mutated()  # type: ignore[attr-defined]  # drops the cached decisions
    if socket.getdefaulttimeout() != socket_timeout:
        socket.setdefaulttimeout(socket_timeout)
    if logging.root.manager.disable != logging_disabled:
        logging.disable(logging_disabled)


class Context:
    """Where a charm runs: its type, its metadata, and the Juju it runs on.

    :arg charm_type: the CharmBase subclass to call ``ops.main()`` on.
    :arg meta: metadata.yaml as a dict (may be a whole charmcraft.yaml). If meta, actions and
        config are all None, they are loaded from the charm's root (the directory above the
        one holding the charm's source).
    :arg actions: actions.yaml as a dict.
    :arg config: config.yaml as a dict.
    :arg charm_root: a directory to run the charm in (for charms that read files relative to
        their root). Scenario adds the metadata files for the duration of each run only.
    :arg juju_version: the Juju agent version to simulate.
    :arg app_name: the application's name; defaults to the metadata's ``name``.
    :arg bare_charm_errors: let the charm's exception propagate unwrapped (e.g. for
        ``pytest --pdb``) instead of raising UncaughtCharmError from it.
    :arg strict: bind Juju's and Pebble's rules where ops-scenario 3.1 was laxer (each such case
        is otherwise run as 3.1 ran it, with a :class:`JujuDivergenceWarning`). None: read
        ``SCENARIO_STRICT`` (``1`` or ``0``; ``pytest --scenario-strict`` sets it) at each run.
    """

    def __init__(
        self,
        charm_type: Type["ops.CharmBase"],
        meta: Optional[Dict[str, Any]] = None,
        actions: Optional[Dict[str, Any]] = None,
        config: Optional[Dict[str, Any]] = None,
        charm_root: Optional[Union[str, os.PathLike]] = None,
        juju_version: str = "3.0",
        *,
        app_name: Optional[str] = None,
        bare_charm_errors: bool = False,
        strict: Optional[bool] = None,
    ):
        for name, value in (("app_name", app_name), ("juju_version", juju_version), ("charm_root", charm_root)):
            _check_context_text(name, value)
        self.charm_type = charm_type
        self._engine_spec = load_spec(charm_type, meta, actions, config)
        self._spec_autoloaded = meta is None and actions is None and config is None
        self.charm_root = charm_root
        self.juju_version = juju_version
        self.app_name = app_name or self._engine_spec.name
        self.bare_charm_errors = bare_charm_errors
        if strict is not None and not isinstance(strict, bool):
            raise TypeError(f"Context(strict=...) takes True, False or None, not {strict!r}")
        self.strict = strict
        work_parent = _fast_tmp_dir()
        for parent in {work_parent, None}:  # None: the temporary directory, the fallback
            _remove_orphaned_workdirs(parent)
        self._workdir = Path(tempfile.mkdtemp(prefix=f"{_WORKDIR_PREFIX}{os.getpid()}-", dir=work_parent))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._workdir, True)
        self._pebble: Optional[_engine.PebbleServer] = None
        self._pebble_openers: Dict[str, Any] = {}  # by socket path; see _adapter.ActiveRun
        self._spec_texts = _spec_file_texts(self._engine_spec)
        self._spec_file_parses: Optional[Dict[str, bytes]] = None  # on the first run
        if charm_root is None:
            self._vroot = self._workdir / "charm"
            self._vroot.mkdir()
            _write_spec_files(self._vroot, self._spec_texts)

    @property
    def charm_spec(self) -> _CharmSpec:
        """The charm type with its metadata, config and actions (3.1's ``_CharmSpec``)."""
        return _CharmSpec._from_engine(self.charm_type, self._engine_spec, self._spec_autoloaded)

    def cleanup(self) -> None:
        """Removes the Context's temporary files (also done when it is garbage-collected)."""
        self._pebble = None
        self._pebble_openers.clear()
        self._finalizer()

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cleanup()

    def _pebble_server(self) -> "_engine.PebbleServer":
        if self._pebble is None:
            sockets = self._workdir / "pebble"
            sockets.mkdir(exist_ok=True)
            self._pebble = _engine.PebbleServer(str(sockets))
        return self._pebble

    @contextlib.contextmanager
    def _charm_dir(self) -> Iterator[Path]:
        if self.charm_root is None:
            yield self._vroot
            return
        root = Path(self.charm_root)
        clashes = [f for f in _SPEC_FILES + _RUN_FILES if (root / f).exists()]
        if clashes:
            raise DirtyVirtualCharmRootError(
                f"charm_root {root} already has {', '.join(clashes)}: Scenario writes these "
                f"from the Context's meta/config/actions for each run; remove them from the "
                f"directory (the Context's arguments are the single source of truth)"
            )
        written = _write_spec_files(root, self._spec_texts)
        try:
            yield root
        finally:
            for path in written:
                path.unlink(missing_ok=True)

    def run(
        self,
        event: Union[Event, str],
        state: State,
        pre_event: Optional[Callable[["ops.CharmBase"], None]] = None,
        post_event: Optional[Callable[["ops.CharmBase"], None]] = None,
    ) -> State:
        """Fires ``event`` on the charm in ``state``; returns the output State.

        The input State is not changed. ``pre_event(charm)`` runs after the charm is built and
        before the event is emitted; ``post_event(charm)`` after it is handled, before ops
        commits.
        """
        __tracebackhide__ = True  # noqa: F841 - pytest starts the failure at the test's call
        import ops

        if isinstance(event, str):
            event = Event(event)
        if not isinstance(state, State):
            raise TypeError(
                f"Context.run(event, state): state must be a scenario.State, got "
                f"{type(state).__name__}; build one with scenario.State(...)"
            )
        state_document = _engine_form.state_to_engine(state)
        event_document = _engine_form.event_to_engine(event, state)
        skip_checks = bool(os.environ.get("SCENARIO_SKIP_CONSISTENCY_CHECKS"))
        strict = self.strict if self.strict is not None else strict_from_environment()
        share_cpu = _share_cpu_with_pebble()
        charm_class = _fresh_charm_class(self.charm_type, pre_event, post_event, event.name)

        with self._charm_dir() as charm_dir:
            options = _engine.RunOptions()
            options.app_name = self.app_name
            options.juju_version = self.juju_version
            options.charm_dir = charm_dir
            options.charm_class_name = self.charm_type.__name__
            options.skip_consistency_checks = skip_checks
            options.unit_state_in_memory = _adapter.UNIT_STATE_IN_MEMORY
            options.storage_root = self._workdir / "storage"
            options.share_cpu_with_pebble = share_cpu
            options.strict = strict
            pebble_server = self._pebble_server()
            run = _engine_form.with_documents(
                lambda: _engine.Run(
                    self._engine_spec, state_document, event_document, options, pebble_server
                ),
                state=state_document,
                event=event_document,
            )
            if self._spec_file_parses is None:
                self._spec_file_parses = _adapter.spec_file_parses(self._spec_texts.values())
            active = _adapter.ActiveRun(
                run, _adapter.UNIT_STATE_IN_MEMORY, self._pebble_openers, self._spec_file_parses
            )
            for warning in run.warnings:
                logger.warning("%s", warning)
            try:
                with _PROCESS_STATE_LOCK, _process_state_restored():
                    _enter_hook_environment(run.environment)
                    token = _adapter.activate(active)
                    try:
                        ops.main(charm_class)  # type: ignore[operator]
                    finally:
                        _adapter.deactivate(token)
            except NoObserverError:
                raise
            except SystemExit as e:
                if e.code not in (0, None):
                    raise self._uncaught(e, event) from e
            except Exception as e:
                __tracebackhide__ = True  # noqa: F841 - pytest shows the charm's frames, not ours
                if self.bare_charm_errors:
                    raise
                raise self._uncaught(e, event) from e.with_traceback(_charm_frames(e.__traceback__))
            finally:
                output = run.finish(active.final_unit_state())
                _warn_divergences(run.divergences)
            # The charm returned, but the engine may find that Juju refuses what the hook queued.
            commit_failure = run.commit_failure
            if commit_failure is not None:
                raise UncaughtCharmError(
                    f"{self.charm_type.__name__}'s '{event.name}' hook failed after it returned: "
                    f"{commit_failure}"
                )
        return _convert.state_from_engine(output, state)

    def run_sequence(
        self,
        events: Sequence[Union[Event, str]],
        state: State,
        pre_event: Optional[Callable[["ops.CharmBase"], None]] = None,
        post_event: Optional[Callable[["ops.CharmBase"], None]] = None,
    ) -> List[State]:
        """Fires ``events`` one after another, each on the State the previous one left.

        Each event gets a fresh charm instance, as in Juju; deferred events and StoredState carry
        over. Between two events the engine applies what Juju changes once a hook is over (a
        departed unit leaves its relation, a broken relation goes away). Returns the State
        after each event.
        """
        states = []
        for event in events:
            if isinstance(event, str):
                event = Event(event)
            out = self.run(event, state, pre_event=pre_event, post_event=post_event)
            states.append(out)
            state_document = _engine_form.state_to_engine(out)
            event_document = _engine_form.event_to_engine(event, out)
            settled = _engine_form.with_documents(
                lambda: _engine.settle_after(state_document, event_document),
                state=state_document,
                event=event_document,
            )
            state = _convert.state_from_engine(settled, out)
        return states

    def _uncaught(self, error: BaseException, event: Event) -> UncaughtCharmError:
        return UncaughtCharmError(
            f"{self.charm_type.__name__} raised {type(error).__name__} while handling "
            f"'{event.name}': {error}"
        )


_SCENARIO_DIR = str(Path(__file__).resolve().parent)

def _warn_divergences(divergences: Sequence[str]) -> None:
    """Raises the engine's divergences as warnings, attributed to the test's ``run`` call."""
    for message in divergences:
        # _warn_divergences <- Context.run <- the caller
        warnings.warn(message, JujuDivergenceWarning, stacklevel=3)

_SHARE_CPU_VARIABLE = "SCENARIO_PEBBLE_SHARE_CPU"


def _share_cpu_with_pebble() -> bool:
    """Whether a run keeps the charm's thread and the Pebble server's on one CPU (README)."""
    return environment_switch(
        _SHARE_CPU_VARIABLE,
        "0",  # opt-in: a charm sees one CPU while it is on (README, "Pebble and CPUs")
        "the charm's thread and the Pebble server share a CPU while the charm runs",
        "leave CPU placement alone",
    )


def _charm_frames(tb: Optional[TracebackType]) -> Optional[TracebackType]:
    """The traceback from the charm's first frame on, without Scenario's own frames.

    What leads into the charm (Scenario, ops.main, the framework's dispatch) is dropped; ops
    frames the charm called into stay, since they say what the charm asked for.
    """
    import ops

    ops_dir = str(Path(ops.__file__).resolve().parent)
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next

    def path(frame: TracebackType) -> str:
        return frame.tb_frame.f_code.co_filename

    first = next(
        (i for i, f in enumerate(frames)
         if not path(f).startswith(_SCENARIO_DIR) and not path(f).startswith(ops_dir)),
        None,
    )
    if first is None:
        return frames[0] if frames else None
    trimmed = None
    for frame in reversed([f for f in frames[first:] if not path(f).startswith(_SCENARIO_DIR)]):
        trimmed = TracebackType(trimmed, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return trimmed


def _fresh_charm_class(
    charm_type: type,
    pre_event: Optional[Callable[[Any], None]],
    post_event: Optional[Callable[[Any], None]],
    event_name: Optional[str] = None,
) -> type:
    """A same-named subclass of the charm, with its own event class, for one run.

    ops defines the metadata's relation, storage and workload events on the class of
    ``charm.on`` when the charm is built, so a second build of the same class in one process
    fails; Juju never builds a charm twice in a process. Each run therefore gets fresh classes.
    The subclass also calls ``pre_event`` (after deferred events are re-emitted, before the
    event) and ``post_event`` (before ops commits), and raises NoObserverError when the fired
    event is not defined on the charm's ``on`` (ops would silently skip it, as 3.1 refused to).
    """
    events_type = type(charm_type.on)
    fresh_events = type(events_type.__name__, (events_type,), {"__module__": events_type.__module__})

    def __init__(self: Any, framework: Any, *args: Any, **kwargs: Any) -> None:
        charm_type.__init__(self, framework, *args, **kwargs)
        # ops defines the metadata's events during CharmBase.__init__, so check only now.
        if event_name is not None and getattr(self.on, event_name, None) is None:
            raise NoObserverError(
                f"{charm_type.__name__} has no event {event_name!r} on its `on`: check the "
                f"event name, or define the custom event on the charm's events class"
            )
        if post_event is not None:
            framework.observe(framework.on.pre_commit, self._scenario_post_event)
        if pre_event is not None:
            if event_name is not None and _engine.runs_in_restricted_context(event_name):
                pre_event(self)  # ops re-emits nothing here: the event follows right after
            else:
                reemit = framework.reemit

                def reemit_then_pre_event() -> None:
                    reemit()
                    pre_event(self)

                framework.reemit = reemit_then_pre_event

    def _scenario_post_event(self: Any, _: Any) -> None:
        post_event(self)

    # Same name, so ops' handle paths (StoredState, deferred events) are the charm's own.
    return type(
        charm_type.__name__,
        (charm_type,),
        {
            "on": fresh_events(),
            "__init__": __init__,
            "_scenario_post_event": _scenario_post_event,
            "__module__": charm_type.__module__,
            "__qualname__": charm_type.__qualname__,
        },
    )


def trigger(
    state: State,
    event: Union[Event, str],
    charm_type: Type["ops.CharmBase"],
    pre_event: Optional[Callable[["ops.CharmBase"], None]] = None,
    post_event: Optional[Callable[["ops.CharmBase"], None]] = None,
    meta: Optional[Dict[str, Any]] = None,
    actions: Optional[Dict[str, Any]] = None,
    config: Optional[Dict[str, Any]] = None,
    charm_root: Optional[Union[str, os.PathLike]] = None,
    juju_version: str = "3.0",
) -> State:
    """ops-scenario 3.1's one-shot form of ``Context(...).run(event, state)``."""
    context = Context(
        charm_type,
        meta=meta,
        actions=actions,
        config=config,
        charm_root=charm_root,
        juju_version=juju_version,
    )
    try:
        return context.run(event, state, pre_event=pre_event, post_event=post_event)
    finally:
        context.cleanup()
