"""The stand-in `juju`: hook tools, Pebble and Juju's JSON answered by the engine."""

import json
import subprocess

from cli_standin import deployed_unit


def test_exec_runs_a_hook_tool_and_saves_what_changed(standin):
    standin.write_unit(deployed_unit())
    done = standin.run("juju", "exec", "--unit", "webapp/0", "--", "status-set blocked 'no db'")
    assert done.returncode == 0, done.stderr
    assert standin.read_unit()["status"]["unit"] == {"name": "blocked", "message": "no db"}
    # The command may also come without `--`.
    got = standin.run("juju", "exec", "--unit", "webapp/0", "status-get")
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "blocked"


def test_exec_answers_with_the_hook_tools_error(standin):
    standin.write_unit(deployed_unit())
    done = standin.run("juju", "exec", "--unit", "webapp/0", "--", "relation-get", "-r", "99", "-", "webapp/0")
    assert done.returncode != 0
    assert "ERROR" in done.stderr and "99" in done.stderr
    before = standin.unit_file().read_bytes()
    assert standin.unit_file().read_bytes() == before


def test_ssh_answers_pebble_plan_and_add(standin):
    standin.write_unit(deployed_unit())
    plan = standin.run("juju", "ssh", "--container", "webapp", "webapp/0", "/charm/bin/pebble", "plan")
    assert plan.returncode == 0, plan.stderr
    assert "/bin/webapp --port 9000" in plan.stdout
    layer = "services:\n  extra:\n    override: replace\n    command: /bin/extra\n"
    added = subprocess_with_stdin(standin, layer, "juju", "ssh", "--container", "webapp", "webapp/0",
                                  "/charm/bin/pebble", "add", "more", "/dev/stdin")
    assert added.returncode == 0, added.stderr
    assert [label for label, _ in standin.read_unit()["containers"][0]["layers"]] == ["webapp", "more"]
    broken = subprocess_with_stdin(standin, "services:\n  bad:\n    command: x\n", "juju", "ssh", "--container",
                                   "webapp", "webapp/0", "/charm/bin/pebble", "add", "bad", "/dev/stdin")
    assert broken.returncode == 1
    assert "override" in broken.stderr


def test_ssh_into_a_container_pebble_does_not_answer(standin):
    unit = deployed_unit()
    unit["containers"][0]["can_connect"] = False
    standin.write_unit(unit)
    done = standin.run("juju", "ssh", "--container", "webapp", "webapp/0", "/charm/bin/pebble", "plan")
    assert done.returncode == 1
    assert "cannot communicate" in done.stderr


def test_status_and_show_unit_are_jujus_json(standin):
    standin.write_unit(deployed_unit())
    status = json.loads(standin.run("juju", "status", "--relations", "--format", "json").stdout)
    app = status["applications"]["webapp"]
    assert app["units"]["webapp/0"]["workload-status"] == {"current": "maintenance", "message": "restarting"}
    assert app["relations"] == {"db": ["postgresql"], "replicas": ["webapp"]}
    assert status["model"]["type"] == "caas"
    shown = json.loads(standin.run("juju", "show-unit", "webapp/0", "--format", "json").stdout)
    info = shown["webapp/0"]["relation-info"][0]
    assert info["related-units"]["postgresql/0"] == {"in-scope": True, "data": {"role": "primary"}}


def test_unknown_model_and_unit_are_errors(standin):
    standin.write_unit(deployed_unit())
    done = standin.run("juju", "status", "-m", "prod", "--format", "json")
    assert done.returncode == 1 and "model prod not found" in done.stderr
    done = standin.run("juju", "show-unit", "webapp/5", "--format", "json")
    assert done.returncode == 1 and 'unit "webapp/5" not found' in done.stderr


def subprocess_with_stdin(standin, stdin: str, *argv: str):
    return subprocess.run(list(argv), cwd=standin.root, env=standin.env, input=stdin, capture_output=True,
                          text=True, timeout=60)
