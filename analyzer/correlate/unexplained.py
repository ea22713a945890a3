"""Growing stacks that no finding explains: where they allocate and which functions may own them."""
from __future__ import annotations

import os
from collections.abc import Sequence

from analyzer.model import AnalysisResult, GrowthStack, ProfileFrame, SourceLoc, UnexplainedGrowth
from analyzer.profiles.aggregate import is_project_frame
from analyzer.profiles.model import Frame

from .matching import _key
from .sources import _SourceResolver
from .stacks import StackGrowth, _Group


def _wrappers(result: AnalysisResult) -> frozenset[str]:
    """Functions the scan knows to hand out owned allocations (acquirers of findings and inferred pairs)."""
    names = {f.acquirer for f in result.findings} | {p.acquirer for p in result.pairs}
    return frozenset(_key(n) for n in names if n)


def _unexplained(items: Sequence[tuple[StackGrowth, _Group]], groups: Sequence[_Group],
                 resolver: _SourceResolver, wrappers: frozenset[str], limit: int,
                 share: float) -> tuple[UnexplainedGrowth, ...]:
    """Hot growing stacks no finding explains, merged per allocation site.

    The site is the first project frame, past the allocating wrappers the scan knows
    (`pk_create` ← `Tool::build`: the site is the call in `Tool::build`).

    Hot: direct leaks of a leak report (all of them); for snapshots, growth of at least `share`
    of the group's total growth that is still rising (with 3+ snapshots: positive fitted growth,
    R² ≥ 0.5 and growth in the second half of the window, so a cache that fills up and plateaus
    is not listed).
    """
    totals = {id(g): sum(s.bytes for s in g.stacks) for g in groups}
    by_site: dict[tuple[str, str, int], list[StackGrowth]] = {}
    for s, g in items:
        if not g.is_report:
            if s.bytes < share * totals[id(g)]:
                continue
            if g.snapshots >= 3 and (s.weight <= 0 or (s.r2 or 0.0) < 0.5 or not s.rising):
                continue
        site = s.frames[_site_index(s.frames, wrappers)] if s.frames else Frame("?", "", 0)
        by_site.setdefault((_key(site.function), os.path.basename(site.file), site.line), []).append(s)
    merged = []
    for stacks in by_site.values():
        stacks.sort(key=lambda s: (-s.bytes, s.frames))
        top = stacks[0]
        total = GrowthStack(tuple(ProfileFrame(f.function, resolver.resolve(f.file), f.line) for f in top.frames),
                            sum(s.bytes for s in stacks), sum(s.objects for s in stacks),
                            top.source + (f" ({top.kind})" if top.kind else ""))
        k = _site_index(top.frames, wrappers)
        site = top.frames[k] if top.frames else Frame("?", "", 0)
        loc = SourceLoc(resolver.resolve(site.file), site.line) if site.file and site.line else None
        merged.append((sum(s.weight for s in stacks), UnexplainedGrowth(loc, _key(site.function) or site.function,
                                                                        total, _candidates(top.frames[k:]))))
    merged.sort(key=lambda t: (-t[0], -t[1].stack.bytes, t[1].function))
    return tuple(u for _, u in merged[:limit])


def _site_index(frames: Sequence[Frame], wrappers: frozenset[str], depth: int = 6) -> int:
    """Index of the allocation site: the first project frame, or the caller of the outermost known
    wrapper among the next `depth` frames; 0 when the stack has no project frame."""
    first = next((i for i, fr in enumerate(frames) if _is_project(fr)), None)
    if first is None:
        return 0
    outer = None
    for i in range(first, min(len(frames), first + depth)):
        if _key(frames[i].function) in wrappers:
            outer = i
    if outer is not None and outer + 1 < len(frames) and _is_project(frames[outer + 1]):
        return outer + 1
    return first


def _is_project(fr: Frame) -> bool:
    return is_project_frame(fr) and not _key(fr.function).startswith(("std::", "__gnu_cxx::"))


def _candidates(frames: Sequence[Frame]) -> tuple[str, ...]:
    """Project functions on the stack, allocation site first: the ones that own what was allocated."""
    names = list(dict.fromkeys(_key(f.function) for f in frames if _is_project(f) and f.function))
    owners = [n for n in names if n != "main"]
    return tuple((owners or names)[:4])


# ---- source paths, profile summaries -----------------------------------------------------------
