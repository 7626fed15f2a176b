"""Scenario's pytest plugin (entry point ``scenario``; the module ops-scenario 3.1 named so).

Provides the ``emitted_events`` fixture, and gives every test its own relation-id sequence so
automatically assigned relation ids are the same whatever tests ran before in the process.
"""

from __future__ import annotations

import os
from typing import Iterator, List

import pytest
from ops.framework import EventBase

from scenario.capture_events import capture_events
from scenario.state import relation_id_scope


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--scenario-strict",
        action="store_true",
        default=False,
        help="run every scenario Context in strict mode: Juju's and Pebble's rules bind where "
        "ops-scenario 3.1 was laxer (the same as SCENARIO_STRICT=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Contexts read the mode per run from the environment; pytest-xdist workers get the option
    # too and set it in their own process.
    if config.getoption("--scenario-strict", default=False):
        from scenario.context import STRICT_VARIABLE  # on demand: the plugin loads in every pytest run

        os.environ[STRICT_VARIABLE] = "1"


@pytest.fixture()
def emitted_events() -> Iterator[List[EventBase]]:
    """Every event ops emitted on the charm during the test (see ``capture_events``)."""
    with capture_events() as captured:
        yield captured


@pytest.fixture(autouse=True)
def _scenario_relation_ids() -> Iterator[None]:
    with relation_id_scope():
        yield


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object):
    """Explain a failed ``==`` between two scenario values of the same type (a State, Relation,
    Container, Status, ...): only the fields that differ, each with its path and both values."""
    from scenario._diff import diff, is_scenario_value

    if op != "==" or not is_scenario_value(left) or type(left) is not type(right):
        return None
    lines = diff(left, right)
    if not lines:  # equal after all (e.g. `assert (a == b) is False`): pytest's own text is right
        return None
    return [f"{type(left).__name__} instances differ:", *lines]
