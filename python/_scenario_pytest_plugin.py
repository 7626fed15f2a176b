"""Scenario's pytest plugin, importable without importing scenario (or ops).

pytest loads every installed plugin at start-up, in every run in the venv, including runs that
never use scenario; so this module imports only pytest, and each hook imports scenario when a test
needs it. ``scenario.pytest_plugin`` (the module ops-scenario 3.1 named so) re-exports it.

Provides the ``--scenario-strict`` option and the ``emitted_events`` fixture, gives every test its
own relation-id sequence so automatically assigned relation ids are the same whatever tests ran
before in the process, and explains failed ``==`` between scenario values.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Iterator, List

import pytest

if TYPE_CHECKING:
    from ops.framework import EventBase


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
        from scenario._modes import STRICT_VARIABLE

        os.environ[STRICT_VARIABLE] = "1"


@pytest.fixture()
def emitted_events() -> Iterator[List[EventBase]]:
    """Every event ops emitted on the charm during the test (see ``capture_events``)."""
    from scenario.capture_events import capture_events

    with capture_events() as captured:
        yield captured


@pytest.fixture(autouse=True)
def _scenario_relation_ids() -> Iterator[None]:
    # Importing scenario here would charge every test of a run that never uses it. Test modules
    # import scenario when they are collected, so it is loaded by the time their tests run; only a
    # test that first imports it inside its own body draws ids from the process-wide sequence.
    state = sys.modules.get("scenario.state")
    if state is None:
        yield
        return
    with state.relation_id_scope():
        yield


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object):
    """Explain a failed ``==`` between two scenario values of the same type (a State, Relation,
    Container, Status, ...): only the fields that differ, each with its path and both values."""
    if op != "==" or "scenario.state" not in sys.modules:  # no scenario value exists yet
        return None
    from scenario._diff import diff, is_scenario_value

    if not is_scenario_value(left) or type(left) is not type(right):
        return None
    lines = diff(left, right)
    if not lines:  # equal after all (e.g. `assert (a == b) is False`): pytest's own text is right
        return None
    return [f"{type(left).__name__} instances differ:", *lines]
