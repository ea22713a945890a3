"""Phase-2 results of the last scan, reused for every function whose analysis would read the same inputs.

The dataflow of one function reads its own IR, the scan's rules, the program's constant globals, address-taken
globals and overrides (the *context*), and, for each function it calls, whether that callee has a body and the
callee's summary. A result is stored under the digest of all of that, so a hit is exactly the result the analysis
would compute again: after an edit, only the edited functions and the callers whose callees' summaries changed are
analyzed again (recursive call cycles iterate as before, with hits where nothing changed).
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import networkx as nx
import zstandard

from analyzer import ir
from analyzer.fsio import write_bytes_atomic

from .dataflow import FunctionResult
from .dataflow.state import Defect, Resource, TrailStep
from .digest import stable_digest
from .summaries import FunctionSummary, Resolver

log = logging.getLogger(__name__)

MAGIC = b"leakscan-phase2 1\n"
FILE_NAME = "results"


class _ResultUnpickler(pickle.Unpickler):
    """Builds the classes of a function's result and nothing else: a forged file cannot name another callable."""

    _ALLOWED: ClassVar[dict[tuple[str, str], type]] = {(c.__module__, c.__name__): c for c in (
        FunctionResult, Defect, Resource, TrailStep, FunctionSummary, nx.DiGraph, set, frozenset,
        *ir._TYPES.values())}

    def find_class(self, module: str, name: str) -> type:
        cls = self._ALLOWED.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a function's result")
        return cls


class _PlainUnpickler(pickle.Unpickler):
    """The file's outer mapping (key -> a result's bytes) names no class at all."""

    def find_class(self, module: str, name: str) -> type:
        raise pickle.UnpicklingError(f"{module}.{name}: the results file holds plain data only")


@dataclass
class ReuseStats:
    reused: int = 0
    analyzed: int = 0
    rejected: bool = False  # a results file was there but not trusted (damaged, another leakscan)


@dataclass
class ResultCache:
    """`path`: the results file (None: keep nothing); `fingerprint`: the analyzer's, as for the phase-1 cache."""
    path: Path | None
    fingerprint: str
    stats: ReuseStats = field(default_factory=ReuseStats)
    enabled: bool = False  # set by `open`
    _old: dict[str, bytes] = field(default_factory=dict)
    _new: dict[str, bytes] = field(default_factory=dict)
    _context: str = ""
    _function_digests: dict[str, str] = field(default_factory=dict)
    _summary_digests: dict[int, tuple[FunctionSummary, str]] = field(default_factory=dict)
    _carriers: tuple[Mapping[str, tuple[str, str]], str] | None = None

    def open(self, resolver: Resolver, infer: bool) -> None:
        """Read the last scan's results; this scan's context is the resolver's (without summaries)."""
        context = dataclasses.replace(resolver, summaries={}, carriers={})
        try:
            self._context = stable_digest((self.fingerprint, infer, context))
        except TypeError as exc:  # a rule made of something without a stable digest: analyze everything
            log.debug("phase-2 results not reused: %s", exc)
            self.enabled = False
            return
        self.enabled = True
        if self.path is None:
            return
        try:
            data = self.path.read_bytes()
        except OSError:
            return
        try:
            header, payload = data[:len(MAGIC) + 64], data[len(MAGIC) + 64:]
            if not header.startswith(MAGIC) or header[len(MAGIC):].decode() != \
                    hashlib.blake2b(payload, digest_size=32).hexdigest():
                raise ValueError("damaged")
            old = _PlainUnpickler(io.BytesIO(zstandard.decompress(payload))).load()
            if not isinstance(old, dict):
                raise TypeError("not a mapping")
        except Exception:  # a damaged file is never trusted, only replaced
            self.stats.rejected = True
            return
        self._old = {k: v for k, v in old.items() if isinstance(k, str) and isinstance(v, bytes)}

    def key(self, fn: ir.Function, resolver: Resolver) -> str:
        """The digest of everything analyzing `fn` reads."""
        h = hashlib.blake2b(self._context.encode(), digest_size=20)
        h.update(self._function_digest(fn).encode())
        if resolver.carriers:  # the second look at functions using file-static globals that carry a resource
            h.update(self._carriers_digest(resolver.carriers).encode())
        for usr in self._callees(fn, resolver):
            summary = resolver.summaries.get(usr)
            h.update(f"\0{usr}\0{usr in resolver.with_body}\0{self._summary_digest(summary)}".encode())
        return h.hexdigest()

    def get(self, key: str, fn: ir.Function) -> FunctionResult | None:
        blob = self._old.get(key) or self._new.get(key)
        if blob is None:
            return None
        try:
            result = _ResultUnpickler(io.BytesIO(blob)).load()
        except Exception:  # as above
            return None
        if not isinstance(result, FunctionResult):
            return None
        self._new[key] = blob
        self.stats.reused += 1
        return dataclasses.replace(result, function=fn)

    def put(self, key: str, result: FunctionResult) -> None:
        self.stats.analyzed += 1
        if self.path is not None:
            detached = dataclasses.replace(result, function=None)  # type: ignore[arg-type]  # `get` re-attaches it
            self._new[key] = pickle.dumps(detached, protocol=5)

    def save(self) -> None:
        """Keep this scan's results (only those: the file never grows past one program's worth)."""
        if self.path is None:
            return
        payload = zstandard.compress(pickle.dumps(self._new, protocol=5), 3)
        digest = hashlib.blake2b(payload, digest_size=32).hexdigest().encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.path, MAGIC + digest + payload)
        except Exception as exc:  # an unwritable cache costs the next scan time, not this one
            log.debug("phase-2 results not kept in %s: %s", self.path, exc)

    def _function_digest(self, fn: ir.Function) -> str:
        if (known := self._function_digests.get(fn.usr)) is None:
            known = hashlib.blake2b(pickle.dumps(fn, protocol=5), digest_size=20).hexdigest()
            self._function_digests[fn.usr] = known
        return known

    def _carriers_digest(self, carriers: Mapping[str, tuple[str, str]]) -> str:
        if self._carriers is None or self._carriers[0] is not carriers:
            self._carriers = (carriers, stable_digest(dict(carriers)))
        return self._carriers[1]

    def _summary_digest(self, summary: FunctionSummary | None) -> str:
        if summary is None:
            return "-"
        known = self._summary_digests.get(id(summary))
        if known is None or known[0] is not summary:
            known = (summary, hashlib.blake2b(repr(summary).encode(), digest_size=16).hexdigest())
            self._summary_digests[id(summary)] = known
        return known[1]

    @staticmethod
    def _callees(fn: ir.Function, resolver: Resolver) -> list[str]:
        """Every function whose body or summary a call in `fn` may consult (a virtual call: every override)."""
        out: set[str] = set()
        for b in fn.blocks:
            for e in b.events:
                if isinstance(e, ir.Call) and e.callee_usr:
                    out.add(e.callee_usr)
                    out.update(resolver.overriders.get(e.callee_usr, ()))
        return sorted(out)
