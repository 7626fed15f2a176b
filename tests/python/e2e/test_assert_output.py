"""What a user sees when `assert out == expected` fails on a State: pytest is run on sample test
files in a subprocess, with scenario's plugin loaded as a user's pytest would load it."""

import importlib.metadata
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest

import scenario
from scenario import _engine

PACKAGE_PARENT = str(Path(scenario.__file__).resolve().parent.parent)


def _plugin_installed() -> bool:
    """Whether pytest will load our plugin through the pytest11 entry point by itself."""
    return any(
        ep.value == "scenario.pytest_plugin"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )


def run_pytest(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # keep the rootdir (and config) here
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(source))
    env = {
        k: v
        for k, v in os.environ.items()
        # CI changes pytest's truncation; addopts/plugins of the outer run must not leak in.
        if k not in ("CI", "BUILD_NUMBER", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
    plugin = [] if _plugin_installed() else ["-p", "scenario.pytest_plugin"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugin, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def failure_lines(output: str, test_name: str) -> List[str]:
    """The `E ...` lines of one test's failure section, without the `E` column.

    The assertion line's `AssertionError: ` prefix (present or not depending on the pytest
    version) is dropped.
    """
    section = re.search(rf"_+ {test_name} _+\n(.*?)(?:\n_{{3,}} |\n=+ )", output, re.S)
    assert section, f"no failure section for {test_name} in:\n{output}"
    body = section.group(1).splitlines()
    lines = [line[len("E       "):] for line in body if line.startswith("E ")]
    if lines and lines[0].startswith("AssertionError: "):
        lines[0] = lines[0][len("AssertionError: "):]
    return lines


SAMPLE = """
    from ops.model import ActiveStatus, BlockedStatus
    from scenario import Container, PeerRelation, Relation, Secret, State, Status, StoredState


    def test_state():
        out = State(
            relations=[Relation("db", relation_id=1, local_unit_data={"port": "80"})],
            status=Status(unit=ActiveStatus("ok")),
        )
        expected = State(
            relations=[Relation("db", relation_id=1, local_unit_data={"port": "8080"})],
            status=Status(unit=BlockedStatus("no db")),
        )
        assert out == expected


    def test_items_appear_and_disappear():
        out = State(
            relations=[Relation("db", relation_id=1), PeerRelation("peers", relation_id=3)],
            containers=[Container("web", can_connect=True)],
        )
        expected = State(
            relations=[Relation("db", relation_id=1), Relation("db", relation_id=2)],
            containers=[Container("web", can_connect=True), Container("sidecar")],
            leader=True,
        )
        assert out == expected


    def test_parts():
        assert Relation("db", relation_id=1, remote_units_data={0: {"host": "a"}}) == Relation(
            "db", relation_id=1, remote_units_data={0: {"host": "b"}}
        )


    def test_secret_and_stored_state():
        assert State(
            secrets=[Secret("secret:1", {0: {"pw": "a"}}, owner="app")],
            stored_state=[StoredState("MyCharm", content={"n": 1})],
        ) == State(
            secrets=[
                Secret("secret:1", {0: {"pw": "a"}, 1: {"pw": "b"}}, owner="app", revision=1)
            ],
            stored_state=[StoredState("MyCharm", content={"n": 2})],
        )


    def test_equal_states_pass():
        assert State(config={"a": 1}) == State(config={"a": 1})


    def test_plain_dicts_keep_pytest_text():
        assert {"a": 1} == {"a": 2}
"""


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> subprocess.CompletedProcess:
    return run_pytest(tmp_path_factory.mktemp("sample"), SAMPLE)


def test_summary(sample_run):
    assert sample_run.returncode == 1, sample_run.stdout + sample_run.stderr
    assert "5 failed, 1 passed" in sample_run.stdout


def test_state_failure_lists_only_what_differs(sample_run):
    assert failure_lines(sample_run.stdout, "test_state") == [
        "assert State instances differ:",
        "  relations[db:1].local_unit_data['port']: '80' != '8080'",
        "  status.unit: ActiveStatus('ok') != BlockedStatus('no db')",
    ]


def test_items_that_appear_and_disappear(sample_run):
    assert failure_lines(sample_run.stdout, "test_items_appear_and_disappear") == [
        "assert State instances differ:",
        "  relations[peers:3]: missing on the right",
        "  relations[db:2]: missing on the left",
        "  containers[sidecar]: missing on the left",
        "  leader: False != True",
    ]


def test_parts_of_a_state(sample_run):
    assert failure_lines(sample_run.stdout, "test_parts") == [
        "assert Relation instances differ:",
        "  remote_units_data[0]['host']: 'a' != 'b'",
    ]
    assert failure_lines(sample_run.stdout, "test_secret_and_stored_state") == [
        "assert State instances differ:",
        "  secrets[secret:1].contents[1]: missing on the left (right has {'pw': 'b'})",
        "  secrets[secret:1].revision: 0 != 1",
        "  stored_state[MyCharm/_stored].content['n']: 1 != 2",
    ]


def test_other_comparisons_keep_pytest_text(sample_run):
    lines = failure_lines(sample_run.stdout, "test_plain_dicts_keep_pytest_text")
    assert lines[0] == "assert {'a': 1} == {'a': 2}"
    assert not any("instances differ" in line for line in lines)


def test_full_repr_of_the_states_is_not_printed(sample_run):
    # pytest's default would print both States' reprs; none of the unchanged fields appear.
    section = sample_run.stdout.split("test_state ___")[1].split("test_items_appear")[0]
    assert "juju_log" not in section and "planned_units" not in section


LONG_SAMPLE = """
    from scenario import State


    def test_long():
        assert State(config={f"k{i}": i for i in range(12)}) == State(
            config={f"k{i}": i + 1 for i in range(12)}
        )
"""


def test_long_diff_is_truncated_like_any_pytest_explanation(tmp_path):
    result = run_pytest(tmp_path, LONG_SAMPLE)
    lines = failure_lines(result.stdout, "test_long")
    assert lines[:2] == ["assert State instances differ:", "  config['k0']: 0 != 1"]
    assert "config['k11']: 11 != 12" not in result.stdout
    assert "use '-vv' to show" in result.stdout


def test_long_diff_in_full_with_vv(tmp_path):
    result = run_pytest(tmp_path, LONG_SAMPLE, "-vv")
    assert failure_lines(result.stdout, "test_long") == [
        "assert State instances differ:",
        *[f"  config['k{i}']: {i} != {i + 1}" for i in range(12)],
    ]


CHARM_SAMPLE = """
    import ops
    from scenario import Context, State


    class Charm(ops.CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _):
            self.unit.status = ops.ActiveStatus("started")


    def test_charm():
        out = Context(Charm, meta={"name": "c"}).run("start", State())
        expected = out.replace(status=out.status.replace(unit=ops.ActiveStatus("ready")))
        assert out == expected
"""


@pytest.mark.skipif(
    getattr(_engine, "__file__", None) is None, reason="needs the built C++ engine"
)
def test_output_state_of_a_charm_run(tmp_path):
    result = run_pytest(tmp_path, CHARM_SAMPLE)
    assert failure_lines(result.stdout, "test_charm") == [
        "assert State instances differ:",
        "  status.unit: ActiveStatus('started') != ActiveStatus('ready')",
    ], result.stdout + result.stderr
