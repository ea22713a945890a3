"""Which profile stacks are a finding's acquire site: targets, and an index to check each stack against few."""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.model import Finding
from analyzer.profiles.fold import is_allocator_function
from analyzer.profiles.model import Frame
from analyzer.profiles.names import join_key

from .stacks import _ALLOCATING_ACQUIRERS


def _key(name: str) -> str:
    return join_key(name) if name else ""


def _same_function(a: str, b: str) -> bool:
    """Qualified names that may differ only in leading namespaces ('::f' vs 'ns::f')."""
    if not a or not b:
        return False
    return a == b or a.endswith("::" + b) or b.endswith("::" + a)


@dataclass(frozen=True)
class _Target:
    """What a finding's acquire site looks like in a profile stack."""

    index: int
    function: str
    cls: str  # enclosing class/namespace of a member finding, else ""
    acquirer: str
    allocating: bool  # the acquirer is an allocator: its frames are folded, the site is the leaf
    file: str  # basename of the acquire file
    line: int
    acquire_in_function: bool

    @staticmethod
    def of(index: int, f: Finding) -> _Target:
        fn = _key(f.function)
        acq = f.acquire
        inside = bool(acq) and (
            f.function_span == (0, 0)
            or (os.path.basename(acq.file) == os.path.basename(f.loc.file)  # type: ignore[union-attr]
                and f.function_span[0] <= acq.line <= f.function_span[1]))  # type: ignore[union-attr]
        member = f.rule_id == "member-not-released" or f.rule_source.startswith("member:") or (
            acq is not None and not inside)
        cls = fn.rsplit("::", 1)[0] if member and "::" in fn else ""
        acquirer = _key(f.acquirer)
        return _Target(index, fn, cls, acquirer,
                       f.acquirer in _ALLOCATING_ACQUIRERS or is_allocator_function(f.acquirer),
                       os.path.basename(acq.file) if acq else "", acq.line if acq else 0, inside)


def _is_site(t: _Target, frame: Frame, fn: str, tol: int) -> bool:
    """Is this frame (a call into the acquirer, or the allocating leaf) the finding's acquire site?"""
    near = bool(frame.line and t.line) and abs(frame.line - t.line) <= tol
    same_file = not frame.file or not t.file or os.path.basename(frame.file) == t.file
    if _same_function(fn, t.function):
        if t.acquire_in_function:
            return (near and same_file) or not frame.line
        return True  # member value acquired elsewhere: any store site in this function
    if t.cls and fn.startswith(t.cls + "::"):
        return True  # another method of the class stored the member's value
    return near and same_file and bool(frame.file)


def _matches(t: _Target, frames: Sequence[Frame], keys: Sequence[str], tol: int) -> bool:
    """Walk the stack from the leaf: the allocating leaf itself, or a frame calling the acquirer."""
    if t.allocating and frames and _is_site(t, frames[0], keys[0], tol):
        return True
    return any(_same_function(keys[i - 1], t.acquirer) and _is_site(t, frames[i], keys[i], tol)
               for i in range(1, len(frames)))


def _last(name: str) -> str:
    return name.rsplit("::", 1)[-1]


class _Index:
    """Targets by the names a matching frame must carry, so that each stack is checked against a few.

    Keys: the leaf (allocating acquirers) or the (acquirer, caller) pair, by function name, class
    name (member findings) or file and line.
    """

    def __init__(self, targets: Sequence[_Target], tol: int) -> None:
        self.tol = tol
        self.acquirers: set[str] = set()
        self.by_key: dict[tuple[object, ...], list[_Target]] = {}
        for t in targets:
            acq = _last(t.acquirer)
            self.acquirers.add(acq)
            for via in ((None, acq) if t.allocating else (acq,)):
                keys: list[tuple[object, ...]] = [("fn", via, _last(t.function))]
                if t.cls:
                    keys.append(("cls", via, _last(t.cls)))
                if t.file and t.line:
                    keys.extend(("at", via, t.file, n) for n in range(t.line - tol, t.line + tol + 1))
                for k in keys:
                    self.by_key.setdefault(k, []).append(t)

    def _lookup(self, via: str | None, frame: Frame, key: str, out: dict[int, _Target]) -> None:
        parts = key.split("::")
        keys: list[tuple[object, ...]] = [("fn", via, parts[-1]), ("at", via, os.path.basename(frame.file), frame.line)]
        if len(parts) > 1:
            keys.append(("cls", via, parts[-2]))
        for k in keys:
            for t in self.by_key.get(k, ()):
                out[t.index] = t

    def matches(self, frames: Sequence[Frame]) -> list[int]:
        if not frames:
            return []
        keys = [_key(f.function) for f in frames]
        cands: dict[int, _Target] = {}
        self._lookup(None, frames[0], keys[0], cands)
        for i in range(1, len(frames)):
            acq = _last(keys[i - 1])
            if acq in self.acquirers:
                self._lookup(acq, frames[i], keys[i], cands)
        return sorted(i for i, t in cands.items() if _matches(t, frames, keys, self.tol))
