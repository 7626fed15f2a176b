"""Helpers for the CLI tests: finding the binaries (see conftest.py), a model directory served
by the stand-in `juju`, and a deployed unit's State."""

import json
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Dict, Optional

REPO = Path(__file__).resolve().parents[3]
WEBAPP = REPO / "examples" / "webapp"
BINARIES = ("scenario", "scenario-juju-standin")


def find_cli_binaries(environ: Dict[str, str]) -> Dict[str, Path]:
    """The path of each CLI binary, or ``LookupError`` saying where it was looked for:
    ``SCENARIO_CLI_BIN_DIR`` when set, else this Python's scripts directory (where the wheel
    installs them), else ``PATH``."""
    bin_dir = environ.get("SCENARIO_CLI_BIN_DIR")
    search = str(Path(bin_dir).absolute()) if bin_dir else os.pathsep.join(
        [sysconfig.get_path("scripts"), environ.get("PATH", "")]
    )
    found: Dict[str, Optional[Path]] = {}
    for name in BINARIES:
        which = shutil.which(name, path=search)
        found[name] = Path(which) if which else None
    missing = [name for name, path in found.items() if path is None]
    if missing:
        where = (
            f"SCENARIO_CLI_BIN_DIR={bin_dir}"
            if bin_dir
            else f"{sysconfig.get_path('scripts')} or PATH (SCENARIO_CLI_BIN_DIR is not set)"
        )
        raise LookupError(
            f"{', '.join(missing)} not found in {where}; build them (cmake --build build/dev) and set "
            "SCENARIO_CLI_BIN_DIR=build/dev/cli, or install the package"
        )
    return {name: path for name, path in found.items() if path is not None}


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


def binding(name: str) -> dict:
    return {
        "name": name,
        "bind_addresses": [
            {
                "interface_name": "eth0",
                "mac_address": "",
                "addresses": [{"hostname": "", "value": "10.1.0.5", "cidr": "10.1.0.0/24", "address": ""}],
            }
        ],
        "ingress_addresses": ["10.1.0.5"],
        "egress_subnets": ["10.1.0.0/24"],
    }


def deployed_unit() -> dict:
    """webapp/0 as a model would hold it: the leader, related to a database and a peer."""
    return {
        "unit_id": 0,
        "leader": True,
        "model": {"name": "dev", "uuid": "11111111-2222-4333-8444-555555555555", "type": "kubernetes"},
        "config": {"port": 9000},
        "status": {
            "app": {"name": "active", "message": "serving"},
            "unit": {"name": "maintenance", "message": "restarting"},
            "workload_version": "1.0",
        },
        "relations": [
            {
                "endpoint": "db",
                "interface": "postgresql_client",
                "relation_id": 1,
                "remote_app_name": "postgresql",
                "remote_app_data": {"host": "10.0.0.9"},
                "remote_units_data": {"0": {"role": "primary"}},
                "local_unit_data": {"url": "http://10.0.0.9:9000/"},
            },
            {
                "kind": "peer",
                "endpoint": "replicas",
                "interface": "webapp_replicas",
                "relation_id": 2,
                "remote_units_data": {"1": {"seen": "yes"}},
            },
        ],
        "networks": [binding("juju-info"), binding("db"), binding("replicas")],
        "containers": [
            {
                "name": "webapp",
                "can_connect": True,
                "layers": [
                    [
                        "webapp",
                        {
                            "summary": "webapp",
                            "services": {
                                "webapp": {
                                    "override": "replace",
                                    "command": "/bin/webapp --port 9000",
                                    "startup": "enabled",
                                }
                            },
                        },
                    ]
                ],
                "files": [{"path": "/etc/webapp/config.json", "content": '{"greeting": "hi"}'}],
            }
        ],
        "secrets": [
            {
                "id": "secret:cn8u0evmp25c7rdpsgeg",
                "owner": "app",
                "revision": 1,
                "contents": {"1": {"password": "s3cret"}},
                "label": "db-password",
            }
        ],
        "stored_state": [{"owner_path": "WebappCharm", "name": "_stored", "content": {"starts": 2}}],
    }
