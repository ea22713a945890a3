"""Leak scoring over 3+ snapshots: per-stack least-squares slope and R² of in-use bytes over time."""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.profiles.aggregate import StackKey, allocation_site, pick_metric, stack_totals
from analyzer.profiles.model import Frame, Profile

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


def order_snapshots(profiles: Sequence[Profile], times: Sequence[float] | None = None) -> list[Snapshot]:
    """Put profiles on a time axis.

    Explicit `times` (seconds) win; else distinct `time_nanos` (the file mtime when the format
    has no timestamp); else the dump sequence numbers, which order but do not time snapshots.
    """
    recorded = series_times(profiles) if times is None else None
    if times is not None:
        snaps = [Snapshot(p, float(t), True) for p, t in zip(profiles, times, strict=True)]
    elif recorded is not None:
        point = profiles[0].series_point
        wall = point is not None and point.wall_clock
        scale = {"ms": 1e-3, "s": 1.0}.get(point.unit if point else "", 1.0)
        snaps = [Snapshot(p, t * scale, wall) for p, t in zip(profiles, recorded, strict=True)]
    else:
        stamps = [p.time_nanos for p in profiles]
        seqs = [sequence_number(p.source_path) for p in profiles]
        known = [s for s in seqs if s is not None]
        if len(known) == len(seqs) and len(set(known)) == len(known):
            # The numbering is the authoritative order; mtimes only give the spacing.
            by_seq = sorted(zip(known, profiles, stamps, strict=True), key=lambda t: t[0])
            ts = [t for _, _, t in by_seq]
            if all(ts) and all(a < b for a, b in itertools.pairwise(ts)):
                snaps = [Snapshot(p, t / 1e9, True) for _, p, t in by_seq]
            else:
                snaps = [Snapshot(p, float(s), False) for s, p, _ in by_seq]
        elif all(stamps) and len(set(stamps)) == len(stamps):
            snaps = [Snapshot(p, t / 1e9, True) for p, t in zip(profiles, stamps, strict=True)]
        else:
            snaps = [Snapshot(p, float(i), False) for i, p in enumerate(profiles)]
    snaps.sort(key=lambda s: s.x)
    return snaps


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
