"""Result model: findings, path events, evidence, diagnostics and the whole AnalysisResult."""
from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any

from . import codec


class RuleId(enum.StrEnum):
    """The SARIF ruleIds of findings: stable, users suppress by them."""
    RESOURCE_LEAK = "resource-leak"
    LEAK_ON_OVERWRITE = "leak-on-overwrite"
    UNUSED_ACQUIRE = "unused-acquire"
    MEMBER_NOT_RELEASED = "member-not-released"
    DOUBLE_RELEASE = "double-release"
    MISMATCHED_RELEASE = "mismatched-release"
    USE_AFTER_RELEASE = "use-after-release"
    UNEXPLAINED_GROWTH = "unexplained-growth"


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a ruleId means: its title, the message template, SARIF level and help text."""
    rule_id: RuleId
    title: str
    message: str  # template over Finding fields: {what} {var} {kind} {acquirer} {acquire_line} {releaser}...
    level: str = "warning"  # SARIF level
    help: str = ""

    @property
    def sarif_name(self) -> str:
        """SARIF `rules[].name`: the ruleId in PascalCase (`resource-leak` -> `ResourceLeak`)."""
        return "".join(word.capitalize() for word in self.rule_id.split("-"))


RULES: dict[RuleId, RuleInfo] = {k.rule_id: k for k in (
    RuleInfo(RuleId.RESOURCE_LEAK, "Resource leak",
             "{what} acquired by {acquirer}() at line {acquire_line} is not released on this path",
             help="An owned, valid resource becomes unreachable when the function exits."),
    RuleInfo(RuleId.LEAK_ON_OVERWRITE, "Leak on overwrite",
             "{what} acquired by {acquirer}() at line {acquire_line} is overwritten while still owned",
             help="The only reference to an owned resource is overwritten."),
    RuleInfo(RuleId.UNUSED_ACQUIRE, "Discarded acquisition",
             "the result of {acquirer}() is discarded: the {kind} is never released",
             help="The result of an allocating/acquiring call is discarded."),
    RuleInfo(RuleId.MEMBER_NOT_RELEASED, "Member never released",
             "{what} acquired by {acquirer}() is stored in member '{var}' that the destructor never releases",
             help="A member receives an owned resource that the class's destructor does not release."),
    RuleInfo(RuleId.DOUBLE_RELEASE, "Double release",
             "{what} acquired by {acquirer}() at line {acquire_line} is released twice",
             level="error", help="A resource is released again after it was already released."),
    RuleInfo(RuleId.MISMATCHED_RELEASE, "Mismatched release",
             "{what} acquired by {acquirer}() is released with {releaser}(), expected {expected}()",
             level="error", help="A resource is released with a function of a different family."),
    RuleInfo(RuleId.USE_AFTER_RELEASE, "Use after release",
             "{what} is used after it was released by {releaser}()",
             level="error", help="A released resource is dereferenced."),
    RuleInfo(RuleId.UNEXPLAINED_GROWTH, "Unexplained heap growth",
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
    series: tuple[int, ...] = ()  # in-use bytes at each snapshot of `AnalysisResult.timeline` (2+ snapshots)


@dataclass(frozen=True, slots=True)
class Evidence:
    status: str  # confirmed | static-only
    growth_bytes: int = 0
    growth_objects: int = 0
    stacks: tuple[GrowthStack, ...] = ()
    summary: str = ""
    # Over a snapshot series (the one in `AnalysisResult.timeline`): in-use bytes of the finding's stacks at each
    # snapshot, their fitted growth in bytes per hour (when the snapshots carry wall-clock times), and whether
    # they are still growing at the end of the window (3+ snapshots): growing | plateaued | flat.
    series: tuple[int, ...] = ()
    per_hour: float | None = None
    verdict: str = ""


# Leaks are reported once per leaked resource (the acquisition), with every exit it leaks on: Clang's "uniqueing".
GROUPED_BY_ACQUISITION = frozenset({RuleId.RESOURCE_LEAK, RuleId.LEAK_ON_OVERWRITE})


@dataclass(frozen=True, slots=True)
class LeakExit:
    """Another place the same resource is lost: an exit (or overwrite) and the path that leads there."""
    loc: SourceLoc
    branch: str  # the last branch taken on the way ("'x' is false"), '' when none
    path: tuple[PathEvent, ...] = ()
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace lines [start, end) of `file` (0-based; start == end inserts before line `start`) with `lines`."""
    file: str
    start: int
    end: int
    lines: tuple[str, ...]  # each with its line ending (the last line of a file may have none)


@dataclass(frozen=True, slots=True)
class Fix:
    """A suggested fix: edits of the original source, applied together."""
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: RuleId
    resource_kind: str  # 'malloc', 'FILE', 'fd', 'dm_pack', ...
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
    fix: Fix | None = None  # the suggested fix, when one is certain to be safe
    exits: tuple[LeakExit, ...] = ()  # the other places the same resource is lost (`loc`/`path`: the shortest)
    occurrence: int = 0  # > 0: the n-th finding whose fingerprint inputs are otherwise identical
    baseline_state: str = ""  # against a baseline: new | unchanged ('' without one)
    score: int = 0  # static confidence 0..100 (analyzer.ranking); findings without evidence are listed by it
    score_reasons: tuple[str, ...] = ()  # what raised or lowered the score: '+20 pair known from configuration'
    priority: str = ""  # '' | 'process-exit': lost only where the process ends, listed after every other finding
    over_budget: bool = False  # its function exceeded the path budget: paths were joined, conditions forgotten

    @property
    def exit_count(self) -> int:
        return 1 + len(self.exits)

    @property
    def message(self) -> str:
        what = f"'{self.var}'" if self.var else "resource"
        return RULES[self.rule_id].message.format(
            what=what, var=self.var, kind=self.resource_kind, acquirer=self.acquirer or "?",
            acquire_line=self.acquire.line if self.acquire else "?", releaser=self.releaser or "?",
            expected=self.expected or "?", growth=_human_bytes(self.evidence.growth_bytes if self.evidence else 0))

    @property
    def level(self) -> str:
        return RULES[self.rule_id].level

    def fingerprint(self, rel_file: str) -> str:
        """Identity stable across unrelated edits: no line numbers, no absolute paths. A leak is keyed by its
        acquisition, so adding or removing an exit on which it leaks keeps its fingerprint."""
        parts = [rel_file, self.rule_id, self.function, self.resource_kind, self.acquirer]
        if self.rule_id not in GROUPED_BY_ACQUISITION:
            parts += [self.var, " ".join(self.snippet.split())]
        parts.append(" ".join(self.acquire_snippet.split()))
        if self.occurrence:
            parts.append(str(self.occurrence))
        return hashlib.sha256("|||".join(parts).encode()).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (self.rank or 1 << 30, self.priority != "", -self.score, self.loc.file, self.loc.line, self.loc.col,
                self.rule_id, self.var)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A reason to silence findings: an inline `leakscan-ignore[ruleId]: reason` comment or a suppression file
    entry (ruleIds, path glob, function glob)."""
    kind: str  # inline | file
    file: str  # the source file holding the comment, or the suppression file
    line: int
    rule_ids: tuple[str, ...]  # empty: every ruleId
    reason: str = ""
    path: str = ""  # file entries: glob of the finding's path relative to the root
    function: str = ""  # file entries: glob of the finding's function ('' any)
    fingerprint: str = ""  # file entries: only the finding with this fingerprint


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    """A finding left out of the counts and the exit code by a suppression, still listed in every report."""
    finding: Finding
    suppression: Suppression
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """A finding of the baseline that the scan no longer finds (fixed, or its code removed)."""
    fingerprint: str
    rule_id: str
    file: str  # relative to the baseline's root
    line: int
    function: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class Workflow:
    """What the team's workflow did to a scan's findings: the baseline it was compared with, the revision it was
    limited to, and the suppressions that matched nothing."""
    baseline: str = ""  # the baseline file ('' none)
    fixed: tuple[BaselineEntry, ...] = ()  # in the baseline, not found any more
    diff_base: str = ""  # git revision: only findings whose path touches lines changed since it are kept
    outside_diff: int = 0  # findings left out because their path touches no changed line
    stale_suppressions: tuple[Suppression, ...] = ()  # suppressions that matched no finding
    suppression_files: tuple[str, ...] = ()


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
class TimelinePoint:
    """One heap snapshot of a series: its name, its place on the time axis and the heap in use then."""
    label: str  # file name, or the URL and snapshot number of a live service's
    at: float  # seconds since the first snapshot when the timeline is wall-clock, else the snapshot's number
    total_bytes: int
    time: str = ""  # ISO 8601 (UTC) when wall-clock


@dataclass(frozen=True, slots=True)
class SiteSeries:
    """In-use bytes of one allocation site (its stacks merged) at each snapshot of the timeline."""
    function: str
    file: str
    line: int
    series: tuple[int, ...]
    growth: int  # last minus first
    per_hour: float | None = None
    verdict: str = ""  # growing | plateaued | flat ("" below 3 snapshots)
    findings: tuple[int, ...] = ()  # ranks of the findings whose stacks these are


@dataclass(frozen=True, slots=True)
class GrowthTimeline:
    """A heap snapshot series over time: its snapshots and the sites that grew most, for the growth chart."""
    points: tuple[TimelinePoint, ...]
    sites: tuple[SiteSeries, ...] = ()
    wall_clock: bool = False  # `at` in seconds; else snapshot numbers (dump numbers, or the recorder's clock)
    unit: str = ""  # the axis' unit: "s", or the recorder's ("i" instructions, "B" bytes allocated), or "#"
    notes: tuple[str, ...] = ()  # e.g. a restart of the watched service that started a new baseline


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
    over_budget: int = 0  # functions whose paths exceeded the dataflow budget: joined early, precision reduced


@dataclass(frozen=True, slots=True)
class InferredPair:
    """A create/destroy pair inferred from the code, with its confidence and the evidence for it."""
    acquirer: str
    releaser: str
    kind: str  # the resource kind the pair defines
    confidence: str  # high | medium | low
    score: float
    evidence: tuple[str, ...] = ()
    out_arg: int | None = None  # the acquirer writes the resource through this parameter (0-based)
    release_arg: int = 0
    type: str = ""  # the pointee type binding the two ('dm_pack', 'void')
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class AnalysisResult:
    root: str  # base directory for relative URIs
    findings: tuple[Finding, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    stats: ScanStats = field(default_factory=ScanStats)
    pairs: tuple[InferredPair, ...] = ()  # the inferred create/destroy pairs the scan used
    graphs: dict[str, Any] = field(default_factory=dict)  # function usr -> node-link ownership graph
    unexplained: tuple[UnexplainedGrowth, ...] = ()
    profiles: tuple[dict[str, Any], ...] = ()  # summary of each profile used
    timestamp: str = ""
    tool_version: str = ""
    patch: tuple[TextEdit, ...] = ()  # edits fixing every fixable finding at once (shared edits merged)
    timeline: GrowthTimeline | None = None  # the heap snapshot series over time (2+ snapshots)
    suppressed: tuple[SuppressedFinding, ...] = ()  # silenced findings: not counted, still reported
    workflow: Workflow = field(default_factory=Workflow)

    def to_dict(self) -> dict[str, Any]:
        plain = codec.to_plain(self)
        assert isinstance(plain, dict)
        return plain

    @staticmethod
    def from_dict(data: dict[str, Any]) -> AnalysisResult:
        result = codec.from_plain(AnalysisResult, data)
        assert isinstance(result, AnalysisResult)
        return result


def _human_bytes(n: int) -> str:
    value = float(abs(n))
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            text = f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
            return ("-" if n < 0 else "") + text
        value /= 1024
    return f"{n} B"


human_bytes = _human_bytes
