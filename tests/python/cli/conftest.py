"""Tests of the `scenario` command (docs/cli.md), through the programs the package installs.

In CI the package is installed from its wheel, so `scenario` and `scenario-juju-standin` are in
the interpreter's scripts directory. In a development tree (PYTHONPATH=python, _engine linked
from build/dev) they are found beside that build's extension, in build/dev/cli/, unless
SCENARIO_CLI (the `scenario` program, read by scenario.testing) or SCENARIO_CLI_BIN_DIR (the
directory of both, read by cli_standin.find_cli_binaries) says otherwise.

The snapshot and state-apply tests run the real binaries against the stand-in `juju`
(cli/juju_standin.cpp), which answers from State JSON files through the engine. If the binaries
cannot be found the tests fail, saying so: they never skip.
"""

import os
from pathlib import Path
from typing import Dict

import pytest

import scenario
from cli_standin import StandinModel, find_cli_binaries
from scenario.testing import CLI_VARIABLE


def pytest_configure(config):
    engine = next(Path(scenario.__file__).parent.glob("_engine*.so"), None)
    if engine is None or not engine.is_symlink():
        return  # an installed package: its own programs are used
    build_cli = engine.resolve().parents[2] / "cli"  # <build>/engine/bindings/_engine...so
    if (build_cli / "scenario").exists():
        os.environ.setdefault(CLI_VARIABLE, str(build_cli / "scenario"))
        os.environ.setdefault("SCENARIO_CLI_BIN_DIR", str(build_cli))


@pytest.fixture(scope="session")
def cli_bins() -> Dict[str, Path]:
    try:
        return find_cli_binaries(dict(os.environ))
    except LookupError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def standin(tmp_path, cli_bins) -> StandinModel:
    return StandinModel(tmp_path, cli_bins)
