"""Result model: findings, path events, evidence, diagnostics and the whole AnalysisResult."""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FindingKind:
    rule_id: str
    title: str
    message: str  # template over Finding fields: {var} {kind} {acquirer} {releaser}
    level: str = "warning"  # SARIF level
    help: str = ""


FINDING_KINDS: dict[str, FindingKind] = {k.rule_id: k for k in (
    FindingKind("resource-leak", "Resource leak",
                "{what} acquired by {acquirer}() at line {acquire_line} is not released on this path",
                help="An owned, valid resource becomes unreachable when the function exits."),
    FindingKind("leak-on-overwrite", "Leak on overwrite",
                "{what} acquired by {acquirer}() at line {acquire_line} is overwritten while still owned",
                help="The only reference to an owned resource is overwritten."),
    FindingKind("unused-acquire", "Discarded acquisition",
                "the result of {acquirer}() is discarded: the {kind} is never released",
                help="The result of an allocating/acquiring call is discarded."),
    FindingKind("member-not-released", "Member never released",
                "{what} acquired by {acquirer}() is stored in member '{var}' that the destructor never releases",
                help="A member receives an owned resource that the class's destructor does not release."),
    FindingKind("double-release", "Double release",
                "{what} acquired by {acquirer}() at line {acquire_line} is released twice",
                level="error", help="A resource is released again after it was already released."),
    FindingKind("mismatched-release", "Mismatched release",
                "{what} acquired by {acquirer}() is released with {releaser}(), expected {expected}()",
                level="error", help="A resource is released with a function of a different family."),
    FindingKind("use-after-release", "Use after release",
                "{what} is used after it was released by {releaser}()",
                level="error", help="A released resource is dereferenced."),
    FindingKind("unexplained-growth", "Unexplained heap growth",
                "heap growth of {growth} under {acquirer}() that no static finding explains",
                level="note", help="A growing allocation stack in the heap profiles that no static finding explains."),
)}


@dataclass(frozen=True, slots=True)
class SourceLoc:
    file: str  # as given to the scan (absolute, or as the user named it)
    line: int
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class PathEvent:
    loc: SourceLoc
    message: str
    kind: str = "note"  # acquire | branch | release | escape | exit | overwrite | note


@dataclass(frozen=True, slots=True)
class ProfileFrame:
    function: str
    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class GrowthStack:
    frames: tuple[ProfileFrame, ...]  # leaf first, allocator frames folded
    bytes: int
    objects: int
    source: str = ""  # which profile(s)


@dataclass(frozen=True, slots=True)
class Evidence:
    status: str  # confirmed | static-only
    growth_bytes: int = 0
    growth_objects: int = 0
    stacks: tuple[GrowthStack, ...] = ()
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    kind: str  # resource kind ('malloc', 'FILE', 'fd', 'dm_pack', ...)
    function: str  # qualified name
    loc: SourceLoc  # reported location (exit, overwrite, second release...)
    acquire: SourceLoc | None
    acquirer: str  # 'malloc', 'dm_pack_create', ...
    var: str = ""
    releaser: str = ""  # release function involved (mismatch, double release) or expected
    expected: str = ""  # the release the kind expects
    path: tuple[PathEvent, ...] = ()
    confidence: str = "high"  # high | medium | low
    rule_source: str = ""  # 'builtin:libc.toml', 'inferred:dm_pack_create/dm_pack_del', ...
    snippet: str = ""  # whitespace-stripped text of the reported line (fingerprint input)
    acquire_snippet: str = ""
    function_usr: str = ""
    function_span: tuple[int, int] = (0, 0)  # first and last line of the function's body
    evidence: Evidence | None = None
    rank: int = 0
    fix: str = ""  # suggested fix as a unified diff, when one can be made

    @property
    def message(self) -> str:
        what = f"'{self.var}'" if self.var else "resource"
        kind = FINDING_KINDS[self.rule_id]
        return kind.message.format(
            what=what, var=self.var, kind=self.kind, acquirer=self.acquirer or "?",
            acquire_line=self.acquire.line if self.acquire else "?", releaser=self.releaser or "?",
            expected=self.expected or "?", growth=_human_bytes(self.evidence.growth_bytes if self.evidence else 0))

    @property
    def level(self) -> str:
        return FINDING_KINDS[self.rule_id].level

    def fingerprint(self, rel_file: str) -> str:
        """Identity stable across unrelated edits: no line numbers, no absolute paths."""
        parts = [rel_file, self.rule_id, self.function, self.kind, self.acquirer, self.var,
                 " ".join(self.snippet.split()), " ".join(self.acquire_snippet.split())]
        return hashlib.sha256("|||".join(parts).encode()).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (self.rank or 1 << 30, self.loc.file, self.loc.line, self.loc.col, self.rule_id, self.var)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something about the input, not a finding: a degraded TU, a parse failure, a skipped file."""
    file: str
    line: int
    message: str
    severity: str = "warning"  # note | warning | error


@dataclass(frozen=True, slots=True)
class UnexplainedGrowth:
    loc: SourceLoc | None
    function: str
    stack: GrowthStack
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanStats:
    files: int = 0
    tus: int = 0
    degraded_tus: int = 0
    failed_tus: int = 0
    functions: int = 0
    seconds: float = 0.0
    rules: tuple[str, ...] = ()
    inferred_pairs: int = 0


@dataclass(frozen=True)
class AnalysisResult:
    root: str  # base directory for relative URIs
    findings: tuple[Finding, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    stats: ScanStats = field(default_factory=ScanStats)
    pairs: tuple[dict[str, Any], ...] = ()  # inferred create/destroy pairs (plain data)
    graphs: dict[str, Any] = field(default_factory=dict)  # function usr -> node-link ownership graph
    unexplained: tuple[UnexplainedGrowth, ...] = ()
    profiles: tuple[dict[str, Any], ...] = ()  # summary of each profile used
    timestamp: str = ""
    tool_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _to_plain(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> AnalysisResult:
        return _from_plain(AnalysisResult, data)


def _human_bytes(n: int) -> str:
    value = float(abs(n))
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            text = f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
            return ("-" if n < 0 else "") + text
        value /= 1024
    return f"{n} B"


human_bytes = _human_bytes


def _to_plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_to_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _to_plain(v) for k, v in obj.items()}
    return obj


_NESTED: dict[tuple[type, str], Any] = {}


def _from_plain(cls: Any, data: Any) -> Any:
    import typing
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def _convert(tp: Any, value: Any) -> Any:
    import types
    import typing
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], value)
    if origin is tuple:
        args = typing.get_args(tp)
        inner = args[0] if args else Any
        return tuple(_convert(inner, v) for v in value)
    if dataclasses.is_dataclass(tp):
        return _from_plain(tp, value)
    return value
