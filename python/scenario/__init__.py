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
    JujuDivergenceWarning,
    MetadataError,
    MetadataNotFoundError,
    NoObserverError,
    ScenarioError,
    StateValidationError,
    UncaughtCharmError,
)
from .state import (
    ActionOutput,
    Address,
    BindAddress,
    CheckInfo,
    Container,
    DeferredEvent,
    Event,
    ExecOutput,
    ExecRecord,
    File,
    InjectRelation,
    JujuLogLine,
    Model,
    Mount,
    Network,
    Notice,
    ParametrizedEvent,
    PeerRelation,
    Port,
    Relation,
    RelationBase,
    Resource,
    Secret,
    State,
    Status,
    Storage,
    StoredState,
    SubordinateRelation,
    deferred,
)

__all__ = [
    "ActionOutput",
    "Address",
    "BindAddress",
    "capture_events",
    "CheckInfo",
    "Container",
    "Context",
    "deferred",
    "DeferredEvent",
    "DirtyVirtualCharmRootError",
    "Event",
    "ExecOutput",
    "ExecRecord",
    "File",
    "InconsistentScenarioError",
    "InjectRelation",
    "JujuDivergenceWarning",
    "JujuLogLine",
    "MetadataError",
    "MetadataNotFoundError",
    "Model",
    "Mount",
    "Network",
    "NoObserverError",
    "Notice",
    "ParametrizedEvent",
    "PeerRelation",
    "Port",
    "Relation",
    "RelationBase",
    "Resource",
    "ScenarioError",
    "Secret",
    "State",
    "StateValidationError",
    "Status",
    "Storage",
    "StoredState",
    "SubordinateRelation",
    "trigger",
    "UncaughtCharmError",
]


_SUBMODULES_3_1 = ("consistency_checker", "fs_mocks", "logger", "mocking", "ops_main_mock", "pytest_plugin",
                   "runtime", "sequences")


def __getattr__(name: str):
    # ops-scenario 3.1 re-exported the pytest fixture here; importing it on demand keeps
    # `import scenario` free of pytest.
    if name == "emitted_events":
        from .pytest_plugin import emitted_events

        return emitted_events
    if name in _SUBMODULES_3_1:  # 3.1 imported these with the package
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'scenario' has no attribute {name!r}")
