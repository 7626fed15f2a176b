"""ops-scenario 3.1's ``scenario.logger``: the logger Scenario reports through.

3.1 named it "ops-scenario"; here every Scenario logger is a child of ``scenario``, so this
is that parent: set its level or add handlers to see (or silence) what Scenario logs.
"""

import logging

logger = logging.getLogger("scenario")

__all__ = ["logger"]
