"""Sequences of events, and the lifecycles Juju runs on a unit.

``deploy``, ``upgrade`` and ``teardown`` fire, in Juju's order, the hooks a unit sees when it is
deployed, upgraded or removed (the engine computes the order from the State; the README's
"Sequences of events" lists it); each event runs on the output State of the one before, with a fresh charm
instance, as on a real unit. ``check_builtin_sequences`` is ops-scenario 3.1's helper on top.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Type

from scenario import _convert, _engine
from scenario.state import State

if TYPE_CHECKING:
    import ops

    from scenario.context import Context

__all__ = ["check_builtin_sequences", "deploy", "lifecycle_events", "teardown", "upgrade"]

Hook = Optional[Callable[["ops.CharmBase"], None]]


def lifecycle_events(state: State, kind: str) -> List[Any]:
    """The events Juju fires for ``kind`` ('deploy', 'upgrade' or 'teardown') on ``state``."""
    state_json = _convert.to_engine_json(_convert.state_to_engine(state), "state")
    events = json.loads(_engine.lifecycle_events(state_json, kind))
    return [_convert.event_from_engine(e, state) for e in events]


def _lifecycle(kind: str, context: "Context", state: State, pre_event: Hook, post_event: Hook) -> List[State]:
    return context.run_sequence(lifecycle_events(state, kind), state, pre_event=pre_event,
                                post_event=post_event)


def deploy(context: "Context", state: State, pre_event: Hook = None, post_event: Hook = None) -> List[State]:
    """install ... start on a new unit; returns the State after each event."""
    return _lifecycle("deploy", context, state, pre_event, post_event)


def upgrade(context: "Context", state: State, pre_event: Hook = None, post_event: Hook = None) -> List[State]:
    """upgrade-charm, config-changed, start; returns the State after each event."""
    return _lifecycle("upgrade", context, state, pre_event, post_event)


def teardown(context: "Context", state: State, pre_event: Hook = None, post_event: Hook = None) -> List[State]:
    """Relations departed and broken, storage detached, stop, remove; the State after each."""
    return _lifecycle("teardown", context, state, pre_event, post_event)


def check_builtin_sequences(
    charm_type: Type["ops.CharmBase"],
    meta: Optional[Dict[str, Any]] = None,
    actions: Optional[Dict[str, Any]] = None,
    config: Optional[Dict[str, Any]] = None,
    template_state: Optional[State] = None,
    pre_event: Hook = None,
    post_event: Hook = None,
) -> List[State]:
    """Deploy then tear down the charm, as leader and as non-leader (ops-scenario 3.1's helper).

    Any charm error or inconsistency raises. Returns the final State of each (leader first).
    """
    from scenario.context import Context  # here: context imports the compiled engine

    template = template_state if template_state is not None else State()
    context = Context(charm_type, meta=meta, actions=actions, config=config)
    finals = []
    for leader in (True, False):
        state = template.replace(leader=leader)
        state = deploy(context, state, pre_event, post_event)[-1]
        state = teardown(context, state, pre_event, post_event)[-1]
        finals.append(state)
    return finals
