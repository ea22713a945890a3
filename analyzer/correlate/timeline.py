"""The growth timeline: a heap snapshot series on its time axis, and the allocation sites that grew most in it."""
from __future__ import annotations

import datetime
import os
from collections.abc import Mapping, Sequence

from analyzer.model import GrowthTimeline, SiteSeries, TimelinePoint
from analyzer.profiles.growth import rate_per_hour, trend
from analyzer.profiles.model import Frame

from .matching import _key
from .sources import _SourceResolver
from .stacks import StackGrowth, _Group
from .unexplained import _site_index

MAX_SITES = 8  # the sites that grew most...
MAX_FINDING_SITES = 12  # ...and those behind findings, up to this many in all
MIN_SHARE = 0.01  # a site behind no finding is shown when it grew by at least this share of all growth


def main_series(groups: Sequence[_Group]) -> _Group | None:
    """The snapshot series the timeline shows: the longest one with 2+ snapshots (the first of equals)."""
    series = [g for g in groups if not g.is_report and g.snapshots >= 2]
    return max(series, key=lambda g: g.snapshots) if series else None


def timeline(group: _Group, explains: Mapping[int, Sequence[int]], resolver: _SourceResolver,
             wrappers: frozenset[str], notes: Sequence[str] = ()) -> GrowthTimeline:
    """The group's snapshots and its top growing sites; `explains` maps id(stack) to the ranks of the findings
    its growth is evidence for."""
    t0 = group.times[0]
    points = tuple(TimelinePoint(name, t - t0 if group.wall_clock else t, round(total), _iso(t, group.wall_clock))
                   for name, t, total in zip(group.names, group.times, group.totals, strict=True))
    by_site: dict[tuple[str, str, int], list[StackGrowth]] = {}
    site_frame: dict[tuple[str, str, int], Frame] = {}
    for s in group.stacks:
        if not s.series:
            continue
        site = s.frames[_site_index(s.frames, wrappers)] if s.frames else Frame("?", "", 0)
        key = (_key(site.function) or site.function, os.path.basename(site.file), site.line)
        by_site.setdefault(key, []).append(s)
        site_frame.setdefault(key, site)
    sites = []
    for key, stacks in by_site.items():
        series = [sum(v) for v in zip(*(s.series for s in stacks), strict=True)]
        ranks = sorted({n for s in stacks for n in explains.get(id(s), ())})
        frame = site_frame[key]
        sites.append(SiteSeries(key[0], resolver.resolve(frame.file), frame.line, tuple(round(v) for v in series),
                                round(series[-1] - series[0]),
                                rate_per_hour(group.times, series) if group.wall_clock else None,
                                trend(group.times, series), tuple(ranks)))
    total = sum(max(x.growth, 0) for x in sites)
    sites = [x for x in sites if x.findings or x.growth >= MIN_SHARE * total]
    sites.sort(key=lambda x: (-x.growth, x.function, x.file, x.line))
    shown = sites[:MAX_SITES]
    shown += [x for x in sites[MAX_SITES:] if x.findings][:max(0, MAX_FINDING_SITES - len(shown))]
    return GrowthTimeline(points, tuple(shown), group.wall_clock, "s" if group.wall_clock else "#", tuple(notes))


def _iso(t: float, wall_clock: bool) -> str:
    if not wall_clock or t < 1e9:  # seconds since a program's start (massif), not since the epoch
        return ""
    return datetime.datetime.fromtimestamp(t, datetime.UTC).isoformat(timespec="seconds")
