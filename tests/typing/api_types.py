"""Types a charm's tests see from scenario's API, checked by mypy (scripts/typecheck.sh), not run.

Each assert_type fails under mypy when the expression's type is Any (or anything but the type
named): scenario's API gives a charm author's type checker something to check."""

from __future__ import annotations

from typing import Dict, List, Union, assert_type

import ops

from scenario import (
    ActionOutput,
    Container,
    Context,
    DeferredEvent,
    Event,
    File,
    JujuLogLine,
    PeerRelation,
    Relation,
    Secret,
    State,
    StoredState,
)


def check(ctx: Context, state: State, db: Relation, peers: PeerRelation, web: Container) -> None:
    out = ctx.run("start", state)
    assert_type(out, State)
    assert_type(ctx.run(db.changed_event, state), State)
    assert_type(ctx.run(Event("backup_action", params={"x": 1}), state), State)
    assert_type(db.changed_event, Event)
    assert_type(db.replace(remote_app_data={"host": "h"}), Relation)
    assert_type(state.replace(leader=True), State)
    assert_type(out.copy(), State)
    assert_type(out.relations[0].local_unit_data, Dict[str, str])
    assert_type(db.remote_app_data, Dict[str, str])
    assert_type(peers.peers_data, Dict[int, Dict[str, str]])
    assert_type(out.get_container("web"), Container)
    assert_type(web.files, Dict[str, Union[str, bytes, File]])
    assert_type(out.status.unit, ops.StatusBase)
    assert_type(out.deferred, List[DeferredEvent])
    assert_type(out.stored_state, List[StoredState])
    assert_type(out.juju_log, List[JujuLogLine])
    assert_type(out.secrets, List[Secret])
    assert_type(out.action_output, Union[ActionOutput, None])
    assert_type(out.leader, bool)
