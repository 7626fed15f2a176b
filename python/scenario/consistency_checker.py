"""ops-scenario 3.1's ``check_consistency``: does a State and Event fit the charm, without running it.

``Context.run`` makes the same check before every run; this module lets a test (or a tool)
make it alone. The engine decides every rule (see engine/consistency); this only converts the
inputs and reports the outcome as a run does.
"""

from __future__ import annotations

import logging
import os
from typing import Any, List, NamedTuple, Optional, Tuple, Union

import ops

from scenario import _engine, _engine_form
from scenario._modes import strict_from_environment
from scenario.context import _warn_divergences
from scenario.errors import InconsistentScenarioError
from scenario.state import Event, PeerRelation, State, SubordinateRelation, _CharmSpec, normalize_name

logger = logging.getLogger("scenario.consistency_checker")

__all__ = [
    "InconsistentScenarioError",
    "PeerRelation",
    "Results",
    "SubordinateRelation",
    "check_config_consistency",
    "check_consistency",
    "check_containers_consistency",
    "check_event_consistency",
    "check_relation_consistency",
    "check_secrets_consistency",
    "normalize_name",
]


def check_consistency(
    state: State,
    event: Union[Event, str],
    charm_spec: _CharmSpec,
    juju_version: str,
    *,
    strict: Optional[bool] = None,
) -> None:
    """Checks that ``state``, ``event`` and ``charm_spec`` fit together on this Juju version.

    Raises InconsistentScenarioError listing every problem (a State Juju could never produce,
    an event on something the State or metadata lacks...). Doubtful cases are logged as
    warnings; where ops-scenario 3.1 accepted what Juju would refuse, a JujuDivergenceWarning is
    raised (``strict=True``, or SCENARIO_STRICT=1 when ``strict`` is None, makes those errors).
    With SCENARIO_SKIP_CONSISTENCY_CHECKS set, nothing is checked, as in 3.1.
    """
    if os.environ.get("SCENARIO_SKIP_CONSISTENCY_CHECKS"):
        logger.info("SCENARIO_SKIP_CONSISTENCY_CHECKS is set: skipping consistency checks")
        return
    if strict is None:
        strict = strict_from_environment()
    warnings, divergences = _engine_check(state, event, charm_spec, juju_version, strict)
    for warning in warnings:
        logger.warning("%s", warning)
    _warn_divergences(divergences)


def _engine_check(
    state: State,
    event: Union[Event, str],
    charm_spec: _CharmSpec,
    juju_version: str,
    strict: bool,
    areas: Optional[List[str]] = None,
) -> Tuple[List[str], List[str]]:
    """The engine's checker on these inputs: (warnings, divergences), or its exception."""
    if isinstance(event, str):
        event = Event(event)
    state_document = _engine_form.state_to_engine(state)
    event_document = _engine_form.event_to_engine(event, state)
    spec = _engine_form.charm_spec_to_engine(charm_spec)
    return _engine_form.with_documents(
        lambda: _engine.check_consistency(
            spec, state_document, event_document, juju_version, strict, areas or []
        ),
        state=state_document,
        event=event_document,
    )


class Results(NamedTuple):
    """What one area of the consistency check found (3.1's return type of its area checks)."""

    errors: List[str]
    warnings: List[str]


def _check_areas(
    areas: List[str],
    state: Optional[State],
    event: Optional[Union[Event, str]],
    charm_spec: _CharmSpec,
    juju_version: str = "3.0",
) -> Results:
    """The engine's check of some areas only, as Results instead of an exception.

    Juju's rules bind here (3.1's area checks reported its rules as errors); divergences a
    default run would accept are among the errors.
    """
    state = state if state is not None else State()
    try:
        found_warnings, _ = _engine_check(
            state, event if event is not None else "update_status", charm_spec, juju_version, True, areas
        )
    except InconsistentScenarioError as e:
        return Results(list(e.problems), [])
    return Results([], list(found_warnings))


def check_event_consistency(*, event: Union[Event, str], charm_spec: _CharmSpec, state: Optional[State] = None,
                            **_kwargs: Any) -> Results:
    """3.1's check of the event alone: its kind, and what it refers to in the metadata and State."""
    return _check_areas(["event"], state, event, charm_spec)


def check_config_consistency(*, state: State, charm_spec: _CharmSpec, **_kwargs: Any) -> Results:
    """3.1's check of ``state.config`` against config.yaml."""
    return _check_areas(["config"], state, None, charm_spec)


def check_secrets_consistency(*, event: Union[Event, str], state: State, juju_version: Any = "3.0",
                              charm_spec: Optional[_CharmSpec] = None, **_kwargs: Any) -> Results:
    """3.1's check of ``state.secrets`` and secret events (3.1 passed the version as a tuple)."""
    if isinstance(juju_version, tuple):
        juju_version = ".".join(str(part) for part in juju_version)
    spec = charm_spec if charm_spec is not None else _CharmSpec(ops.CharmBase, {"name": "charm"})
    return _check_areas(["secrets", "event"], state, event, spec, juju_version)


def check_relation_consistency(*, state: State, charm_spec: _CharmSpec, event: Optional[Union[Event, str]] = None,
                               **_kwargs: Any) -> Results:
    """3.1's check of ``state.relations`` against the metadata's endpoints."""
    return _check_areas(["relations"], state, event, charm_spec)


def check_containers_consistency(*, state: State, charm_spec: _CharmSpec, event: Optional[Union[Event, str]] = None,
                                 **_kwargs: Any) -> Results:
    """3.1's check of ``state.containers`` (and their Pebble layers) against the metadata."""
    return _check_areas(["containers", "container_plans"], state, event, charm_spec)
