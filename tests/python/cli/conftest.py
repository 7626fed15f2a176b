"""Tests of `scenario run` (docs/cli.md), through the program the package installs.

In CI the package is installed from its wheel, so `scenario` is beside the interpreter. In a
development tree (PYTHONPATH=python, _engine linked from build/dev), the program is found beside
that build's extension: build/dev/cli/scenario, unless SCENARIO_CLI says otherwise.
"""

import os
from pathlib import Path

import scenario
from scenario.testing import CLI_VARIABLE


def pytest_configure(config):
    if CLI_VARIABLE in os.environ:
        return
    engine = next(Path(scenario.__file__).parent.glob("_engine*.so"), None)
    if engine is None or not engine.is_symlink():
        return  # an installed package: its own scenario program is used
    build_tree = engine.resolve().parents[2]  # <build>/engine/bindings/_engine...so
    candidate = build_tree / "cli" / "scenario"
    if candidate.exists():
        os.environ[CLI_VARIABLE] = str(candidate)
