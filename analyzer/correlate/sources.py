"""Profile file names resolved against the scanned tree (profiles record build paths)."""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence

from analyzer.model import AnalysisResult, Evidence, Finding

_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++", ".h", ".hh", ".hpp", ".hxx", ".inl", ".ipp", ".tcc")


class _SourceResolver:
    """Profile file paths (from another machine or build dir) → the scanned source files."""

    def __init__(self, result: AnalysisResult, findings: Sequence[Finding]) -> None:
        self.root = result.root
        self.known: dict[str, list[str]] = {}
        for f in findings:
            for loc in (f.loc, f.acquire, *(ev.loc for ev in f.path)):
                if loc is not None and loc.file:
                    self._add(loc.file)
        self._indexed = False

    def _add(self, path: str) -> None:
        bucket = self.known.setdefault(os.path.basename(path), [])
        if path not in bucket:
            bucket.append(path)

    def _index_root(self) -> None:
        self._indexed = True
        if not self.root or not os.path.isdir(self.root):
            return
        seen = 0
        for d, dirs, files in os.walk(self.root):
            dirs[:] = [x for x in dirs if not x.startswith(".") and x not in ("node_modules", "__pycache__")]
            for name in files:
                if name.endswith(_SOURCE_SUFFIXES):
                    self._add(os.path.join(d, name))
                    seen += 1
            if seen > 50000:
                return

    def resolve(self, path: str) -> str:
        if not path or not path.endswith(_SOURCE_SUFFIXES) or re.match(r"^(/usr/|\.\./|csu/)", path):
            return path
        cands = self.known.get(os.path.basename(path))
        if not cands and not self._indexed:
            self._index_root()
            cands = self.known.get(os.path.basename(path))
        if not cands:
            return path
        if len(cands) == 1:
            return cands[0]
        return max(cands, key=lambda c: (_common_suffix(c, path), -len(c)))


def _common_suffix(a: str, b: str) -> int:
    pa, pb = a.replace("\\", "/").split("/"), b.replace("\\", "/").split("/")
    n = 0
    while n < min(len(pa), len(pb)) and pa[-1 - n] == pb[-1 - n]:
        n += 1
    return n


def _resolve_evidence(ev: Evidence | None, resolver: _SourceResolver) -> Evidence | None:
    if ev is None or not ev.stacks:
        return ev
    stacks = tuple(dataclasses.replace(s, frames=tuple(dataclasses.replace(f, file=resolver.resolve(f.file))
                                                       for f in s.frames)) for s in ev.stacks)
    return dataclasses.replace(ev, stacks=stacks)
