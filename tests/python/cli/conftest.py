"""Fixtures for the `scenario snapshot` / `scenario state-apply` tests.

They run the real binaries against the stand-in `juju` (cli/juju_standin.cpp), which answers
from State JSON files through the engine. Where the binaries come from:

- ``SCENARIO_CLI_BIN_DIR``: a directory holding ``scenario`` and ``scenario-juju-standin``
  (during development: ``SCENARIO_CLI_BIN_DIR=build/dev/cli``);
- otherwise both on ``PATH`` (the installed wheel puts them there).

If they cannot be found the tests fail, saying so: they never skip.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
WEBAPP = REPO / "examples" / "webapp"
BINARIES = ("scenario", "scenario-juju-standin")


def find_cli_binaries(environ: Dict[str, str]) -> Dict[str, Path]:
    """The path of each CLI binary, or ``LookupError`` saying where it was looked for."""
    bin_dir = environ.get("SCENARIO_CLI_BIN_DIR")
    found: Dict[str, Optional[Path]] = {}
    for name in BINARIES:
        if bin_dir:
            candidate = Path(bin_dir).absolute() / name
            found[name] = candidate if os.access(candidate, os.X_OK) else None
        else:
            which = shutil.which(name, path=environ.get("PATH"))
            found[name] = Path(which) if which else None
    missing = [name for name, path in found.items() if path is None]
    if missing:
        where = f"SCENARIO_CLI_BIN_DIR={bin_dir}" if bin_dir else "PATH (SCENARIO_CLI_BIN_DIR is not set)"
        raise LookupError(
            f"{', '.join(missing)} not found in {where}; build them (cmake --build build/dev) and set "
            "SCENARIO_CLI_BIN_DIR=build/dev/cli, or install the package"
        )
    return {name: path for name, path in found.items() if path is not None}


@pytest.fixture(scope="session")
def cli_bins() -> Dict[str, Path]:
    try:
        return find_cli_binaries(dict(os.environ))
    except LookupError as error:
        pytest.fail(str(error), pytrace=False)


class StandinModel:
    """A model directory served by the stand-in `juju`: one application, webapp, whose units
    are State JSON files; `run` calls `scenario` (or anything) with the stand-in as `juju`."""

    def __init__(self, root: Path, bins: Dict[str, Path]):
        self.root = root
        self.scenario = str(bins["scenario"])
        self.model_dir = root / "model"
        self.app_dir = self.model_dir / "webapp"
        self.app_dir.mkdir(parents=True)
        (self.app_dir / "charm").symlink_to(WEBAPP)
        bin_dir = root / "bin"
        bin_dir.mkdir()
        (bin_dir / "juju").symlink_to(bins["scenario-juju-standin"])
        self.env = dict(os.environ)
        self.env["PATH"] = f"{bin_dir}{os.pathsep}{self.env.get('PATH', '')}"
        self.env["SCENARIO_STANDIN_MODEL"] = str(self.model_dir)
        self.env.pop("SCENARIO_JUJU", None)

    def unit_file(self, number: int = 0) -> Path:
        return self.app_dir / f"unit-{number}.json"

    def write_unit(self, state: dict, number: int = 0) -> None:
        self.unit_file(number).write_text(json.dumps(state))

    def read_unit(self, number: int = 0) -> dict:
        return json.loads(self.unit_file(number).read_text())

    def run(self, *argv: str, cwd: Path = WEBAPP) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(argv), cwd=cwd, env=self.env, capture_output=True, text=True, timeout=120
        )

    def scenario_cmd(self, *argv: str, cwd: Path = WEBAPP) -> subprocess.CompletedProcess:
        return self.run(self.scenario, *argv, cwd=cwd)

    def snapshot_json(self, *extra: str) -> dict:
        done = self.scenario_cmd("snapshot", "webapp/0", "--format", "json", *extra)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture
def standin(tmp_path, cli_bins) -> StandinModel:
    return StandinModel(tmp_path, cli_bins)
