"""ops-scenario 3.1's ``check_consistency``: does a State and Event fit the charm, without running it.

``Context.run`` makes the same check before every run; this module lets a test (or a tool)
make it alone. The engine decides every rule (see engine/consistency); this only converts the
inputs and reports the outcome as a run does.
"""

from __future__ import annotations

import logging
import os
from typing import Optional, Union

from scenario import _convert, _engine
from scenario.context import _strict_from_environment, _warn_divergences
from scenario.errors import InconsistentScenarioError
from scenario.state import Event, State, _CharmSpec

logger = logging.getLogger("scenario.consistency_checker")

__all__ = ["InconsistentScenarioError", "check_consistency"]


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
    if isinstance(event, str):
        event = Event(event)
    if strict is None:
        strict = _strict_from_environment()
    state_document = _convert.state_to_engine(state)
    event_document = _convert.event_to_engine(event, state)
    try:
        warnings, divergences = _engine.check_consistency(
            _convert.charm_spec_to_engine(charm_spec),
            state_document,
            event_document,
            juju_version,
            strict,
        )
    except ValueError as e:  # a value JSON cannot carry: say where it is
        raise _convert.value_error_of(e, state_document, event_document) from None
    for warning in warnings:
        logger.warning("%s", warning)
    _warn_divergences(divergences)
