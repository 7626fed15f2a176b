"""A charm written as a shell script, tested through `scenario run` (its hook tools are programs)."""

import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import ops
import pytest

from scenario import Relation, State
from scenario.errors import InconsistentScenarioError, UncaughtCharmError
from scenario.testing import find_scenario_cli, run_out_of_process

SHELL_CHARM = Path(__file__).resolve().parents[3] / "examples" / "shell-charm"


def test_start_sets_status_from_config():
    out = run_out_of_process(SHELL_CHARM, "start", State(config={"greeting": "howdy"}))
    assert out.status.unit == ops.ActiveStatus("howdy from shell-charm/0")
    assert [(line.level, line.message) for line in out.juju_log] == [("INFO", "handling start")]


def test_install_sets_maintenance():
    out = run_out_of_process(SHELL_CHARM, "install", State())
    assert out.status.unit == ops.MaintenanceStatus("installing")


def test_db_relation_changed_publishes_url():
    db = Relation("db", remote_app_name="postgresql", remote_app_data={"host": "10.9.8.7"})
    out = run_out_of_process(SHELL_CHARM, db.changed_event, State(relations=[db]))
    assert out.relations[0].local_unit_data["url"] == "http://10.9.8.7:8080/"
    assert out.status.unit == ops.ActiveStatus("database at 10.9.8.7")


def test_db_relation_without_host_waits():
    db = Relation("db", remote_app_name="postgresql")
    out = run_out_of_process(SHELL_CHARM, db.changed_event, State(relations=[db]))
    assert out.relations[0].local_unit_data == {}
    assert out.status.unit == ops.WaitingStatus("waiting for the database address")


def test_failing_charm_raises_with_its_stderr():
    with pytest.raises(UncaughtCharmError, match="(?s)exited 3.*asked to fail"):
        run_out_of_process(SHELL_CHARM, "fail", State())


def test_inconsistent_state_raises_as_in_process():
    with pytest.raises(InconsistentScenarioError) as raised:
        run_out_of_process(SHELL_CHARM, "start", State(config={"no-such-option": 1}))
    assert any("no-such-option" in p for p in raised.value.problems)


def test_cli_ill_typed_state_is_exit_code_3_naming_the_field(tmp_path):
    done = _run_cli(tmp_path, {"leader": "yes"}, expect=3)
    error = json.loads(done.stdout)["error"]
    assert error["kind"] == "state-validation"
    assert "leader" in error["message"]


def _run_cli(tmp_path, state, *extra, expect, charm_root=SHELL_CHARM, event="start"):
    state_file = tmp_path / "in.json"
    state_file.write_text(json.dumps(state))
    done = subprocess.run(
        [find_scenario_cli(), "run", "--charm-root", str(charm_root), "--event", event, "--state", str(state_file),
         *extra],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == expect, done.stderr
    return done


def test_cli_writes_output_state_and_reports_streams(tmp_path):
    done = _run_cli(tmp_path, {"config": {"greeting": "hey"}}, "--out", str(tmp_path / "out.json"), expect=0)
    result = json.loads(done.stdout)
    assert "state" not in result
    assert result["exit_code"] == 0
    assert result["juju_log"] == [{"level": "INFO", "message": "handling start"}]
    written = json.loads((tmp_path / "out.json").read_text())
    assert written["status"]["unit"] == {"name": "active", "message": "hey from shell-charm/0"}


def test_cli_charm_failure_is_exit_code_1_with_output(tmp_path):
    done = _run_cli(tmp_path, {}, event="fail", expect=1)
    result = json.loads(done.stdout)
    assert (result["exit_code"], result["stderr"]) == (3, "asked to fail\n")
    assert result["state"]["status"]["unit"]["name"] == "unknown"


def test_cli_malformed_json_is_exit_code_3(tmp_path):
    (tmp_path / "in.json").write_text("{not json")
    done = subprocess.run(
        [find_scenario_cli(), "run", "--charm-root", str(SHELL_CHARM), "--event", "start", "--state",
         str(tmp_path / "in.json")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 3
    assert "not valid JSON" in done.stderr
    assert json.loads(done.stdout)["error"]["kind"] == "state-validation"


def test_cli_missing_dispatch_is_exit_code_4(tmp_path):
    charm = tmp_path / "charm"
    charm.mkdir()
    (charm / "metadata.yaml").write_text("name: nodispatch\n")
    done = _run_cli(tmp_path, {}, charm_root=charm, expect=4)
    assert "no dispatch and no hooks/start" in done.stderr


def test_cli_timeout_is_exit_code_5_and_leaves_no_temp_dir(tmp_path):
    charm = tmp_path / "charm"
    charm.mkdir()
    (charm / "metadata.yaml").write_text("name: sleepy\n")
    (charm / "dispatch").write_text("#!/bin/sh\necho started\nexec sleep 60\n")
    (charm / "dispatch").chmod(0o755)
    state_file = tmp_path / "in.json"
    state_file.write_text("{}")
    # Short: the run's unix sockets live in TMPDIR, and a socket path has at most 107 bytes.
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        done = subprocess.run(
            [find_scenario_cli(), "run", "--charm-root", str(charm), "--event", "start", "--state",
             str(state_file), "--timeout", "0.5"],
            capture_output=True, text=True, check=False, env={"TMPDIR": tmp, "PATH": "/usr/bin:/bin"},
        )
        assert done.returncode == 5, done.stderr
        assert json.loads(done.stdout)["stdout"] == "started\n"
        assert os.listdir(tmp) == []


def test_cli_help_shows_an_example():
    top = subprocess.run([find_scenario_cli(), "--help"], capture_output=True, text=True, check=True)
    run = subprocess.run([find_scenario_cli(), "run", "--help"], capture_output=True, text=True, check=True)
    assert "run" in top.stdout and "Example" in top.stdout
    assert "Example" in run.stdout and "--charm-root" in run.stdout and "Exit codes" in run.stdout


def test_cli_without_subcommand_is_a_usage_error():
    done = subprocess.run([find_scenario_cli()], capture_output=True, text=True, check=False)
    assert done.returncode == 2


def test_cli_sigterm_kills_the_charm_and_cleans_up(tmp_path):
    charm = tmp_path / "charm"
    charm.mkdir()
    (charm / "metadata.yaml").write_text("name: sleepy\n")
    started = tmp_path / "started"
    (charm / "dispatch").write_text(f"#!/bin/sh\ntouch {started}\nexec sleep 60\n")
    (charm / "dispatch").chmod(0o755)
    state_file = tmp_path / "in.json"
    state_file.write_text("{}")
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        run = subprocess.Popen(
            [find_scenario_cli(), "run", "--charm-root", str(charm), "--event", "start", "--state", str(state_file)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={"TMPDIR": tmp, "PATH": "/usr/bin:/bin"},
        )
        for _ in range(500):
            if started.exists():
                break
            time.sleep(0.01)
        run.send_signal(signal.SIGTERM)
        stdout, _ = run.communicate(timeout=30)
        assert run.returncode == 130
        assert json.loads(stdout)["error"]["kind"] == "interrupted"
        assert os.listdir(tmp) == []
