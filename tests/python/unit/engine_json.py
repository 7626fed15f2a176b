"""A State as the engine's JSON and back, shared by the unit tests of the conversion.

Importable from any test under tests/python/unit (pytest puts a test's own directory on sys.path).
"""

import json
from typing import Optional

from scenario._convert import state_from_engine
from scenario._engine_form import state_to_engine
from scenario.state import State


def through_json(state: State) -> dict:
    """The engine's form of ``state`` as it crosses the boundary: JSON (as text, or as the
    values json.loads would make)."""
    return json.loads(json.dumps(state_to_engine(state)))


def round_trip(state: State, template: Optional[State] = None) -> State:
    """``state`` through the engine's JSON and back, typed like ``template`` (``state`` itself
    by default)."""
    return state_from_engine(through_json(state), state if template is None else template)
