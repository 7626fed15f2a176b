"""Scenario: state-transition tests for Juju charms, on a C++ engine that behaves like Juju.

A test declares a :class:`State`, fires one :class:`Event` on the charm through a
:class:`Context`, and asserts on the output State::

    from scenario import Context, State

    ctx = Context(MyCharm, meta={"name": "my-charm"})
    out = ctx.run("start", State(leader=True))
    assert out.status.unit == ops.ActiveStatus("ready")

The API is ops-scenario 3.1's, so existing 3.1 tests run unchanged.
"""

try:
    from . import _engine  # noqa: F401
except ImportError as e:  # pragma: no cover - only without a built extension
    raise ImportError(
        "scenario's C++ engine (scenario._engine) is not built: install the package with "
        "`pip install .` from the repository root (see README.md)"
    ) from e

from .capture_events import capture_events
from .context import Context, trigger
from .errors import (
    DirtyVirtualCharmRootError,
    InconsistentScenarioError,
    MetadataNotFoundError,
    NoObserverError,
    ScenarioError,
    StateValidationError,
    UncaughtCharmError,
)
from .state import (
    Address,
    BindAddress,
    Container,
    DeferredEvent,
    Event,
    ExecOutput,
    Model,
    Mount,
    Network,
    ParametrizedEvent,
    PeerRelation,
    Relation,
    RelationBase,
    Secret,
    State,
    Status,
    StoredState,
    SubordinateRelation,
    deferred,
)

__all__ = [
    "Address",
    "BindAddress",
    "Container",
    "Context",
    "DeferredEvent",
    "DirtyVirtualCharmRootError",
    "Event",
    "ExecOutput",
    "InconsistentScenarioError",
    "MetadataNotFoundError",
    "Model",
    "Mount",
    "Network",
    "NoObserverError",
    "ParametrizedEvent",
    "PeerRelation",
    "Relation",
    "RelationBase",
    "ScenarioError",
    "Secret",
    "State",
    "StateValidationError",
    "Status",
    "StoredState",
    "SubordinateRelation",
    "UncaughtCharmError",
    "capture_events",
    "deferred",
    "trigger",
]
