"""Scenario's pytest plugin under the name ops-scenario 3.1 gave it (``-p scenario.pytest_plugin``,
``pytest_plugins = ["scenario.pytest_plugin"]``). The plugin itself is ``_scenario_pytest_plugin``,
outside the package so that pytest can load it without importing scenario."""

from _scenario_pytest_plugin import (  # noqa: F401  (pytest finds hooks and fixtures by name)
    _scenario_relation_ids,
    emitted_events,
    pytest_addoption,
    pytest_assertrepr_compare,
    pytest_configure,
)
