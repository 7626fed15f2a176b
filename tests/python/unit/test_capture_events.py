"""capture_events and the emitted_events fixture, on ops' real Framework (via Harness)."""

import ops
import pytest
from ops.charm import CharmBase, StartEvent, UpdateStatusEvent
from ops.framework import CommitEvent, EventBase, EventSource, Framework, PreCommitEvent
from ops.testing import Harness

from scenario.capture_events import capture_events
from scenario.pytest_plugin import emitted_events  # noqa: F401  (registers the fixture here)

# Harness is only the vehicle for a real ops Framework here.
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")


class FooEvent(EventBase):
    pass


class MyEvents(ops.CharmEvents):
    foo = EventSource(FooEvent)


class MyCharm(CharmBase):
    on = MyEvents()

    def __init__(self, framework):
        super().__init__(framework)
        self.defer_start = False
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.foo, self._on_foo)

    def _on_start(self, event):
        if self.defer_start:
            event.defer()

    def _on_update_status(self, _):
        self.on.foo.emit()

    def _on_foo(self, _):
        pass


@pytest.fixture
def harness():
    h = Harness(MyCharm, meta="name: my-charm")
    h.begin()
    yield h
    h.cleanup()


def test_captures_all_events_in_order(harness):
    with capture_events() as captured:
        harness.charm.on.start.emit()
        harness.charm.on.update_status.emit()
    assert [type(e) for e in captured] == [StartEvent, UpdateStatusEvent, FooEvent]


def test_filters_by_type(harness):
    with capture_events(FooEvent) as captured:
        harness.charm.on.start.emit()
        harness.charm.on.update_status.emit()
    assert [type(e) for e in captured] == [FooEvent]


def test_framework_events_only_on_request(harness):
    with capture_events() as captured:
        harness.framework.commit()
    assert captured == []
    with capture_events(include_framework=True) as captured:
        harness.framework.commit()
    assert [type(e) for e in captured] == [PreCommitEvent, CommitEvent]


def test_deferred_events_are_captured_on_reemit(harness):
    harness.charm.defer_start = True
    harness.charm.on.start.emit()
    harness.charm.defer_start = False
    with capture_events() as captured:
        harness.framework.reemit()
    assert [type(e) for e in captured] == [StartEvent]
    assert captured[0].deferred is False
    # ops really re-emitted it (and, handled this time, dropped it from the queue)
    assert list(harness.framework._storage.notices(None)) == []


def test_deferred_events_can_be_excluded(harness):
    harness.charm.defer_start = True
    harness.charm.on.start.emit()
    with capture_events(include_deferred=False) as captured:
        harness.framework.reemit()
    assert captured == []


def test_patch_is_undone_even_on_error():
    emit, reemit = Framework._emit, Framework.reemit
    with pytest.raises(KeyError):
        with capture_events():
            assert Framework._emit is not emit
            raise KeyError("boom")
    assert Framework._emit is emit and Framework.reemit is reemit


def test_nested_captures(harness):
    with capture_events(StartEvent) as outer:
        with capture_events(FooEvent) as inner:
            harness.charm.on.start.emit()
            harness.charm.on.update_status.emit()
    assert [type(e) for e in outer] == [StartEvent]
    assert [type(e) for e in inner] == [FooEvent]


def test_emitted_events_fixture(harness, emitted_events):  # noqa: F811
    harness.charm.on.start.emit()
    assert len(emitted_events) == 1
    assert isinstance(emitted_events[0], StartEvent)
