"""Scenario: state-transition tests for Juju charms, on a C++ engine that behaves like Juju.

A test declares a :class:`State`, fires one :class:`Event` on the charm through a
:class:`Context`, and asserts on the output State::

    from scenario import Context, State

    ctx = Context(MyCharm, meta={"name": "my-charm"})
    out = ctx.run("start", State(leader=True))
    assert out.status.unit == ops.ActiveStatus("ready")

The API is ops-scenario 3.1's, so existing 3.1 tests run unchanged.
"""

import os as _os
from typing import TYPE_CHECKING

from _scenario_startup import MixedInstallError as _MixedInstallError
from _scenario_startup import engine_import_problem as _engine_import_problem
from _scenario_startup import mixed_install_problem as _mixed_install_problem

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0"

_mixed_install = _mixed_install_problem(_os.path.dirname(__file__))
if _mixed_install is not None:
    raise _MixedInstallError(_mixed_install)

try:
    from . import _engine  # noqa: F401
except ImportError as _error:
    raise ImportError(_engine_import_problem(_os.path.dirname(__file__), _error)) from _error

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


# Hidden from type checkers: a module-level __getattr__ would type every misspelt name as Any.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        # ops-scenario 3.1 re-exported the pytest fixture here; importing it on demand keeps
        # `import scenario` free of pytest.
        if name == "emitted_events":
            from .pytest_plugin import emitted_events

            return emitted_events
        if name in _SUBMODULES_3_1:  # 3.1 imported these with the package
            import importlib

            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module 'scenario' has no attribute {name!r}")
