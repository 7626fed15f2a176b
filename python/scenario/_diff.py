"""What differs between two State values, one line per differing leaf.

``diff(left, right)`` walks two values of the same scenario type (a State or any part of one)
and returns lines such as::

    relations[db:1].local_unit_data['port']: '80' != '8080'
    status.unit: ActiveStatus('ok') != BlockedStatus('no db')
    containers[web]: missing on the left

Fields that are equal are not printed. Lists of named things are matched by name, not by
position (relations by ``<endpoint>:<relation_id>``, containers by name, secrets by id, ...), so
inserting one relation does not make every later one look changed. The pytest plugin and
``State.diff`` both use this; the format is described in docs/state-diff.md.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ops import pebble
from ops.model import StatusBase, UnknownStatus


__all__ = ["diff", "is_scenario_value", "stable_repr"]

_MISSING = object()


_SCALARS = (str, bytes, int, float, bool, type(None))


def is_scenario_value(value: Any) -> bool:
    """Whether ``value`` is one of scenario's State/Event value classes (a dataclass instance)."""
    cls = type(value)
    return dataclasses.is_dataclass(value) and not isinstance(value, type) and (
        cls.__module__ == "scenario.state"
    )


def diff(left: Any, right: Any) -> List[str]:
    """The differences between ``left`` and ``right``, one ``path: left != right`` line each.

    An empty list means the two values are equal (``left == right``).
    """
    return _walk("", left, right)


# ---------------------------------------------------------------------------------------------
# stable repr: the same text on every ops and Python version, and for sets in any hash order


def stable_repr(value: Any) -> str:
    """``repr`` of a value, made stable: statuses as ``ActiveStatus('ok')``, enums as
    ``ServiceStatus.ACTIVE``, sets sorted, dataclasses with only their non-default fields."""
    if isinstance(value, StatusBase):
        if isinstance(value, UnknownStatus):
            return "UnknownStatus()"
        return f"{type(value).__name__}({value.message!r})"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, pebble.Layer):
        return f"Layer({stable_repr(value.to_dict())})"
    if isinstance(value, (set, frozenset)):
        items = ", ".join(sorted(stable_repr(v) for v in value))
        if isinstance(value, frozenset):
            return f"frozenset({{{items}}})" if items else "frozenset()"
        return f"{{{items}}}" if items else "set()"
    if isinstance(value, dict):
        items = ", ".join(f"{stable_repr(k)}: {stable_repr(v)}" for k, v in value.items())
        return f"{{{items}}}"
    if _is_namedtuple(value):
        fields = ", ".join(f"{name}={stable_repr(v)}" for name, v in zip(value._fields, value))
        return f"{type(value).__name__}({fields})"
    if isinstance(value, list):
        return f"[{', '.join(stable_repr(v) for v in value)}]"
    if isinstance(value, tuple):
        if len(value) == 1:
            return f"({stable_repr(value[0])},)"
        return f"({', '.join(stable_repr(v) for v in value)})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        shown = []
        for field in dataclasses.fields(value):
            if not field.repr:
                continue
            item = getattr(value, field.name)
            if _is_default(field, item):
                continue
            shown.append(f"{field.name}={stable_repr(item)}")
        return f"{type(value).__name__}({', '.join(shown)})"
    return repr(value)


def _is_default(field: dataclasses.Field, value: Any) -> bool:
    if field.default is not dataclasses.MISSING:
        return _equal(value, field.default)
    # Only factories without side effects: relation_id's factory hands out a new id per call.
    if field.default_factory in (dict, list, set, tuple):  # type: ignore[comparison-overlap]
        return _equal(value, field.default_factory())  # type: ignore[misc]
    return False


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


# ---------------------------------------------------------------------------------------------
# the walk


def _equal(left: Any, right: Any) -> bool:
    try:
        return bool(left == right)
    except Exception:  # a value whose __eq__ raises is simply "different"
        return False


def _attr(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _line(path: str, text: str) -> str:
    return f"{path}: {text}" if path else text


def _values_line(path: str, left: Any, right: Any) -> str:
    left_text, right_text = stable_repr(left), stable_repr(right)
    if left_text == right_text:  # e.g. 1 vs 1.0 never gets here, but 'a' vs a str subclass can
        left_text = f"{left_text} ({type(left).__name__})"
        right_text = f"{right_text} ({type(right).__name__})"
    return _line(path, f"{left_text} != {right_text}")


def _missing_line(path: str, side: str, value: Any, show_value: bool) -> str:
    other = "right" if side == "left" else "left"
    text = f"missing on the {side}"
    if show_value:
        text += f" ({other} has {stable_repr(value)})"
    return _line(path, text)


def _walk(path: str, left: Any, right: Any) -> List[str]:
    if _equal(left, right):
        return []
    lines = _walk_different(path, left, right)
    # Whatever the walk found, an unequal pair is never reported as "no difference".
    return lines or [_values_line(path, left, right)]


def _walk_different(path: str, left: Any, right: Any) -> List[str]:
    if isinstance(left, pebble.Layer):
        left = left.to_dict()
    if isinstance(right, pebble.Layer):
        right = right.to_dict()

    left_dc = dataclasses.is_dataclass(left) and not isinstance(left, type)
    right_dc = dataclasses.is_dataclass(right) and not isinstance(right, type)
    if left_dc and right_dc:
        if type(left) is not type(right):
            return [
                _line(path, f"types differ: {type(left).__name__} != {type(right).__name__}")
            ]
        lines: List[str] = []
        for field in dataclasses.fields(left):
            if field.compare:
                lines += _walk(
                    _attr(path, field.name), getattr(left, field.name), getattr(right, field.name)
                )
        return lines

    if _is_namedtuple(left) and type(left) is type(right):
        lines = []
        for name, lvalue, rvalue in zip(left._fields, left, right):
            lines += _walk(_attr(path, name), lvalue, rvalue)
        return lines

    if isinstance(left, dict) and isinstance(right, dict):
        return _walk_mapping(path, left, right)

    if isinstance(left, list) and isinstance(right, list):
        keyed = _keyed(left, right)
        if keyed is not None:
            return _walk_keyed(path, *keyed)
        return _walk_sequence(path, left, right)

    if (
        isinstance(left, tuple)
        and isinstance(right, tuple)
        and not _is_namedtuple(left)
        and not _is_namedtuple(right)
        and len(left) == len(right)
        and not all(isinstance(v, _SCALARS) for v in (*left, *right))
    ):
        return _walk_sequence(path, list(left), list(right))

    return [_values_line(path, left, right)]


def _walk_entries(
    path: str, left: Dict[Any, Any], right: Dict[Any, Any], label: Callable[[Any], str], show_value: bool
) -> List[str]:
    """The entries of both sides by key, in order: ``path[label(key)]`` is missing on one side,
    or the walk of both (``show_value``: a missing entry's line shows the other side's value)."""
    lines: List[str] = []
    for key in _union_in_order(left, right):
        item_path = f"{path}[{label(key)}]"
        if key not in left:
            lines.append(_missing_line(item_path, "left", right[key], show_value))
        elif key not in right:
            lines.append(_missing_line(item_path, "right", left[key], show_value))
        else:
            lines += _walk(item_path, left[key], right[key])
    return lines


def _walk_mapping(path: str, left: Dict[Any, Any], right: Dict[Any, Any]) -> List[str]:
    return _walk_entries(path, left, right, stable_repr, show_value=True)


def _walk_sequence(path: str, left: List[Any], right: List[Any]) -> List[str]:
    return _walk_entries(path, dict(enumerate(left)), dict(enumerate(right)), str, show_value=True)


def _key_function(items: Iterable[Any]) -> Optional[Callable[[Any], str]]:
    """The key function shared by every item (its class's ``_diff_key``), or None if the items
    are not all named things of one kind."""
    chosen: Optional[Callable[[Any], str]] = None
    for item in items:
        key = getattr(type(item), "_diff_key", None)
        if key is None or (chosen is not None and key is not chosen):
            return None
        chosen = key
    return chosen


def _keyed(
    left: List[Any], right: List[Any]
) -> Optional[Tuple[Dict[str, Any], Dict[str, Any]]]:
    """Both lists as key -> item dicts, or None if they cannot be keyed (e.g. duplicate keys)."""
    key_of = _key_function([*left, *right])
    if key_of is None:
        return None
    result = []
    for items in (left, right):
        by_key: Dict[str, Any] = {}
        for item in items:
            key = key_of(item)
            if key in by_key:
                return None
            by_key[key] = item
        result.append(by_key)
    return result[0], result[1]


def _walk_keyed(path: str, left: Dict[str, Any], right: Dict[str, Any]) -> List[str]:
    lines = _walk_entries(path, left, right, str, show_value=False)
    if not lines and list(left) != list(right):
        # Same items, but lists compare in order.
        lines.append(
            _line(
                path,
                f"same items in a different order: [{', '.join(left)}] != [{', '.join(right)}]",
            )
        )
    return lines


def _union_in_order(left: Dict[Any, Any], right: Dict[Any, Any]) -> List[Any]:
    keys = list(left)
    keys += [k for k in right if k not in left]
    return keys
