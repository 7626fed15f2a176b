"""Fixtures for the `scenario snapshot` / `scenario state-apply` tests.

They run the real binaries against the stand-in `juju` (cli/juju_standin.cpp), which answers
from State JSON files through the engine. Where the binaries come from:

- ``SCENARIO_CLI_BIN_DIR``: a directory holding ``scenario`` and ``scenario-juju-standin``
  (during development: ``SCENARIO_CLI_BIN_DIR=build/dev/cli``);
- otherwise the scripts directory of the Python running the tests (where the installed wheel
  puts them), then ``PATH``.

If they cannot be found the tests fail, saying so: they never skip. The lookup and the
stand-in model are in cli_standin.py.
"""

import os
from pathlib import Path
from typing import Dict

import pytest

from cli_standin import StandinModel, find_cli_binaries


@pytest.fixture(scope="session")
def cli_bins() -> Dict[str, Path]:
    try:
        return find_cli_binaries(dict(os.environ))
    except LookupError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def standin(tmp_path, cli_bins) -> StandinModel:
    return StandinModel(tmp_path, cli_bins)
