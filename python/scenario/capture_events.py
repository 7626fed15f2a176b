"""Record the events ops emits on the charm while a Scenario run happens."""

from __future__ import annotations

import contextlib
from typing import Iterator, List, Tuple, Type

from ops.framework import CommitEvent, EventBase, Framework, Handle, NoTypeError, PreCommitEvent

__all__ = ["capture_events"]


def _framework_event_types() -> Tuple[type, ...]:
    types: Tuple[type, ...] = (PreCommitEvent, CommitEvent)
    try:  # ops >= 2.5 emits collect-status events itself at the end of every run
        from ops.charm import CollectStatusEvent
    except ImportError:
        return types
    return types + (CollectStatusEvent,)


@contextlib.contextmanager
def capture_events(
    *types: Type[EventBase],
    include_framework: bool = False,
    include_deferred: bool = True,
) -> Iterator[List[EventBase]]:
    """Collect every event emitted inside the block that is an instance of one of ``types``.

    No types means every event (``EventBase``). Events are listed in emission order: deferred
    events being re-emitted first (unless ``include_deferred=False``), then the event that was
    fired, then any custom events its handlers emitted. Events ops emits for its own
    bookkeeping (pre-commit, commit, collect-status) are left out unless
    ``include_framework=True``.

    Example::

        with capture_events(StartEvent, MyCustomEvent) as captured:
            Context(MyCharm, meta=META).run("start", State())
        assert isinstance(captured[0], StartEvent)
    """
    allowed = types or (EventBase,)
    framework_types = _framework_event_types()
    captured: List[EventBase] = []
    real_emit = Framework._emit
    real_reemit = Framework.reemit

    def wanted(event: EventBase) -> bool:
        if not include_framework and isinstance(event, framework_types):
            return False
        return isinstance(event, allowed)

    def emit(self: Framework, event: EventBase) -> None:
        if wanted(event):
            captured.append(event)
        return real_emit(self, event)

    def reemit(self: Framework) -> None:
        # ops re-emits deferred events by calling observers directly (not through _emit), so
        # read them from the store here, before ops does.
        if include_deferred:
            seen = set()
            for event_path, _, _ in self._storage.notices(None):
                if event_path in seen:
                    continue  # one notice per observer of the same event
                seen.add(event_path)
                try:
                    event = self.load_snapshot(Handle.from_path(event_path))
                except NoTypeError:
                    continue
                event.deferred = False
                self._forget(event)  # ops will load its own copy of it
                if wanted(event):
                    captured.append(event)
        return real_reemit(self)

    Framework._emit = emit  # type: ignore[method-assign]
    Framework.reemit = reemit  # type: ignore[method-assign]
    try:
        yield captured
    finally:
        Framework._emit = real_emit  # type: ignore[method-assign]
        Framework.reemit = real_reemit  # type: ignore[method-assign]
