"""The engine's output as Python objects (docs/state-format.md).

`state_from_engine` turns the engine's State back into Python objects of the same types the
input used (Relation vs PeerRelation, ops StatusBase instances, sets, bytes, pebble Layers...),
taking the input State as a template: any part the run left unchanged comes back as the very
same object, so converting a State there and back gives an equal State. The other direction,
Python values in the engine's form, is `scenario._engine_form`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import functools
import operator
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, TypeVar

from ops import pebble
from ops.model import SecretRotate, StatusBase

from scenario._engine_form import (
    container_to_engine,
    decode_value,
    deferred_to_engine,
    engine_fields,
    expire_to_engine,
    file_to_engine,
    layer_to_engine,
    network_to_engine,
    relation_to_engine,
    secret_to_engine,
    storage_to_engine,
    stored_state_to_engine,
)
from scenario.errors import StateValidationError
from scenario import state
from scenario.state import _status_to_entitystatus

__all__ = ["ENGINE_STRUCTS", "state_from_engine", "event_from_engine", "fields_from_engine"]

T = TypeVar("T")

# The engine struct (docs/state-format.md, `_engine.state_schema()`) each dataclass is stored as,
# with the struct's fields no field of the dataclass holds and where their value comes from.
# Every other field is held by the dataclass field of the same name, or of the name in its
# metadata (state._stored_as). tests/python/unit/test_schema.py checks this table both ways.
ENGINE_STRUCTS: Dict[type, Tuple[str, Dict[str, str]]] = {
    state.State: ("state", {}),
    state.Relation: ("relation", {"kind": "the class"}),
    state.PeerRelation: (
        "relation",
        {
            "kind": "the class",
            "remote_app_name": "none: a peer's remote application is this one",
            "limit": "none: the engine's default",
            "remote_app_data": "none: a peer has no remote application databag",
            "remote_model_uuid": "none: peers are in this model",
        },
    ),
    state.SubordinateRelation: (
        "relation",
        {
            "kind": "the class",
            "limit": "none: the engine's default",
            "remote_model_uuid": "none: a principal is in this model",
        },
    ),
    state.Network: ("network", {}),
    state.BindAddress: ("bind_address", {}),
    state.Address: ("address", {}),
    state.Container: ("container", {}),
    state.Mount: ("mount", {}),
    state.ExecOutput: ("exec_output", {"command": "its key in Container.exec_mock"}),
    state.File: ("file", {"path": "its key in Container.files", "encoding": "the content's type"}),
    state.Notice: ("notice", {}),
    state.CheckInfo: ("check_info", {}),
    state.ExecRecord: ("exec_record", {}),
    state.Status: ("status", {}),
    state.Model: ("model", {}),
    state.Secret: ("secret", {}),
    state.DeferredEvent: ("deferred_event", {}),
    state.StoredState: ("stored_state", {}),
    state.Port: ("opened_port", {}),
    state.Storage: ("storage", {}),
    state.Resource: ("resource", {}),
    state.ActionOutput: ("action_output", {}),
    state.Event: ("event", {"storage_index": "Event.storage"}),
}


def fields_from_engine(cls: Callable[..., T], d: Dict[str, Any]) -> T:
    """``cls`` from the engine's form of it (fields the engine holds as they are)."""
    return cls(**{name: d[engine] for name, engine in engine_fields(cls) if engine in d})  # type: ignore[arg-type]

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


def _build_relation(d: Dict[str, Any], template: Optional[state.RelationBase]) -> state.RelationBase:
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
        order = template.peers_ids if isinstance(template, state.PeerRelation) else []
        ids = _ordered_ids(units, order)
        values["peers_data"] = {i: dict(units[str(i)]) for i in ids}
        values["peers_ids"] = ids
        return _trusted(state.PeerRelation, values)
    if kind == "subordinate":
        if units:
            (unit_key, unit_data), = list(units.items())[:1]
            unit_id = int(unit_key)
        else:
            unit_data = {}
            unit_id = template.remote_unit_id if isinstance(template, state.SubordinateRelation) else 0
        values["remote_app_data"] = dict(d.get("remote_app_data", {}))
        values["remote_unit_data"] = dict(unit_data)
        values["remote_app_name"] = d.get("remote_app_name", "remote")
        values["remote_unit_id"] = unit_id
        return _trusted(state.SubordinateRelation, values)
    order = template.remote_unit_ids if isinstance(template, state.Relation) else []
    ids = _ordered_ids(units, order)
    values["remote_app_name"] = d.get("remote_app_name", "remote")
    values["remote_unit_ids"] = ids
    values["limit"] = d.get("limit", 1)
    values["remote_app_data"] = dict(d.get("remote_app_data", {}))
    values["remote_units_data"] = {i: dict(units[str(i)]) for i in ids}
    values["remote_model_uuid"] = d.get("remote_model_uuid")
    # 3.1's default remote unit 0 is for input only: no unit here means the engine reported none.
    return _trusted(state.Relation, values)


def _build_network(d: Dict[str, Any], template: Optional[state.Network]) -> state.Network:
    del template
    return state.Network(
        name=d["name"],
        bind_addresses=[
            state.BindAddress(
                interface_name=b.get("interface_name", ""),
                mac_address=b.get("mac_address") or None,
                addresses=[fields_from_engine(state.Address, a) for a in b.get("addresses", [])],
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


_DEFAULT_FILE = state.File()
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
        template_value.content if isinstance(template_value, state.File) else template_value
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
    if isinstance(template_value, state.File) or meta != _DEFAULT_FILE_META:
        permissions, user, user_id, group, group_id, is_dir = meta
        return state.File(
            content=content,
            permissions=permissions,
            user=user,
            user_id=user_id,
            group=group,
            group_id=group_id,
            is_dir=is_dir,
        )
    return content


def _build_container(d: Dict[str, Any], template: Optional[state.Container]) -> state.Container:
    t_layers = template.layers if template else {}
    layers: Dict[str, Any] = {}
    for label, raw in d.get("layers", []):
        old = t_layers.get(label)
        if old is not None and layer_to_engine(old) == raw:
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
            mounts[name] = state.Mount(location=m["location"], src=m["src"])
    t_files = template.files if template else {}
    files = {}
    for f in d.get("files", []):
        path = f["path"]
        old_file = t_files.get(path)
        unchanged = old_file is not None and file_to_engine(path, old_file) == f
        files[path] = old_file if unchanged else _build_file(f, old_file)
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
            tuple(e["command"]): state.ExecOutput(
                return_code=e.get("return_code", 0),
                stdout=e.get("stdout", ""),
                stderr=e.get("stderr", ""),
            )
            for e in d.get("exec_mock", [])
        },
        "files": files,
        "notices": [fields_from_engine(state.Notice, n) for n in d.get("notices", [])],
        "check_infos": [fields_from_engine(state.CheckInfo, c) for c in d.get("check_infos", [])],
        "exec_history": [fields_from_engine(state.ExecRecord, e) for e in d.get("exec_history", [])],
    }
    # The engine does not check files against mounts: Container's own check does.
    return state.Container(**values) if mounts else _trusted(state.Container, values)


def _parse_expire(value: Optional[str]) -> Optional[datetime.datetime]:
    if value is None:
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError as e:
        raise StateValidationError(f"secret expire {value!r} is not an RFC 3339 time") from e


def _build_secret(d: Dict[str, Any], template: Optional[state.Secret]) -> state.Secret:
    expire: Any = _parse_expire(d.get("expire"))
    if template is not None and expire_to_engine(template.expire) == d.get("expire"):
        expire = template.expire
    rotate = d.get("rotate")
    owner = d.get("owner")
    return _trusted(
        state.Secret,
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


def _build_deferred(d: Dict[str, Any], template: Optional[state.DeferredEvent]) -> state.DeferredEvent:
    del template
    return state.DeferredEvent(
        handle_path=d["handle_path"],
        owner=d["owner"],
        observer=d["observer"],
        snapshot_data=decode_value(
            d.get("snapshot_data", {}), f"deferred[{d['handle_path']}].snapshot_data"
        ),
    )


def _build_stored_state(d: Dict[str, Any], template: Optional[state.StoredState]) -> state.StoredState:
    del template
    owner_path = d.get("owner_path")
    name = d.get("name", "_stored")
    data_type_name = d.get("data_type_name", "StoredStateData")
    where = f"stored_state[{owner_path or ''}/{data_type_name}[{name}]].content"  # its handle_path
    return state.StoredState(
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


def _build_status(d: Dict[str, Any], template: state.Status) -> state.Status:
    return _trusted(
        state.Status,
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


def _reused(
    keys: Tuple[Callable[[Any], Any], Callable[[Dict[str, Any]], Any]],
    to_json: Callable[[Any], Dict[str, Any]],
    build: Callable[[Dict[str, Any], Any], Any],
) -> Callable[[List[Dict[str, Any]], Sequence[Any]], List[Any]]:
    return lambda items, templates: _reuse(items, templates, keys, to_json, build)


def _model(m: Dict[str, Any], template: state.Model) -> state.Model:
    unchanged = (template.name, template.uuid, template.type) == (m.get("name"), m.get("uuid"), m.get("type"))
    return template if unchanged else fields_from_engine(state.Model, m)


def _storages(items: List[Dict[str, Any]], templates: Sequence[state.Storage]) -> List[state.Storage]:
    by_key = {(s.name, s.index): s for s in templates}
    out = []
    for s in items:
        old = by_key.get((s["name"], s["index"]))
        same = old is not None and storage_to_engine(old) == s
        out.append(old if same else state.Storage(s["name"], s.get("index", 0), s.get("location", "")))
    return out


def _resources(items: List[Dict[str, Any]], templates: Sequence[state.Resource]) -> List[state.Resource]:
    paths = {r.name: r.path for r in templates}
    return [state.Resource(r["name"], _path_like(r["path"], paths.get(r["name"]))) for r in items]


def _action_output(a: Optional[Dict[str, Any]], _template: Any) -> Optional[state.ActionOutput]:
    return None if a is None else fields_from_engine(state.ActionOutput, a)


# State field (Python name) -> how its engine form becomes Python, given the input State's value
# (the template). A field not listed is held as it is, so a plain new field needs only the
# dataclass line.
_STATE_FIELDS_FROM_ENGINE: Dict[str, Callable[[Any, Any], Any]] = {
    "config": lambda value, _: dict(value),
    "relations": _reused(_BY_RELATION_ID, relation_to_engine, _build_relation),
    "networks": _reused(_BY_NAME, network_to_engine, _build_network),
    "containers": _reused(_BY_NAME, container_to_engine, _build_container),
    "status": lambda value, template: _build_status(value, template),
    "leader": lambda value, _: bool(value),
    "model": _model,
    "juju_log": lambda lines, _: [state.JujuLogLine(l["level"], l["message"]) for l in lines],
    "secrets": _reused(_BY_ID, secret_to_engine, _build_secret),
    "unit_id": lambda value, _: int(value),
    "deferred": _reused(_BY_HANDLE, deferred_to_engine, _build_deferred),
    "stored_state": _reused(_BY_OWNER_AND_NAME, stored_state_to_engine, _build_stored_state),
    "opened_ports": lambda ports, _: [fields_from_engine(state.Port, p) for p in ports],
    "storages": _storages,
    "resources": _resources,
    "planned_units": lambda value, _: int(value),
    "action_output": _action_output,
}


def state_from_engine(d: Dict[str, Any], template: state.State) -> state.State:
    """The Python State for the engine's output ``d``, typed like the input ``template``.

    Fields missing from ``d`` keep the template's value.
    """
    changes: Dict[str, Any] = {}
    for name, engine in engine_fields(state.State):
        if engine in d:
            read = _STATE_FIELDS_FROM_ENGINE.get(name)
            changes[name] = d[engine] if read is None else read(d[engine], getattr(template, name))
    if type(template) is state.State and changes.keys() == _init_fields(state.State):
        # Every field came from the engine (the usual case): nothing of the template's is kept.
        return _new(state.State, changes)
    return dataclasses.replace(template, **changes)


def event_from_engine(d: Dict[str, Any], fired_on: state.State) -> state.Event:
    """The Event for the engine's JSON form of one, referring to the objects of ``fired_on``."""

    def find(items: Iterable[Any], match: Callable[[Any], bool], what: str) -> Any:
        for item in items:
            if match(item):
                return item
        raise ValueError(f"the engine named {what}, which is not in the State")

    relation = secret = container = storage = None
    if d.get("relation_id") is not None:
        relation = find(fired_on.relations, lambda r: r.relation_id == d["relation_id"],
                        f"relation {d['relation_id']}")
    if d.get("secret_id") is not None:
        secret = find(fired_on.secrets, lambda s: s.id == d["secret_id"], f"secret {d['secret_id']}")
    if d.get("container") is not None:
        container = find(fired_on.containers, lambda c: c.name == d["container"],
                         f"container {d['container']}")
    if d.get("storage_name") is not None:
        storage = find(
            fired_on.storages,
            lambda s: s.name == d["storage_name"] and s.index == (d.get("storage_index") or 0),
            f"storage {d['storage_name']}/{d.get('storage_index') or 0}",
        )
    return state.Event(
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
