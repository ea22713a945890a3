"""A digest of plain data that is the same in every process (sets and mappings in sorted order, never `id`s)."""
from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Mapping
from typing import Any


def stable_digest(value: Any) -> str:
    h = hashlib.blake2b(digest_size=20)
    _feed(h, value)
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, enum.Enum):
        h.update(f"enum:{type(value).__name__}.{value.name};".encode())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"dc:{type(value).__qualname__}(".encode())
        for f in dataclasses.fields(value):
            h.update(f"{f.name}=".encode())
            _feed(h, getattr(value, f.name))
        h.update(b")")
    elif isinstance(value, (list, tuple)):
        h.update(b"[")
        for item in value:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(value, (set, frozenset)):
        h.update(f"set:{''.join(sorted(stable_digest(v) for v in value))};".encode())
    elif isinstance(value, Mapping):
        items = sorted((stable_digest(k), stable_digest(v)) for k, v in value.items())
        h.update(f"map:{items};".encode())
    elif isinstance(getattr(value, "pattern", None), str):  # a compiled name pattern
        h.update(f"pattern:{type(value).__name__}:{value.pattern!r};".encode())
    else:
        raise TypeError(f"no stable digest for {type(value).__name__}")
