"""Conversion between the Python State/Event and the engine's JSON (docs/state-format.md).

`state_to_engine` and `event_to_engine` produce plain JSON-ready dicts; `state_from_engine`
turns the engine's output back into Python objects of the same types the input used
(Relation vs PeerRelation, ops StatusBase instances, sets, bytes, pebble Layers...), taking
the input State as a template: any part the run left unchanged comes back as the very same
object, so converting a State there and back gives an equal State.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import functools
import json
import math
import operator
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, TypeVar

from ops import pebble
from ops.model import SecretRotate, StatusBase

from scenario import _engine
from scenario.errors import MetadataError, StateValidationError
from scenario.state import (
    ActionOutput,
    Address,
    BindAddress,
    CheckInfo,
    Container,
    DeferredEvent,
    Event,
    ExecOutput,
    ExecRecord,
    File,
    JujuLogLine,
    Model,
    Mount,
    Network,
    Notice,
    PeerRelation,
    Port,
    Relation,
    RelationBase,
    Resource,
    Secret,
    State,
    Status,
    Storage,
    StoredState,
    SubordinateRelation,
    _CharmSpec,
    _status_to_entitystatus,
)

__all__ = [
    "with_documents",
    "state_to_engine",
    "event_to_engine",
    "state_from_engine",
    "spec_to_engine",
    "charm_spec_to_engine",
    "charm_spec_from_engine",
    "encode_value",
    "decode_value",
]

T = TypeVar("T")

# The engine struct (docs/state-format.md, `_engine.state_schema()`) each dataclass is stored as,
# with the struct's fields no field of the dataclass holds and where their value comes from.
# Every other field is held by the dataclass field of the same name, or of the name in its
# metadata (state._stored_as). tests/python/unit/test_schema.py checks this table both ways.
ENGINE_STRUCTS: Dict[type, Tuple[str, Dict[str, str]]] = {
    State: ("state", {}),
    Relation: ("relation", {"kind": "the class"}),
    PeerRelation: (
        "relation",
        {
            "kind": "the class",
            "remote_app_name": "none: a peer's remote application is this one",
            "limit": "none: the engine's default",
            "remote_app_data": "none: a peer has no remote application databag",
            "remote_model_uuid": "none: peers are in this model",
        },
    ),
    SubordinateRelation: (
        "relation",
        {
            "kind": "the class",
            "limit": "none: the engine's default",
            "remote_model_uuid": "none: a principal is in this model",
        },
    ),
    Network: ("network", {}),
    BindAddress: ("bind_address", {}),
    Address: ("address", {}),
    Container: ("container", {}),
    Mount: ("mount", {}),
    ExecOutput: ("exec_output", {"command": "its key in Container.exec_mock"}),
    File: ("file", {"path": "its key in Container.files", "encoding": "the content's type"}),
    Notice: ("notice", {}),
    CheckInfo: ("check_info", {}),
    ExecRecord: ("exec_record", {}),
    Status: ("status", {}),
    Model: ("model", {}),
    Secret: ("secret", {}),
    DeferredEvent: ("deferred_event", {}),
    StoredState: ("stored_state", {}),
    Port: ("opened_port", {}),
    Storage: ("storage", {}),
    Resource: ("resource", {}),
    ActionOutput: ("action_output", {}),
    Event: ("event", {"storage_index": "Event.storage"}),
}


@functools.lru_cache(maxsize=None)
def engine_fields(cls: type) -> Tuple[Tuple[str, str], ...]:
    """(Python name, engine name) of each field of dataclass ``cls`` the engine holds."""
    pairs = ((f.name, f.metadata.get("engine", f.name)) for f in dataclasses.fields(cls))
    return tuple((name, engine) for name, engine in pairs if engine is not None)


def fields_to_engine(obj: Any) -> Dict[str, Any]:
    """The engine's form of a dataclass whose fields the engine holds as they are."""
    return {engine: getattr(obj, name) for name, engine in engine_fields(type(obj))}


def fields_from_engine(cls: Callable[..., T], d: Dict[str, Any]) -> T:
    """``cls`` from the engine's form of it (fields the engine holds as they are)."""
    return cls(**{name: d[engine] for name, engine in engine_fields(cls) if engine in d})  # type: ignore[arg-type]

# ---------------------------------------------------------------------------------------------
# tagged values (StoredState content, deferred snapshot data)

_TAGS = ("$set", "$frozenset", "$tuple", "$bytes", "$dict", "$int", "$float")

# Integers the engine reads and writes as plain JSON numbers (int64 and uint64); any other is
# {"$int": "<decimal>"}, since a JSON parser would make it a float.
_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1
# The floats JSON has no literal for, by their tag text.
_FLOAT_TAGS = frozenset({"nan", "inf", "-inf"})


def _sorted_if_possible(items: Iterable[Any]) -> List[Any]:
    items = list(items)
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


def encode_value(value: Any, where: str = "value", level: int = 1) -> Any:
    """A Python value ops can store, as tagged JSON; StateValidationError for anything else.

    ``level``: how deep ``value`` is in its State (MAX_NESTING_DEPTH bounds it).
    """
    if isinstance(value, (list, tuple, set, frozenset, dict)) and level > MAX_NESTING_DEPTH:
        raise StateValidationError(too_deep_problem(where))
    inner = level + 1
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if _INT_MIN <= value <= _INT_MAX:
            return value
        return {"$int": str(int(value))}
    if isinstance(value, float):
        if math.isnan(value):
            return {"$float": "nan"}
        if math.isinf(value):
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    if isinstance(value, list):
        return [encode_value(v, f"{where}[{i}]", inner) for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(v, f"{where}[{i}]", inner) for i, v in enumerate(value)]}
    if isinstance(value, frozenset):
        return {"$frozenset": [encode_value(v, f"{where}{{}}", inner) for v in _sorted_if_possible(value)]}
    if isinstance(value, set):
        return {"$set": [encode_value(v, f"{where}{{}}", inner) for v in _sorted_if_possible(value)]}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        plain = all(isinstance(k, str) for k in value)
        escape = len(value) == 1 and plain and next(iter(value)).startswith("$")
        if plain and not escape:
            return {k: encode_value(v, f"{where}[{k!r}]", inner) for k, v in value.items()}
        return {
            "$dict": [
                [encode_value(k, f"{where} key", inner), encode_value(v, f"{where}[{k!r}]", inner)]
                for k, v in value.items()
            ]
        }
    raise StateValidationError(
        f"{where} is a {type(value).__name__} ({value!r}), which ops cannot store; use str, int, "
        f"float, bool, None, bytes, or lists/tuples/sets/frozensets/dicts of those"
    )


class _BadTag(Exception):
    """A malformed tagged value; ``path`` collects where it is, innermost part first, on its way
    out (so that decoding well-formed values builds no paths)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: List[str] = []

    def at(self, part: str) -> "_BadTag":
        self.path.append(part)
        return self


def _expected(tag: str, inner: Any, expected: str) -> _BadTag:
    return _BadTag(f"{{{tag!r}: {inner!r}}} is not valid; {tag} takes {expected}")


def _located(items: Iterable[Tuple[str, Any]]) -> _BadTag:
    """The error decoding one of ``items`` (part of the path, value) raises, located there.

    Decoding runs without paths; only when it fails is the container decoded again, one item at
    a time, to find where.
    """
    for part, v in items:
        try:
            _decode(v)
        except _BadTag as e:
            return e.at(part)
    raise AssertionError("decoding failed once but not again")  # pragma: no cover


def _decode_items(inner: Any, tag: str) -> List[Any]:
    if not isinstance(inner, list):
        raise _expected(tag, inner, "a list")
    try:
        return [_decode(v) for v in inner]
    except _BadTag:
        raise _located((f".{tag}[{i}]", v) for i, v in enumerate(inner)) from None


def _unhashable(items: List[Any], tag: str, role: str, suffix: str = "") -> _BadTag:
    for i, item in enumerate(items):
        try:
            hash(item)
        except TypeError:
            error = _BadTag(f"{role} must be hashable, not a {type(item).__name__}")
            return error.at(f".{tag}[{i}]{suffix}")
    raise AssertionError("no unhashable item")  # pragma: no cover


def _decode_tagged(tag: str, inner: Any) -> Any:
    if tag == "$set" or tag == "$frozenset":
        items = _decode_items(inner, tag)
        try:
            return set(items) if tag == "$set" else frozenset(items)
        except TypeError:
            raise _unhashable(items, tag, "set members") from None
    if tag == "$tuple":
        return tuple(_decode_items(inner, tag))
    if tag == "$bytes":
        try:
            if isinstance(inner, str):
                return base64.b64decode(inner, validate=True)
        except ValueError:
            pass
        raise _expected(tag, inner, "a base64 string")
    if tag == "$dict":
        if not (isinstance(inner, list) and all(isinstance(p, list) and len(p) == 2 for p in inner)):
            raise _expected(tag, inner, "a list of [key, value] pairs")
        pairs = _decode_items(inner, tag)
        try:
            return dict(pairs)
        except TypeError:
            raise _unhashable([k for k, _ in pairs], tag, "dict keys", "[0]") from None
    if tag == "$int":
        digits = inner[1:] if isinstance(inner, str) and inner.startswith("-") else inner
        if not (isinstance(digits, str) and digits.isascii() and digits.isdigit()):
            raise _expected(tag, inner, 'a decimal string, e.g. "-123456789012345678901"')
        return int(inner)
    if tag == "$float":
        if not (isinstance(inner, str) and inner in _FLOAT_TAGS):
            raise _expected(tag, inner, '"nan", "inf" or "-inf"')
        return float(inner)  # a new nan each time, as pickle gives: a set may hold several
    raise _BadTag(
        f"unknown tag {tag!r}; tags are {', '.join(_TAGS)} (a dict whose only key starts "
        f"with '$' is written {{\"$dict\": [[key, value]]}})"
    )


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        try:
            return [_decode(v) for v in value]
        except _BadTag:
            raise _located((f"[{i}]", v) for i, v in enumerate(value)) from None
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            # the usual tags inline; _decode_tagged checks and locates any error
            if key == "$set" and type(inner) is list:
                try:
                    return {_decode(v) for v in inner}
                except (_BadTag, TypeError):
                    pass
            elif key == "$tuple" and type(inner) is list:
                try:
                    return tuple([_decode(v) for v in inner])
                except _BadTag:
                    pass
            if isinstance(key, str) and key.startswith("$"):
                return _decode_tagged(key, inner)
        try:
            return {k: _decode(v) for k, v in value.items()}
        except _BadTag:
            raise _located((f"[{k!r}]", v) for k, v in value.items()) from None
    return value


def decode_value(value: Any, where: str = "value") -> Any:
    """The Python value of tagged JSON (docs/state-format.md), as the engine and encode_value
    make it; StateValidationError naming the part of ``where`` for a malformed or unknown tag."""
    try:
        return _decode(value)
    except _BadTag as e:
        raise StateValidationError(f"{where}{''.join(reversed(e.path))}: {e.message}") from None


# ---------------------------------------------------------------------------------------------
# Python -> engine


def _status(s: StatusBase) -> Dict[str, str]:
    return {"name": s.name, "message": s.message}


def _relation(r: RelationBase) -> Dict[str, Any]:
    out: Dict[str, Any] = {
        "endpoint": r.endpoint,
        "interface": r.interface,
        "relation_id": r.relation_id,
        "local_app_data": dict(r.local_app_data),
        "local_unit_data": dict(r.local_unit_data),
    }
    if isinstance(r, PeerRelation):
        out["kind"] = "peer"
        out["remote_app_data"] = {}
        out["remote_units_data"] = {str(u): dict(d) for u, d in r.peers_data.items()}
    elif isinstance(r, SubordinateRelation):
        out["kind"] = "subordinate"
        out["remote_app_name"] = r.remote_app_name
        out["remote_app_data"] = dict(r.remote_app_data)
        out["remote_units_data"] = {str(r.remote_unit_id): dict(r.remote_unit_data)}
    elif isinstance(r, Relation):
        out["kind"] = "regular"
        out["remote_app_name"] = r.remote_app_name
        out["limit"] = r.limit
        out["remote_app_data"] = dict(r.remote_app_data)
        out["remote_units_data"] = {str(u): dict(d) for u, d in r.remote_units_data.items()}
        out["remote_model_uuid"] = r.remote_model_uuid
    else:
        raise StateValidationError(f"unknown relation type {type(r).__name__}")
    return out


def _network(n: Network) -> Dict[str, Any]:
    return {
        "name": n.name,
        "bind_addresses": [
            {
                "interface_name": b.interface_name,
                "mac_address": b.mac_address or "",
                "addresses": [fields_to_engine(a) for a in b.addresses],
            }
            for b in n.bind_addresses
        ],
        "ingress_addresses": list(n.ingress_addresses),
        "egress_subnets": list(n.egress_subnets),
    }


def _file(path: str, value: Any) -> Dict[str, Any]:
    f = value if isinstance(value, File) else File(content=value)
    if isinstance(f.content, bytes):
        content, encoding = base64.b64encode(f.content).decode("ascii"), "base64"
    else:
        content, encoding = f.content, "utf-8"
    return {
        "path": path,
        "content": content,
        "encoding": encoding,
        "is_dir": f.is_dir,
        "permissions": f.permissions,
        "user": f.user,
        "user_id": f.user_id,
        "group": f.group,
        "group_id": f.group_id,
    }


def _enum_value(v: Any) -> Any:
    return getattr(v, "value", v)


def _layer_dict(layer: Union[pebble.Layer, Dict[str, Any], str]) -> Dict[str, Any]:
    if isinstance(layer, str):  # YAML text, as ops' add_layer also accepts
        import yaml

        # Parsed directly: older ops' Layer would drop sections it does not know (log-targets).
        parsed = yaml.safe_load(layer) or {}
        if not isinstance(parsed, dict):
            raise StateValidationError(f"a layer given as YAML text must be a mapping: {layer!r}")
        return parsed
    return layer.to_dict() if isinstance(layer, pebble.Layer) else dict(layer)


# Sections the Layer of every ops we support (>= 2.4) keeps whenever they are non-empty.
_LAYER_SECTIONS_ALWAYS_KEPT = frozenset(("summary", "description", "services", "checks"))


def _as_layer(raw: Dict[str, Any]) -> Any:
    """An ops Layer of `raw`, or `raw` itself if the installed ops' Layer would drop a section."""
    layer = pebble.Layer(raw)
    if raw.keys() <= _LAYER_SECTIONS_ALWAYS_KEPT:
        return layer
    kept = layer.to_dict()
    if any(value and key not in kept for key, value in raw.items()):
        return raw
    return layer


def container_to_engine(c: Container) -> Dict[str, Any]:
    layers = []
    for label, layer in c.layers.items():
        layers.append([label, _layer_dict(layer)])
    return {
        "name": c.name,
        "can_connect": c.can_connect,
        "base_plan": dict(c._base_plan),
        "layers": layers,
        "service_status": {k: _enum_value(v) for k, v in c.service_status.items()},
        "mounts": {
            k: {"location": str(m.location), "src": str(m.src)} for k, m in c.mounts.items()
        },
        "exec_mock": [
            {
                "command": list(cmd),
                "return_code": out.return_code,
                "stdout": out.stdout,
                "stderr": out.stderr,
            }
            for cmd, out in c.exec_mock.items()
        ],
        "files": [_file(path, value) for path, value in c.files.items()],
        "notices": [fields_to_engine(n) for n in c.notices],
        "check_infos": [fields_to_engine(ci) for ci in c.check_infos],
        "exec_history": [fields_to_engine(e) for e in c.exec_history],
    }


def _expire(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def _secret(s: Secret) -> Dict[str, Any]:
    return {
        "id": s.id,
        "contents": {str(rev): dict(content) for rev, content in s.contents.items()},
        "owner": s.owner,
        "revision": s.revision,
        "granted": s.granted or None,
        "remote_grants": {
            str(rel): _sorted_if_possible(names) for rel, names in s.remote_grants.items()
        },
        "label": s.label,
        "description": s.description,
        "expire": _expire(s.expire),
        "rotate": _enum_value(s.rotate) if s.rotate is not None else None,
    }


# state.deferred[i].snapshot_data and state.stored_state[i].content are four levels down the State.
_STORED_VALUE_LEVEL = 4


def _deferred(d: DeferredEvent) -> Dict[str, Any]:
    return {
        "handle_path": d.handle_path,
        "owner": d.owner,
        "observer": d.observer,
        "snapshot_data": encode_value(
            d.snapshot_data, f"deferred[{d.handle_path}].snapshot_data", _STORED_VALUE_LEVEL
        ),
    }


def _stored_state(s: StoredState) -> Dict[str, Any]:
    return {
        "owner_path": s.owner_path,
        "name": s.name,
        "content": encode_value(
            s.content, f"stored_state[{s.handle_path}].content", _STORED_VALUE_LEVEL
        ),
        "data_type_name": s.data_type_name,
    }


def _action(a: Optional[ActionOutput]) -> Optional[Dict[str, Any]]:
    return None if a is None else fields_to_engine(a)


def with_documents(call: Callable[[], T], **documents: Any) -> T:
    """``call()``, which hands the engine ``documents`` (name -> a State, Event or container in
    the engine's form, as Python values). The engine refuses a value JSON cannot carry with a
    ValueError; only then are the documents walked, to say where it is (StateValidationError).
    """
    try:
        return call()
    except ValueError as e:
        problems = (engine_value_problem(document, name) for name, document in documents.items())
        raise StateValidationError(next((p for p in problems if p), str(e))) from None


# How many dicts/lists deep a value may nest, counted from the top of its State, Event or
# metadata document (level 1); the engine's limit (docs/state-format.md).
MAX_NESTING_DEPTH: int = _engine.MAX_NESTING_DEPTH


def too_deep_problem(path: str) -> str:
    """The message for a value at ``path`` nested deeper than MAX_NESTING_DEPTH (as the engine's)."""
    # The path of a value this deep is mostly "[0][0]...": its start says where it is.
    shown = path if len(path) <= 80 else path[:80] + "..."
    return (
        f"{shown}: nested deeper than {MAX_NESTING_DEPTH} levels; no value in a State, Event or "
        f"charm metadata may nest more than {MAX_NESTING_DEPTH} dicts/lists deep: flatten it"
    )


def _utf8_problem(text: str, path: str) -> Optional[str]:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return (
            f"{path}: {text[max(0, e.start - 10):e.end + 10]!r} holds a lone surrogate "
            f"({text[e.start]!r}), which is not text UTF-8, JSON or Juju can carry; use valid "
            f"Unicode (or bytes where the field takes them)"
        )
    return None


def engine_value_problem(
    value: Any, path: str, top: bool = True, level: int = 1, key_types: Tuple[type, ...] = (str, int)
) -> Optional[str]:
    """What in ``value`` (a State, Event or charm metadata document in the engine's form) JSON
    cannot carry, and where.

    JSON has no nan or infinity, no lone surrogates and only str keys (int keys are written as
    their decimal text); the engine's integers are 64-bit; no value may nest deeper than
    MAX_NESTING_DEPTH. The engine's tagged form carries non-finite floats and big integers only
    inside stored state and deferred snapshots (encode_value tags those). Paths read like the
    State: ``state.config['ratio']``. None when all is well.
    """
    if isinstance(value, str):
        return _utf8_problem(value, path)
    if isinstance(value, float) and not math.isfinite(value):
        return (
            f"{path}: {value!r} is not a finite number; Juju cannot carry nan or infinity here "
            f"(only StoredState and deferred event data can hold them)"
        )
    if isinstance(value, int) and not isinstance(value, bool) and not _INT_MIN <= value <= _INT_MAX:
        return (
            f"{path}: {value} does not fit in 64 bits; Juju cannot carry it here (only "
            f"StoredState and deferred event data can hold such integers)"
        )
    if isinstance(value, dict):
        # a one-key {"$tag": ...} dict wraps a tagged value: only its content nests
        wrapper = len(value) == 1 and str(next(iter(value))).startswith("$")
        if not wrapper and level > MAX_NESTING_DEPTH:
            return too_deep_problem(path)
        for k in value:
            if (isinstance(k, bool) and bool not in key_types) or not isinstance(k, key_types):
                return (
                    f"{path}: the key {k!r} is a {type(k).__name__}; keys here must be str "
                    f"(write {str(k)!r} if that is what you mean)"
                )
            problem = isinstance(k, str) and _utf8_problem(k, f"{path} key")
            if problem:
                return problem
        children: Iterable[Tuple[str, Any]] = (
            (f"{path}.{k}" if top else f"{path}[{k!r}]", v) for k, v in value.items()
        )
        if wrapper:
            level -= 1
    elif isinstance(value, (list, tuple)):
        if level > MAX_NESTING_DEPTH:
            return too_deep_problem(path)
        children = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    elif value is None or isinstance(value, (int, float)):
        return None
    else:
        return (
            f"{path}: a {type(value).__name__} is not a value JSON can carry; use str, int, float, bool, "
            f"None, or lists and dicts of them"
        )
    for child_path, child in children:
        problem = engine_value_problem(child, child_path, False, level + 1, key_types)
        if problem:
            return problem
    return None


def state_to_engine(state: State) -> Dict[str, Any]:
    """The engine's JSON form of a State (docs/state-format.md)."""
    st = state.status
    return {
        "config": dict(state.config),
        "relations": [_relation(r) for r in state.relations],
        "networks": [_network(n) for n in state.networks],
        "containers": [container_to_engine(c) for c in state.containers],
        "status": {
            "app": _status(st.app),
            "unit": _status(st.unit),
            "app_history": [_status(s) for s in st.app_history],
            "unit_history": [_status(s) for s in st.unit_history],
            "workload_version": st.workload_version,
            "previous_workload_version": st.previous_workload_version,
        },
        "leader": state.leader,
        "model": fields_to_engine(state.model),
        "juju_log": [{"level": line[0], "message": line[1]} for line in state.juju_log],
        "secrets": [_secret(s) for s in state.secrets],
        "unit_id": state.unit_id,
        "deferred": [_deferred(d) for d in state.deferred],
        "stored_state": [_stored_state(s) for s in state.stored_state],
        "opened_ports": [fields_to_engine(p) for p in state.opened_ports],
        "storages": [
            {"name": s.name, "index": s.index, "location": str(s.location)} for s in state.storages
        ],
        "resources": [{"name": r.name, "path": str(r.path)} for r in state.resources],
        "planned_units": state.planned_units,
        "action": _action(state.action_output),
    }


def event_to_engine(event: Event, state: Optional[State] = None) -> Dict[str, Any]:
    """The engine's JSON form of an Event fired on ``state``.

    Only identifies the objects the event refers to (relation id, container name...): whether
    they exist in the State, and which remote unit an unqualified relation event is about, is
    for the engine to decide.
    """
    del state  # the engine checks the event against the State it is given
    return {
        "name": event.name,
        "relation_id": event.relation.relation_id if event.relation is not None else None,
        "relation_remote_unit_id": event.relation_remote_unit_id,
        "relation_departed_unit_id": event.relation_departed_unit_id,
        "secret_id": event.secret.id if event.secret is not None else None,
        "secret_revision": event.secret_revision,
        "container": event.container.name if event.container is not None else None,
        "notice_id": event.notice.id if event.notice is not None else None,
        "check_name": event.check_info.name if event.check_info is not None else None,
        "storage_name": event.storage.name if event.storage is not None else None,
        "storage_index": event.storage.index if event.storage is not None else None,
        "action_params": dict(event.params),
        "action_id": event.action_id,
    }


def snapshot_documents(event: Event) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """The State and Event documents the engine builds ``event``'s deferred snapshot from: a
    State holding just the objects the event names."""
    containers = []
    if event.container is not None:
        container = container_to_engine(event.container)
        if event.notice is not None:  # the event's own notice, whether or not the container lists it
            others = [n for n in container["notices"] if n["id"] != event.notice.id]
            container["notices"] = others + [fields_to_engine(event.notice)]
        containers.append(container)
    state = {
        "relations": [_relation(event.relation)] if event.relation is not None else [],
        "containers": containers,
        "secrets": [_secret(event.secret)] if event.secret is not None else [],
        "storages": [_storage_json(event.storage)] if event.storage is not None else [],
    }
    document = event_to_engine(event)
    relation = event.relation
    if relation is not None and document["relation_remote_unit_id"] is None and relation._remote_unit_ids:
        # 3.1 snapshots the first remote unit the test listed (the engine's maps are sorted)
        document["relation_remote_unit_id"] = relation._remote_unit_ids[0]
    return state, document


# The dict keys json.dumps writes as text, as a YAML document's may be (`on:` is True).
_SPEC_KEY_TYPES = (str, int, float, bool, type(None))


def _spec_document_json(document: Any, name: str) -> str:
    """A metadata/config/actions document as JSON text; MetadataError naming what JSON cannot
    carry (bytes, a lone surrogate, nesting deeper than MAX_NESTING_DEPTH...)."""
    if document is None:
        return ""
    try:
        text = json.dumps(document, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
        return text
    except (TypeError, ValueError, RecursionError) as e:  # UnicodeEncodeError is a ValueError
        problem = engine_value_problem(document, name, key_types=_SPEC_KEY_TYPES)
        raise MetadataError(problem or f"{name} is not a JSON document: {e}") from None


def spec_to_engine(meta: Any, config: Any, actions: Any) -> _engine.CharmSpec:
    """The engine's charm spec of metadata/config/actions documents (config, actions: None
    when the charm has none); the engine validates them."""
    return _engine.CharmSpec.from_json(
        _spec_document_json(meta, "meta") or "null",
        _spec_document_json(config, "config"),
        _spec_document_json(actions, "actions"),
    )


def charm_spec_to_engine(spec: _CharmSpec) -> _engine.CharmSpec:
    """The engine's charm spec of a 3.1 ``_CharmSpec``.

    3.1's checks never read the charm's name, and 3.1 suites build specs without one
    (``_CharmSpec(MyCharm, {})``): those get the charm class's name, as Context does for
    ``meta=None``.
    """
    meta = dict(spec.meta or {})
    meta.setdefault("name", spec.charm_type.__name__)
    return spec_to_engine(meta, spec.config, spec.actions)


def charm_spec_from_engine(
    charm_type: type, spec: _engine.CharmSpec, is_autoloaded: bool
) -> _CharmSpec:
    """The 3.1 ``_CharmSpec`` of an engine charm spec (its documents as given)."""
    return _CharmSpec(
        charm_type=charm_type,
        meta=json.loads(spec.meta_json),
        actions=json.loads(spec.actions_json),
        config=json.loads(spec.config_json),
        is_autoloaded=is_autoloaded,
    )


# ---------------------------------------------------------------------------------------------
# engine -> Python
#
# The engine checked its output as it checks its input (docs/state-format.md: types, enums,
# str -> str databags), so the objects built from it skip the dataclasses' __post_init__ checks
# (`_trusted`); what those would normalise is done here, where it is needed at all.

@functools.lru_cache(maxsize=None)
def _init_fields(cls: type) -> Optional[frozenset]:
    """The names of a dataclass's fields, or None if one of them is not an __init__ one."""
    fields = dataclasses.fields(cls)
    return frozenset(f.name for f in fields) if all(f.init for f in fields) else None


def _new(cls: Callable[..., T], values: Dict[str, Any]) -> T:
    obj = object.__new__(cls)  # type: ignore[call-overload]
    obj.__dict__.update(values)
    return obj


def _trusted(cls: Callable[..., T], values: Dict[str, Any]) -> T:
    """``cls(**values)`` for values already in the form its __post_init__ leaves them in.

    Skips __init__ and its checks; when ``values`` does not name exactly the fields of ``cls``
    (one added to it since this was written), it is ``cls(**values)`` after all.
    """
    if values.keys() != _init_fields(cls):  # type: ignore[arg-type]
        return cls(**values)
    return _new(cls, values)


def _reuse(
    items: Sequence[Dict[str, Any]],
    templates: Sequence[T],
    keys: Tuple[Callable[[T], Any], Callable[[Dict[str, Any]], Any]],
    to_json: Callable[[T], Dict[str, Any]],
    build: Callable[[Dict[str, Any], Optional[T]], T],
) -> List[T]:
    """Python objects for engine items, reusing a template object whose JSON is unchanged.

    ``keys``: the key of a template object and of an engine item, which match them up.
    """
    template_key, item_key = keys
    by_key: Dict[Any, T] = {}
    for t in templates:
        by_key.setdefault(template_key(t), t)
    out = []
    for item in items:
        template = by_key.get(item_key(item)) if by_key else None
        if template is None:
            out.append(build(item, None))
            continue
        if to_json(template) == item:
            out.append(template)
            continue
        built = build(item, template)
        out.append(template if built == template else built)
    return out


def _ordered_ids(keys: Iterable[str], template_order: Sequence[int]) -> List[int]:
    ids = [int(k) for k in keys]
    known = [i for i in template_order if i in ids]
    return known + sorted(i for i in ids if i not in known)


def _build_relation(d: Dict[str, Any], template: Optional[RelationBase]) -> RelationBase:
    units = d.get("remote_units_data", {})
    kind = d.get("kind", "regular")
    values: Dict[str, Any] = {
        "endpoint": d["endpoint"],
        "interface": d.get("interface"),
        "relation_id": d["relation_id"],
        "local_app_data": dict(d.get("local_app_data", {})),
        "local_unit_data": dict(d.get("local_unit_data", {})),
    }
    if kind == "peer":
        order = template.peers_ids if isinstance(template, PeerRelation) else []
        ids = _ordered_ids(units, order)
        values["peers_data"] = {i: dict(units[str(i)]) for i in ids}
        values["peers_ids"] = ids
        return _trusted(PeerRelation, values)
    if kind == "subordinate":
        if units:
            (unit_key, unit_data), = list(units.items())[:1]
            unit_id = int(unit_key)
        else:
            unit_data = {}
            unit_id = template.remote_unit_id if isinstance(template, SubordinateRelation) else 0
        values["remote_app_data"] = dict(d.get("remote_app_data", {}))
        values["remote_unit_data"] = dict(unit_data)
        values["remote_app_name"] = d.get("remote_app_name", "remote")
        values["remote_unit_id"] = unit_id
        return _trusted(SubordinateRelation, values)
    order = template.remote_unit_ids if isinstance(template, Relation) else []
    ids = _ordered_ids(units, order)
    values["remote_app_name"] = d.get("remote_app_name", "remote")
    values["remote_unit_ids"] = ids
    values["limit"] = d.get("limit", 1)
    values["remote_app_data"] = dict(d.get("remote_app_data", {}))
    values["remote_units_data"] = {i: dict(units[str(i)]) for i in ids}
    values["remote_model_uuid"] = d.get("remote_model_uuid")
    # 3.1's default remote unit 0 is for input only: no unit here means the engine reported none.
    return _trusted(Relation, values)


def _build_network(d: Dict[str, Any], template: Optional[Network]) -> Network:
    del template
    return Network(
        name=d["name"],
        bind_addresses=[
            BindAddress(
                interface_name=b.get("interface_name", ""),
                mac_address=b.get("mac_address") or None,
                addresses=[fields_from_engine(Address, a) for a in b.get("addresses", [])],
            )
            for b in d.get("bind_addresses", [])
        ],
        ingress_addresses=list(d.get("ingress_addresses", [])),
        egress_subnets=list(d.get("egress_subnets", [])),
    )


def _service_status(value: str) -> Any:
    try:
        return pebble.ServiceStatus(value)
    except ValueError:
        return value  # e.g. "backoff", which some ops versions have no member for


_DEFAULT_FILE = File()
# a File's fields but content, as File() has them: such a file comes back as its bare content
_DEFAULT_FILE_META = (
    _DEFAULT_FILE.permissions,
    _DEFAULT_FILE.user,
    _DEFAULT_FILE.user_id,
    _DEFAULT_FILE.group,
    _DEFAULT_FILE.group_id,
    _DEFAULT_FILE.is_dir,
)


def _build_file(d: Dict[str, Any], template_value: Any) -> Any:
    raw: Any = d.get("content", "")
    if d.get("encoding", "utf-8") == "base64":
        raw = base64.b64decode(raw)
    template_content = (
        template_value.content if isinstance(template_value, File) else template_value
    )
    if isinstance(template_content, bytes) and isinstance(raw, str):
        content: Any = raw.encode("utf-8")
    elif isinstance(template_content, str) and isinstance(raw, bytes):
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError:
            content = raw
    else:
        content = raw
    meta = (
        d.get("permissions", 0o644),
        d.get("user"),
        d.get("user_id"),
        d.get("group"),
        d.get("group_id"),
        d.get("is_dir", False),
    )
    if isinstance(template_value, File) or meta != _DEFAULT_FILE_META:
        permissions, user, user_id, group, group_id, is_dir = meta
        return File(
            content=content,
            permissions=permissions,
            user=user,
            user_id=user_id,
            group=group,
            group_id=group_id,
            is_dir=is_dir,
        )
    return content


def _build_container(d: Dict[str, Any], template: Optional[Container]) -> Container:
    t_layers = template.layers if template else {}
    layers: Dict[str, Any] = {}
    for label, raw in d.get("layers", []):
        old = t_layers.get(label)
        if old is not None and _layer_dict(old) == raw:
            layers[label] = old
        elif isinstance(old, dict):
            layers[label] = raw
        else:
            layers[label] = _as_layer(raw)
    t_mounts = template.mounts if template else {}
    mounts = {}
    for name, m in d.get("mounts", {}).items():
        old = t_mounts.get(name)
        if old is not None and (str(old.location), str(old.src)) == (m["location"], m["src"]):
            mounts[name] = old
        else:
            mounts[name] = Mount(location=m["location"], src=m["src"])
    t_files = template.files if template else {}
    files = {}
    for f in d.get("files", []):
        path = f["path"]
        old = t_files.get(path)
        files[path] = old if old is not None and _file(path, old) == f else _build_file(f, old)
    values = {
        "name": d["name"],
        "can_connect": d.get("can_connect", False),
        "_base_plan": dict(d.get("base_plan", {})),
        "layers": layers,
        "service_status": {
            k: _service_status(v) for k, v in d.get("service_status", {}).items()
        },
        "mounts": mounts,
        "exec_mock": {
            tuple(e["command"]): ExecOutput(
                return_code=e.get("return_code", 0),
                stdout=e.get("stdout", ""),
                stderr=e.get("stderr", ""),
            )
            for e in d.get("exec_mock", [])
        },
        "files": files,
        "notices": [fields_from_engine(Notice, n) for n in d.get("notices", [])],
        "check_infos": [fields_from_engine(CheckInfo, c) for c in d.get("check_infos", [])],
        "exec_history": [fields_from_engine(ExecRecord, e) for e in d.get("exec_history", [])],
    }
    # The engine does not check files against mounts: Container's own check does.
    return Container(**values) if mounts else _trusted(Container, values)


def _parse_expire(value: Optional[str]) -> Optional[datetime.datetime]:
    if value is None:
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError as e:
        raise StateValidationError(f"secret expire {value!r} is not an RFC 3339 time") from e


def _build_secret(d: Dict[str, Any], template: Optional[Secret]) -> Secret:
    expire: Any = _parse_expire(d.get("expire"))
    if template is not None and _expire(template.expire) == d.get("expire"):
        expire = template.expire
    rotate = d.get("rotate")
    owner = d.get("owner")
    return _trusted(
        Secret,
        {
            "id": d["id"],
            "contents": {int(rev): dict(c) for rev, c in d.get("contents", {}).items()},
            "owner": "app" if owner == "application" else owner,  # as Secret would make it
            "granted": d.get("granted") or False,
            "revision": d.get("revision", 0),
            "remote_grants": {
                int(rel): set(names) for rel, names in d.get("remote_grants", {}).items()
            },
            "label": d.get("label"),
            "description": d.get("description"),
            "expire": expire,
            "rotate": SecretRotate(rotate) if rotate is not None else None,
        },
    )


def _build_deferred(d: Dict[str, Any], template: Optional[DeferredEvent]) -> DeferredEvent:
    del template
    return DeferredEvent(
        handle_path=d["handle_path"],
        owner=d["owner"],
        observer=d["observer"],
        snapshot_data=decode_value(
            d.get("snapshot_data", {}), f"deferred[{d['handle_path']}].snapshot_data"
        ),
    )


def _build_stored_state(d: Dict[str, Any], template: Optional[StoredState]) -> StoredState:
    del template
    owner_path = d.get("owner_path")
    name = d.get("name", "_stored")
    data_type_name = d.get("data_type_name", "StoredStateData")
    where = f"stored_state[{owner_path or ''}/{data_type_name}[{name}]].content"  # its handle_path
    return StoredState(
        owner_path=owner_path,
        name=name,
        content=decode_value(d.get("content", {}), where),
        data_type_name=data_type_name,
    )


def _from_status(d: Dict[str, str], template: Optional[StatusBase] = None) -> StatusBase:
    if template is not None and (template.name, template.message) == (d["name"], d["message"]):
        return template
    try:
        return _status_to_entitystatus(StatusBase.from_name(d["name"], d.get("message", "")))
    except KeyError as e:
        raise StateValidationError(f"engine returned unknown status {d['name']!r}") from e


def _status_history(items: List[Dict[str, str]], old: List[StatusBase]) -> List[StatusBase]:
    n = len(old)
    return [_from_status(s, old[i] if i < n else None) for i, s in enumerate(items)]


def _build_status(d: Dict[str, Any], template: Status) -> Status:
    return _trusted(
        Status,
        {
            "app": _from_status(d["app"], template.app) if "app" in d else template.app,
            "unit": _from_status(d["unit"], template.unit) if "unit" in d else template.unit,
            "workload_version": d.get("workload_version", template.workload_version),
            "app_history": _status_history(d.get("app_history", []), template.app_history),
            "unit_history": _status_history(d.get("unit_history", []), template.unit_history),
            "previous_workload_version": d.get(
                "previous_workload_version", template.previous_workload_version
            ),
        },
    )


def _path_like(value: str, template: Any) -> Any:
    return type(template)(value) if isinstance(template, (Path, PurePosixPath)) else value


# (template object -> key, engine item -> key) pairs matching engine items to template objects
_BY_NAME = (operator.attrgetter("name"), lambda i: i.get("name"))
_BY_RELATION_ID = (operator.attrgetter("relation_id"), lambda i: i.get("relation_id"))
_BY_ID = (operator.attrgetter("id"), lambda i: i.get("id"))
_BY_HANDLE = (operator.attrgetter("handle_path"), lambda i: i.get("handle_path"))
_BY_OWNER_AND_NAME = (
    operator.attrgetter("owner_path", "name"),
    lambda i: (i.get("owner_path"), i.get("name")),
)


def state_from_engine(d: Dict[str, Any], template: State) -> State:
    """The Python State for the engine's output ``d``, typed like the input ``template``.

    Fields missing from ``d`` keep the template's value.
    """
    changes: Dict[str, Any] = {}

    def reuse(name: str, keys: Any, to_json: Callable, build: Callable, items: Any = None) -> None:
        if name in d:
            items = d[name] if items is None else items
            changes[name] = _reuse(items, getattr(template, name), keys, to_json, build)

    if "config" in d:
        changes["config"] = dict(d["config"])
    reuse("relations", _BY_RELATION_ID, _relation, _build_relation)
    reuse("networks", _BY_NAME, _network, _build_network)
    reuse("containers", _BY_NAME, container_to_engine, _build_container)
    if "status" in d:
        changes["status"] = _build_status(d["status"], template.status)
    if "leader" in d:
        changes["leader"] = bool(d["leader"])
    if "model" in d:
        m = d["model"]
        t_model = template.model
        changes["model"] = (
            t_model
            if (t_model.name, t_model.uuid, t_model.type)
            == (m.get("name"), m.get("uuid"), m.get("type"))
            else fields_from_engine(Model, m)
        )
    if "juju_log" in d:
        changes["juju_log"] = [JujuLogLine(l["level"], l["message"]) for l in d["juju_log"]]
    reuse("secrets", _BY_ID, _secret, _build_secret)
    if "unit_id" in d:
        changes["unit_id"] = int(d["unit_id"])
    reuse("deferred", _BY_HANDLE, _deferred, _build_deferred)
    reuse("stored_state", _BY_OWNER_AND_NAME, _stored_state, _build_stored_state)
    if "opened_ports" in d:
        changes["opened_ports"] = [fields_from_engine(Port, p) for p in d["opened_ports"]]
    if "storages" in d:
        t_storages = {(s.name, s.index): s for s in template.storages}
        storages = []
        for s in d["storages"]:
            old = t_storages.get((s["name"], s["index"]))
            if _storage_json(old) == s:
                storages.append(old)
            else:
                storages.append(Storage(s["name"], s.get("index", 0), s.get("location", "")))
        changes["storages"] = storages
    if "resources" in d:
        t_resources = {r.name: r for r in template.resources}
        changes["resources"] = [
            Resource(
                r["name"],
                _path_like(r["path"], getattr(t_resources.get(r["name"]), "path", None)),
            )
            for r in d["resources"]
        ]
    if "planned_units" in d:
        changes["planned_units"] = int(d["planned_units"])
    if "action" in d:
        a = d["action"]
        changes["action_output"] = None if a is None else fields_from_engine(ActionOutput, a)
    if type(template) is State and changes.keys() == _init_fields(State):
        # Every field came from the engine (the usual case): nothing of the template's is kept.
        return _new(State, changes)
    return dataclasses.replace(template, **changes)


def _storage_json(s: Optional[Storage]) -> Optional[Dict[str, Any]]:
    if s is None:
        return None
    return {"name": s.name, "index": s.index, "location": str(s.location)}


def event_from_engine(d: Dict[str, Any], state: State) -> Event:
    """The Event for the engine's JSON form of one, referring to the objects of ``state``."""

    def find(items: Iterable[Any], match: Callable[[Any], bool], what: str) -> Any:
        for item in items:
            if match(item):
                return item
        raise ValueError(f"the engine named {what}, which is not in the State")

    relation = secret = container = storage = None
    if d.get("relation_id") is not None:
        relation = find(state.relations, lambda r: r.relation_id == d["relation_id"],
                        f"relation {d['relation_id']}")
    if d.get("secret_id") is not None:
        secret = find(state.secrets, lambda s: s.id == d["secret_id"], f"secret {d['secret_id']}")
    if d.get("container") is not None:
        container = find(state.containers, lambda c: c.name == d["container"],
                         f"container {d['container']}")
    if d.get("storage_name") is not None:
        storage = find(
            state.storages,
            lambda s: s.name == d["storage_name"] and s.index == (d.get("storage_index") or 0),
            f"storage {d['storage_name']}/{d.get('storage_index') or 0}",
        )
    return Event(
        d["name"],
        relation=relation,
        relation_remote_unit_id=d.get("relation_remote_unit_id"),
        relation_departed_unit_id=d.get("relation_departed_unit_id"),
        secret=secret,
        secret_revision=d.get("secret_revision"),
        container=container,
        storage=storage,
        params=d.get("action_params") or {},
        action_id=d.get("action_id"),
    )
