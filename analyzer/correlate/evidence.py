"""Evidence per finding, the ranking, and the growth no finding explains."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzer import ranking
from analyzer.model import AnalysisResult, Diagnostic, Evidence, Finding, GrowthStack, ProfileFrame, human_bytes
from analyzer.profiles import Profile, pick_metric
from analyzer.profiles.fold import is_allocator_function
from analyzer.profiles.growth import rate_per_hour, trend
from analyzer.profiles.model import Frame

from .matching import _Index, _key, _same_function, _Target
from .sources import _resolve_evidence, _SourceResolver
from .stacks import (
    _ALLOCATING_ACQUIRERS,
    FOLDED_KINDS,
    LEAK_REPORT_FORMATS,
    LEAK_RULES,
    StackGrowth,
    _frames_key,
    _Group,
    _groups,
)
from .timeline import main_series, timeline
from .unexplained import _unexplained, _wrappers

MAX_EVIDENCE_STACKS = 5
VERDICT_TEXT = {"growing": "still growing", "plateaued": "plateaued", "flat": "not growing at the end"}


@dataclass
class _Acc:
    bytes: int = 0
    objects: int = 0
    weight: float = 0.0
    stacks: list[StackGrowth] = dataclasses.field(default_factory=list)
    sources: set[str] = dataclasses.field(default_factory=set)
    r2: list[tuple[float, int]] = dataclasses.field(default_factory=list)  # (R², bytes) per stack
    series: list[float] = dataclasses.field(default_factory=list)  # the stacks' in-use bytes per snapshot, summed

    def add(self, s: StackGrowth) -> None:
        if s.series:
            self.series = [a + b for a, b in zip(self.series or [0.0] * len(s.series), s.series, strict=True)]
        self.bytes += s.bytes
        self.objects += s.objects
        self.weight += s.weight
        self.stacks.append(s)
        self.sources.add(s.source)
        if s.r2 is not None:
            self.r2.append((s.r2, s.bytes))


def correlate(result: AnalysisResult, profiles: Sequence[Profile], *, line_tolerance: int = 2,
              max_unexplained: int = 10, min_unexplained_share: float = 0.02) -> AnalysisResult:
    """Attach `Evidence` to every finding, rank them, and list growth no finding explains.

    Confirmed findings (growth behind them) come first, by growth strength (fitted steady growth
    with 3+ snapshots, else bytes); static-only findings follow in their given order. Each group
    of profiles (the heap snapshot series; each leak report) is matched separately and a finding
    keeps its strongest group, so a leak seen by both a heap diff and LSan is not counted twice.
    """
    findings = list(result.findings)
    targets = [_Target.of(i, f) for i, f in enumerate(findings) if f.rule_id in LEAK_RULES]
    index = _Index(targets, line_tolerance)
    groups = _groups(profiles)
    series = main_series(groups)
    best: dict[int, tuple[_Acc, _Group]] = {}
    unexplained: list[tuple[StackGrowth, _Group]] = []
    explains: dict[int, list[int]] = {}  # id of a stack of the main series -> indices of the findings it explains
    for g in groups:
        per_finding = _match_group(g, index, targets, explains if g is series else None, unexplained)
        for i, acc in per_finding.items():
            if acc.bytes <= 0 or (g.snapshots >= 3 and acc.weight <= 0):
                continue
            old = best.get(i)
            if old is None or (acc.weight, acc.bytes) > (old[0].weight, old[0].bytes):
                best[i] = (acc, g)
    rows = _function_level(findings, profiles, set(best))
    new_findings = []
    for i, f in enumerate(findings):
        if i in best:
            acc, g = best[i]
            values, per_hour, verdict = _over_time(acc, g, g is series)
            ev = Evidence("confirmed", acc.bytes, acc.objects, _growth_stacks(acc.stacks, g is series),
                          _summary(acc, g, per_hour, verdict), values, per_hour, verdict)
        elif i in rows:
            ev = rows[i]
        elif f.rule_id in LEAK_RULES:
            ev = Evidence("static-only", summary=_static_summary(groups))
        else:
            ev = Evidence("static-only", summary=f"heap growth does not apply to {f.rule_id}")
        new_findings.append(ranking.ranked(dataclasses.replace(f, evidence=ev)))
    def strength(i: int) -> tuple:
        if i in best:
            return (0, -best[i][0].weight, -best[i][0].bytes, i)
        if i in rows:
            return (0, -rows[i].growth_bytes, -rows[i].growth_bytes, i)
        return (1, 0, 0, i)
    order = sorted(range(len(new_findings)), key=strength)
    ranked = tuple(dataclasses.replace(new_findings[i], rank=n) for n, i in enumerate(order, 1))
    resolver = _SourceResolver(result, ranked)
    ranked = tuple(dataclasses.replace(f, evidence=_resolve_evidence(f.evidence, resolver)) for f in ranked)
    rank_of = {i: n for n, i in enumerate(order, 1)}
    return dataclasses.replace(
        result,
        findings=ranked,
        timeline=timeline(series, {k: tuple(rank_of[i] for i in v) for k, v in explains.items()}, resolver,
                          _wrappers(result)) if series else None,
        unexplained=_unexplained(unexplained, groups, resolver, _wrappers(result), max_unexplained,
                                 min_unexplained_share),
        profiles=tuple(_profile_summary(p, profiles) for p in {p.source_path: p for p in profiles}.values()),
        diagnostics=tuple(dict.fromkeys([*result.diagnostics, *_profile_diagnostics(profiles)])),
    )


def _match_group(g: _Group, index: _Index, targets: Sequence[_Target], explains: dict[int, list[int]] | None,
                 unexplained: list[tuple[StackGrowth, _Group]]) -> dict[int, _Acc]:
    """The group's stacks by the findings they explain; the others go to `unexplained`, and with `explains`
    each stack's findings are recorded by the stack's id."""
    per_finding: dict[int, _Acc] = {}
    leftovers: list[StackGrowth] = []
    for s in g.stacks:
        hits = index.matches(s.frames)
        if explains is not None:
            explains[id(s)] = hits
        for i in hits:
            per_finding.setdefault(i, _Acc()).add(s)
        if not hits:
            leftovers.append(s)
    # Indirect leaks with no site of their own belong to a direct leak whose function they passed.
    for s in leftovers:
        if g.is_report and s.kind in FOLDED_KINDS:
            owner = _owner(s, targets, per_finding)
            if owner is not None:
                per_finding[owner].add(s)
            continue
        unexplained.append((s, g))
    return per_finding


def _function_level(findings: Sequence[Finding], profiles: Sequence[Profile], matched: set[int]) -> dict[int, Evidence]:
    """pprof `--text` has one row per function and no stacks: a finding whose acquirer is a wrapper
    (`dm_pack_create`) is matched to the `cum` bytes of the acquirer's row — the bytes allocated under it
    (in a `--base` diff: the growth under it). Weaker than a stack match, and said so."""
    out: dict[int, Evidence] = {}
    for p in profiles:
        cum = next((n for n, vt in enumerate(p.sample_types) if vt.type.startswith("cum_")), -1)
        if p.source_format != "pprof-text" or cum < 0:
            continue
        by_function: dict[str, tuple[int, Frame]] = {}
        for sample in p.samples:
            frames = _frames_key(p, sample)
            if frames and sample.values[cum] > 0:
                by_function[_key(frames[0].function)] = (int(sample.values[cum]), frames[0])
        for i, f in enumerate(findings):
            if i in matched or i in out or f.rule_id not in LEAK_RULES or not f.acquirer:
                continue
            if f.acquirer in _ALLOCATING_ACQUIRERS or is_allocator_function(f.acquirer):
                continue  # pprof hides allocator frames: their rows do not exist
            hit = next((v for k, v in by_function.items() if _same_function(k, _key(f.acquirer))), None)
            if hit is None:
                continue
            nbytes, frame = hit
            name = os.path.basename(p.source_path)
            out[i] = Evidence("confirmed", nbytes, 0, (GrowthStack((ProfileFrame(frame.function, frame.file,
                                                                                   frame.line),), nbytes, 0, name),),
                              f"{human_bytes(nbytes)} under {f.acquirer}() in {name} (pprof text: function "
                              "level, cumulative bytes of the acquirer, all callers)")
    return out


def _owner(s: StackGrowth, targets: Sequence[_Target], per_finding: dict[int, _Acc]) -> int | None:
    keys = [_key(f.function) for f in s.frames]
    for t in targets:
        if t.index in per_finding and any(_same_function(k, t.function) for k in keys):
            return t.index
    return None


def _growth_stacks(stacks: Iterable[StackGrowth], on_timeline: bool) -> tuple[GrowthStack, ...]:
    top = sorted(stacks, key=lambda s: (-s.bytes, -s.weight, s.frames))[:MAX_EVIDENCE_STACKS]
    return tuple(GrowthStack(tuple(ProfileFrame(f.function, f.file, f.line) for f in s.frames), s.bytes,
                             s.objects, s.source + (f" ({s.kind})" if s.kind else ""),
                             tuple(round(v) for v in s.series) if on_timeline else ()) for s in top)


def _over_time(acc: _Acc, g: _Group, on_timeline: bool) -> tuple[tuple[int, ...], float | None, str]:
    """Over a snapshot series: the summed in-use series (when it is the timeline's), bytes per hour, verdict."""
    if g.is_report or g.snapshots < 2 or not acc.series:
        return (), None, ""
    return (tuple(round(v) for v in acc.series) if on_timeline else (),
            rate_per_hour(g.times, acc.series) if g.wall_clock else None, trend(g.times, acc.series))


def _summary(acc: _Acc, g: _Group, per_hour: float | None = None, verdict: str = "") -> str:
    n = len(acc.stacks)
    stacks = f"{n} allocation stack{'s' if n != 1 else ''}"
    objs = f"{acc.objects} object{'s' if acc.objects != 1 else ''}"
    if g.is_report:
        kinds = sorted({s.kind for s in acc.stacks if s.kind})
        return f"{human_bytes(acc.bytes)} in {objs} leaked at exit ({', '.join(kinds) or 'leak'}) " \
               f"in {g.label}, {stacks}"
    if g.snapshots == 1:
        return f"{human_bytes(acc.bytes)} in {objs} in use at {g.label} (one snapshot: no growth data), {stacks}"
    text = f"+{human_bytes(acc.bytes)} in {objs} over {g.label}, {stacks}"
    if not acc.objects:  # massif counts bytes only
        text = f"+{human_bytes(acc.bytes)} over {g.label}, {stacks}"
    if acc.r2:
        # R² of the series, weighted by each stack's growth: one tiny irregular stack does not spoil it.
        r2 = sum(r * b for r, b in acc.r2) / max(sum(b for _, b in acc.r2), 1)
        text += f"; steady growth (R² {r2:.2f})" if r2 >= 0.8 else f"; irregular growth (R² {r2:.2f})"
    if per_hour is not None:
        text += f"; {'+' if per_hour >= 0 else ''}{human_bytes(round(per_hour))}/h"
    if verdict:
        text += f"; {VERDICT_TEXT.get(verdict, verdict)}"
    return text


def _static_summary(groups: Sequence[_Group]) -> str:
    if not groups:
        return "no profile given"
    return "no growth at the acquire site in " + "; ".join(g.label for g in groups) + \
        " (path not exercised, or too small to see)"


# ---- unexplained growth ------------------------------------------------------------------------

def _profile_summary(p: Profile, all_profiles: Sequence[Profile]) -> dict[str, object]:
    space = pick_metric(p, "inuse_space")
    total = int(p.total(space)) if space >= 0 else 0
    role = "leak report" if p.source_format in LEAK_REPORT_FORMATS else "heap snapshot"
    return {"path": p.source_path, "format": p.source_format, "role": role,
            "metric": p.sample_types[space].type if space >= 0 else "",
            "total_bytes": total, "samples": len(p.samples), "warnings": list(p.warnings)}


def _profile_diagnostics(profiles: Sequence[Profile]) -> list[Diagnostic]:
    return [Diagnostic(p.source_path, 0, w, "warning") for p in profiles for w in p.warnings]
