"""Resource rules: which calls acquire, release, reallocate or merely borrow a resource.

A `RuleSet` is frozen: it is built once per scan by `analyzer.rules.build_ruleset` from its sources through a
`RuleSetBuilder`, the only mutable form, which no other stage sees.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from analyzer.errors import InputError

from .patterns import NamePattern

INVALID_CONVENTIONS = {"null", "negative", "mmap-failed", "none"}


class RuleError(InputError):
    """A malformed rules file (TOML, cppcheck .cfg): names the file, the line when known, and the key."""

    def __init__(self, path: str, message: str, line: int | None = None):
        super().__init__(path, line, message)


@dataclass(frozen=True, slots=True)
class ResourceKind:
    name: str
    invalid: str = "null"
    description: str = ""
    source: str = ""  # 'builtin:libc.toml', 'rules:my.toml', 'inferred', 'summary', 'cppcheck:...'
    family: str = ""  # kinds of one family may release each other without a mismatch

    def is_invalid(self, op: str, const: int) -> bool | None:
        """True: `value OP const` means nothing was acquired; False: it means valid; None: unknown."""
        if self.invalid == "null":
            if const == 0 and op == "==":
                return True
            if const == 0 and op in ("!=", ">"):
                return False
        elif self.invalid == "negative":
            if (op == "<" and const <= 0) or (op == "<=" and const < 0) or (op == "==" and const < 0):
                return True
            if (op == ">=" and const >= 0) or (op == ">" and const >= -1) or (op == "!=" and const == -1):
                return False
        elif self.invalid == "mmap-failed":
            if op == "==" and const in (-1, 0):
                return True
            if op == "!=" and const in (-1, 0):
                return False
        return None


@dataclass(frozen=True, slots=True)
class Acquire:
    function: str
    kind: str
    out_arg: int | None = None  # None: the return value
    source: str = ""
    origin: str = ""  # 'FILE:LINE' of the rule, for diagnostics


@dataclass(frozen=True, slots=True)
class Release:
    function: str
    kind: str
    arg: int = 0
    source: str = ""
    origin: str = ""  # 'FILE:LINE' of the rule, for diagnostics


@dataclass(frozen=True, slots=True)
class Realloc:
    function: str
    kind: str
    arg: int = 0
    source: str = ""
    origin: str = ""  # 'FILE:LINE' of the rule, for diagnostics


class _RuleQueries:
    """Lookups shared by the frozen RuleSet and its builder."""

    kinds: Mapping[str, ResourceKind]
    acquires: Mapping[str, Acquire]
    releases: Mapping[str, list[Release]] | Mapping[str, tuple[Release, ...]]
    reallocs: Mapping[str, Realloc]
    borrows: set[str] | frozenset[str]
    acquire_patterns: list[tuple[NamePattern, str, str]] | tuple[tuple[NamePattern, str, str], ...]
    release_patterns: list[tuple[NamePattern, str, str]] | tuple[tuple[NamePattern, str, str], ...]

    @staticmethod
    def _names(callee: str) -> tuple[str, ...]:
        if callee.startswith("std::") and callee.count("::") == 1:
            return (callee, callee[5:])
        return (callee,)

    def acquire_for(self, callee: str) -> Acquire | None:
        for name in self._names(callee):
            if name in self.acquires:
                return self.acquires[name]
        for pattern, kind, source in self.acquire_patterns:
            if pattern.fullmatch(callee):
                return Acquire(callee, kind, None, source)
        return None

    def releases_for(self, callee: str) -> list[Release]:
        for name in self._names(callee):
            if name in self.releases:
                return list(self.releases[name])
        for pattern, kind, source in self.release_patterns:
            if pattern.fullmatch(callee):
                return [Release(callee, kind, 0, source)]
        return []

    def realloc_for(self, callee: str) -> Realloc | None:
        for name in self._names(callee):
            if name in self.reallocs:
                return self.reallocs[name]
        return None

    def borrows_args(self, callee: str) -> bool:
        return any(name in self.borrows for name in self._names(callee))

    def release_names(self, kind: str) -> list[str]:
        names = [f for f, rels in self.releases.items() if any(r.kind == kind for r in rels)]
        names += [f for f, r in self.reallocs.items() if r.kind == kind]
        return names

    def expected_release(self, kind: str) -> str:
        names = [f for f, rels in self.releases.items() if any(r.kind == kind for r in rels)]
        return names[0] if names else ""

    def same_family(self, a: str, b: str) -> bool:
        if a == b:
            return True
        fa, fb = self.kinds.get(a), self.kinds.get(b)
        return bool(fa and fb and fa.family and fa.family == fb.family)


@dataclass(frozen=True)
class RuleSet(_RuleQueries):
    """The rules of one scan, read-only."""
    kinds: Mapping[str, ResourceKind] = field(default_factory=lambda: MappingProxyType({}))
    acquires: Mapping[str, Acquire] = field(default_factory=lambda: MappingProxyType({}))
    releases: Mapping[str, tuple[Release, ...]] = field(default_factory=lambda: MappingProxyType({}))
    reallocs: Mapping[str, Realloc] = field(default_factory=lambda: MappingProxyType({}))
    borrows: frozenset[str] = frozenset()
    acquire_patterns: tuple[tuple[NamePattern, str, str], ...] = ()
    release_patterns: tuple[tuple[NamePattern, str, str], ...] = ()
    files: tuple[str, ...] = ()

    def builder(self) -> RuleSetBuilder:
        """A mutable copy, to derive a new RuleSet (e.g. with inferred pairs) from this one."""
        return RuleSetBuilder(dict(self.kinds), dict(self.acquires), {k: list(v) for k, v in self.releases.items()},
                              dict(self.reallocs), set(self.borrows), list(self.acquire_patterns),
                              list(self.release_patterns), list(self.files))


@dataclass
class RuleSetBuilder(_RuleQueries):
    """The mutable form used while the sources are read. Earlier definitions win (`add_*` never replaces):
    the order in which `build_ruleset` applies the sources is the precedence."""
    kinds: dict[str, ResourceKind] = field(default_factory=dict)
    acquires: dict[str, Acquire] = field(default_factory=dict)
    releases: dict[str, list[Release]] = field(default_factory=dict)
    reallocs: dict[str, Realloc] = field(default_factory=dict)
    borrows: set[str] = field(default_factory=set)
    acquire_patterns: list[tuple[NamePattern, str, str]] = field(default_factory=list)
    release_patterns: list[tuple[NamePattern, str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add_kind(self, kind: ResourceKind) -> None:
        self.kinds.setdefault(kind.name, kind)

    def add_acquire(self, acq: Acquire) -> None:
        self.acquires.setdefault(acq.function, acq)

    def add_release(self, rel: Release) -> None:
        existing = self.releases.setdefault(rel.function, [])
        if all((r.kind, r.arg) != (rel.kind, rel.arg) for r in existing):
            existing.append(rel)

    def add_realloc(self, realloc: Realloc) -> None:
        self.reallocs.setdefault(realloc.function, realloc)

    def freeze(self) -> RuleSet:
        return RuleSet(MappingProxyType(dict(self.kinds)), MappingProxyType(dict(self.acquires)),
                       MappingProxyType({k: tuple(v) for k, v in self.releases.items()}),
                       MappingProxyType(dict(self.reallocs)), frozenset(self.borrows), tuple(self.acquire_patterns),
                       tuple(self.release_patterns), tuple(self.files))


__all__ = ["INVALID_CONVENTIONS", "Acquire", "Realloc", "Release", "ResourceKind", "RuleError", "RuleSet",
           "RuleSetBuilder"]
