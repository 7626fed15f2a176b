"""ops-scenario 3.1's ``scenario.mocking``, kept as a module for suites that import it.

3.1 answered the charm's model and Pebble calls with mock classes (a fake ``_ModelBackend``
and Pebble client). Here nothing is mocked: the charm's ops calls its real hook tools and
talks to a real Pebble socket, both answered by Scenario's engine as Juju and Pebble would.
"""

from ops import pebble
from ops.model import SecretInfo, SecretRotate, _ModelBackend
from ops.pebble import Client, ExecError

from scenario.logger import logger as _scenario_logger
from scenario.state import PeerRelation

logger = _scenario_logger.getChild("mocking")

# The ops names 3.1 imported here; its mock classes have no counterpart (the engine answers).
__all__ = ["Client", "ExecError", "PeerRelation", "SecretInfo", "SecretRotate", "_ModelBackend", "logger", "pebble"]
