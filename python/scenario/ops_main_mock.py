"""ops-scenario 3.1's ``scenario.ops_main_mock``, kept for the name suites import from it.

3.1 ran the charm through its own copy of ``ops.main``; here the charm runs on ops' real
``ops.main`` (see :mod:`scenario.context`), so only the error remains:
:class:`~scenario.errors.NoObserverError`, raised when the fired event has no observer.
"""

from scenario.errors import NoObserverError

__all__ = ["NoObserverError"]
