"""Import paths ops-scenario 3.1 tests use besides ``from scenario import ...``."""

import subprocess
import sys

import scenario
import scenario.pytest_plugin
import scenario.runtime


def test_runtime_module_has_3_1_names():
    from scenario.runtime import (  # noqa: F401
        DirtyVirtualCharmRootError,
        InconsistentScenarioError,
        ScenarioRuntimeError,
        UncaughtCharmError,
        trigger,
    )

    assert UncaughtCharmError is scenario.UncaughtCharmError
    assert trigger is scenario.trigger
    assert issubclass(UncaughtCharmError, ScenarioRuntimeError)
    assert ScenarioRuntimeError is scenario.ScenarioError


def test_emitted_events_fixture_is_importable_from_the_package():
    from scenario import emitted_events

    assert emitted_events is scenario.pytest_plugin.emitted_events


def test_importing_scenario_does_not_import_pytest():
    code = "import sys, scenario; print('pytest' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_package_attribute_is_an_attribute_error():
    try:
        scenario.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("scenario.no_such_name did not raise")
