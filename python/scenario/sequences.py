"""Sequences of events, and the lifecycles Juju runs on a unit.

``deploy``, ``upgrade`` and ``teardown`` fire, in Juju's order, the hooks a unit sees when it is
deployed, upgraded or removed (the engine computes the order from the State; the README's
"Sequences of events" lists it); each event runs on the output State of the one before, with a fresh charm
instance, as on a real unit. ``check_builtin_sequences`` is ops-scenario 3.1's helper on top.

ops-scenario 3.1's generators are here too: ``generate_startup_sequence``,
``generate_teardown_sequence`` and ``generate_builtin_sequences`` yield ``(event, state)``
pairs, each event with its own copy of the template State, and ``decompose_meta_event`` turns
one of 3.1's meta-events (``CREATE_ALL_RELATIONS``...) into the events it stands for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Type

from scenario import _convert, _engine, _engine_form
from scenario.errors import ScenarioError
from scenario.state import (
    ATTACH_ALL_STORAGES,
    BREAK_ALL_RELATIONS,
    CREATE_ALL_RELATIONS,
    DETACH_ALL_STORAGES,
    META_EVENTS,
    Event,
    InjectRelation,
    State,
)
from ops.charm import CharmMeta  # noqa: F401 - 3.1 imported it here

from scenario.context import trigger  # noqa: F401 - 3.1's sequences ran events with it
from scenario.logger import logger as _scenario_logger

logger = _scenario_logger.getChild("sequences")

if TYPE_CHECKING:
    import ops

    from scenario.context import Context

__all__ = [
    "ATTACH_ALL_STORAGES",
    "CharmMeta",
    "InjectRelation",
    "logger",
    "trigger",
    "BREAK_ALL_RELATIONS",
    "CREATE_ALL_RELATIONS",
    "DETACH_ALL_STORAGES",
    "META_EVENTS",
    "check_builtin_sequences",
    "decompose_meta_event",
    "deploy",
    "generate_builtin_sequences",
    "generate_startup_sequence",
    "generate_teardown_sequence",
    "lifecycle_events",
    "teardown",
    "upgrade",
]

Hook = Optional[Callable[["ops.CharmBase"], None]]


def lifecycle_events(state: State, kind: str) -> List[Any]:
    """The events Juju fires for ``kind`` ('deploy', 'upgrade' or 'teardown') on ``state``."""
    document = _engine_form.state_to_engine(state)
    events = _engine_form.with_documents(lambda: _engine.lifecycle_events(document, kind), state=document)
    return [_convert.event_from_engine(e, state) for e in events]


# The lifecycle each 3.1 meta-event is part of.
_META_EVENT_LIFECYCLES = {
    ATTACH_ALL_STORAGES: "deploy",
    CREATE_ALL_RELATIONS: "deploy",
    BREAK_ALL_RELATIONS: "teardown",
    DETACH_ALL_STORAGES: "teardown",
}


def decompose_meta_event(meta_event: Event, state: State) -> Iterator[Tuple[Event, State]]:
    """The events a 3.1 meta-event stands for on ``state``, each with a copy of ``state``.

    ``CREATE_ALL_RELATIONS`` / ``BREAK_ALL_RELATIONS``: relation-created / -broken on every
    relation; ``ATTACH_ALL_STORAGES`` / ``DETACH_ALL_STORAGES``: storage-attached / -detaching on
    every storage; in the order Juju fires them.
    """
    kind = _META_EVENT_LIFECYCLES.get(meta_event.name)
    if kind is None:
        raise ScenarioError(
            f"unknown meta-event {meta_event.name!r}; use one of "
            f"{', '.join(sorted(_META_EVENT_LIFECYCLES))}"
        )
    suffix = META_EVENTS[meta_event.name]
    for event in lifecycle_events(state, kind):
        if _engine.event_kind(event.name)[2] == suffix:
            yield event, state.copy()


def _with_state_copies(events: Iterable[Event], state: State) -> Iterator[Tuple[Event, State]]:
    for event in events:
        yield event, state.copy()


def generate_startup_sequence(state_template: State) -> Iterator[Tuple[Event, State]]:
    """The events of a unit's deployment, in Juju's order, each with a copy of the template."""
    return _with_state_copies(lifecycle_events(state_template, "deploy"), state_template)


def generate_teardown_sequence(state_template: State) -> Iterator[Tuple[Event, State]]:
    """The events of a unit's removal, in Juju's order, each with a copy of the template."""
    return _with_state_copies(lifecycle_events(state_template, "teardown"), state_template)


def generate_builtin_sequences(template_states: Iterable[State]) -> Iterator[Tuple[Event, State]]:
    """For each template: its startup then its teardown sequence."""
    for template in template_states:
        yield from generate_startup_sequence(template)
        yield from generate_teardown_sequence(template)


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
