"""The names ops-scenario 3.1 kept in ``scenario.runtime``, for tests that import them from here.

The errors live in :mod:`scenario.errors` and ``trigger`` in :mod:`scenario.context`;
``ScenarioRuntimeError`` is 3.1's name for their common base, :class:`ScenarioError`.
"""

from .context import trigger
from .errors import (
    DirtyVirtualCharmRootError,
    InconsistentScenarioError,
    MetadataNotFoundError,
    ScenarioError,
    UncaughtCharmError,
)

ScenarioRuntimeError = ScenarioError

__all__ = [
    "DirtyVirtualCharmRootError",
    "InconsistentScenarioError",
    "MetadataNotFoundError",
    "ScenarioRuntimeError",
    "UncaughtCharmError",
    "trigger",
]
