"""Run the standard Juju startup and teardown hook sequences on a charm.

Juju's order on a new unit: ``<storage>-storage-attached`` (per attached storage),
``install``, ``<endpoint>-relation-created`` (per relation that exists already, e.g. peers),
``leader-elected`` (leader) or ``leader-settings-changed`` (others), ``config-changed``,
``start``. On removal: per relation ``<endpoint>-relation-departed`` (per remote unit) then
``<endpoint>-relation-broken``, ``<storage>-storage-detaching``, ``stop``, ``remove``.
Each event runs on the output State of the previous one, as on a real unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Tuple, Type

from scenario.state import Event, State

if TYPE_CHECKING:
    import ops

__all__ = ["check_builtin_sequences", "startup_events", "teardown_events"]

# A step: given the current State, the events to fire, and the State to fire the next one on.
Step = Callable[[State], Iterator[Tuple[Event, Callable[[State], State]]]]


def _same(state: State) -> State:
    return state


def startup_events(state: State) -> Iterator[Tuple[Event, Callable[[State], State]]]:
    """The startup events for ``state`` in Juju's order, each with a post-run State transform."""
    for storage in state.storages:
        yield storage.attached_event, _same
    yield Event("install"), _same
    for relation in state.relations:
        yield _current(relation.relation_id, "created_event"), _same
    yield Event("leader_elected" if state.leader else "leader_settings_changed"), _same
    yield Event("config_changed"), _same
    yield Event("start"), _same


def teardown_events(state: State) -> Iterator[Tuple[Event, Callable[[State], State]]]:
    """The teardown events for ``state`` in Juju's order, each with a post-run State transform."""
    for relation in state.relations:
        for unit_id in relation._remote_unit_ids:
            yield _current(relation.relation_id, "departed_event", unit_id), _drop_unit(
                relation.relation_id, unit_id
            )
        yield _current(relation.relation_id, "broken_event"), _drop_relation(relation.relation_id)
    for storage in state.storages:
        yield storage.detaching_event, _same
    yield Event("stop"), _same
    yield Event("remove"), _same


class _current:
    """A relation event built on the relation as it is in the State it is fired on."""

    def __init__(self, relation_id: int, sugar: str, remote_unit_id: Optional[int] = None):
        self.relation_id = relation_id
        self.sugar = sugar
        self.remote_unit_id = remote_unit_id

    def resolve(self, state: State) -> Event:
        event = getattr(state.get_relation(self.relation_id), self.sugar)
        if self.remote_unit_id is not None:
            event = event(remote_unit_id=self.remote_unit_id)
        return event


def _drop_unit(relation_id: int, unit_id: int) -> Callable[[State], State]:
    # After relation-departed the remote unit is no longer in the relation.
    def transform(state: State) -> State:
        relations = []
        for r in state.relations:
            if r.relation_id == relation_id:
                if hasattr(r, "remote_units_data"):
                    ids = [u for u in r.remote_unit_ids if u != unit_id]
                    data = {u: d for u, d in r.remote_units_data.items() if u != unit_id}
                    # a regular relation with no remote unit left keeps an empty databag map
                    r = _replace_units(r, ids, data, "remote_unit_ids", "remote_units_data")
                elif hasattr(r, "peers_data"):
                    ids = [u for u in r.peers_ids if u != unit_id]
                    data = {u: d for u, d in r.peers_data.items() if u != unit_id}
                    r = _replace_units(r, ids, data, "peers_ids", "peers_data")
            relations.append(r)
        return state.replace(relations=relations)

    return transform


def _replace_units(relation: Any, ids: List[int], data: Dict[int, Any], ids_field: str,
                   data_field: str) -> Any:
    if not ids:
        # The dataclass would fill in a default unit; keep the relation as it is instead:
        # relation-broken comes next and removes it.
        return relation
    return relation.replace(**{ids_field: ids, data_field: data})


def _drop_relation(relation_id: int) -> Callable[[State], State]:
    # After relation-broken the relation no longer exists.
    def transform(state: State) -> State:
        return state.replace(relations=[r for r in state.relations if r.relation_id != relation_id])

    return transform


def _run(
    context: Any,
    state: State,
    events: Iterator[Tuple[Any, Callable[[State], State]]],
    pre_event: Optional[Callable[["ops.CharmBase"], None]],
    post_event: Optional[Callable[["ops.CharmBase"], None]],
) -> State:
    for event, transform in events:
        if isinstance(event, _current):
            event = event.resolve(state)
        state = transform(context.run(event, state, pre_event=pre_event, post_event=post_event))
    return state


def check_builtin_sequences(
    charm_type: Type["ops.CharmBase"],
    meta: Optional[Dict[str, Any]] = None,
    actions: Optional[Dict[str, Any]] = None,
    config: Optional[Dict[str, Any]] = None,
    template_state: Optional[State] = None,
    pre_event: Optional[Callable[["ops.CharmBase"], None]] = None,
    post_event: Optional[Callable[["ops.CharmBase"], None]] = None,
) -> List[State]:
    """Run the startup then teardown sequence on the charm, as leader and as non-leader.

    Any charm error or inconsistency raises. ``pre_event``/``post_event`` run around every
    event, for extra checks. Returns the final State of each run (leader first).
    """
    from scenario.context import Context  # here: context imports the compiled engine

    template = template_state if template_state is not None else State()
    context = Context(charm_type, meta=meta, actions=actions, config=config)
    finals = []
    for leader in (True, False):
        state = template.replace(leader=leader)
        state = _run(context, state, startup_events(state), pre_event, post_event)
        state = _run(context, state, teardown_events(state), pre_event, post_event)
        finals.append(state)
    return finals
