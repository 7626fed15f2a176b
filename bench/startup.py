"""Worker: what scenario's pytest entry point adds to the start of every pytest run in the venv.

One sample is one ``python -m pytest --collect-only -q`` of an empty folder, as a child process:
without scenario (``-p no:scenario``) and with its entry point (``-p _scenario_startup``, the
installed entry point blocked so the copy on ``sys.path`` is the one measured), alternately in
one process (``--scenario startup-pair``), so machine drift hits both alike. The figure is
median(with) - median(without); the CPU column counts this process only, so read wall:

    PYTHONPATH=python .venvs/ops-2.4.1/bin/python bench/startup.py --scenario startup-pair \\
      --runs 30 --tool ours-ops2 --out /tmp/startup-pair.json

Each run's output is checked: pytest started, found no test, and (with scenario) did not report
the plugin as not loaded.
"""

import os
import subprocess
import sys
import tempfile

import _harness

_NO_TESTS = 5  # pytest's exit code when it collected nothing
_PYTEST = (sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
           "-p", "no:scenario")


def _pytest_in_empty_folder(*plugin_args):
    folder = tempfile.mkdtemp(prefix="scenario-startup-")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}

    def run():
        return subprocess.run([*_PYTEST, *plugin_args], cwd=folder, env=env, capture_output=True,
                              text=True)

    def check(result):
        if result.returncode != _NO_TESTS or "not loaded" in result.stdout:
            raise AssertionError(f"pytest did not start cleanly: {result.stdout}{result.stderr}")

    return run, check


def without_scenario():
    return _pytest_in_empty_folder()


def with_scenario():
    return _pytest_in_empty_folder("-p", "_scenario_startup")


def _versions():
    return {"pytest": _harness.dist_version("pytest"), "ops": _harness.dist_version("ops"),
            "python": sys.version.split()[0]}


if __name__ == "__main__":
    _harness.main({"pytest-without-scenario": without_scenario, "pytest-with-scenario": with_scenario},
                  _versions)
