"""The names ops-scenario 3.1 kept in ``scenario.runtime``, for tests that import them from here.

``Runtime`` is 3.1's runner of events on one charm spec; here it is a thin front for
:class:`~scenario.context.Context`, which does the running. The errors live in
:mod:`scenario.errors` and ``trigger`` in :mod:`scenario.context`; ``ScenarioRuntimeError``
is 3.1's name for their common base, :class:`ScenarioError`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, List, Optional, Union

from ops.storage import SQLiteStorage  # noqa: F401 - 3.1 imported it here

from . import _convert, _engine, _engine_form
from .context import Context, trigger
from .errors import (
    DirtyVirtualCharmRootError,
    InconsistentScenarioError,
    MetadataNotFoundError,
    NoObserverError,
    ScenarioError,
    UncaughtCharmError,
)
from .logger import logger as _scenario_logger
from .state import DeferredEvent, PeerRelation, State, StoredState

if TYPE_CHECKING:
    import ops

    from .state import Event, _CharmSpec

ScenarioRuntimeError = ScenarioError

logger = _scenario_logger.getChild("runtime")

# The directory of this package (3.1's name for it).
RUNTIME_MODULE = Path(__file__).parent


class UnitStateDB:
    """An ops unit-state database file (3.1's reader and writer of ``.unit-state.db``).

    The engine reads and writes it as a run does (``scenario.engine``'s store), so what this
    shows is what a charm's ops sees.
    """

    def __init__(self, db_path: Union[str, "os.PathLike[str]"]):
        self._db_path = Path(db_path)

    def _read(self) -> State:
        if not self._db_path.exists():
            return State()
        return _convert.state_from_engine(_engine.read_unit_state(str(self._db_path)), State())

    def get_stored_state(self) -> List[StoredState]:
        """The StoredState entries the database holds."""
        return list(self._read().stored_state)

    def get_deferred_events(self) -> List[DeferredEvent]:
        """The deferred events (with their snapshots) the database holds."""
        return list(self._read().deferred)

    def apply_state(self, state: State, charm_class_name: str = "") -> None:
        """Writes ``state``'s deferred events and stored state as the database.

        ``charm_class_name`` owns StoredState entries that name no owner; 3.1 took it from the
        State's handle paths, which name their owner.
        """
        _engine.write_unit_state(
            str(self._db_path), _engine_form.state_to_engine(state), charm_class_name or "CharmBase"
        )

__all__ = [
    "DeferredEvent",
    "DirtyVirtualCharmRootError",
    "InconsistentScenarioError",
    "MetadataNotFoundError",
    "NoObserverError",
    "PeerRelation",
    "RUNTIME_MODULE",
    "Runtime",
    "StoredState",
    "UnitStateDB",
    "logger",
    "ScenarioRuntimeError",
    "UncaughtCharmError",
    "trigger",
]

Hook = Optional[Callable[["ops.CharmBase"], None]]


class Runtime:
    """Runs events on the charm of ``charm_spec`` (ops-scenario 3.1's runtime).

    :arg charm_spec: the charm type and its metadata, config and actions.
    :arg charm_root: a directory to run the charm in, as ``Context(charm_root=...)``.
    :arg juju_version: the Juju agent version to simulate.
    """

    def __init__(
        self,
        charm_spec: "_CharmSpec",
        charm_root: Optional[Union[str, "os.PathLike[str]"]] = None,
        juju_version: str = "3.0.0",
    ):
        self._charm_spec = charm_spec
        self._charm_root = charm_root
        self._juju_version = juju_version
        self._context = Context(
            charm_spec.charm_type,
            meta=charm_spec.meta,
            actions=charm_spec.actions,
            config=charm_spec.config,
            charm_root=charm_root,
            juju_version=juju_version,
        )

    def virtual_charm_root(self) -> ContextManager[Path]:
        """The directory the charm runs in, holding its metadata files while in use."""
        return self._context._charm_dir()

    def exec(
        self,
        state: "State",
        event: Union["Event", str],
        pre_event: Hook = None,
        post_event: Hook = None,
    ) -> "State":
        """Fires ``event`` on the charm in ``state``; returns the output State (see Context.run)."""
        __tracebackhide__ = True  # noqa: F841 - pytest starts the failure at the test's call
        return self._context.run(event, state, pre_event=pre_event, post_event=post_event)
