"""Worker: the pytest wall time of a whole suite, as a charm author runs it.

The suite is ``examples/``' tests plus ``--tests`` generated small tests written against the
ops-scenario 3.1 API, the same files for every tool: each generated test builds a ``Context``
(a fixture, as real suites do) and checks one run of ``SuiteCharm`` (``charms/suite_charm.py``,
copied next to them with the other bench charms), in
six kinds taken in turn: config (port set -> active or blocked), relations (remote databags ->
the local unit databag), status (leader or not, a config mode), a container (pebble-ready ->
a layer in the output container), secrets (one read by label) and actions (the charm's
actions.yaml, one action per Context, read from ops' metadata; ops-scenario 3.1 cannot run an
action event at all: its backend raises NotImplementedError for action-get, which ops calls when
it emits one). The literals differ from test to test, so no two tests are the same.

One sample is one ``python -m pytest -q`` of the whole folder, in a child process (its wall time;
the CPU column counts this process only). Its output is checked: every generated test passed.
The examples' tests use what ops-scenario 3.1 lacks (actions with params, output it does not
keep), so for ``s31`` only their count is checked and the failures are recorded in the result.
To run it alone against a development build:

    cd bench && PYTHONPATH=../python /path/to/venv-with-ops-and-pytest/bin/python suite.py \\
      --scenario suite --runs 3 --warmup 1 --tool ours-ops2 --out /tmp/suite.json

``BENCH_SUITE_TESTS`` sets how many tests are generated (compare.py passes its ``suite_tests``).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _harness
from scenarios_31 import OURS, verify

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
GENERATED = "generated"
KINDS = ("config", "relation", "status", "container", "secret", "action")
DEFAULT_TESTS = 120

HEADER = '''import ops
import pytest
from charms.suite_charm import CONFIG, META, SuiteCharm

from scenario import Container, Context, Relation, Secret, State


@pytest.fixture
def ctx():
    return Context(SuiteCharm, meta=META, config=CONFIG)
'''


def _test(kind, i):
    """The source of the i-th generated test of ``kind``."""
    port = 900 + 37 * i  # some below 1024: blocked
    if kind == "config":
        expected = (f'ops.BlockedStatus("port {port} is privileged")' if port < 1024
                    else f'ops.ActiveStatus("serving on :{port}")')
        return f'''
def test_config_{i}(ctx):
    out = ctx.run("config_changed", State(config={{"port": {port}}}))
    assert out.status.unit == {expected}
'''
    if kind == "relation":
        return f'''
def test_relation_{i}(ctx):
    db = Relation(
        "db",
        remote_app_name="postgresql",
        remote_app_data={{"endpoint": "db{i}.example:5432"}},
        remote_units_data={{0: {{"host": "10.0.{i % 250}.{i % 7 + 1}"}}}},
    )
    out = ctx.run(db.changed_event(remote_unit_id=0), State(relations=[db]))
    assert out.relations[0].local_unit_data["client"] == "10.0.{i % 250}.{i % 7 + 1}->db{i}.example:5432"
'''
    if kind == "status":
        leader = i % 2 == 0
        role = "leader" if leader else "follower"
        return f'''
def test_status_{i}(ctx):
    out = ctx.run("update_status", State(leader={leader}, config={{"mode": "mode-{i}"}}))
    assert out.status.unit == ops.ActiveStatus("{role} in mode-{i}")
'''
    if kind == "container":
        return f'''
def test_container_{i}(ctx):
    workload = Container(name="workload", can_connect=True)
    out = ctx.run(workload.pebble_ready_event, State(containers=[workload], config={{"port": {port}}}))
    assert out.containers[0].layers["app"].services["app"].command == "/usr/bin/app --port {port}"
    assert out.status.unit == ops.ActiveStatus("serving on :{port}")
'''
    if kind == "secret":
        token = f"tok-{i:04d}"
        return f'''
def test_secret_{i}(ctx):
    # Owned by another app and granted to this one, as Juju requires for a consumer to read it.
    token = Secret(id="cu8lbd3ng3us{i:08d}", label="api-token", contents={{0: {{"token": "{token}"}}}}, granted="app")
    out = ctx.run("start", State(secrets=[token]))
    assert out.status.unit == ops.ActiveStatus("token ends {token[-3:]}")
'''
    if kind == "action":
        return f'''
def test_action_{i}():
    ctx = Context(SuiteCharm, meta=META, config=CONFIG, actions={{"backup-{i}": {{"description": "Back up {i}."}}}})
    out = ctx.run("install", State())
    assert out.status.unit == ops.MaintenanceStatus("installed; actions: backup-{i}")
'''
    raise ValueError(kind)


def generate(folder, count):
    """Writes the suite into ``folder``: the examples with tests, and ``count`` generated tests."""
    for example in sorted((REPO / "examples").iterdir()):
        if (example / "tests").is_dir():
            shutil.copytree(example, folder / example.name)
    generated = folder / GENERATED
    generated.mkdir()
    shutil.copytree(BENCH / "charms", generated / "charms", ignore=shutil.ignore_patterns("__pycache__"))
    sources = {kind: [HEADER] for kind in KINDS}
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        sources[kind].append(_test(kind, i))
    for kind, parts in sources.items():
        (generated / f"test_generated_{kind}.py").write_text("\n".join(parts))
    # Settings of this folder only, not of whatever repository holds it.
    (folder / "pytest.ini").write_text("[pytest]\n")


_SUMMARY = re.compile(r"(\d+) (passed|failed|error|errors)\b")


def suite_setup():
    count = int(os.environ.get("BENCH_SUITE_TESTS", DEFAULT_TESTS))
    folder = Path(tempfile.mkdtemp(prefix="bench-suite-"))
    generate(folder, count)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    # -rf lists every failed test by node id; the generated ones must all pass.
    cmd = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "-p", "no:randomly", "."]

    def run():
        return subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True)

    def check(result):
        counts = {}  # pytest's summary: passed, failed, errors
        for number, outcome in _SUMMARY.findall(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""):
            counts["errors" if outcome.startswith("error") else outcome] = int(number)
        failed_generated = [line for line in result.stdout.splitlines()
                            if line.startswith(("FAILED", "ERROR")) and f"{GENERATED}/" in line]
        # Ours passes every test; ops-scenario 3.1 may fail examples' tests, never generated ones.
        allowed = (0,) if OURS else (0, 1)
        if result.returncode not in allowed or failed_generated or counts.get("passed", 0) < count:
            raise AssertionError(f"the suite did not run cleanly (exit {result.returncode}): "
                                 f"{result.stdout[-3000:]}{result.stderr[-2000:]}")
        outcomes.update(counts)

    return run, check


# What the last checked run's pytest reported (passed, failed, errors), for the result file.
outcomes = {}


def _versions():
    return {"pytest": _harness.dist_version("pytest"), "ops": _harness.dist_version("ops"),
            "ops-scenario": _harness.dist_version("ops-scenario"), "python": sys.version.split()[0]}


def _add_outcomes(out_path):
    """Puts the suite's outcome counts and size into the result file the harness wrote."""
    with open(out_path, encoding="utf-8") as f:
        result = json.load(f)
    result.update(outcomes=dict(outcomes), generated_tests=int(os.environ.get("BENCH_SUITE_TESTS", DEFAULT_TESTS)))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    _harness.main({"suite": suite_setup}, _versions, verify)
    _add_outcomes(sys.argv[sys.argv.index("--out") + 1])
