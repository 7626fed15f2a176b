"""The engine's form of Python values (docs/state-format.md): States, Events, containers,
networks and charm specs as the plain JSON-ready dicts ``scenario._engine`` takes, and the
tagged JSON of stored values both ways.

Imports nothing of ``scenario.state``: the value classes call into this module (a container's
plan, a network's display...), and ``scenario._convert`` builds value objects from the engine's
output with it. It reads the values by their attributes.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import functools
import inspect
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Tuple, TypeVar, Union

from ops import pebble
from ops.model import StatusBase

from scenario import _engine
from scenario.errors import MetadataError, MetadataNotFoundError, StateValidationError

if TYPE_CHECKING:
    from scenario.state import (
        ActionOutput,
        Container,
        DeferredEvent,
        Event,
        File,
        Network,
        RelationBase,
        Secret,
        State,
        Status,
        Storage,
        StoredState,
        _CharmSpec,
    )

T = TypeVar("T")

# A file given as bare content (not a File) has File's default metadata; File takes it from here.
DEFAULT_FILE_PERMISSIONS = 0o644


@functools.lru_cache(maxsize=None)
def engine_fields(cls: type) -> Tuple[Tuple[str, str], ...]:
    """(Python name, engine name) of each field of dataclass ``cls`` the engine holds."""
    pairs = ((f.name, f.metadata.get("engine", f.name)) for f in dataclasses.fields(cls))
    return tuple((name, engine) for name, engine in pairs if engine is not None)


def fields_to_engine(obj: Any) -> Dict[str, Any]:
    """The engine's form of a dataclass whose fields the engine holds as they are."""
    return {engine: getattr(obj, name) for name, engine in engine_fields(type(obj))}


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


def status_to_engine(s: StatusBase) -> Dict[str, str]:
    return {"name": s.name, "message": s.message}


def relation_to_engine(r: RelationBase) -> Dict[str, Any]:
    kind = getattr(r, "_engine_kind", None)  # each relation class names its kind
    if kind is None:
        raise StateValidationError(f"unknown relation type {type(r).__name__}")
    out: Dict[str, Any] = {
        "endpoint": r.endpoint,
        "interface": r.interface,
        "relation_id": r.relation_id,
        "kind": kind,
        "local_app_data": dict(r.local_app_data),
        "local_unit_data": dict(r.local_unit_data),
        "remote_app_data": dict(getattr(r, "remote_app_data", {})),  # a peer has none
        "remote_units_data": {str(u): dict(r._get_databag_for_remote(u)) for u in r._remote_unit_ids},
    }
    # What only some kinds have: a peer's remote application is this one, and a subordinate's
    # principal has no limit and is in this model.
    for name in ("remote_app_name", "limit", "remote_model_uuid"):
        if hasattr(r, name):
            out[name] = getattr(r, name)
    return out


def network_to_engine(n: Network) -> Dict[str, Any]:
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


def file_to_engine(path: str, value: Union[str, bytes, File]) -> Dict[str, Any]:
    # bare content has File's default metadata
    meta: Dict[str, Any] = {
        "is_dir": False,
        "permissions": DEFAULT_FILE_PERMISSIONS,
        "user": None,
        "user_id": None,
        "group": None,
        "group_id": None,
    }
    if isinstance(value, (str, bytes)):
        content = value
    else:
        content = value.content
        meta = {name: getattr(value, name) for name in meta}
    if isinstance(content, bytes):
        return {"path": path, "content": base64.b64encode(content).decode("ascii"), "encoding": "base64", **meta}
    return {"path": path, "content": content, "encoding": "utf-8", **meta}


def _enum_value(v: Any) -> Any:
    return getattr(v, "value", v)


def layer_to_engine(layer: Union[pebble.Layer, Dict[str, Any], str]) -> Dict[str, Any]:
    if isinstance(layer, str):  # YAML text, as ops' add_layer also accepts
        import yaml

        # Parsed directly: older ops' Layer would drop sections it does not know (log-targets).
        parsed = yaml.safe_load(layer) or {}
        if not isinstance(parsed, dict):
            raise StateValidationError(f"a layer given as YAML text must be a mapping: {layer!r}")
        return parsed
    return layer.to_dict() if isinstance(layer, pebble.Layer) else dict(layer)


def mounts_to_engine(mounts: Dict[str, Any]) -> Dict[str, Dict[str, str]]:
    return {name: {"location": str(m.location), "src": str(m.src)} for name, m in mounts.items()}


def container_to_engine(c: Container) -> Dict[str, Any]:
    layers = []
    for label, layer in c.layers.items():
        layers.append([label, layer_to_engine(layer)])
    return {
        "name": c.name,
        "can_connect": c.can_connect,
        "base_plan": dict(c._base_plan),
        "layers": layers,
        "service_status": {k: _enum_value(v) for k, v in c.service_status.items()},
        "mounts": mounts_to_engine(c.mounts),
        "exec_mock": [
            {
                "command": list(cmd),
                "return_code": out.return_code,
                "stdout": out.stdout,
                "stderr": out.stderr,
            }
            for cmd, out in c.exec_mock.items()
        ],
        "files": [file_to_engine(path, value) for path, value in c.files.items()],
        "notices": [fields_to_engine(n) for n in c.notices],
        "check_infos": [fields_to_engine(ci) for ci in c.check_infos],
        "exec_history": [fields_to_engine(e) for e in c.exec_history],
    }


def expire_to_engine(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def secret_to_engine(s: Secret) -> Dict[str, Any]:
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
        "expire": expire_to_engine(s.expire),
        "rotate": _enum_value(s.rotate) if s.rotate is not None else None,
    }


# state.deferred[i].snapshot_data and state.stored_state[i].content are four levels down the State.
_STORED_VALUE_LEVEL = 4


def deferred_to_engine(d: DeferredEvent) -> Dict[str, Any]:
    return {
        "handle_path": d.handle_path,
        "owner": d.owner,
        "observer": d.observer,
        "snapshot_data": encode_value(
            d.snapshot_data, f"deferred[{d.handle_path}].snapshot_data", _STORED_VALUE_LEVEL
        ),
    }


def stored_state_to_engine(s: StoredState) -> Dict[str, Any]:
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


def _status_block_to_engine(st: Status) -> Dict[str, Any]:
    return {
        "app": status_to_engine(st.app),
        "unit": status_to_engine(st.unit),
        "app_history": [status_to_engine(s) for s in st.app_history],
        "unit_history": [status_to_engine(s) for s in st.unit_history],
        "workload_version": st.workload_version,
        "previous_workload_version": st.previous_workload_version,
    }


def _each(convert: Callable[[Any], Any]) -> Callable[[Iterable[Any]], List[Any]]:
    return lambda items: [convert(item) for item in items]


# State field (Python name) -> its engine form; a field not listed is held as it is, so a plain
# new field needs only the dataclass line (tests/python/unit/test_schema.py checks both sides).
_STATE_FIELDS_TO_ENGINE: Dict[str, Callable[[Any], Any]] = {
    "config": dict,
    "relations": _each(relation_to_engine),
    "networks": _each(network_to_engine),
    "containers": _each(container_to_engine),
    "status": _status_block_to_engine,
    "model": fields_to_engine,
    "juju_log": _each(lambda line: {"level": line[0], "message": line[1]}),
    "secrets": _each(secret_to_engine),
    "deferred": _each(deferred_to_engine),
    "stored_state": _each(stored_state_to_engine),
    "opened_ports": _each(fields_to_engine),
    "storages": _each(lambda s: storage_to_engine(s)),
    "resources": _each(lambda r: {"name": r.name, "path": str(r.path)}),
    "action_output": _action,
}


def state_to_engine(state: State) -> Dict[str, Any]:
    """The engine's JSON form of a State (docs/state-format.md)."""
    return {
        engine: _STATE_FIELDS_TO_ENGINE.get(name, _as_it_is)(getattr(state, name))
        for name, engine in _state_engine_fields(type(state))
    }


@functools.lru_cache(maxsize=None)
def _state_engine_fields(cls: type) -> Tuple[Tuple[str, str], ...]:
    """engine_fields of scenario's State, also for a subclass of it (whose own fields the
    engine does not hold)."""
    base = next(c for c in cls.__mro__ if (c.__module__, c.__qualname__) == ("scenario.state", "State"))
    return engine_fields(base)


def _as_it_is(value: T) -> T:
    return value


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
        "relations": [relation_to_engine(event.relation)] if event.relation is not None else [],
        "containers": containers,
        "secrets": [secret_to_engine(event.secret)] if event.secret is not None else [],
        "storages": [storage_to_engine(event.storage)] if event.storage is not None else [],
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


def charm_source_root(charm_type: type) -> Path:
    """The charm's root directory, as ops-scenario 3.1 found it: the one above ``src/charm.py``.

    Raises MetadataNotFoundError if it holds neither metadata.yaml nor charmcraft.yaml.
    """
    charm_root = Path(inspect.getfile(charm_type)).resolve().parents[1]
    if not any((charm_root / f).exists() for f in ("metadata.yaml", "charmcraft.yaml")):
        raise MetadataNotFoundError(
            f"no metadata.yaml or charmcraft.yaml in {charm_root} (the directory above the "
            f"one holding {charm_type.__name__}'s source); pass meta={{...}} to Context"
        )
    return charm_root


def load_spec(charm_type: type, meta: Any, actions: Any, config: Any) -> _engine.CharmSpec:
    """The engine's charm spec of the documents given, or, when none is, of the charm's root."""
    if meta is None and actions is None and config is None:
        return _engine.CharmSpec.from_directory(str(charm_source_root(charm_type)))
    if meta is None:
        meta = {"name": charm_type.__name__}
    return spec_to_engine(meta, config, actions)


def charm_spec_to_engine(spec: _CharmSpec) -> _engine.CharmSpec:
    """The engine's charm spec of a 3.1 ``_CharmSpec``.

    3.1's checks never read the charm's name, and 3.1 suites build specs without one
    (``_CharmSpec(MyCharm, {})``): those get the charm class's name, as Context does for
    ``meta=None``.
    """
    meta = dict(spec.meta or {})
    meta.setdefault("name", spec.charm_type.__name__)
    return spec_to_engine(meta, spec.config, spec.actions)


def storage_to_engine(s: Optional[Storage]) -> Optional[Dict[str, Any]]:
    if s is None:
        return None
    return {"name": s.name, "index": s.index, "location": str(s.location)}
