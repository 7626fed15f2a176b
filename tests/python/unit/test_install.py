"""How scenario behaves at the edges of its install: its version, its typing stub, and what it says
when the engine cannot load, when ops-scenario's files share its folder, or when pytest starts
without it."""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import _scenario_pytest_plugin
import _scenario_startup
import pytest

import scenario
import scenario._engine

REPO = Path(__file__).resolve().parents[3]
PACKAGE_DIR = Path(scenario.__file__).parent


def test_version_is_the_installed_distributions_and_in_the_changelog() -> None:
    assert scenario.__version__ == importlib.metadata.version("scenario-engine")
    assert f"## {scenario.__version__} " in (REPO / "CHANGELOG.md").read_text()


def test_the_generated_engine_stub_matches_the_committed_one() -> None:
    # Beside the built module (the build tree's, when python/scenario links to it) lies the stub
    # the build generated with nanobind's stubgen; an installed wheel ships that one.
    generated = Path(scenario._engine.__file__).resolve().with_name("_engine.pyi")
    committed = REPO / "python" / "scenario" / "_engine.pyi"
    assert generated.is_file(), f"the build generates {generated.name} beside {generated.parent}"
    assert generated.read_text() == committed.read_text(), (
        f"python/scenario/_engine.pyi is stale: the engine's bindings changed. Copy {generated} over it."
    )


def test_the_package_is_marked_typed() -> None:
    assert (PACKAGE_DIR / "py.typed").is_file()


def _copy_of_the_package(tmp_path: Path, with_engine: bool) -> Path:
    """scenario's Python files (and the top-level modules beside it) copied under tmp_path, with or without the
    built engine; returns the folder to put on sys.path."""
    root = tmp_path / "site"
    package = root / "scenario"
    package.mkdir(parents=True)
    for source in PACKAGE_DIR.glob("*.py"):
        shutil.copy(source, package)
    if with_engine:
        engine = Path(scenario._engine.__file__).resolve()
        shutil.copy(engine, package / Path(scenario._engine.__file__).name)
        # An installed wheel's engine finds the libraries auditwheel bundled at ../<dist>.libs.
        for bundled in engine.parent.parent.glob("scenario_engine.libs"):
            shutil.copytree(bundled, root / bundled.name)
    shutil.copy(_scenario_startup.__file__, root)
    shutil.copy(_scenario_pytest_plugin.__file__, root)
    return root


def _run(root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd or root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


_LOADABLE_NAME = f"_engine{importlib.machinery.EXTENSION_SUFFIXES[0]}"


@pytest.mark.parametrize(
    ("engine_files", "expected"),
    [
        pytest.param({}, ["scenario's C++ engine is missing", "has no _engine extension module"],
                     id="missing"),
        pytest.param({"_engine.cpython-39-x86_64-linux-gnu.so": b""},
                     ["was built for another Python", "_engine.cpython-39-x86_64-linux-gnu.so"],
                     id="another-python"),
        # The loader's own words (invalid ELF header) are part of the message.
        pytest.param({_LOADABLE_NAME: b"not a shared object\n" * 8},
                     ["is installed but failed to load, so the install is broken", "invalid ELF header",
                      "pip install --force-reinstall scenario-engine"],
                     id="broken"),
    ],
)
def test_an_engine_that_cannot_import_says_why(
    tmp_path: Path, engine_files: dict[str, bytes], expected: list[str]
) -> None:
    root = _copy_of_the_package(tmp_path, with_engine=False)
    for name, content in engine_files.items():
        (root / "scenario" / name).write_bytes(content)
    result = _run(root, "-c", "import scenario")
    assert result.returncode == 1
    for text in expected:
        assert text in result.stderr


def test_a_mixed_install_with_ops_scenario_says_what_happened_and_how_to_fix_it(tmp_path: Path) -> None:
    root = _copy_of_the_package(tmp_path, with_engine=True)
    (root / "scenario" / "_consistency_checker.py").write_text("")  # one of ops-scenario 7's files
    result = _run(root, "-c", "import scenario")
    assert result.returncode == 1
    assert "MixedInstallError: two packages named `scenario` are installed into one folder" in result.stderr
    assert "_consistency_checker.py" in result.stderr
    assert "pip uninstall -y scenario-engine ops-scenario" in result.stderr


_UNRELATED_TEST = "def test_unrelated():\n    assert 1 + 1 == 2\n"
_NOT_LOADED = "scenario's pytest plugin is not loaded"


def _pytest(root: Path, tmp_path: Path, test_source: str, *options: str) -> subprocess.CompletedProcess[str]:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_it.py").write_text(test_source)
    # The installed entry point is blocked so that only the copy under test is the plugin.
    return _run(root, "-m", "pytest", "-p", "no:scenario", "-p", "_scenario_startup",
                "-p", "no:cacheprovider", *options, "test_it.py", cwd=tests)


def test_pytest_starts_and_reports_once_when_scenario_cannot_load(tmp_path: Path) -> None:
    root = _copy_of_the_package(tmp_path, with_engine=False)
    result = _pytest(root, tmp_path, _UNRELATED_TEST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert result.stdout.count(_NOT_LOADED) == 1
    assert "scenario's C++ engine is missing" in result.stdout


def test_pytest_starts_when_ops_scenario_overwrote_the_package(tmp_path: Path) -> None:
    root = _copy_of_the_package(tmp_path, with_engine=True)
    # As after `pip install ops[testing]` over this package: its __init__ imports its own modules.
    (root / "scenario" / "__init__.py").write_text("from scenario._runtime import Runtime\n")
    (root / "scenario" / "_runtime.py").write_text("raise ImportError('half of another package')\n")
    result = _pytest(root, tmp_path, _UNRELATED_TEST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(_NOT_LOADED) == 1
    assert "two packages named `scenario`" in result.stdout


def test_the_entry_point_loads_the_real_plugin(tmp_path: Path) -> None:
    root = _copy_of_the_package(tmp_path, with_engine=True)
    uses_the_plugin = (
        "import os\n"
        "def test_fixture_and_option(emitted_events):\n"
        "    assert emitted_events == []\n"
        "    assert os.environ['SCENARIO_STRICT'] == '1'\n"
    )
    result = _pytest(root, tmp_path, uses_the_plugin, "--scenario-strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _NOT_LOADED not in result.stdout


def test_the_entry_point_and_a_run_that_never_uses_scenario_import_neither_scenario_nor_ops(
    tmp_path: Path,
) -> None:
    # pytest loads the entry point in every run in the venv; scenario (and ops) load only when a
    # test imports them.
    root = _copy_of_the_package(tmp_path, with_engine=True)
    reports_heavy_modules = (
        "import sys\n"
        "def test_unrelated():\n"
        "    print('loaded:', sorted(m for m in ('scenario', 'ops') if m in sys.modules))\n"
    )
    result = _pytest(root, tmp_path, reports_heavy_modules, "-s")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loaded: []" in result.stdout
    assert _NOT_LOADED not in result.stdout


@pytest.mark.parametrize("name", ["_consistency_checker.py", "_ops_main_mock.py", "_runtime.py"])
def test_each_file_only_ops_scenario_ships_marks_a_mixed_install(tmp_path: Path, name: str) -> None:
    assert _scenario_startup.mixed_install_problem(str(tmp_path)) is None
    (tmp_path / name).write_text("")
    problem = _scenario_startup.mixed_install_problem(str(tmp_path))
    assert problem is not None and name in problem
