"""ops-scenario 3.1's ``scenario.mocking``, kept as a module for suites that import it.

3.1 answered the charm's model and Pebble calls with mock classes (a fake ``_ModelBackend``
and Pebble client). Here nothing is mocked: the charm's ops calls its real hook tools and
talks to a real Pebble socket, both answered by Scenario's engine as Juju and Pebble would.
"""

from scenario.logger import logger as _scenario_logger

logger = _scenario_logger.getChild("mocking")

__all__ = ["logger"]
