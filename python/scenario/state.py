"""The values a Scenario test declares: a `State` and the `Event` fired on it.

Everything here is a frozen dataclass with ops-scenario 3.1's names, constructor signatures and
defaults, plus what 3.1 lacked (ports, storages, resources, planned units, seeded container
files, notices, check infos, action output). These classes only hold and validate data: what
a hook tool or Pebble returns for them is decided by the engine (see `scenario._engine_form` for
the engine's JSON form).
"""

from __future__ import annotations

import contextvars
import copy
import dataclasses
import datetime
import io
import itertools
import json
import logging
import reprlib
import warnings
from pathlib import Path, PurePosixPath
from typing import (
    Any,
    Callable,
    ClassVar,
    Dict,
    Iterator,
    List,
    Literal,
    NamedTuple,
    Optional,
    Sequence,
    Set,
    Tuple,
    TYPE_CHECKING,
    Type,
    TypeVar,
    Union,
    cast,
)

from ops import pebble
from ops.charm import CharmEvents  # noqa: F401 - 3.1 re-exported it here
from ops.model import SecretRotate, StatusBase, UnknownStatus

from scenario import _diff, _engine, _engine_form
from scenario._modes import strict_from_environment
from scenario.errors import StateValidationError

if TYPE_CHECKING:
    import ops

logger = logging.getLogger("scenario.state")

__all__ = [
    "StateValidationError",
    "State",
    "RelationBase",
    "Relation",
    "PeerRelation",
    "SubordinateRelation",
    "Container",
    "Mount",
    "ExecOutput",
    "ExecRecord",
    "File",
    "Notice",
    "CheckInfo",
    "Network",
    "BindAddress",
    "Address",
    "Secret",
    "Status",
    "StoredState",
    "DeferredEvent",
    "Event",
    "ParametrizedEvent",
    "Model",
    "Port",
    "Storage",
    "Resource",
    "ActionOutput",
    "JujuLogLine",
    "InjectRelation",
    "deferred",
    "next_relation_id",
    "relation_id_scope",
    "FIRST_SCOPED_RELATION_ID",
]

# Names of 3.1's meta-events (decomposed by scenario.sequences).
ATTACH_ALL_STORAGES = "ATTACH_ALL_STORAGES"
CREATE_ALL_RELATIONS = "CREATE_ALL_RELATIONS"
BREAK_ALL_RELATIONS = "BREAK_ALL_RELATIONS"
DETACH_ALL_STORAGES = "DETACH_ALL_STORAGES"
META_EVENTS = {
    CREATE_ALL_RELATIONS: "_relation_created",
    BREAK_ALL_RELATIONS: "_relation_broken",
    DETACH_ALL_STORAGES: "_storage_detaching",
    ATTACH_ALL_STORAGES: "_storage_attached",
}

RELATION_EVENTS_SUFFIX = (
    "_relation_created",
    "_relation_joined",
    "_relation_changed",
    "_relation_departed",
    "_relation_broken",
)
STORAGE_EVENTS_SUFFIX = ("_storage_attached", "_storage_detaching")
# Secret events are not prefixed by an entity name: the event name *is* the suffix.
SECRET_EVENTS = ("secret_changed", "secret_rotate", "secret_expired", "secret_remove")
# 3.1's name; its set held "_secret_changed"-style spellings that no event name ends with.
SECRET_EVENTS_SUFFIX = SECRET_EVENTS


def normalize_name(s: str) -> str:
    """Event names use underscores where Juju uses dashes."""
    return s.replace("-", "_")


# ---------------------------------------------------------------------------------------------
# relation ids
#
# 3.1 hands out relation ids from one process-wide counter. Inside a pytest test we want ids
# that do not depend on which tests ran before in the same worker, so the plugin opens a
# per-test scope (a context variable holding its own counter, starting at 1). Outside a scope
# (module-level objects, scripts) ids come from a process counter in a separate range, so
# the two can never collide in one State.
_OUT_OF_SCOPE_BASE = 100_001
# Where a test's automatic ids start: above the small ids tests set explicitly (3.1's process-wide
# counter had usually moved past them too), so an automatic id never takes an explicit one's
# place, whichever relation the test builds first.
FIRST_SCOPED_RELATION_ID = 1001
_process_relation_ids = itertools.count(_OUT_OF_SCOPE_BASE)


class _ScopedRelationIds:
    """A scope's automatic ids: counting from ``start``, past every id the test set itself."""

    def __init__(self, start: int) -> None:
        self._counter = itertools.count(start)
        self._taken: Set[int] = set()

    def claim(self, relation_id: int) -> None:
        self._taken.add(relation_id)

    def next(self) -> int:
        relation_id = next(self._counter)
        while relation_id in self._taken:
            relation_id = next(self._counter)
        self._taken.add(relation_id)
        return relation_id


_scoped_relation_ids: contextvars.ContextVar[Optional[_ScopedRelationIds]] = contextvars.ContextVar(
    "scenario_relation_ids", default=None
)


def next_relation_id() -> int:
    """The next automatic relation id (unique within the current test, or the process)."""
    scope = _scoped_relation_ids.get()
    return scope.next() if scope is not None else next(_process_relation_ids)


def _claim_relation_id(relation_id: int) -> None:
    """Keeps the current scope's automatic ids off an id a test gave explicitly."""
    scope = _scoped_relation_ids.get()
    if scope is not None:
        scope.claim(relation_id)


class relation_id_scope:
    """Context manager: relation ids created inside start again from ``start`` (1001 by default).

    The pytest plugin wraps every test in one, so ids are deterministic per test.
    """

    def __init__(self, start: int = FIRST_SCOPED_RELATION_ID):
        self._start = start
        self._token: Optional[contextvars.Token] = None

    def __enter__(self) -> "relation_id_scope":
        self._token = _scoped_relation_ids.set(_ScopedRelationIds(self._start))
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._token is not None
        _scoped_relation_ids.reset(self._token)
        self._token = None


_DC = TypeVar("_DC", bound="_DCBase")


@dataclasses.dataclass(frozen=True)
class _DCBase:
    def replace(self: _DC, *args: Any, **kwargs: Any) -> _DC:
        """A copy of this object with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, *args, **kwargs)

    def copy(self: _DC) -> _DC:
        """A deep copy of this object."""
        return copy.deepcopy(self)


def _stored_as(engine_name: Optional[str], **field_options: Any) -> Any:
    """A dataclass field the engine's State format (docs/state-format.md) holds under another
    name: ``engine_name``, or None for a Python-only field the engine never sees. Fields without
    it are held under their own name (the converter and tests/python/unit/test_schema.py read it).
    """
    return dataclasses.field(metadata={"engine": engine_name}, **field_options)


def _set(obj: object, name: str, value: Any) -> None:
    # normalising inputs in __post_init__ of a frozen dataclass
    object.__setattr__(obj, name, value)


_BRIEF = reprlib.Repr()
_BRIEF.maxstring = _BRIEF.maxother = 200  # only nesting and long containers are cut


def _brief(value: Any) -> str:
    """repr(value) for a message, bounded: a deeply nested value cannot exhaust the stack."""
    return _BRIEF.repr(value)


def _validate_databag(where: str, databag: Any) -> None:
    if not isinstance(databag, dict):
        raise StateValidationError(
            f"{where} must be a dict of str to str, not {type(databag).__name__}"
        )
    for key, value in databag.items():
        if not isinstance(key, str):
            raise StateValidationError(
                f"{where} has a non-string key {key!r} ({type(key).__name__}); "
                f"relation databag keys must be str"
            )
        if not isinstance(value, str):
            raise StateValidationError(
                f"{where}[{key!r}] is {_brief(value)} ({type(value).__name__}); relation databag "
                f"values must be str: serialise it first, e.g. json.dumps({_brief(value)})"
            )


# ---------------------------------------------------------------------------------------------
# secrets


@dataclasses.dataclass(frozen=True)
class Secret(_DCBase):
    """A Juju secret this unit can see.

    id: the secret URI, e.g. ``secret:0123456789abcdefghij``.
    contents: revision number -> content (a str -> str dict) of that revision.
    owner: ``'unit'`` or ``'app'`` if this unit/app owns it (``'application'`` is accepted and
        stored as ``'app'``); None if it belongs to someone else.
    granted: for a secret owned elsewhere, whether it was granted to this ``'unit'`` or ``'app'``;
        False if not granted.
    revision: the revision this unit tracks (what ``secret-get`` returns without --peek/--refresh).
    remote_grants: relation id -> names of the remote apps/units the owner granted it to.
    label, description, expire, rotate: the secret's metadata.
    """

    id: str
    contents: Dict[int, Dict[str, str]]
    owner: Literal["unit", "app", "application", None] = None
    granted: Literal["unit", "app", False] = False
    revision: int = 0
    remote_grants: Dict[int, Set[str]] = dataclasses.field(default_factory=dict)
    label: Optional[str] = None
    description: Optional[str] = None
    expire: Optional[datetime.datetime] = None
    rotate: SecretRotate = SecretRotate.NEVER

    def __post_init__(self):
        if self.owner == "application":
            _set(self, "owner", "app")
        if self.owner not in (None, "unit", "app"):
            raise StateValidationError(
                f"Secret {_brief(self.id)}: owner must be 'unit', 'app' or None, not {_brief(self.owner)}"
            )
        if self.granted in (None,):
            _set(self, "granted", False)
        if self.granted not in (False, "unit", "app"):
            raise StateValidationError(
                f"Secret {_brief(self.id)}: granted must be 'unit', 'app' or False, "
                f"not {_brief(self.granted)}"
            )
        if not isinstance(self.contents, dict):
            raise StateValidationError(
                f"Secret {_brief(self.id)}: contents must be a dict of revision -> content dict"
            )
        for rev, content in self.contents.items():
            if not isinstance(rev, int) or isinstance(rev, bool):
                raise StateValidationError(
                    f"Secret {_brief(self.id)}: contents key {rev!r} must be an int revision"
                )
            if not isinstance(content, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in content.items()
            ):
                raise StateValidationError(
                    f"Secret {_brief(self.id)}: contents[{rev}] must be a dict of str to str"
                )
        if isinstance(self.rotate, str):
            _set(self, "rotate", SecretRotate(self.rotate))
        grants = {}
        for rel_id, names in self.remote_grants.items():
            grants[rel_id] = set([names] if isinstance(names, str) else names)
        _set(self, "remote_grants", grants)

    def _event_for_this_unit(self, name: str) -> "Event":
        # Juju's rule is the engine's; the words are 3.1's
        if _engine.secret_event_goes_to_owner(name) != bool(self.owner):
            ownership = "owns" if self.owner else "does not own"
            raise ValueError(
                f"This unit will never receive {name.replace('_', '-')} for a secret it {ownership}."
            )
        return Event(name=name, secret=self)

    @property
    def changed_event(self) -> "Event":
        """A ``secret-changed`` event: the owner published a new revision (consumers only)."""
        return self._event_for_this_unit("secret_changed")

    @property
    def rotate_event(self) -> "Event":
        """A ``secret-rotate`` event: the secret is due for rotation (owners only)."""
        return self._event_for_this_unit("secret_rotate")

    @property
    def expired_event(self) -> "Event":
        """A ``secret-expired`` event (owners only).

        Set the expired revision with ``.replace(secret_revision=N)``; by default the engine
        uses the latest one.
        """
        return self._event_for_this_unit("secret_expired")

    @property
    def remove_event(self) -> "Event":
        """A ``secret-remove`` event: a revision is no longer tracked by anyone (owners only).

        Set the revision with ``.replace(secret_revision=N)``.
        """
        return self._event_for_this_unit("secret_remove")

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        # The id is required, but a test may leave it blank and rely on the label.
        return self.id if self.id or not self.label else f"label={self.label}"


# ---------------------------------------------------------------------------------------------
# relations


class ParametrizedEvent:
    """An event factory that accepts a remote unit (kept for 3.1 compatibility)."""

    def __init__(self, accept_params: Tuple[str, ...], category: str, *args: Any, **kwargs: Any):
        self._accept_params = accept_params
        self._category = category
        self._args = args
        self._kwargs = kwargs

    def __call__(self, remote_unit: Optional[int] = None) -> "Event":
        if remote_unit is not None and "remote_unit" not in self._accept_params:
            raise ValueError(
                f"cannot pass param `remote_unit` to a {self._category} event constructor."
            )
        return Event(*self._args, **self._kwargs, relation_remote_unit_id=remote_unit)

    def deferred(self, handler: Callable, event_id: int = 1) -> "DeferredEvent":
        return self().deferred(handler=handler, event_id=event_id)


_ABSTRACT_RELATION = (
    "RelationBase only holds what every relation has; use Relation, PeerRelation or "
    "SubordinateRelation"
)


@dataclasses.dataclass(frozen=True)
class RelationBase(_DCBase):
    """Fields every kind of relation has. Use Relation, PeerRelation or SubordinateRelation.

    endpoint: the relation endpoint name in metadata.yaml.
    interface: the interface name (optional; taken from metadata when omitted).
    relation_id: Juju's relation id; unique per State. Assigned automatically when omitted.
    local_app_data / local_unit_data: this app's and this unit's databags (str -> str).
    """

    endpoint: str
    interface: Optional[str] = None
    relation_id: int = dataclasses.field(default_factory=next_relation_id)
    local_app_data: Dict[str, str] = dataclasses.field(default_factory=dict)
    local_unit_data: Dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if type(self) is RelationBase:
            raise RuntimeError(
                "RelationBase cannot be instantiated directly; "
                "please use Relation, PeerRelation, or SubordinateRelation"
            )
        if not isinstance(self.endpoint, str) or not self.endpoint:
            raise StateValidationError(
                f"relation endpoint must be a non-empty str, not {_brief(self.endpoint)}"
            )
        if not isinstance(self.relation_id, int) or isinstance(self.relation_id, bool):
            raise StateValidationError(
                f"relation {_brief(self.endpoint)}: relation_id must be an int, "
                f"not {_brief(self.relation_id)}"
            )
        _claim_relation_id(self.relation_id)
        for label, databag in self._named_databags():
            _validate_databag(f"relation {self.endpoint}:{self.relation_id} {label}", databag)

    def _named_databags(self) -> Iterator[Tuple[str, Any]]:
        yield "local_app_data", self.local_app_data
        yield "local_unit_data", self.local_unit_data

    @property
    def _databags(self) -> Iterator[Dict[str, str]]:
        """Every databag of this relation."""
        for _, databag in self._named_databags():
            yield databag

    @property
    def _remote_unit_ids(self) -> Tuple[int, ...]:
        """Ids of the units on the other end of this relation (each subclass says)."""
        raise TypeError(_ABSTRACT_RELATION)

    def _get_databag_for_remote(self, unit_id: int) -> Dict[str, str]:
        """The databag of one remote unit (each subclass says)."""
        raise TypeError(_ABSTRACT_RELATION)

    def _event(self, suffix: str) -> "Event":
        return Event(name=normalize_name(f"{self.endpoint}-relation-{suffix}"), relation=self)

    @property
    def changed_event(self) -> "Event":
        """A ``<endpoint>-relation-changed`` event; call it to pick the remote unit."""
        return self._event("changed")

    @property
    def joined_event(self) -> "Event":
        """A ``<endpoint>-relation-joined`` event; call it to pick the remote unit."""
        return self._event("joined")

    @property
    def created_event(self) -> "Event":
        """A ``<endpoint>-relation-created`` event."""
        return self._event("created")

    @property
    def departed_event(self) -> "Event":
        """A ``<endpoint>-relation-departed`` event; call it to pick the remote/departing unit."""
        return self._event("departed")

    @property
    def broken_event(self) -> "Event":
        """A ``<endpoint>-relation-broken`` event."""
        return self._event("broken")

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return f"{self.endpoint}:{self.relation_id}"


def unify_ids_and_remote_units_data(
    ids: Sequence[int],
    data: Dict[int, Dict[str, str]],
    default: Sequence[int] = (0,),
    where: str = "remote_units_data",
) -> Tuple[List[int], Dict[int, Dict[str, str]]]:
    """Accept unit ids, databags keyed by unit id, or both (which must then agree).

    ``where`` names the relation and field in errors, e.g. ``PeerRelation('peers').peers_data``.
    """
    ids = list(ids)
    data = dict(data)
    if ids and data:
        if set(ids) != set(data):
            raise StateValidationError(
                f"{where}: remote unit ids {ids} and the unit ids of the databags {list(data)} "
                f"must be the same; pass one or the other, or make them agree"
            )
    elif ids:
        data = {unit_id: {} for unit_id in ids}
    elif data:
        ids = list(data)
    else:
        ids = list(default)
        data = {unit_id: {} for unit_id in ids}
    for unit_id in ids:
        if not isinstance(unit_id, int) or isinstance(unit_id, bool):
            raise StateValidationError(
                f"{where}: unit id {unit_id!r} must be an int (the unit's number: 1 for app/1)"
            )
    return ids, data


@dataclasses.dataclass(frozen=True)
class Relation(RelationBase):
    """A regular relation to a remote application.

    remote_app_name: name of the application on the other side.
    remote_unit_ids: ids of the remote units (default: one unit, ``0``).
    limit: the endpoint's ``limit`` (kept for 3.1 compatibility).
    remote_app_data: the remote application's databag.
    remote_units_data: remote unit id -> that unit's databag. Either this or remote_unit_ids
        may be omitted; when both are given they must name the same units.
    remote_model_uuid: the remote model for a cross-model relation (None: this model).
    """

    remote_app_name: str = "remote"
    remote_unit_ids: List[int] = _stored_as("remote_units_data", default_factory=list)  # its keys
    limit: int = 1
    remote_app_data: Dict[str, str] = dataclasses.field(default_factory=dict)
    remote_units_data: Dict[int, Dict[str, str]] = dataclasses.field(default_factory=dict)
    remote_model_uuid: Optional[str] = None

    _engine_kind: ClassVar[str] = "regular"  # the engine's relation kind

    def __post_init__(self):
        ids, data = unify_ids_and_remote_units_data(
            self.remote_unit_ids,
            self.remote_units_data,
            where=f"Relation({_brief(self.endpoint)}).remote_units_data",
        )
        _set(self, "remote_unit_ids", ids)
        _set(self, "remote_units_data", data)
        super().__post_init__()

    def _named_databags(self):
        yield from super()._named_databags()
        yield "remote_app_data", self.remote_app_data
        for unit_id, databag in self.remote_units_data.items():
            yield f"remote_units_data[{unit_id}]", databag

    @property
    def _remote_app_name(self) -> str:
        return self.remote_app_name

    @property
    def _remote_unit_ids(self) -> Tuple[int, ...]:
        return tuple(self.remote_unit_ids)

    def _get_databag_for_remote(self, unit_id: int) -> Dict[str, str]:
        return self.remote_units_data[unit_id]


@dataclasses.dataclass(frozen=True)
class SubordinateRelation(RelationBase):
    """The relation between a subordinate unit and its principal unit (``scope: container``).

    remote_app_data / remote_unit_data: the principal application's and unit's databags.
    remote_app_name / remote_unit_id: which principal unit this unit is attached to.
    """

    remote_app_data: Dict[str, str] = dataclasses.field(default_factory=dict)
    remote_unit_data: Dict[str, str] = _stored_as("remote_units_data", default_factory=dict)
    remote_app_name: str = "remote"
    remote_unit_id: int = _stored_as("remote_units_data", default=0)  # its one key

    _engine_kind: ClassVar[str] = "subordinate"  # the engine's relation kind

    def _named_databags(self):
        yield from super()._named_databags()
        yield "remote_app_data", self.remote_app_data
        yield "remote_unit_data", self.remote_unit_data

    @property
    def _remote_unit_ids(self) -> Tuple[int, ...]:
        return (self.remote_unit_id,)

    def _get_databag_for_remote(self, unit_id: int) -> Dict[str, str]:
        if unit_id != self.remote_unit_id:
            raise ValueError(
                f"invalid unit id ({unit_id}): subordinate relation only has one "
                f"remote and that has id {self.remote_unit_id}"
            )
        return self.remote_unit_data

    @property
    def remote_unit_name(self) -> str:
        """The principal unit's name, e.g. ``zookeeper/42``."""
        return f"{self.remote_app_name}/{self.remote_unit_id}"


@dataclasses.dataclass(frozen=True)
class PeerRelation(RelationBase):
    """A peer relation between this unit and the other units of its application.

    peers_data: peer unit id -> that unit's databag. This unit is never its own peer: by
        default there are no other peers.
    peers_ids: ids of the other peers (may be given instead of, or with, peers_data).
    """

    peers_data: Dict[int, Dict[str, str]] = _stored_as("remote_units_data", default_factory=dict)
    peers_ids: List[int] = _stored_as("remote_units_data", default_factory=list)  # its keys

    _engine_kind: ClassVar[str] = "peer"  # the engine's relation kind

    def __post_init__(self):
        ids, data = unify_ids_and_remote_units_data(
            self.peers_ids, self.peers_data, default=(), where=f"PeerRelation({_brief(self.endpoint)}).peers_data"
        )
        _set(self, "peers_ids", ids)
        _set(self, "peers_data", data)
        super().__post_init__()

    def _named_databags(self):
        yield from super()._named_databags()
        for unit_id, databag in self.peers_data.items():
            yield f"peers_data[{unit_id}]", databag

    @property
    def _remote_unit_ids(self) -> Tuple[int, ...]:
        return tuple(self.peers_ids)

    def _get_databag_for_remote(self, unit_id: int) -> Dict[str, str]:
        return self.peers_data[unit_id]


AnyRelation = Union[Relation, PeerRelation, SubordinateRelation]


# ---------------------------------------------------------------------------------------------
# model, networks


@dataclasses.dataclass(frozen=True)
class Model(_DCBase):
    """The Juju model the unit lives in.

    name / uuid: the model's name and UUID (deterministic defaults, so two default States are
        equal). type: ``'kubernetes'`` or ``'lxd'`` (machine models).
    """

    name: str = "scenario-model"
    uuid: str = "00000000-0000-4000-8000-000000000000"
    type: Literal["kubernetes", "lxd"] = "kubernetes"


@dataclasses.dataclass(frozen=True)
class Address(_DCBase):
    """One address of a bound network interface (as ``network-get`` shows it)."""

    hostname: str
    value: str
    cidr: str
    address: str = ""  # older Juju name of `value`


@dataclasses.dataclass(frozen=True)
class BindAddress(_DCBase):
    """A network interface a binding is bound to, with its addresses."""

    interface_name: str
    addresses: List[Address]
    mac_address: Optional[str] = None

    def hook_tool_output_fmt(self) -> Dict[str, Any]:
        """This interface as ``network-get`` prints it (see Network.hook_tool_output_fmt)."""
        network = Network(name="", bind_addresses=[self], ingress_addresses=[], egress_subnets=[])
        interface: Dict[str, Any] = network.hook_tool_output_fmt()["bind-addresses"][0]
        return interface


@dataclasses.dataclass(frozen=True)
class Network(_DCBase):
    """What ``network-get <name>`` returns for one binding (endpoint or extra-binding)."""

    name: str
    bind_addresses: List[BindAddress]
    ingress_addresses: List[str]
    egress_subnets: List[str]

    def hook_tool_output_fmt(self) -> Dict[str, Any]:
        """This network as the engine prints it: ``network-get --format=json``'s output in strict
        mode (SCENARIO_STRICT=1), ops-scenario 3.1's form of it by default (3.1 kept empty lists
        and each address's ``address`` as given, and printed ``mac-address`` only when set)."""
        output = _engine.network_get_output(
            _engine_form.network_to_engine(self), strict=strict_from_environment()
        )
        return cast(Dict[str, Any], output)

    @classmethod
    def default(
        cls,
        name: str,
        private_address: str = "1.1.1.1",
        hostname: str = "",
        cidr: str = "",
        interface_name: str = "",
        mac_address: Optional[str] = None,
        egress_subnets: Sequence[str] = ("1.1.1.2/32",),
        ingress_addresses: Sequence[str] = ("1.1.1.2",),
    ) -> "Network":
        """A network with one interface and one address, for when the details do not matter."""
        return cls(
            name=name,
            bind_addresses=[
                BindAddress(
                    interface_name=interface_name,
                    mac_address=mac_address,
                    addresses=[Address(hostname=hostname, value=private_address, cidr=cidr)],
                )
            ],
            egress_subnets=list(egress_subnets),
            ingress_addresses=list(ingress_addresses),
        )

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return self.name


# ---------------------------------------------------------------------------------------------
# containers


@dataclasses.dataclass(frozen=True)
class ExecOutput:
    """The mocked result of a command run with Pebble exec (see Container.exec_mock)."""

    return_code: int = 0
    stdout: str = ""
    stderr: str = ""


@dataclasses.dataclass(frozen=True)
class ExecRecord(_DCBase):
    """One command the charm ran with Pebble exec (output only: Container.exec_history)."""

    command: List[str]
    environment: Dict[str, str] = dataclasses.field(default_factory=dict)
    working_dir: Optional[str] = None
    user: Optional[str] = None
    user_id: Optional[int] = None
    group: Optional[str] = None
    group_id: Optional[int] = None
    timeout: Optional[float] = None
    stdin: str = ""
    return_code: int = 0


@dataclasses.dataclass(frozen=True)
class Mount(_DCBase):
    """A host directory (src) that appears at ``location`` inside the container."""

    location: Union[str, PurePosixPath]
    src: Union[str, Path]


@dataclasses.dataclass(frozen=True)
class File(_DCBase):
    """A file (or directory) seeded into a container's filesystem, with its metadata.

    content: text or bytes (ignored for directories). permissions: the mode bits.
    user/user_id/group/group_id: ownership as Pebble reports it. is_dir: a directory.
    """

    content: Union[str, bytes] = ""
    permissions: int = _engine_form.DEFAULT_FILE_PERMISSIONS
    user: Optional[str] = None
    user_id: Optional[int] = None
    group: Optional[str] = None
    group_id: Optional[int] = None
    is_dir: bool = False


@dataclasses.dataclass(frozen=True)
class Notice(_DCBase):
    """A Pebble notice recorded in a container."""

    key: str
    id: str = "1"
    type: str = "custom"
    first_occurred: str = ""
    last_occurred: str = ""
    last_repeated: str = ""
    occurrences: int = 1
    last_data: Dict[str, str] = dataclasses.field(default_factory=dict)
    repeat_after: Optional[float] = None
    expire_after: Optional[float] = None

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return self.key


@dataclasses.dataclass(frozen=True)
class CheckInfo(_DCBase):
    """The state of a Pebble health check (status ``'up'`` or ``'down'``)."""

    name: str
    level: str = ""
    status: str = "up"
    failures: int = 0
    threshold: int = 3
    startup: str = "enabled"

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return self.name


@dataclasses.dataclass(frozen=True)
class Container(_DCBase):
    """A workload container and the Pebble inside it.

    name: the container name in metadata.yaml.
    can_connect: whether Pebble answers (False: every Pebble call fails to connect).
    _base_plan: a plan (dict) the layers are added on top of.
    layers: label -> Pebble layer (ops.pebble.Layer or dict), in the order they were added.
    service_status: service name -> ops.pebble.ServiceStatus (default inactive).
    mounts: name -> Mount of host directories into the container.
    exec_mock: command (tuple of argv) -> ExecOutput the command produces.
    files: path -> content (str or bytes) or File, seeded into the container's filesystem.
    notices: Pebble notices. check_infos: health-check states.
    exec_history: (output only) the commands the charm ran, in order.
    """

    name: str
    can_connect: bool = False
    _base_plan: Dict[str, Any] = _stored_as("base_plan", default_factory=dict)
    layers: Dict[str, pebble.Layer] = dataclasses.field(default_factory=dict)
    service_status: Dict[str, pebble.ServiceStatus] = dataclasses.field(default_factory=dict)
    mounts: Dict[str, Mount] = dataclasses.field(default_factory=dict)
    exec_mock: Dict[Tuple[str, ...], ExecOutput] = dataclasses.field(default_factory=dict)
    files: Dict[str, Union[str, bytes, File]] = dataclasses.field(default_factory=dict)
    notices: List[Notice] = dataclasses.field(default_factory=list)
    check_infos: List[CheckInfo] = dataclasses.field(default_factory=list)
    exec_history: List[ExecRecord] = dataclasses.field(default_factory=list)

    def __post_init__(self):
        for path, value in self.files.items():
            if not isinstance(path, str) or not path.startswith("/"):
                raise StateValidationError(
                    f"container {_brief(self.name)}: files key {path!r} must be an absolute path str"
                )
            if not isinstance(value, (str, bytes, File)):
                raise StateValidationError(
                    f"container {_brief(self.name)}: files[{path!r}] must be str, bytes or File, "
                    f"not {type(value).__name__}"
                )
            # Pebble serves a mount's host directory there, so a file seeded there would never be seen.
            mount_name = self._mount_serving(path) if self.mounts else None
            if mount_name is not None:
                mount = self.mounts[mount_name]
                raise StateValidationError(
                    f"container {_brief(self.name)}: files[{path!r}] is inside mount "
                    f"{mount_name!r} ({mount.location} -> {mount.src}); write it into the "
                    f"host directory instead, or seed it outside the mount"
                )
        for command in self.exec_mock:
            if not isinstance(command, tuple) or not all(isinstance(a, str) for a in command):
                raise StateValidationError(
                    f"container {_brief(self.name)}: exec_mock key {command!r} must be a tuple of "
                    f"str, e.g. ('ls', '-l')"
                )

    def _mount_serving(self, path: str) -> Optional[str]:
        """The name of the mount whose host directory Pebble serves at ``path`` (the engine
        answers), or None."""
        mounts = _engine_form.mounts_to_engine(self.mounts)
        return _engine_form.with_documents(lambda: _engine.container_mount_at(mounts, path), mounts=mounts)

    def _ask_engine(self, question: Callable[[Dict[str, Any]], Any]) -> Any:
        """``question``'s answer about this container in the engine's form (Pebble's view)."""
        document = _engine_form.container_to_engine(self)
        where = f"container {self.name!r}"
        return _engine_form.with_documents(lambda: question(document), **{where: document})

    def _plan_yaml(self) -> str:
        # Pebble computes plans (override merge/replace, validation): ask the engine.
        plan: str = self._ask_engine(_engine.container_plan)
        return plan

    @property
    def plan(self) -> pebble.Plan:
        """The plan Pebble would report: the base plan with every layer applied in order."""
        return pebble.Plan(self._plan_yaml())

    @property
    def services(self) -> Dict[str, pebble.ServiceInfo]:
        """Services of the plan as Pebble lists them (the engine answers), with their status
        from service_status."""
        listed = self._ask_engine(_engine.container_services)
        return {info["name"]: pebble.ServiceInfo.from_dict(info) for info in sorted(listed, key=lambda i: i["name"])}

    @property
    def filesystem(self) -> "_FilesystemView":
        """A read-only view of this container's files (seeded/pushed files, then mounts)."""
        return _FilesystemView(self)

    def get_notice(self, key: str) -> Notice:
        """The notice with this key."""
        for notice in self.notices:
            if notice.key == key:
                return notice
        raise KeyError(f"container {_brief(self.name)} has no notice with key {key!r}")

    def get_check_info(self, name: str) -> CheckInfo:
        """The check info with this name."""
        for info in self.check_infos:
            if info.name == name:
                return info
        raise KeyError(f"container {_brief(self.name)} has no check info named {name!r}")

    @property
    def pebble_ready_event(self) -> "Event":
        """A ``<container>-pebble-ready`` event."""
        if not self.can_connect:
            logger.warning(
                "you **can** fire pebble-ready while the container cannot connect, "
                "but that's most likely not what you want."
            )
        return Event(name=normalize_name(self.name + "-pebble-ready"), container=self)

    def custom_notice_event(self, notice: Notice) -> "Event":
        """A ``<container>-pebble-custom-notice`` event for one of this container's notices."""
        return Event(
            name=normalize_name(self.name + "-pebble-custom-notice"),
            container=self,
            notice=notice,
        )

    def check_failed_event(self, check: CheckInfo) -> "Event":
        """A ``<container>-pebble-check-failed`` event."""
        return Event(
            name=normalize_name(self.name + "-pebble-check-failed"),
            container=self,
            check_info=check,
        )

    def check_recovered_event(self, check: CheckInfo) -> "Event":
        """A ``<container>-pebble-check-recovered`` event."""
        return Event(
            name=normalize_name(self.name + "-pebble-check-recovered"),
            container=self,
            check_info=check,
        )

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return self.name


class _FilesystemView:
    """Read access to a Container's files as Pebble serves them to the charm (the engine
    answers): its ``files`` entries and, under a mount's location, the mount's host directory."""

    def __init__(self, container: "Container"):
        self._container = container

    def _info(self, path: str) -> Dict[str, Any]:
        info: Dict[str, Any] = self._container._ask_engine(lambda c: _engine.container_file_info(c, path))
        return info

    def exists(self, path: Union[str, PurePosixPath]) -> bool:
        return "type" in self._info(str(path))  # a file info, not Pebble's error

    def read_bytes(self, path: Union[str, PurePosixPath]) -> bytes:
        path = str(path)
        got = self._container._ask_engine(lambda c: _engine.container_file(c, path))
        if isinstance(got, bytes):
            return got
        if got.get("kind") == "not-found":
            raise FileNotFoundError(f"container {self._container.name!r} has no file {path}: {got['message']}")
        if self._info(path).get("type") == "directory":
            raise IsADirectoryError(path)
        raise OSError(f"container {self._container.name!r}: {got['message']}")

    def open(
        self, path: Union[str, PurePosixPath], encoding: Optional[str] = "utf-8"
    ) -> Union["io.BytesIO", "io.StringIO"]:
        """The file's content as a text (or, with encoding=None, binary) stream."""
        data = self.read_bytes(path)
        return io.BytesIO(data) if encoding is None else io.StringIO(data.decode(encoding))


# ---------------------------------------------------------------------------------------------
# status


class _EntityStatus:
    """A status as ops-scenario 3.1's ``State.status`` held it (mixed into ops' status classes).

    Each value is an instance of the ops class it stands for (``ActiveStatus``...), equal to
    any ops status of the same name and message, and, as in 3.1, also to a ``(name, message)``
    tuple and unpackable as ``name, message = status`` (both deprecated).
    ``_status_to_entitystatus`` makes one from an ops status.
    """

    __slots__ = ()
    name: str
    message: str

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, StatusBase):
            return (self.name, self.message) == (other.name, other.message)
        if isinstance(other, tuple):
            warnings.warn(
                "comparing a status with a (name, message) tuple is deprecated; compare with "
                f"an ops status instead, e.g. {_status_repr(self)}",
                DeprecationWarning,
                stacklevel=2,
            )
            return (self.name, self.message) == other
        return NotImplemented

    def __iter__(self) -> Iterator[str]:
        warnings.warn(
            "unpacking a status into (name, message) is deprecated; read its .name and "
            ".message instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return iter((self.name, self.message))

    def __reduce__(self):
        # Pickled as the plain ops status it stands for: the mixed class is made at run time.
        return _status_to_entitystatus, (_plain_status(self),)


# ops status class -> the same class with _EntityStatus mixed in; filled on first use.
_ENTITY_STATUS_CLASSES: Dict[type, type] = {}


def _status_repr(status: StatusBase) -> str:
    return "UnknownStatus()" if status.name == "unknown" else f"{type(status).__name__}({status.message!r})"


def _plain_status(status: StatusBase) -> StatusBase:
    """The ops status an _EntityStatus stands for (an instance of ops' own class)."""
    ops_class = next(c for c in type(status).__mro__[1:] if not issubclass(c, _EntityStatus))
    plain = ops_class.__new__(ops_class)
    plain.__dict__.update(status.__dict__)
    return plain


def _entity_status_class(ops_class: type) -> type:
    entity_class = _ENTITY_STATUS_CLASSES.get(ops_class)
    if entity_class is None:
        # ops 3 registers every StatusBase subclass by name for StatusBase.from_name, which
        # the charm's ops uses too: put ops' own classes back.
        registry = getattr(StatusBase, "_statuses", None)
        registered = dict(registry) if registry is not None else None
        entity_class = type(
            ops_class.__name__,  # ops' repr shows the class name: ActiveStatus('ready')
            (_EntityStatus, ops_class),
            {"__module__": __name__, "__qualname__": f"_EntityStatus[{ops_class.__name__}]"},
        )
        if registry is not None:
            registry.clear()
            registry.update(registered)
        _ENTITY_STATUS_CLASSES[ops_class] = entity_class
    return entity_class


def _status_to_entitystatus(obj: StatusBase) -> StatusBase:
    """``obj`` as a status of 3.1's ``State.status`` (see _EntityStatus); the same ops class."""
    if isinstance(obj, _EntityStatus):
        return obj
    entity = object.__new__(_entity_status_class(type(obj)))
    entity.__dict__.update(obj.__dict__)
    return entity


def _to_status(where: str, value: Any) -> StatusBase:
    if isinstance(value, StatusBase):
        return _status_to_entitystatus(value)
    if isinstance(value, tuple) and len(value) in (1, 2):
        logger.warning(
            "Initializing Status.[app/unit] with Tuple[str, str] is deprecated; "
            "pass a StatusBase instance, e.g. ActiveStatus('msg')"
        )
        name, message = (value + ("",))[:2]
        try:
            return _status_to_entitystatus(StatusBase.from_name(name, message))
        except KeyError:
            pass
    raise StateValidationError(
        f"{where} must be an ops StatusBase (e.g. ActiveStatus('ready')), not {_brief(value)}"
    )


@dataclasses.dataclass(frozen=True)
class Status(_DCBase):
    """The statuses of this unit and its application.

    app / unit: the current statuses (ops StatusBase instances).
    workload_version: what ``application-version-set`` last set.
    app_history / unit_history: the previous statuses, oldest first (the current one excluded).
    previous_workload_version: the workload version before the last change, if it changed.
    """

    app: StatusBase = dataclasses.field(default_factory=UnknownStatus)
    unit: StatusBase = dataclasses.field(default_factory=UnknownStatus)
    workload_version: str = ""
    app_history: List[StatusBase] = dataclasses.field(default_factory=list)
    unit_history: List[StatusBase] = dataclasses.field(default_factory=list)
    previous_workload_version: Optional[str] = None

    def __post_init__(self):
        _set(self, "app", _to_status("Status.app", self.app))
        _set(self, "unit", _to_status("Status.unit", self.unit))
        _set(
            self,
            "app_history",
            [_to_status(f"Status.app_history[{i}]", s) for i, s in enumerate(self.app_history)],
        )
        _set(
            self,
            "unit_history",
            [_to_status(f"Status.unit_history[{i}]", s) for i, s in enumerate(self.unit_history)],
        )


# ---------------------------------------------------------------------------------------------
# unit state: stored state, deferred events


@dataclasses.dataclass(frozen=True)
class StoredState(_DCBase):
    """The content of one ops StoredState.

    owner_path: the ``/``-separated path of the Object owning it (e.g. ``MyCharm`` or
        ``MyCharm/MyLib``); None for the Framework itself.
    name: the attribute name of the StoredState on its owner.
    content: the stored values (anything ops can store: str, int, float, bool, None, bytes,
        lists, tuples, sets, frozensets, dicts).
    """

    owner_path: Optional[str] = None
    name: str = "_stored"
    content: Dict[str, Any] = dataclasses.field(default_factory=dict)
    data_type_name: str = "StoredStateData"

    @property
    def handle_path(self) -> str:
        return f"{self.owner_path or ''}/{self.data_type_name}[{self.name}]"

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return f"{self.owner_path}/{self.name}" if self.owner_path else self.name


@dataclasses.dataclass(frozen=True)
class DeferredEvent(_DCBase):
    """An event waiting in ops' queue because a handler deferred it in an earlier run.

    handle_path: the event's handle, e.g. ``MyCharm/on/start[1]``.
    owner: the name of the Object whose method observes it, e.g. ``MyCharm``.
    observer: the observing method's name, e.g. ``_on_start``.
    snapshot_data: what the event saved (ops' ``snapshot()``), e.g. the relation id.
    """

    handle_path: str
    owner: str
    observer: str
    snapshot_data: Dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.handle_path.split("/")[-1].split("[")[0]

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return self.handle_path


# ---------------------------------------------------------------------------------------------
# beyond 3.1: ports, storages, resources, action output, juju-log lines


@dataclasses.dataclass(frozen=True)
class Port(_DCBase):
    """A port this unit has opened: protocol ``'tcp'``, ``'udp'`` or ``'icmp'`` (port None).
    ``to_port`` makes it the range ``port``..``to_port``, as ``open-port 8000-8002/tcp`` opens on
    machine models."""

    protocol: Literal["tcp", "udp", "icmp"] = "tcp"
    port: Optional[int] = None
    to_port: Optional[int] = dataclasses.field(default=None, kw_only=True)

    def __post_init__(self):
        where = f"Port({_brief(self.protocol)}, {_brief(self.port)}" + (
            f", to_port={_brief(self.to_port)})" if self.to_port is not None else ")"
        )
        if not isinstance(self.protocol, str):
            raise StateValidationError(f"{where}: protocol must be a str: 'tcp', 'udp' or 'icmp'")
        for name, value in (("port", self.port), ("to_port", self.to_port)):
            if value is not None and not (isinstance(value, int) and -(2**63) <= value < 2**63):
                raise StateValidationError(f"{where}: {name} must be an int (1-65535), or None")
        problem = _engine.opened_port_problem(self.protocol, self.port, self.to_port)  # Juju's rule
        if problem:
            raise StateValidationError(f"{where}: {problem}")

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        if self.port is None:
            return self.protocol
        if self.to_port is None:
            return f"{self.protocol}:{self.port}"
        return f"{self.protocol}:{self.port}-{self.to_port}"


@dataclasses.dataclass(frozen=True)
class Storage(_DCBase):
    """An attached storage instance: the storage name in metadata, its index, and the host
    directory it is mounted at (empty: the engine picks one)."""

    name: str
    index: int = 0
    location: str = ""

    @property
    def attached_event(self) -> "Event":
        """A ``<name>-storage-attached`` event."""
        return Event(name=normalize_name(self.name + "-storage-attached"), storage=self)

    @property
    def detaching_event(self) -> "Event":
        """A ``<name>-storage-detaching`` event."""
        return Event(name=normalize_name(self.name + "-storage-detaching"), storage=self)

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return f"{self.name}/{self.index}"


@dataclasses.dataclass(frozen=True)
class Resource(_DCBase):
    """A charm resource: ``resource-get <name>`` returns ``path``."""

    name: str
    path: Union[str, Path]

    def _diff_key(self) -> str:
        """How a diff tells this item apart in a list (docs/state-diff.md)."""
        return self.name


@dataclasses.dataclass(frozen=True)
class ActionOutput(_DCBase):
    """What an action produced (output only: State.action_output after an action event).

    results: what ``action-set`` set (nested dict). logs: ``action-log`` messages in order.
    failure_message: the ``action-fail`` message, or None if the action did not fail.
    """

    results: Dict[str, Any] = dataclasses.field(default_factory=dict)
    logs: List[str] = dataclasses.field(default_factory=list)
    failure_message: Optional[str] = None

    @property
    def success(self) -> bool:
        return self.failure_message is None


class JujuLogLine(NamedTuple):
    """One ``juju-log`` call: a (level, message) pair, equal to the plain tuple 3.1 used."""

    level: str
    message: str


# ---------------------------------------------------------------------------------------------
# state


@dataclasses.dataclass(frozen=True)
class State(_DCBase):
    """Everything Juju and Pebble hold for one unit, as the charm can observe it.

    config: charm config values (defaults from config.yaml are applied by the engine).
    relations: the relations of this unit. networks: network-get answers per binding.
    containers: workload containers. status: app/unit status and workload version.
    leader: whether this unit is the leader. model: the Juju model.
    juju_log: (output) juju-log lines as (level, message).
    secrets: the secrets this unit can see. unit_id: this unit's number (``<app>/<unit_id>``).
    deferred: events deferred in earlier runs, re-emitted before the event (and, on output,
        events the charm deferred). stored_state: ops StoredState contents.
    opened_ports: ports this unit has opened. storages: attached storage instances.
    resources: charm resources. planned_units: ``goal-state``'s planned unit count.
    action_output: (output only) what the action did, after an action event; else None.
    """

    config: Dict[str, Union[str, int, float, bool]] = dataclasses.field(default_factory=dict)
    relations: List[AnyRelation] = dataclasses.field(default_factory=list)
    networks: List[Network] = dataclasses.field(default_factory=list)
    containers: List[Container] = dataclasses.field(default_factory=list)
    status: Status = dataclasses.field(default_factory=Status)
    leader: bool = False
    model: Model = dataclasses.field(default_factory=Model)
    juju_log: List[JujuLogLine] = dataclasses.field(default_factory=list)
    secrets: List[Secret] = dataclasses.field(default_factory=list)
    unit_id: int = 0
    deferred: List[DeferredEvent] = dataclasses.field(default_factory=list)
    stored_state: List[StoredState] = dataclasses.field(default_factory=list)
    opened_ports: List[Port] = dataclasses.field(default_factory=list)
    storages: List[Storage] = dataclasses.field(default_factory=list)
    resources: List[Resource] = dataclasses.field(default_factory=list)
    planned_units: int = 1
    action_output: Optional[ActionOutput] = _stored_as("action", default=None)

    def __post_init__(self):
        checks = (
            ("relations", RelationBase),
            ("networks", Network),
            ("containers", Container),
            ("secrets", Secret),
            ("deferred", DeferredEvent),
            ("stored_state", StoredState),
            ("opened_ports", Port),
            ("storages", Storage),
            ("resources", Resource),
        )
        for field_name, cls in checks:
            value = getattr(self, field_name)
            if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
                raise StateValidationError(
                    f"State.{field_name} must be a list of {cls.__name__}, "
                    f"not {type(value).__name__}"
                )
            value = list(value)
            for i, item in enumerate(value):
                if not isinstance(item, cls):
                    raise StateValidationError(
                        f"State.{field_name}[{i}] must be a {cls.__name__}, not {item!r}"
                    )
            _set(self, field_name, value)
        if not isinstance(self.status, Status):
            raise StateValidationError(f"State.status must be a Status, not {_brief(self.status)}")
        if not isinstance(self.config, dict):
            raise StateValidationError(f"State.config must be a dict, not {_brief(self.config)}")
        _set(self, "juju_log", [JujuLogLine(*line) for line in self.juju_log])
        if not isinstance(self.unit_id, int) or isinstance(self.unit_id, bool) or self.unit_id < 0:
            raise StateValidationError(f"State.unit_id must be an int >= 0, not {_brief(self.unit_id)}")

    def with_can_connect(self, container_name: str, can_connect: bool) -> "State":
        """A copy with one container's can_connect changed."""
        containers = [
            c.replace(can_connect=can_connect) if c.name == container_name else c
            for c in self.containers
        ]
        return self.replace(containers=containers)

    def with_leadership(self, leader: bool) -> "State":
        """A copy with leadership set."""
        return self.replace(leader=leader)

    def with_unit_status(self, status: StatusBase) -> "State":
        """A copy with the unit status set."""
        return self.replace(status=self.status.replace(unit=status))

    def get_container(self, container: Union[str, Container]) -> Container:
        """The container with this name (or the same name as the given container)."""
        name = container.name if isinstance(container, Container) else container
        for c in self.containers:
            if c.name == name:
                return c
        raise ValueError(f"container: {name}")

    def get_relations(self, endpoint: str) -> Tuple[AnyRelation, ...]:
        """The relations on an endpoint (dashes and underscores are equivalent)."""
        wanted = normalize_name(endpoint)
        return tuple(r for r in self.relations if normalize_name(r.endpoint) == wanted)

    def get_relation(self, relation_id: int) -> AnyRelation:
        """The relation with this id."""
        for r in self.relations:
            if r.relation_id == relation_id:
                return r
        raise ValueError(f"relation id {relation_id} is not in this State")

    def get_secret(self, id: Optional[str] = None, label: Optional[str] = None) -> Secret:
        """The secret with this id (or label)."""
        for s in self.secrets:
            if (id is not None and s.id == id) or (label is not None and s.label == label):
                return s
        raise ValueError(f"no secret with id={id!r} label={label!r} in this State")

    def get_stored_state(self, name: str, owner_path: Optional[str] = None) -> StoredState:
        """The StoredState with this name and owner."""
        for s in self.stored_state:
            if s.name == name and s.owner_path == owner_path:
                return s
        raise ValueError(f"no stored state {name!r} (owner {owner_path!r}) in this State")

    def jsonpatch_delta(self, other: "State") -> List[Dict[str, Any]]:
        """The JSON patch (sorted by path) that turns ``other`` into this State, over the
        States' JSON form (the engine's, docs/state-format.md)."""
        try:
            import jsonpatch
        except ModuleNotFoundError:
            logger.error("State.jsonpatch_delta needs jsonpatch: pip install jsonpatch")
            return NotImplemented
        patch = jsonpatch.make_patch(
            _engine_form.state_to_engine(other), _engine_form.state_to_engine(self)
        ).patch
        return sort_patch(patch)

    def diff(self, other: "State") -> List[str]:
        """What differs between this State (left) and ``other`` (right), one line per field.

        Lines read ``relations[db:1].local_unit_data['port']: '80' != '8080'``; equal fields are
        left out, so an empty list means the States are equal (see docs/state-diff.md).
        """
        return _diff.diff(self, other)


def sort_patch(patch: List[Dict[str, Any]], key=lambda obj: obj["path"] + obj["op"]):
    return sorted(patch, key=key)


# ---------------------------------------------------------------------------------------------
# charm spec


@dataclasses.dataclass(frozen=True)
class _CharmSpec(_DCBase):
    """A charm type with its metadata, config and actions (ops-scenario 3.1's charm spec).

    meta / actions / config: the metadata.yaml, actions.yaml and config.yaml documents.
    is_autoloaded: whether they were read from the charm's own directory (``autoload``).
    ``Context.charm_spec`` is one of these.
    """

    charm_type: Type["ops.CharmBase"]
    meta: Optional[Dict[str, Any]]
    actions: Optional[Dict[str, Any]] = None
    config: Optional[Dict[str, Any]] = None
    is_autoloaded: bool = False

    @staticmethod
    def autoload(charm_type: Type["ops.CharmBase"]) -> "_CharmSpec":
        """The spec read from the charm's root: the directory above the one holding its source
        (charmcraft.yaml, else metadata.yaml with config.yaml and actions.yaml)."""
        spec = _engine_form.load_spec(charm_type, None, None, None)
        return _CharmSpec._from_engine(charm_type, spec, is_autoloaded=True)

    @staticmethod
    def _from_engine(
        charm_type: Type["ops.CharmBase"], spec: _engine.CharmSpec, is_autoloaded: bool
    ) -> "_CharmSpec":
        """The spec of an engine charm spec (its documents as given)."""
        return _CharmSpec(
            charm_type=charm_type,
            meta=json.loads(spec.meta_json),
            actions=json.loads(spec.actions_json),
            config=json.loads(spec.config_json),
            is_autoloaded=is_autoloaded,
        )


# ---------------------------------------------------------------------------------------------
# events


@dataclasses.dataclass(frozen=True)
class Event(_DCBase):
    """The event fired on the charm.

    name: the ops event name (``start``, ``db_relation_changed``, ``backup_action``...);
        dashes become underscores.
    args / kwargs: kept for 3.1 compatibility (unused).
    relation: the relation of a relation event. relation_remote_unit_id: the remote unit it is
        about (None: the engine picks the only/first one). relation_departed_unit_id: the unit
        leaving, for relation-departed (None: the remote unit).
    secret / secret_revision: the secret (and revision) of a secret event.
    container: the container of a workload event; notice / check_info for notice and check
        events. storage: the storage of a storage event.
    params / action_id: the parameters and id of an action event (``<action>_action``).
    """

    name: str
    args: Tuple[Any, ...] = _stored_as(None, default=())
    kwargs: Dict[str, Any] = _stored_as(None, default_factory=dict)
    relation: Optional[AnyRelation] = _stored_as("relation_id", default=None)
    relation_remote_unit_id: Optional[int] = None
    secret: Optional[Secret] = _stored_as("secret_id", default=None)
    container: Optional[Container] = None  # by its name
    relation_departed_unit_id: Optional[int] = None
    secret_revision: Optional[int] = None
    notice: Optional[Notice] = _stored_as("notice_id", default=None)
    check_info: Optional[CheckInfo] = _stored_as("check_name", default=None)
    storage: Optional[Storage] = _stored_as("storage_name", default=None)  # and storage_index
    params: Dict[str, Any] = _stored_as("action_params", default_factory=dict)
    action_id: Optional[str] = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise StateValidationError(f"Event name must be a non-empty str, not {_brief(self.name)}")
        if not self.name.isascii():
            try:
                self.name.encode("utf-8")
            except UnicodeEncodeError:
                raise StateValidationError(
                    f"Event name {_brief(self.name)} holds a lone surrogate; use valid Unicode"
                ) from None
        if "-" in self.name:
            logger.debug("event name %r: dashes become underscores", self.name)
        _set(self, "name", normalize_name(self.name))
        if self.params and not self._is_action_event:
            raise StateValidationError(
                f"Event {_brief(self.name)}: params are only for action events (named <action>_action)"
            )

    def __call__(
        self,
        remote_unit_id: Optional[int] = None,
        departed_unit_id: Optional[int] = None,
    ) -> "Event":
        """This relation event about a given remote unit (and departing unit)."""
        if (remote_unit_id is not None or departed_unit_id is not None) and (
            not self._is_relation_event
        ):
            raise ValueError(
                "cannot pass param `remote_unit_id` to a non-relation event constructor."
            )
        return self.replace(
            relation_remote_unit_id=remote_unit_id,
            relation_departed_unit_id=departed_unit_id,
        )

    @property
    def _kind(self) -> str:
        """lifecycle, relation, workload, storage, action, secret or custom (the engine's
        reading of the name)."""
        return _engine.event_kind(self.name)[0]

    @property
    def _is_relation_event(self) -> bool:
        return self._kind == "relation"

    @property
    def _is_secret_event(self) -> bool:
        return self._kind == "secret"

    @property
    def _is_storage_event(self) -> bool:
        return self._kind == "storage"

    @property
    def _is_workload_event(self) -> bool:
        return self._kind == "workload"

    @property
    def _is_action_event(self) -> bool:
        return self._kind == "action"

    def _is_builtin_event(self, charm_spec: "_CharmSpec") -> bool:
        """Whether Juju fires this event on the charm of ``charm_spec`` (else it is custom).

        Lifecycle and secret events always; relation, workload, storage and action events when
        the spec declares their relation, container, storage or action.
        """
        return _engine.is_charm_event(_engine_form.charm_spec_to_engine(charm_spec), self.name)

    def deferred(self, handler: Callable, event_id: int = 1) -> DeferredEvent:
        """The DeferredEvent this event becomes when ``handler`` defers it.

        The handler must be a method of the observing Object's class (``MyCharm._on_start``);
        snapshot_data holds what ops' own ``snapshot()`` would save for this kind of event.
        """
        qualname = getattr(handler, "__qualname__", None)
        if not qualname or "." not in qualname:
            raise ValueError(
                f"cannot construct DeferredEvent from {handler!r}; pass a method such as "
                f"MyCharm._on_start, or create a DeferredEvent manually."
            )
        owner_name, handler_name = qualname.split(".")[-2:]
        handle_path = f"{owner_name}/on/{self.name}[{event_id}]"
        return DeferredEvent(handle_path, owner_name, handler_name, self._snapshot_data())

    def _snapshot_data(self) -> Dict[str, Any]:
        """What ops saves for this event when a handler defers it (the engine builds it)."""
        missing = (
            (self._is_workload_event and self.container is None and "workload", "container"),
            (self._is_relation_event and self.relation is None and "relation", "relation"),
            (self._is_secret_event and self.secret is None and "secret", "secret"),
            (self._is_storage_event and self.storage is None and "storage", "storage"),
        )
        for kind, argument in missing:
            if kind:
                raise ValueError(f"{self.name} is a {kind} event; pass {argument}=")
        state_document, event_document = _engine_form.snapshot_documents(self)
        return _engine_form.with_documents(
            lambda: _engine.deferred_snapshot(state_document, event_document),
            state=state_document,
            event=event_document,
        )


def deferred(
    event: Union[str, Event],
    handler: Callable,
    event_id: int = 1,
    relation: Optional[AnyRelation] = None,
    container: Optional[Container] = None,
) -> DeferredEvent:
    """A DeferredEvent from an Event or an event name (with its relation or container)."""
    if isinstance(event, str):
        event = Event(event, relation=relation, container=container)
    return event.deferred(handler=handler, event_id=event_id)


@dataclasses.dataclass(frozen=True)
class Inject(_DCBase):
    """Placeholder for an object only the runtime can build (3.1 compatibility; unused)."""


@dataclasses.dataclass(frozen=True)
class InjectRelation(Inject):
    relation_name: str
    relation_id: Optional[int] = None
