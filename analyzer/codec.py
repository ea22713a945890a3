"""The one dataclass <-> JSON codec (IR, results) and the JSON Schema of a dataclass, both driven by type hints.

Dataclasses become objects, tuples arrays, enums their values. Where a field's type is a union of several
dataclasses (the IR's operands and events) the encoder adds the class name under "@" (`tagged=True`) and the
decoder picks the class by it.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any

TAG = "@"


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def to_plain(obj: Any, *, tagged: bool = False) -> Any:
    """Plain JSON-able data: dicts, lists, strings, numbers, booleans, None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {TAG: type(obj).__name__} if tagged else {}
        for f in dataclasses.fields(obj):
            out[f.name] = to_plain(getattr(obj, f.name), tagged=tagged)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_plain(x, tagged=tagged) for x in obj]
    if isinstance(obj, Mapping):
        return {k: to_plain(v, tagged=tagged) for k, v in obj.items()}
    return obj


def from_plain(tp: Any, value: Any, classes: Mapping[str, type] | None = None) -> Any:
    """Rebuild a value of type `tp` from `to_plain` output; `classes` resolves "@" tags (tagged unions)."""
    if value is None:
        return None
    if isinstance(value, dict) and TAG in value and classes is not None:
        return _build(classes[value[TAG]], value, classes)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return from_plain(options[0], value, classes) if len(options) == 1 or isinstance(value, dict) else value
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], v, classes) for v in value)
        return tuple(from_plain(a, v, classes) for a, v in zip(args, value, strict=False))
    if origin in (dict, Mapping) or tp is dict:
        args = typing.get_args(tp)
        inner = args[1] if len(args) == 2 else Any
        return {k: from_plain(inner, v, classes) for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(value, dict):
        return _build(typing.cast(type, tp), value, classes)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    return value


def _build(cls: type, data: Mapping[str, Any], classes: Mapping[str, type] | None) -> Any:
    hints = _hints(cls)
    kwargs = {f.name: from_plain(hints[f.name], data[f.name], classes)
              for f in dataclasses.fields(cls) if f.name in data}
    return cls(**kwargs)


def json_schema(tp: Any, defs: dict[str, Any], docs: Mapping[str, str] | None = None) -> dict[str, Any]:
    """JSON Schema (2020-12) of `tp`; dataclasses go to `defs` by name and are referenced."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [json_schema(a, defs, docs) for a in typing.get_args(tp)]}
    if tp is type(None):
        return {"type": "null"}
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": json_schema(args[0], defs, docs)}
        return {"type": "array", "prefixItems": [json_schema(a, defs, docs) for a in args], "items": False}
    if origin in (dict, Mapping) or tp is dict:
        return {"type": "object"}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            hints = _hints(typing.cast(type, tp))
            props = {f.name: json_schema(hints[f.name], defs, docs) for f in dataclasses.fields(tp)}
            defs[name] = {"type": "object", "properties": props, "required": sorted(props),
                          "description": (docs or {}).get(name, (tp.__doc__ or "").strip())}
        return {"$ref": f"#/$defs/{name}"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    return {str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"},
            bool: {"type": "boolean"}}.get(tp, {})
