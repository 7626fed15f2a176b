"""The switches around the compatible default: pytest's ``-W error::scenario.JujuDivergenceWarning``,
the ``--scenario-strict`` option, ``SCENARIO_STRICT``, ``SCENARIO_SKIP_CONSISTENCY_CHECKS`` (read
at each run, as in ops-scenario 3.1), and the plugin's relation-id reset."""

import importlib.metadata
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from ops.charm import CharmBase

import scenario
from scenario import Context, InconsistentScenarioError, Relation, State

PACKAGE_PARENT = str(Path(scenario.__file__).resolve().parent.parent)

META = {"name": "local", "requires": {"db": {"interface": "sql"}}}

# A 3.1-style test that passes by default: 3.1 accepted duplicate relation ids.
SAMPLE = """
from ops.charm import CharmBase
from scenario import Context, Relation, State

def test_duplicate_ids_accepted():
    state = State(relations=[Relation("db", relation_id=1), Relation("db", relation_id=1)])
    Context(CharmBase, meta={"name": "local", "requires": {"db": {"interface": "sql"}}}).run(
        "start", state
    )
"""


def _plugin_args():
    installed = any(
        ep.value == "scenario.pytest_plugin" for ep in importlib.metadata.entry_points(group="pytest11")
    )
    return [] if installed else ["-p", "scenario.pytest_plugin"]


def run_pytest(tmp_path: Path, *args: str, env_update=None) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(SAMPLE))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "SCENARIO_STRICT", "SCENARIO_SKIP_CONSISTENCY_CHECKS")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
    env.update(env_update or {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *_plugin_args(), "-q", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory):
    """The sample file run as a user would: plain, with -W error::..., with --scenario-strict."""
    runs = {}
    for name, args, env in [
        ("plain", (), None),
        ("warnings_as_errors", ("-W", "error::scenario.JujuDivergenceWarning"), None),
        ("strict_option", ("--scenario-strict",), None),
        ("strict_variable", (), {"SCENARIO_STRICT": "1"}),
    ]:
        runs[name] = run_pytest(tmp_path_factory.mktemp(name), *args, env_update=env)
    return runs


def test_sample_passes_by_default_with_the_warning_reported(sample_runs):
    result = sample_runs["plain"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "JujuDivergenceWarning: state.relations: relation id 1 is used 2 times" in result.stdout


def test_warning_filter_turns_the_divergence_into_an_error(sample_runs):
    result = sample_runs["warnings_as_errors"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    assert "JujuDivergenceWarning: state.relations: relation id 1 is used 2 times" in result.stdout
    assert "InconsistentScenarioError" not in result.stdout


def test_scenario_strict_option(sample_runs):
    result = sample_runs["strict_option"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "InconsistentScenarioError" in result.stdout
    assert "relation id 1 is used 2 times" in result.stdout


def test_scenario_strict_variable_in_a_pytest_run(sample_runs):
    result = sample_runs["strict_variable"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "InconsistentScenarioError" in result.stdout


# --- SCENARIO_STRICT -------------------------------------------------------------------------

DUPLICATES = State(relations=[Relation("db", relation_id=1), Relation("db", relation_id=1)])


@pytest.mark.parametrize("value", ["yes", "true", "2", ""])
def test_strict_variable_with_a_bad_value(monkeypatch, value):
    monkeypatch.setenv("SCENARIO_STRICT", value)
    with pytest.raises(ValueError, match=rf"SCENARIO_STRICT={value!r}: use 1 .* or 0"):
        Context(CharmBase, meta=META).run("start", State())


def test_strict_variable_read_at_each_run(monkeypatch):
    ctx = Context(CharmBase, meta=META)
    monkeypatch.setenv("SCENARIO_STRICT", "1")
    with pytest.raises(InconsistentScenarioError, match="relation id 1 is used 2 times"):
        ctx.run("start", DUPLICATES)
    monkeypatch.setenv("SCENARIO_STRICT", "0")
    with pytest.warns(scenario.JujuDivergenceWarning, match="relation id 1 is used 2 times"):
        ctx.run("start", DUPLICATES)


def test_context_strict_argument_wins_over_the_variable(monkeypatch):
    monkeypatch.setenv("SCENARIO_STRICT", "1")
    with pytest.warns(scenario.JujuDivergenceWarning, match="relation id 1 is used 2 times"):
        Context(CharmBase, meta=META, strict=False).run("start", DUPLICATES)
    monkeypatch.setenv("SCENARIO_STRICT", "0")
    with pytest.raises(InconsistentScenarioError):
        Context(CharmBase, meta=META, strict=True).run("start", DUPLICATES)


def test_strict_mode_emits_no_divergence_warning():
    relation = Relation("db", remote_unit_ids=[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", scenario.JujuDivergenceWarning)
        Context(CharmBase, meta=META, strict=True).run(relation.created_event, State(relations=[relation]))


def test_divergence_warning_is_a_user_warning_pointing_at_the_test():
    assert issubclass(scenario.JujuDivergenceWarning, UserWarning)
    with pytest.warns(scenario.JujuDivergenceWarning) as record:
        Context(CharmBase, meta=META).run("start", DUPLICATES)
    assert record[0].filename == __file__


# --- SCENARIO_SKIP_CONSISTENCY_CHECKS, read at each run ---------------------------------------


def test_skip_consistency_checks_is_read_per_run(monkeypatch):
    ctx = Context(CharmBase, meta=META)
    unknown_key = State(config={"not-an-option": 1})
    with pytest.raises(InconsistentScenarioError, match="not-an-option"):
        ctx.run("start", unknown_key)
    monkeypatch.setenv("SCENARIO_SKIP_CONSISTENCY_CHECKS", "1")
    out = ctx.run("start", unknown_key)
    assert out.config == {"not-an-option": 1}
    monkeypatch.delenv("SCENARIO_SKIP_CONSISTENCY_CHECKS")
    with pytest.raises(InconsistentScenarioError, match="not-an-option"):
        ctx.run("start", unknown_key)


def test_skip_consistency_checks_also_skips_strict_checks(monkeypatch):
    monkeypatch.setenv("SCENARIO_SKIP_CONSISTENCY_CHECKS", "1")
    Context(CharmBase, meta=META, strict=True).run("start", DUPLICATES)


# --- the plugin's relation-id reset and ids a test sets itself --------------------------------


def test_automatic_ids_step_over_explicit_ids_set_before():
    explicit = Relation("db", relation_id=1)
    automatic = Relation("db")
    assert automatic.relation_id != explicit.relation_id


def test_explicit_id_set_after_an_automatic_one_does_not_collide(recwarn):
    automatic = Relation("db")
    explicit = Relation("db", relation_id=1, remote_app_name="other")
    Context(CharmBase, meta=META).run(explicit.changed_event, State(relations=[automatic, explicit]))
    assert automatic.relation_id != explicit.relation_id
    assert not [w for w in recwarn if issubclass(w.category, scenario.JujuDivergenceWarning)]
