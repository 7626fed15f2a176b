"""ops-scenario 3.1's ``scenario.ops_main_mock``, kept for the name suites import from it.

3.1 ran the charm through its own copy of ``ops.main``; here the charm runs on ops' real
``ops.main`` (see :mod:`scenario.context`), so only the error remains:
:class:`~scenario.errors.NoObserverError`, raised when the fired event has no observer.
"""

import ops
from ops.charm import CharmMeta
from ops.log import setup_root_logging

from scenario.errors import NoObserverError
from scenario.logger import logger as _scenario_logger

logger = _scenario_logger.getChild("ops_main_mock")

# Where ops keeps its unit state in the charm directory (3.1's name for it).
CHARM_STATE_FILE = ".unit-state.db"

# 3.1's own ``main`` (a copy of ops.main that changed the State in place) has no counterpart:
# charms run on ops' real ops.main, through Context.run.
__all__ = ["CHARM_STATE_FILE", "CharmMeta", "NoObserverError", "logger", "ops", "setup_root_logging"]
