"""Worker: the cost of one `scenario run` of examples/webapp against one in-process Context.run.

Both run webapp-pebble-ready (a container: add_layer, push, replan, status, workload version)
from the same State; every output is checked (plan, pushed file, status). Measured alternately
in one process (``--scenario webapp-pair``), so machine drift hits both alike:

    PYTHONPATH=python SCENARIO_CLI=build/dev/cli/scenario \\
      .venvs/ops-2.4.1/bin/python bench/out_of_process.py --scenario webapp-pair \\
      --runs 100 --tool ours-ops2 --out /tmp/webapp-pair.json

(With the package installed, SCENARIO_CLI is not needed: the venv's `scenario` is used.)
The out-of-process figure is wall time; its CPU figure counts this process only, not the
`scenario` process, the charm's Python or the hook-tool programs it starts.
"""

import json
import sys
from pathlib import Path

import _harness

WEBAPP = Path(__file__).resolve().parents[1] / "examples" / "webapp"
sys.path.insert(0, str(WEBAPP / "src"))

import ops  # noqa: E402
from charm import WebappCharm  # noqa: E402
from scenario import Container, Context, State  # noqa: E402
from scenario.testing import run_out_of_process  # noqa: E402


def _case():
    ctx = Context(WebappCharm)
    container = Container("webapp", can_connect=True)
    return ctx, container.pebble_ready_event, State(containers=[container])


def _check(out):
    webapp = out.get_container("webapp")
    if webapp.plan.services["webapp"].command != "/bin/webapp --port 8080":
        raise AssertionError(f"the layer was not added: {webapp.plan}")
    if json.loads(webapp.files["/etc/webapp/config.json"])["greeting"] != "hello":
        raise AssertionError("the config file was not pushed")
    if out.status.unit != ops.ActiveStatus("serving"):
        raise AssertionError(f"status: {out.status.unit}")


def in_process():
    ctx, event, state = _case()
    return (lambda: ctx.run(event, state)), _check


def out_of_process():
    ctx, event, state = _case()
    return (lambda: run_out_of_process(ctx, event, state)), _check


def _versions():
    return {"ops": _harness.dist_version("ops"), "python": sys.version.split()[0]}


if __name__ == "__main__":
    _harness.main({"webapp-in-process": in_process, "webapp-out-of-process": out_of_process}, _versions)
