"""Error classes: codes, hierarchy, 3.1 compatibility."""

import pytest

from scenario import errors
from scenario.errors import (
    DirtyVirtualCharmRootError,
    InconsistentScenarioError,
    MetadataNotFoundError,
    NoObserverError,
    ScenarioError,
    ScenarioRuntimeError,
    StateValidationError,
    UncaughtCharmError,
)

CODES = {
    ScenarioError: "scenario-error",
    StateValidationError: "state-validation",
    InconsistentScenarioError: "inconsistent-scenario",
    UncaughtCharmError: "uncaught-charm-error",
    NoObserverError: "no-observer",
    DirtyVirtualCharmRootError: "dirty-virtual-charm-root",
    MetadataNotFoundError: "metadata-not-found",
}


@pytest.mark.parametrize("cls, code", CODES.items())
def test_default_codes_and_hierarchy(cls, code):
    e = cls("something is wrong")
    assert e.code == code
    assert isinstance(e, ScenarioError) and isinstance(e, RuntimeError)
    assert str(e) == "something is wrong" and e.message == "something is wrong"
    assert cls.__doc__


def test_codes_are_distinct():
    assert len(set(CODES.values())) == len(CODES)


def test_code_can_be_overridden_per_instance():
    e = StateValidationError("bad", code="state-validation.databag")
    assert e.code == "state-validation.databag"
    assert StateValidationError("x").code == "state-validation"


def test_inconsistent_scenario_problems():
    e = InconsistentScenarioError("two problems", problems=["a", "b"])
    assert e.problems == ["a", "b"]
    assert InconsistentScenarioError("only").problems == ["only"]


def test_compat_aliases():
    assert ScenarioRuntimeError is ScenarioError
    assert isinstance(MetadataNotFoundError("no metadata.yaml"), FileNotFoundError)
    # the state module re-exports the validation error, as 3.1 did
    from scenario.state import StateValidationError as FromState

    assert FromState is StateValidationError


def test_uncaught_charm_error_chains_cause():
    try:
        try:
            raise ValueError("charm bug")
        except ValueError as inner:
            raise UncaughtCharmError("charm raised") from inner
    except UncaughtCharmError as e:
        assert isinstance(e.__cause__, ValueError)


def test_all_lists_every_error():
    for name in errors.__all__:
        assert hasattr(errors, name)
