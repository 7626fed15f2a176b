"""Errors raised by Scenario.

Every error has a stable ``code`` (a short kebab-case string) so tools and tests can tell errors
apart without parsing messages; the engine's C++ errors carry the same codes and the bindings
raise the matching class below.
"""

from __future__ import annotations

from typing import Iterable, Optional


class ScenarioError(RuntimeError):
    """Base class of every error Scenario raises on purpose."""

    code: str = "scenario-error"

    def __init__(self, message: str = "", *args: object, code: Optional[str] = None):
        super().__init__(message, *args)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The human-readable message (the first argument)."""
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.message


# ops-scenario 3.1 called the base class this; kept so `except ScenarioRuntimeError` still works.
ScenarioRuntimeError = ScenarioError


class StateValidationError(ScenarioError):
    """Raised when one part of a State (or Event) is malformed on its own.

    For example a relation databag holding a non-string value, or a status that is not an ops
    StatusBase. The message names the offending field and key.
    """

    code = "state-validation"


class InconsistentScenarioError(ScenarioError):
    """Raised before the charm runs when State, Event and charm metadata do not fit together.

    For example an event on a relation that is not in the State, or a container that the
    metadata does not declare. ``problems`` lists every problem found, not just the first.
    """

    code = "inconsistent-scenario"

    def __init__(
        self,
        message: str = "",
        *args: object,
        code: Optional[str] = None,
        problems: Optional[Iterable[str]] = None,
    ):
        super().__init__(message, *args, code=code)
        self.problems = list(problems) if problems is not None else ([message] if message else [])


class UncaughtCharmError(ScenarioError):
    """Raised when the charm code raised an exception while handling the event.

    The charm's exception is chained as ``__cause__``.
    """

    code = "uncaught-charm-error"


class NoObserverError(ScenarioError):
    """Raised when the fired event has no observer on the charm (e.g. a misspelt event name)."""

    code = "no-observer"


class DirtyVirtualCharmRootError(ScenarioError):
    """Raised when a user-supplied ``charm_root`` already holds metadata files Scenario would write.

    Scenario refuses to overwrite (and later delete) files it did not create.
    """

    code = "dirty-virtual-charm-root"


class MetadataError(ScenarioError, ValueError):
    """Raised when the charm's metadata, config or actions (given or read from files) are malformed.

    The message names the file, the key and the problem.
    """

    code = "invalid-charm-spec"


class MetadataNotFoundError(ScenarioError, FileNotFoundError):
    """Raised when no charm metadata was given and none (metadata.yaml / charmcraft.yaml) was found.

    Also a FileNotFoundError, which is what ops-scenario 3.1 raised in that case.
    """

    code = "metadata-not-found"

    def __str__(self) -> str:
        return self.message


__all__ = [
    "ScenarioError",
    "ScenarioRuntimeError",
    "StateValidationError",
    "InconsistentScenarioError",
    "UncaughtCharmError",
    "NoObserverError",
    "DirtyVirtualCharmRootError",
    "MetadataNotFoundError",
]


class JujuDivergenceWarning(UserWarning):
    """A run did what ops-scenario 3.1 did where real Juju or Pebble would not.

    Scenario is compatible with 3.1 by default: a State, a name or a call that 3.1 accepted is
    accepted. Each such case is reported with this warning; its message names the Juju or Pebble
    rule, the State field or call, and what strict mode does instead. Strict mode
    (``Context(..., strict=True)``, ``pytest --scenario-strict`` or ``SCENARIO_STRICT=1``) makes
    each of them Juju's behaviour or error. Make them errors in pytest with
    ``-W error::scenario.JujuDivergenceWarning``.
    """
