"""Secrets through real charms: owner and consumer flows with Juju's rules (grants, tracked
revisions, peek/refresh, leadership for application secrets) and the four secret events."""

import ops
import pytest
from ops.charm import CharmBase
from ops.model import ActiveStatus, ModelError, SecretNotFoundError

from scenario import Context, Relation, Secret, State, UncaughtCharmError
from charm_runs import expect_divergences, probe

SID = "secret:0123456789abcdefghij"
SHORT = "0123456789abcdefghij"
META = {"name": "local", "requires": {"db": {"interface": "sql"}}}


class Idle(CharmBase):
    pass


# compatible mode numbers a new secret's first revision 0, as 3.1 did
NEW_SECRET_REVISION = r"secret-add: Juju numbers a new secret's first revision 1"


def ctx(**kw):
    return Context(Idle, meta=META, **kw)


# --- owner --------------------------------------------------------------------------------


def test_leader_adds_app_secret():
    def add(charm):
        secret = charm.app.add_secret({"password": "hunter2"}, label="db-pass", description="d")
        return secret.id

    # Juju numbers revisions from 1 (strict mode; by default 3.1 numbered them from 0)
    out, new_id = probe(ctx(strict=True), "start", State(leader=True), add)
    [secret] = out.secrets
    assert new_id.endswith(secret.id.split(":")[-1].split("/")[-1])
    assert secret.owner == "app"
    assert secret.contents == {1: {"password": "hunter2"}}
    assert secret.label == "db-pass"
    assert secret.description == "d"


def test_unit_adds_unit_secret_without_leadership():
    # Juju numbers revisions from 1 (strict mode; by default 3.1 numbered them from 0)
    out, _ = probe(ctx(strict=True), "start", State(leader=False), lambda c: c.unit.add_secret({"key": "value"}))
    [secret] = out.secrets
    assert secret.owner == "unit"
    assert secret.contents == {1: {"key": "value"}}


def test_non_leader_cannot_add_app_secret():
    def add(charm):
        with pytest.raises(ModelError):
            charm.app.add_secret({"key": "value"})
        return True

    out, ok = probe(ctx(), "start", State(leader=False), add)
    assert ok and out.secrets == []


def test_owner_set_content_creates_revision():
    secret = Secret(id=SID, contents={1: {"val": "old"}}, owner="unit", revision=1)

    def set_(charm):
        charm.model.get_secret(id=SID).set_content({"val": "new"})

    out, _ = probe(ctx(), "update_status", State(secrets=[secret]), set_)
    assert out.secrets[0].contents == {1: {"val": "old"}, 2: {"val": "new"}}
    # the input is untouched
    assert secret.contents == {1: {"val": "old"}}


def test_app_secret_set_needs_leadership():
    secret = Secret(id=SID, contents={1: {"val": "old"}}, owner="app", revision=1)

    def set_(charm):
        charm.model.get_secret(id=SID).set_content({"val": "new"})
        return "set"

    out, result = probe(ctx(juju_version="3.6.0"), "update_status",
                        State(secrets=[secret], leader=True), set_)
    assert result == "set"
    assert max(out.secrets[0].contents) == 2


# Juju queues a change to a secret the unit may not manage (runner/context/context.go:
# UpdateSecret, RemoveSecret, RevokeSecret) and its controller refuses it when the hook's
# changes are committed: the charm's call returns, then the hook fails and keeps nothing.
# Juju 3.6, so that ops 3.x calls secret-set directly (before 3.6 it reads the secret first).
@pytest.mark.parametrize("leader, owner, granted", [(False, "app", None), (True, None, "unit")])
@pytest.mark.parametrize("call", ["set_content", "remove_all_revisions", "revoke"])
def test_managing_a_secret_the_unit_may_not_manage_fails_the_hook_at_commit(leader, owner, granted, call):
    relation = Relation("db", relation_id=1)
    secret = Secret(id=SID, contents={1: {"val": "old"}}, owner=owner, granted=granted, revision=1)
    returned = {}

    def manage(charm):
        found = charm.model.get_secret(id=SID)
        if call == "set_content":
            found.set_content({"val": "new"})
        elif call == "remove_all_revisions":
            found.remove_all_revisions()
        else:
            found.revoke(charm.model.get_relation("db", 1))
        returned["call"] = call

    state = State(secrets=[secret], leader=leader, relations=[relation])
    for strict in (False, True):
        returned.clear()
        with pytest.raises(UncaughtCharmError, match="hook failed after it returned.*permission denied"):
            probe(ctx(juju_version="3.6.0", strict=strict), "update_status", state, manage)
        assert returned == {"call": call}


def test_owner_grant_and_revoke_on_relation():
    rel = Relation("db", remote_app_name="pg", relation_id=4)
    secret = Secret(id=SID, contents={1: {"val": "b"}}, owner="app")

    def grant(charm):
        charm.model.get_secret(id=SID).grant(charm.model.get_relation("db"))

    state = State(relations=[rel], secrets=[secret], leader=True)
    out, _ = probe(ctx(), "update_status", state, grant)
    assert out.secrets[0].remote_grants == {4: {"pg"}}

    def revoke(charm):
        charm.model.get_secret(id=SID).revoke(charm.model.get_relation("db"))

    out2, _ = probe(ctx(), "update_status", out, revoke)
    assert out2.secrets[0].remote_grants == {}


def test_owner_remove_all_revisions():
    secret = Secret(id=SID, contents={1: {"val": "b"}, 2: {"val": "c"}}, owner="unit")
    out, _ = probe(ctx(), "update_status", State(secrets=[secret]),
                   lambda c: c.model.get_secret(id=SID).remove_all_revisions())
    assert out.secrets == []


def test_owner_remove_one_revision():
    secret = Secret(id=SID, contents={1: {"val": "b"}, 2: {"val": "c"}}, owner="unit")
    out, _ = probe(ctx(), "update_status", State(secrets=[secret]),
                   lambda c: c.model.get_secret(id=SID).remove_revision(1))
    assert out.secrets[0].contents == {2: {"val": "c"}}


def test_owner_get_info_by_label():
    secret = Secret(id=SID, contents={1: {"val": "b"}, 3: {"val": "c"}}, owner="unit", label="mine")

    def info(charm):
        i = charm.model.get_secret(label="mine").get_info()
        return i.label, i.revision

    _, result = probe(ctx(), "update_status", State(secrets=[secret]), info)
    assert result == ("mine", 3)


# --- consumer -----------------------------------------------------------------------------


def test_consumer_reads_granted_secret():
    secret = Secret(id=SID, contents={1: {"token": "t1"}}, granted="unit", revision=1)
    _, content = probe(ctx(), "start", State(secrets=[secret]),
                       lambda c: c.model.get_secret(id=SID).get_content())
    assert content == {"token": "t1"}


def test_consumer_cannot_read_ungranted_secret():
    secret = Secret(id=SID, contents={1: {"token": "t1"}}, granted=False, revision=1)

    def read(charm):
        try:
            charm.model.get_secret(id=SID).get_content()
        except ModelError as e:
            return type(e)
        return None

    # Juju's grant rule binds under strict mode (3.1 let any unit read a State secret)
    _, error_type = probe(ctx(strict=True), "start", State(secrets=[secret]), read)
    assert error_type is not None and issubclass(error_type, ModelError)


def test_unknown_secret_is_not_found():
    def read(charm):
        try:
            charm.model.get_secret(id="secret:aaaaaaaaaaaaaaaaaaaa")
        except SecretNotFoundError:
            return "not found"
        return "found"

    _, result = probe(ctx(), "start", State(), read)
    assert result == "not found"


def test_consumer_peek_and_refresh():
    secret = Secret(id=SID, contents={1: {"val": "one"}, 2: {"val": "two"}}, granted="app", revision=1)

    def peek(charm):
        s = charm.model.get_secret(id=SID)
        return s.get_content()["val"], s.peek_content()["val"]

    out, (tracked, peeked) = probe(ctx(), "update_status", State(secrets=[secret]), peek)
    assert (tracked, peeked) == ("one", "two")
    assert out.secrets[0].revision == 1  # peeking does not move the tracked revision

    def refresh(charm):
        return charm.model.get_secret(id=SID).get_content(refresh=True)["val"]

    out, value = probe(ctx(), "update_status", State(secrets=[secret]), refresh)
    assert value == "two"
    assert out.secrets[0].revision == 2


# --- events -------------------------------------------------------------------------------


class SecretEvents(CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        for name in ("secret_changed", "secret_rotate", "secret_expired", "secret_remove"):
            framework.observe(getattr(self.on, name), self._record)

    def _record(self, event):
        revision = getattr(event, "revision", None)
        label = event.secret.label or ""
        self.unit.status = ActiveStatus(f"{event.handle.kind} {SHORT in event.secret.id} {label} {revision}")
        if event.handle.kind == "secret_changed":
            event.secret.get_content(refresh=True)
        if event.handle.kind == "secret_remove":
            event.secret.remove_revision(event.revision)


def test_secret_changed_for_consumer_refreshes():
    secret = Secret(id=SID, contents={1: {"val": "1"}, 2: {"val": "2"}}, granted="unit", revision=1, label="lbl")
    out = Context(SecretEvents, meta=META).run(secret.changed_event, State(secrets=[secret]))
    assert out.status.unit == ActiveStatus("secret_changed True lbl None")
    assert out.secrets[0].revision == 2


def test_secret_rotate_for_owner():
    secret = Secret(id=SID, contents={1: {"val": "1"}}, owner="app", rotate="daily")
    out = Context(SecretEvents, meta=META).run(secret.rotate_event, State(secrets=[secret], leader=True))
    assert out.status.unit == ActiveStatus("secret_rotate True  None")


def test_secret_expired_for_owner_has_revision():
    secret = Secret(id=SID, contents={1: {"val": "1"}, 2: {"val": "2"}}, owner="unit")
    out = Context(SecretEvents, meta=META).run(secret.expired_event, State(secrets=[secret]))
    assert out.status.unit == ActiveStatus("secret_expired True  2")


def test_secret_remove_for_owner_removes_revision():
    secret = Secret(id=SID, contents={1: {"val": "1"}, 2: {"val": "2"}}, owner="unit")
    event = secret.remove_event.replace(secret_revision=1)
    out = Context(SecretEvents, meta=META).run(event, State(secrets=[secret]))
    assert out.status.unit == ActiveStatus("secret_remove True  1")
    assert out.secrets[0].contents == {2: {"val": "2"}}


def test_event_owner_rules():
    owned = Secret(id=SID, contents={1: {}}, owner="unit")
    consumed = Secret(id=SID, contents={1: {}}, granted="unit")
    with pytest.raises(ValueError):
        owned.changed_event
    for name in ("rotate_event", "expired_event", "remove_event"):
        with pytest.raises(ValueError):
            getattr(consumed, name)


def test_secret_event_for_secret_not_in_state_is_inconsistent():
    from scenario import InconsistentScenarioError

    secret = Secret(id=SID, contents={1: {"val": "1"}}, granted="unit")
    with pytest.raises(InconsistentScenarioError) as info:
        Context(SecretEvents, meta=META).run(secret.changed_event, State())
    assert info.value.problems


def test_secret_ids_of_owned_secrets_on_ops_version():
    if not hasattr(ops.model.Model, "get_secret"):
        pytest.skip("this ops has no secrets API")
    owned = Secret(id=SID, contents={1: {"val": "1"}}, owner="unit", label="mine")
    _, content = probe(ctx(), "start", State(secrets=[owned]),
                       lambda c: c.model.get_secret(label="mine").get_content())
    assert content == {"val": "1"}


# --- more owner/consumer rules --------------------------------------------------------------


@pytest.mark.parametrize("juju_version, expected", [("3.1.6", "two"), ("3.4.0", "one")])
def test_owner_reads_latest_or_tracked_by_juju_version(juju_version, expected):
    secret = Secret(id=SID, contents={1: {"val": "one"}, 2: {"val": "two"}}, owner="unit", revision=1)
    _, value = probe(ctx(juju_version=juju_version), "update_status", State(secrets=[secret]),
                     lambda c: c.model.get_secret(id=SID).get_content()["val"])
    # Juju < 3.3.1 gives owners the latest revision; from 3.3.1 owners track one like consumers.
    assert value == expected


def test_consumer_label_set_on_get_then_used():
    secret = Secret(id=SID, contents={1: {"val": "one"}}, granted="unit", revision=1)
    out, _ = probe(ctx(), "start", State(secrets=[secret]),
                   lambda c: c.model.get_secret(id=SID, label="my-label").get_content())
    assert out.secrets[0].label == "my-label"
    _, value = probe(ctx(), "start", out, lambda c: c.model.get_secret(label="my-label").get_content())
    assert value == {"val": "one"}


def test_consumer_cannot_get_info():
    secret = Secret(id=SID, contents={1: {"val": "one"}}, granted="unit", revision=1)

    def info(charm):
        try:
            charm.model.get_secret(id=SID).get_info()
        except SecretNotFoundError:
            return "not found"
        return "info"

    _, result = probe(ctx(), "start", State(secrets=[secret]), info)
    assert result == "not found"


def test_grant_to_a_remote_unit():
    rel = Relation("db", remote_app_name="pg", remote_unit_ids=[0, 1], relation_id=2)
    secret = Secret(id=SID, contents={1: {"val": "b"}}, owner="unit")

    def grant(charm):
        relation = charm.model.get_relation("db")
        unit = next(u for u in relation.units if u.name == "pg/1")
        charm.model.get_secret(id=SID).grant(relation, unit=unit)

    out, _ = probe(ctx(), "update_status", State(relations=[rel], secrets=[secret]), grant)
    assert out.secrets[0].remote_grants == {2: {"pg/1"}}


def test_owner_set_info_updates_metadata_without_revision():
    secret = Secret(id=SID, contents={1: {"val": "b"}}, owner="unit")

    def set_info(charm):
        charm.model.get_secret(id=SID).set_info(label="renamed", description="new")

    out, _ = probe(ctx(), "update_status", State(secrets=[secret]), set_info)
    assert (out.secrets[0].label, out.secrets[0].description) == ("renamed", "new")
    assert out.secrets[0].contents == {1: {"val": "b"}}


def test_add_secret_with_expiry_and_rotation():
    import datetime

    def add(charm):
        charm.unit.add_secret(
            {"val": "x"},
            label="rotating",
            expire=datetime.timedelta(hours=1),
            rotate=ops.model.SecretRotate.DAILY,
        )

    with expect_divergences(NEW_SECRET_REVISION):
        out, _ = probe(ctx(), "start", State(), add)
    [secret] = out.secrets
    assert secret.rotate == ops.model.SecretRotate.DAILY
    assert isinstance(secret.expire, datetime.datetime)


def test_secret_added_then_shared_in_relation_data():
    rel = Relation("db", remote_app_name="pg", relation_id=5)

    class Sharer(CharmBase):
        def __init__(self, framework):
            super().__init__(framework)
            framework.observe(self.on.db_relation_joined, self._on_joined)

        def _on_joined(self, event):
            secret = self.app.add_secret({"password": "pw123"})
            secret.grant(event.relation)
            event.relation.data[self.app]["secret-id"] = secret.id

    with expect_divergences(NEW_SECRET_REVISION):
        out = Context(Sharer, meta=META).run(rel.joined_event, State(relations=[rel], leader=True))
    [secret] = out.secrets
    assert secret.remote_grants == {5: {"pg"}}
    shared = out.relations[0].local_app_data["secret-id"]
    assert shared.split("/")[-1].split(":")[-1] == secret.id.split("/")[-1].split(":")[-1]


@pytest.mark.parametrize(
    "name, owner, words",
    [
        ("secret_changed", "unit", ["secret-changed", "owner"]),
        ("secret_rotate", None, ["secret-rotate", "owner"]),
        ("secret_remove", None, ["secret-remove", "owner"]),
        ("secret_expired", None, ["secret-expired", "owner"]),
    ],
)
def test_secret_events_to_the_wrong_party_are_inconsistent(name, owner, words):
    from scenario import Event, InconsistentScenarioError

    secret = Secret(id=SID, contents={1: {"val": "1"}}, owner=owner, granted=False if owner else "unit")
    with pytest.raises(InconsistentScenarioError) as info:
        Context(SecretEvents, meta=META).run(Event(name, secret=secret), State(secrets=[secret]))
    joined = "\n".join(info.value.problems)
    for word in words:
        assert word in joined


def test_secret_event_without_secret_is_inconsistent():
    from scenario import Event, InconsistentScenarioError

    with pytest.raises(InconsistentScenarioError) as info:
        Context(SecretEvents, meta=META).run(Event("secret_changed"), State())
    assert any("secret" in p for p in info.value.problems)
