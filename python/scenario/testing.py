"""Runs a State through the ``scenario run`` command: the charm's real ``dispatch`` as a child
process, hook tools as programs, Pebble on real sockets (docs/cli.md).

The same test body can then run in-process (``ctx.run``) or out of process::

    out = run_out_of_process(ctx, "start", State())

Where the ``scenario`` program is: ``SCENARIO_CLI`` if set (e.g. ``build/dev/cli/scenario`` while
developing), else the one installed beside this Python interpreter, else the first on ``PATH``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional, Union

from scenario import _convert, _engine_form
from scenario._engine_form import charm_source_root
from scenario._modes import strict_from_environment
from scenario.context import Context, _warn_divergences
from scenario.errors import (
    InconsistentScenarioError,
    MetadataError,
    ScenarioError,
    StateValidationError,
    UncaughtCharmError,
)
from scenario.state import Event, State

__all__ = ["CLI_VARIABLE", "find_scenario_cli", "run_out_of_process"]

logger = logging.getLogger("scenario")

CLI_VARIABLE = "SCENARIO_CLI"

# `scenario run`'s exit codes for a charm that ran (docs/cli.md); any other code is a failure
# described by the "error" document it prints.
_CHARM_SUCCEEDED, _CHARM_FAILED = 0, 1

_ERROR_CLASSES = {
    "inconsistent-scenario": InconsistentScenarioError,
    "state-validation": StateValidationError,
    "metadata": MetadataError,
}


def find_scenario_cli() -> str:
    """The ``scenario`` program to run (see the module's doc); raises ScenarioError if none."""
    given = os.environ.get(CLI_VARIABLE)
    if given:
        if not os.access(given, os.X_OK):
            raise ScenarioError(f"{CLI_VARIABLE}={given!r} is not an executable file; point it at the scenario program")
        return given
    beside = Path(sys.executable).parent / "scenario"
    if os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("scenario")
    if found is None:
        raise ScenarioError(
            f"no scenario program: install this package (it puts scenario on the venv's PATH) or set "
            f"{CLI_VARIABLE} to one (e.g. build/dev/cli/scenario)"
        )
    return found


def _hook_tool_beside_package() -> Optional[str]:
    shim = Path(__file__).resolve().parent / "_bin" / "scenario-hook-tool"
    return str(shim) if shim.exists() else None


def run_out_of_process(
    ctx_or_charm_root: Union[Context, str, os.PathLike],
    event: Union[Event, str],
    state: State,
    *,
    timeout: float = 60.0,
    charm_class: Optional[str] = None,
) -> State:
    """Fires ``event`` on the charm in ``state`` through ``scenario run``; returns the output State.

    ``ctx_or_charm_root`` is a Context (its charm's root, app name, Juju version and strict mode
    are used) or the charm's root directory. The charm runs as Juju runs it: its ``dispatch`` (or
    ``hooks/<hook>``), with ``python3`` resolving first to this interpreter so that a Python charm
    finds the same ops. ``charm_class`` names the owner of StoredState entries without an owner
    path (a Context gives its charm's class).

    Raises UncaughtCharmError if the charm exits non-zero, and the in-process run's errors
    (InconsistentScenarioError, StateValidationError, MetadataError) for bad input.
    """
    __tracebackhide__ = True  # noqa: F841 - pytest starts the failure at the test's call
    if isinstance(event, str):
        event = Event(event)
    if not isinstance(state, State):
        raise TypeError(f"state must be a scenario.State, got {type(state).__name__}")
    arguments = ["--timeout", str(timeout)]
    strict = strict_from_environment()
    if isinstance(ctx_or_charm_root, Context):
        ctx = ctx_or_charm_root
        charm_root = charm_source_root(ctx.charm_type)
        charm_class = charm_class or ctx.charm_type.__name__
        arguments += ["--app-name", ctx.app_name, "--juju-version", ctx.juju_version]
        if ctx.strict is not None:
            strict = ctx.strict
    else:
        charm_root = Path(ctx_or_charm_root)
    if charm_class:
        arguments += ["--charm-class", charm_class]
    if strict:
        arguments.append("--strict")
    if os.environ.get("SCENARIO_SKIP_CONSISTENCY_CHECKS"):  # as Context.run reads it
        arguments.append("--skip-consistency-checks")

    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    environment.pop("SCENARIO_STRICT", None)  # decided above, passed as --strict
    shim = _hook_tool_beside_package()
    if shim and "SCENARIO_HOOK_TOOL" not in environment:
        environment["SCENARIO_HOOK_TOOL"] = shim

    with tempfile.TemporaryDirectory(prefix="scenario-oop-") as work:
        state_file = Path(work) / "state.json"
        event_file = Path(work) / "event.json"
        state_file.write_text(json.dumps(_engine_form.state_to_engine(state)))
        event_file.write_text(json.dumps(_engine_form.event_to_engine(event, state)))
        command = [find_scenario_cli(), "run", "--charm-root", str(charm_root), "--event", f"@{event_file}",
                   "--state", str(state_file), *arguments]
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    result = _result_document(done)
    if done.returncode not in (_CHARM_SUCCEEDED, _CHARM_FAILED):
        raise _error_of(result, done)
    for warning in result["warnings"]:
        logger.warning("%s", warning)
    _warn_divergences(result["divergences"])
    if done.returncode == _CHARM_FAILED:
        raise UncaughtCharmError(
            f"the charm's dispatch exited {result['exit_code']} while handling '{event.name}'; its "
            f"stderr:\n{result['stderr']}"
        )
    return _convert.state_from_engine(result["state"], state)


def _result_document(done: "subprocess.CompletedProcess[str]") -> Dict[str, Any]:
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        raise ScenarioError(
            f"scenario run exited {done.returncode} without a JSON result; its stderr:\n{done.stderr}"
        ) from None


def _error_of(result: Dict[str, Any], done: "subprocess.CompletedProcess[str]") -> ScenarioError:
    error = result.get("error")
    if not isinstance(error, dict):
        return ScenarioError(f"scenario run exited {done.returncode}; its stderr:\n{done.stderr}")
    cls = _ERROR_CLASSES.get(error["kind"], ScenarioError)
    if cls is InconsistentScenarioError:
        return InconsistentScenarioError(error["message"], problems=error["problems"])
    return cls(f"scenario run ({error['kind']}, exit code {done.returncode}): {error['message']}")
