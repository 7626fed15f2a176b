"""The names ops-scenario 3.1 kept in ``scenario.runtime``, for tests that import them from here.

``Runtime`` is 3.1's runner of events on one charm spec; here it is a thin front for
:class:`~scenario.context.Context`, which does the running. The errors live in
:mod:`scenario.errors` and ``trigger`` in :mod:`scenario.context`; ``ScenarioRuntimeError``
is 3.1's name for their common base, :class:`ScenarioError`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Optional, Union

from .context import Context, trigger
from .errors import (
    DirtyVirtualCharmRootError,
    InconsistentScenarioError,
    MetadataNotFoundError,
    ScenarioError,
    UncaughtCharmError,
)

if TYPE_CHECKING:
    import ops

    from .state import Event, State, _CharmSpec

ScenarioRuntimeError = ScenarioError

__all__ = [
    "DirtyVirtualCharmRootError",
    "InconsistentScenarioError",
    "MetadataNotFoundError",
    "Runtime",
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
