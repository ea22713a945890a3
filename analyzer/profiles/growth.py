"""Leak scoring over 3+ snapshots: per-stack least-squares slope and R² of in-use bytes over time."""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.profiles.aggregate import StackKey, allocation_site, pick_metric, stack_totals
from analyzer.profiles.model import TIME_FROM_MTIME, Frame, Profile

_SEQ_RE = re.compile(r"\.(\d{4,})(?:\.[^./]+)*\.(?:heap|prof)(?:\.gz)?$")
# jemalloc: PREFIX.PID.SEQ.iN.heap (lg_prof_interval), .mN (prof.dump), .uN (gdump), .f (final);
# SEQ counts every dump of the process, whatever its kind.
_JEMALLOC_SEQ_RE = re.compile(r"\.\d+\.(\d+)\.(?:[imu]\d+|f)\.heap(?:\.gz)?$")


@dataclass(frozen=True)
class Snapshot:
    profile: Profile
    x: float  # position on the time axis: seconds when `timed`, else sequence number
    timed: bool


def sequence_number(path: str) -> int | None:
    """NNNN of `prefix.NNNN.heap` (gperftools) or SEQ of `prefix.PID.SEQ.i3.heap` (jemalloc), else None."""
    name = os.path.basename(path)
    m = _JEMALLOC_SEQ_RE.search(name) or _SEQ_RE.search(name)
    return int(m.group(1)) if m else None


def series_times(profiles: Sequence[Profile]) -> list[float] | None:
    """Snapshot times when all profiles are snapshots of one recording (e.g. a massif file), else None."""
    points = [p.series_point for p in profiles]
    if len(profiles) < 2 or any(pt is None for pt in points):
        return None
    if len({p.source_path for p in profiles}) != 1:
        return None
    times = [pt.time for pt in points if pt is not None]
    return times if len(set(times)) == len(times) else None


def wall_clock_times(profiles: Sequence[Profile]) -> list[float] | None:
    """Seconds since the epoch of each snapshot, when every profile carries a time it was taken at.

    That is a profiler's own timestamp (pprof protobuf `time_nanos`) or the time a snapshot was fetched
    from a live service; never a file's mtime (copied or checked-out files have meaningless mtimes).
    None when a time is missing or two are equal.
    """
    if len(profiles) < 2:
        return None
    times = [p.time_nanos / 1e9 for p in profiles]
    if any(not p.time_nanos or TIME_FROM_MTIME in p.comments for p in profiles) or len(set(times)) != len(times):
        return None
    return times


GROWING = "growing"
PLATEAUED = "plateaued"
FLAT = "flat"
# The growth of the second half of the window, as a share of the whole window's fitted rate, below which
# a series that grew is said to have plateaued (a cache that filled up), not to be still growing (a leak).
PLATEAU_SHARE = 0.25


def trend(xs: Sequence[float], ys: Sequence[float]) -> str:
    """"growing", "plateaued" or "flat" for a series of 3+ points (oldest first); "" for fewer.

    growing: it rose over the window and the fitted rate of its second half (the middle point on) is at
    least `PLATEAU_SHARE` of the whole window's; plateaued: it rose, but has (nearly) stopped; flat: no rise.
    """
    if len(xs) < 3 or len(xs) != len(ys):
        return ""
    whole, _ = fit(xs, ys)
    if ys[-1] <= ys[0] or whole <= 0:
        return FLAT
    mid = (len(xs) - 1) // 2
    recent, _ = fit(xs[mid:], ys[mid:])
    return GROWING if recent >= PLATEAU_SHARE * whole else PLATEAUED


def rate_per_hour(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Bytes per hour over wall-clock seconds `xs`: the least-squares slope (the difference for 2 points)."""
    if len(xs) < 2 or xs[-1] <= xs[0]:
        return None
    slope, _ = fit(xs, ys)
    return slope * 3600.0


def order_snapshots(profiles: Sequence[Profile], times: Sequence[float] | None = None) -> list[Snapshot]:
    """Put profiles on a time axis.

    Explicit `times` (seconds) win; else the times the snapshots were taken (`wall_clock_times`); else
    distinct `time_nanos` (the file mtime when the format has no timestamp); else the dump sequence
    numbers, which order but do not time snapshots.
    """
    recorded = series_times(profiles) if times is None else None
    if times is None and recorded is None:
        times = wall_clock_times(profiles)
    if times is not None:
        snaps = [Snapshot(p, float(t), True) for p, t in zip(profiles, times, strict=True)]
    elif recorded is not None:
        point = profiles[0].series_point
        wall = point is not None and point.wall_clock
        scale = {"ms": 1e-3, "s": 1.0}.get(point.unit if point else "", 1.0)
        snaps = [Snapshot(p, t * scale, wall) for p, t in zip(profiles, recorded, strict=True)]
    else:
        snaps = _by_dump_number_or_mtime(profiles)
    snaps.sort(key=lambda s: s.x)
    return snaps


def _by_dump_number_or_mtime(profiles: Sequence[Profile]) -> list[Snapshot]:
    stamps = [p.time_nanos for p in profiles]
    seqs = [sequence_number(p.source_path) for p in profiles]
    known = [s for s in seqs if s is not None]
    if len(known) == len(seqs) and len(set(known)) == len(known):
        # The numbering is the authoritative order; mtimes only give the spacing.
        by_seq = sorted(zip(known, profiles, stamps, strict=True), key=lambda t: t[0])
        ts = [t for _, _, t in by_seq]
        if all(ts) and all(a < b for a, b in itertools.pairwise(ts)):
            return [Snapshot(p, t / 1e9, True) for _, p, t in by_seq]
        return [Snapshot(p, float(s), False) for s, p, _ in by_seq]
    if all(stamps) and len(set(stamps)) == len(stamps):
        return [Snapshot(p, t / 1e9, True) for p, t in zip(profiles, stamps, strict=True)]
    return [Snapshot(p, float(i), False) for i, p in enumerate(profiles)]


@dataclass(frozen=True)
class GrowthScore:
    stack: StackKey
    site: Frame
    values: tuple[float, ...]  # the metric in each snapshot, in time order
    slope: float  # metric units per x unit (per second when timed)
    r2: float
    score: float  # fitted growth over the window x R²; 0 when not rising
    per_hour: float | None  # slope per hour, when snapshots carry real times

    @property
    def growth(self) -> float:
        return self.values[-1] - self.values[0]


def fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope and coefficient of determination R² (R² = 0 for flat series)."""
    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    if sxx == 0:
        return 0.0, 0.0
    slope = sxy / sxx
    r2 = (sxy * sxy) / (sxx * syy) if syy > 0 else 0.0
    return slope, r2


def score_growth(profiles: Sequence[Profile], metric: str = "inuse_space",
                 times: Sequence[float] | None = None) -> list[GrowthScore]:
    """Rank stacks by steady growth; needs 3+ snapshots.

    The score is the fitted growth over the observed window times R², so a steady linear rise
    (R² near 1) outranks a plateau or a one-off jump of similar size, and shrinking or flat
    stacks score 0.
    """
    if len(profiles) < 3:
        raise ValueError("growth scoring needs at least 3 snapshots")
    snaps = order_snapshots(profiles, times)
    xs = [s.x for s in snaps]
    series: dict[StackKey, list[float]] = {}
    for k, s in enumerate(snaps):
        i = pick_metric(s.profile, metric)
        if i < 0:
            raise ValueError(f"{s.profile.source_path}: no {metric} values")
        for stack, v in stack_totals(s.profile, i).items():
            series.setdefault(stack, [0.0] * len(snaps))[k] += float(v)
    timed = all(s.timed for s in snaps)
    span = xs[-1] - xs[0]
    out = []
    for stack, ys in series.items():
        slope, r2 = fit(xs, ys)
        score = slope * span * r2 if slope > 0 else 0.0
        out.append(GrowthScore(stack, allocation_site(stack), tuple(ys), slope, r2, score,
                               slope * 3600 if timed else None))
    out.sort(key=lambda g: (-g.score, -g.growth, g.stack))
    return out
