"""How the ``scenario`` package starts: the install checks made before it loads, and its pytest
entry point.

This module sits outside the ``scenario`` package so that it runs even when that package cannot
load. pytest imports every installed plugin at start-up, and a plugin that raises (or is slow)
there harms every pytest run in the venv, including runs that never use scenario; so the entry
point imports neither scenario nor ops. It registers ``_scenario_pytest_plugin`` (which imports
scenario only when a test needs it) after the install checks that need no import, and when one
fails reports why once and lets pytest carry on.
"""

from __future__ import annotations

import glob
import importlib.machinery
import importlib.util
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

# Files that ops-scenario 7 and later (what `pip install ops[testing]` brings) put in their
# top-level `scenario` package, and that this distribution never ships.
_OPS_SCENARIO_ONLY_FILES = ("_consistency_checker.py", "_ops_main_mock.py", "_runtime.py")

_REINSTALL = "pip install --force-reinstall scenario-engine"


class MixedInstallError(ImportError):
    """This distribution and ops-scenario were both installed, into one `scenario` folder."""


def mixed_install_problem(package_dir: str) -> str | None:
    """What is wrong when ops-scenario's files share ``package_dir`` with ours; None when not."""
    found = [name for name in _OPS_SCENARIO_ONLY_FILES if os.path.exists(os.path.join(package_dir, name))]
    if not found:
        return None
    return (
        f"two packages named `scenario` are installed into one folder, {package_dir}: this one "
        f"(scenario-engine) and ops-scenario (which `pip install ops[testing]` brings; its files "
        f"{', '.join(found)} are there). Each overwrote files of the other, so neither works. Keep "
        "one of them: `pip uninstall -y scenario-engine ops-scenario`, then `pip install "
        "scenario-engine` (or `pip install ops[testing]` for ops' own Scenario)."
    )


def _built_engine_files(package_dir: str) -> list[str]:
    return sorted(
        os.path.basename(path)
        for path in glob.glob(os.path.join(package_dir, "_engine*"))
        if not path.endswith((".py", ".pyi"))
    )


def engine_file_problem(package_dir: str) -> str | None:
    """Why ``package_dir`` holds no C++ engine this Python can load, judged by its files alone;
    None when it holds one (which may still fail to load: see ``engine_import_problem``)."""
    built = _built_engine_files(package_dir)
    if not built:
        return (
            f"scenario's C++ engine is missing: {package_dir} has no _engine extension module, "
            "which happens when the package is used from a source tree without building it. Install "
            "the wheel (`pip install scenario-engine`), or build from source: README.md, "
            "'Building from source'."
        )
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    if not any(f"_engine{suffix}" in built for suffix in suffixes):
        return (
            f"scenario's C++ engine in {package_dir} ({', '.join(built)}) was built for another "
            f"Python than this one ({sys.version.split()[0]}, which loads "
            f"{' or '.join('_engine' + suffix for suffix in suffixes)}). Install scenario for this Python: `{_REINSTALL}`."
        )
    return None


def engine_import_problem(package_dir: str, error: ImportError) -> str:
    """Why ``scenario._engine`` (the C++ engine) did not import from ``package_dir``."""
    built = _built_engine_files(package_dir)
    return engine_file_problem(package_dir) or (
        f"scenario's C++ engine ({', '.join(built)} in {package_dir}) is installed but failed to "
        f"load, so the install is broken: {error}. Reinstall it: `{_REINSTALL}`."
    )


def _install_problem_without_import(package_dir: str) -> str | None:
    return mixed_install_problem(package_dir) or engine_file_problem(package_dir)


def _scenario_package_dirs() -> list[str]:
    spec = importlib.util.find_spec("scenario")
    if spec is None or spec.submodule_search_locations is None:
        return []
    return list(spec.submodule_search_locations)


class _PluginNotLoaded:
    """Stands in for scenario's pytest plugin when it cannot load: says why, once per run."""

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def pytest_configure(self, config: pytest.Config) -> None:
        import pytest

        if hasattr(config, "workerinput"):  # a pytest-xdist worker: its controller reports it
            return
        config.issue_config_time_warning(
            pytest.PytestConfigWarning(
                f"scenario's pytest plugin is not loaded, so its fixtures and options are "
                f"missing from this run: {self.problem}"
            ),
            stacklevel=2,
        )


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """The entry point's first hook: registers scenario's plugin (which adds its options as it
    registers), or a stand-in that reports why it could not."""
    del parser  # the plugin adds its own options
    plugin_name = "scenario.pytest_plugin"  # the name 3.1 users load it by, so it loads once
    if pluginmanager.has_plugin(plugin_name):  # `-p scenario.pytest_plugin` loaded it first
        return
    package_dirs = _scenario_package_dirs()
    problem = (
        next(filter(None, map(_install_problem_without_import, package_dirs)), None)
        if package_dirs
        else "no package named `scenario` is importable"
    )
    if problem is None:
        try:
            import _scenario_pytest_plugin
        except Exception as e:  # whatever it is, pytest must still start
            problem = f"importing scenario's pytest plugin failed: {type(e).__name__}: {e}"
        else:
            pluginmanager.register(_scenario_pytest_plugin, plugin_name)
            return
    pluginmanager.register(_PluginNotLoaded(problem), "scenario-not-loaded")
