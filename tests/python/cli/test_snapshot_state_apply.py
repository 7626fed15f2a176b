"""`scenario snapshot` and `scenario state-apply` against the stand-in `juju` (see conftest)."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import scenario
from cli_standin import WEBAPP, deployed_unit, find_cli_binaries


def file_entry(path: str, content: str) -> dict:
    return {"path": path, "content": content, "encoding": "utf-8", "is_dir": False, "permissions": 420,
            "user": None, "user_id": None, "group": None, "group_id": None}


def by_owner(stored_state: list) -> list:
    # ops' database has no order among snapshots: compare stored states by owner.
    return sorted(stored_state, key=lambda s: (str(s["owner_path"]), s["name"]))


def differing_fields(want: dict, got: dict) -> list:
    fields = sorted(set(want) | set(got))
    return [
        f"{field}: {want.get(field)!r} != {got.get(field)!r}"
        for field in fields
        if (by_owner(want[field]) if field == "stored_state" else want.get(field))
        != (by_owner(got[field]) if field == "stored_state" else got.get(field))
    ]


FETCH = {"webapp": ["/etc/webapp/config.json", "/etc/webapp/motd"]}


def test_snapshot_reads_the_unit_through_juju(standin):
    unit = deployed_unit()
    standin.write_unit(unit)
    snap = standin.snapshot_json("--include", "rckndtS")
    assert snap["leader"] is True
    assert snap["model"] == unit["model"]
    assert snap["config"] == {"port": 9000}  # what the operator set; defaults are the charm's
    assert snap["status"]["unit"] == {"name": "maintenance", "message": "restarting"}
    assert snap["status"]["workload_version"] == "1.0"
    db, peers = snap["relations"]
    assert (db["endpoint"], db["relation_id"], db["remote_app_name"]) == ("db", 1, "postgresql")
    assert db["remote_app_data"] == {"host": "10.0.0.9"}
    assert db["remote_units_data"] == {"0": {"role": "primary"}}
    # Juju's own keys (ingress-address, ...) are left out unless asked for.
    assert db["local_unit_data"] == {"url": "http://10.0.0.9:9000/"}
    assert (peers["kind"], peers["remote_units_data"]) == ("peer", {"1": {"seen": "yes"}})
    assert snap["networks"] == unit["networks"]
    (container,) = snap["containers"]
    assert container["base_plan"]["services"]["webapp"]["command"] == "/bin/webapp --port 9000"
    (secret,) = snap["secrets"]
    assert secret["contents"] == {"1": {"password": "s3cret"}}
    assert (secret["owner"], secret["label"]) == ("app", "db-password")
    assert snap["stored_state"] == [
        {"owner_path": "WebappCharm", "name": "_stored", "content": {"starts": 2}, "data_type_name": "StoredStateData"}
    ]


def test_snapshot_keeps_juju_relation_keys_when_asked(standin):
    standin.write_unit(deployed_unit())
    snap = standin.snapshot_json("--include", "r", "--include-juju-relation-data")
    assert snap["relations"][0]["local_unit_data"]["ingress-address"] == "10.1.0.5"


def test_state_apply_then_snapshot_gives_the_same_state(standin, tmp_path):
    standin.write_unit(deployed_unit())
    fetch = tmp_path / "fetch.json"
    fetch.write_text(json.dumps({"webapp": ["/etc/webapp/config.json"]}))
    want = standin.snapshot_json("--include", "rckndtS", "--fetch", str(fetch))

    want["status"]["unit"] = {"name": "active", "message": "serving"}
    want["status"]["app"] = {"name": "blocked", "message": "app says so"}
    want["status"]["workload_version"] = "2.0"
    want["relations"][0]["local_unit_data"] = {"url": "http://new/", "note": "it's \"quoted\" $HOME; ok"}
    want["relations"][1]["local_app_data"] = {"port": "9001"}
    want["relations"][1]["local_unit_data"] = {"ready": "yes"}
    plan = want["containers"][0]["base_plan"]
    plan["services"]["webapp"]["command"] = "/bin/webapp --port 9001"
    plan["services"]["sidecar"] = {"override": "replace", "command": "/bin/sidecar"}
    want["containers"][0]["files"] = [
        file_entry("/etc/webapp/config.json", '{"greeting": "yo"}'),
        file_entry("/etc/webapp/motd", "hello"),
    ]
    want["secrets"][0]["contents"] = {"2": {"password": "rotated"}}
    want["secrets"][0]["revision"] = 2
    want["secrets"][0]["description"] = "the database password"
    want["stored_state"] = [
        {"owner_path": "WebappCharm", "name": "_stored", "content": {"starts": 3, "seen": {"$set": [1, 2]}},
         "data_type_name": "StoredStateData"},
        {"owner_path": "", "name": "_stored", "content": {"event_count": 7}, "data_type_name": "StoredStateData"},
    ]
    want["deferred"] = [
        {"handle_path": "WebappCharm/on/db_relation_changed[7]", "owner": "WebappCharm",
         "observer": "_on_db_relation_changed",
         "snapshot_data": {"relation_name": "db", "relation_id": 1, "app_name": "postgresql",
                           "unit_name": "postgresql/0"}}
    ]
    state_file = tmp_path / "want.json"
    state_file.write_text(json.dumps(want))

    applied = standin.scenario_cmd("state-apply", "webapp/0", str(state_file))
    assert applied.returncode == 0, applied.stderr
    for change in ("status.unit:", "status.app:", "status.workload_version:", "relations[db:1].local_unit_data:",
                   "relations[replicas:2].local_app_data:", "containers[webapp]: Pebble layer",
                   "containers[webapp].files[/etc/webapp/motd]", "secrets[secret:cn8u0evmp25c7rdpsgeg]",
                   "deferred, stored_state"):
        assert change in applied.stdout

    fetch.write_text(json.dumps(FETCH))
    got = standin.snapshot_json("--include", "rckndtS", "--fetch", str(fetch))
    assert differing_fields(want, got) == []


def test_state_apply_of_what_is_there_changes_nothing(standin, tmp_path):
    standin.write_unit(deployed_unit())
    snap = standin.snapshot_json("--include", "rckndtS")
    state_file = tmp_path / "same.json"
    state_file.write_text(json.dumps(snap))
    before = standin.unit_file().read_bytes()
    applied = standin.scenario_cmd("state-apply", "webapp/0", str(state_file))
    assert applied.returncode == 0, applied.stderr
    assert "no changes" in applied.stdout
    assert standin.unit_file().read_bytes() == before


def test_state_apply_refuses_what_a_unit_cannot_set_and_applies_nothing(standin, tmp_path):
    standin.write_unit(deployed_unit())
    want = standin.snapshot_json("--include", "rckndtS")
    want["leader"] = False
    want["relations"][0]["remote_app_data"] = {"host": "elsewhere"}
    want["relations"].append(copy.deepcopy(want["relations"][0]) | {"relation_id": 9, "remote_app_data": {}})
    want["status"]["unit"] = {"name": "active", "message": "would be applied if allowed"}
    want["secrets"][0]["id"] = "secret:00000000000000000000"
    state_file = tmp_path / "bad.json"
    state_file.write_text(json.dumps(want))
    before = standin.unit_file().read_bytes()

    refused = standin.scenario_cmd("state-apply", "webapp/0", str(state_file))
    assert refused.returncode == 2
    for field in ("leader:", "relations[db:1].remote_app_data:", "relations[db:9]:",
                  "secrets[secret:00000000000000000000]:"):
        assert field in refused.stderr
    assert standin.unit_file().read_bytes() == before


def test_state_apply_names_a_malformed_state_field(standin, tmp_path):
    standin.write_unit(deployed_unit())
    state_file = tmp_path / "typo.json"
    state_file.write_text(json.dumps({"leader": True, "relashuns": []}))
    done = standin.scenario_cmd("state-apply", "webapp/0", str(state_file))
    assert done.returncode == 2
    assert "relashuns" in done.stderr


def test_dry_run_prints_the_changes_and_makes_none(standin, tmp_path):
    standin.write_unit(deployed_unit())
    want = standin.snapshot_json()
    want["status"]["unit"] = {"name": "active", "message": "serving"}
    state_file = tmp_path / "want.json"
    state_file.write_text(json.dumps(want))
    before = standin.unit_file().read_bytes()
    done = standin.scenario_cmd("state-apply", "webapp/0", str(state_file), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "would set status.unit: maintenance 'restarting' -> active 'serving'" in done.stdout
    assert standin.unit_file().read_bytes() == before


def test_config_is_left_to_the_operator(standin, tmp_path):
    standin.write_unit(deployed_unit())
    want = standin.snapshot_json()
    want["config"] = {"port": 1234}
    state_file = tmp_path / "config.json"
    state_file.write_text(json.dumps(want))
    done = standin.scenario_cmd("state-apply", "webapp/0", str(state_file))
    assert done.returncode == 0, done.stderr
    assert "config: left out" in done.stdout
    assert standin.read_unit()["config"] == {"port": 9000}


def test_snapshot_as_pytest_is_a_passing_test(standin, tmp_path):
    standin.write_unit(deployed_unit())
    fetch = tmp_path / "fetch.json"
    fetch.write_text(json.dumps({"webapp": ["/etc/webapp/config.json"]}))
    done = standin.scenario_cmd("snapshot", "webapp/0", "--format", "pytest", "--include", "rckndtS",
                                "--fetch", str(fetch), "--event", "config_changed")
    assert done.returncode == 0, done.stderr
    assert "from charm import WebappCharm" in done.stdout
    test_file = tmp_path / "test_from_snapshot.py"
    test_file.write_text(done.stdout)
    env = dict(standin.env)
    # The scenario this run imports (the source tree's in development, site-packages' in CI).
    env["PYTHONPATH"] = f"{Path(scenario.__file__).parent.parent}:{WEBAPP / 'src'}"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(test_file)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_snapshot_format_state_is_a_state_expression(standin):
    standin.write_unit(deployed_unit())
    done = standin.scenario_cmd("snapshot", "webapp/0", "--include", "r")
    assert done.returncode == 0, done.stderr
    expression = done.stdout[done.stdout.index("State(") :]
    namespace: dict = {}
    exec("import ops\nfrom scenario import *\nstate = " + expression, namespace)
    state = namespace["state"]
    assert state.leader is True
    assert state.relations[0].remote_app_data == {"host": "10.0.0.9"}


def test_snapshot_of_a_named_model(standin):
    standin.write_unit(deployed_unit())
    assert standin.snapshot_json("-m", "dev", "--include", "")["model"]["name"] == "dev"
    done = standin.scenario_cmd("snapshot", "webapp/0", "-m", "prod", "--format", "json")
    assert done.returncode == 1
    assert 'no model "prod"' in done.stderr


def test_snapshot_refuses_a_bad_unit_name(standin):
    standin.write_unit(deployed_unit())
    done = standin.scenario_cmd("snapshot", "webapp")
    assert done.returncode == 2
    assert "UNIT" in done.stderr and "webapp/0" in done.stderr


def test_missing_binaries_fail_with_a_clear_message(tmp_path):
    try:
        find_cli_binaries({"SCENARIO_CLI_BIN_DIR": str(tmp_path)})
    except LookupError as error:
        assert "scenario, scenario-juju-standin not found" in str(error)
        assert "SCENARIO_CLI_BIN_DIR" in str(error)
    else:
        raise AssertionError("an empty directory was taken for the CLI binaries")


def test_a_follower_cannot_write_application_data_or_status(standin, tmp_path):
    standin.write_unit(deployed_unit())
    follower = deployed_unit()
    follower["unit_id"] = 1
    follower["leader"] = False
    follower["relations"][1]["remote_units_data"] = {"0": {}}
    standin.write_unit(follower, number=1)
    done = standin.scenario_cmd("snapshot", "webapp/1", "--format", "json")
    assert done.returncode == 0, done.stderr
    want = json.loads(done.stdout)
    assert want["leader"] is False
    want["relations"][0]["local_app_data"] = {"k": "v"}
    want["status"]["app"] = {"name": "active", "message": "from a follower"}
    state_file = tmp_path / "follower.json"
    state_file.write_text(json.dumps(want))
    refused = standin.scenario_cmd("state-apply", "webapp/1", str(state_file))
    assert refused.returncode == 2
    assert "relations[db:1].local_app_data: only the leader" in refused.stderr
    assert "status.app: only the leader" in refused.stderr
