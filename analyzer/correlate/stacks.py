"""Profiles reduced to growth per symbolized allocation stack, in groups (a snapshot series, each leak report)."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.profiles import (
    IncompatibleProfiles,
    MalformedProfile,
    Profile,
    SymbolizeOptions,
    fold_allocator_frames,
    load_series,
    pick_metric,
    score_growth,
    symbolize,
)
from analyzer.profiles.aggregate import normalize_frame
from analyzer.profiles.growth import rate_per_hour, sequence_number, series_times, trend, wall_clock_times
from analyzer.profiles.model import Frame

LEAK_REPORT_FORMATS = frozenset({"lsan", "valgrind-xml", "valgrind-text", "heaptrack"})
# Rules whose findings are leaks, i.e. can have heap growth behind them.
LEAK_RULES = frozenset({"resource-leak", "leak-on-overwrite", "unused-acquire", "member-not-released"})
# Leak-report kinds: counted as leaked, folded into an owner, or ignored.
COUNTED_KINDS = frozenset({"direct", "definite", "possible", ""})
FOLDED_KINDS = frozenset({"indirect"})
_ALLOCATING_ACQUIRERS = frozenset({"new", "new[]", "operator new", "operator new[]"})


@dataclass(frozen=True)
class StackGrowth:
    """Growth of one symbolized allocation stack in one group of profiles."""

    frames: tuple[Frame, ...]  # leaf first, allocator frames folded
    bytes: int  # in use (1 snapshot), last - first (2+), leaked (reports)
    objects: int
    weight: float  # ranking strength in bytes: fitted steady growth for 3+ snapshots, else `bytes`
    source: str  # the profile(s) it comes from
    kind: str = ""  # leak-report kind: direct, indirect, definite, possible
    r2: float | None = None  # fit quality for 3+ snapshots
    rising: bool = True  # 3+ snapshots: still growing in the second half of the window (not a plateau)
    series: tuple[float, ...] = ()  # 2+ snapshots: in-use bytes at each snapshot of the group, oldest first
    per_hour: float | None = None  # fitted bytes per hour, when the snapshots carry wall-clock times
    verdict: str = ""  # 3+ snapshots: growing | plateaued | flat (`analyzer.profiles.growth.trend`)


@dataclass(frozen=True)
class _Group:
    label: str
    stacks: tuple[StackGrowth, ...]
    is_report: bool
    snapshots: int
    times: tuple[float, ...] = ()  # the snapshots on their time axis, oldest first (seconds when wall_clock)
    wall_clock: bool = False
    names: tuple[str, ...] = ()  # each snapshot's file (or URL) name
    totals: tuple[float, ...] = ()  # in-use bytes of each whole snapshot


# ---- profiles → growth per stack ---------------------------------------------------------------

def load_profiles(paths: Sequence[str], binary: str | None = None,
                  search_paths: Sequence[str] = ()) -> list[Profile]:
    """Parse, symbolize and fold every profile; raise `MalformedProfile` (one line) on bad input.

    `binary` may be the profiled executable or a Breakpad `.sym` file of it
    (`analyzer.profiles.symfile`), which symbolizes without the binary or binutils.
    """
    from analyzer.profiles.symfile import SymFileError, is_sym_file, read_sym, symbolize_with_sym

    sym = None
    if binary and is_sym_file(binary):
        try:
            sym = read_sym(binary)
        except SymFileError as exc:
            raise MalformedProfile(exc.path, exc.line, exc.message) from None
        binary = None
    options = SymbolizeOptions(binary=binary, search_path=tuple(search_paths))
    out = []
    for path in paths:
        for prof in load_series(path):  # a massif file holds a series of snapshots
            if not prof.symbolized:
                if sym is not None:
                    prof, _ = symbolize_with_sym(prof, sym)
                prof = symbolize(prof, options)
            out.append(fold_allocator_frames(prof))
    return out


def _frames_key(profile: Profile, sample) -> tuple[Frame, ...]:
    return profile.frames(sample)


def _library_functions(profiles: Sequence[Profile]) -> dict[str, str]:
    """Function → shared-library path, for frames of shared libraries that have no source position.

    Shown as the frame's file, it keeps them out of the project frames even when their name does
    not look like a system function (or was symbolized from another machine's copy of the library).
    """
    out: dict[str, str] = {}
    for p in profiles:
        for loc in p.locations:
            m = p.mapping(loc.mapping_id) if loc.mapping_id else None
            if m is None or ".so" not in os.path.basename(m.filename):
                continue
            for fr in p.location_frames(loc.id):
                if not fr.file:
                    out.setdefault(fr.function, m.filename)
    return out


def _shown(frames: tuple[Frame, ...], libs: dict[str, str]) -> tuple[Frame, ...]:
    if not libs:
        return frames
    return tuple(Frame(f.function, libs[f.function], f.line) if not f.file and f.function in libs else f
                 for f in frames)


def _report_group(profile: Profile, libs: dict[str, str]) -> _Group:
    space = pick_metric(profile, "inuse_space")
    objs = pick_metric(profile, "inuse_objects")
    merged: dict[tuple[tuple[Frame, ...], str], list[int]] = {}
    for s in profile.samples:
        kind = s.label("leak_kind")
        if kind not in COUNTED_KINDS and kind not in FOLDED_KINDS:
            continue  # still reachable at exit: not a leak
        key = (_frames_key(profile, s), kind)
        acc = merged.setdefault(key, [0, 0])
        acc[0] += int(s.values[space]) if space >= 0 else 0
        acc[1] += int(s.values[objs]) if objs >= 0 else 0
    name = os.path.basename(profile.source_path)
    stacks = tuple(StackGrowth(_shown(frames, libs), b, o, float(b), name, kind)
                   for (frames, kind), (b, o) in merged.items() if b > 0)
    return _Group(name, stacks, True, 1)


def _snapshot_order(profiles: Sequence[Profile]) -> tuple[list[Profile], list[float], bool]:
    """Oldest first, with each snapshot's place on the time axis and whether that axis is wall-clock seconds.

    By the time each was taken when all carry one (a live service's snapshots, pprof protobuf
    `time_nanos`), else by gperftools/jemalloc dump number when every file has one, else as given.
    Dump numbers beat file times: copied or checked-out files have meaningless mtimes.
    """
    recorded = series_times(profiles)  # snapshots of one recording (massif): its own clock
    if recorded is not None:
        point = profiles[0].series_point
        return list(profiles), recorded, bool(point and point.wall_clock)
    taken = wall_clock_times(profiles)
    if taken is not None:
        timed = sorted(zip(taken, range(len(profiles)), profiles, strict=True))
        return [p for _, _, p in timed], [t for t, _, _ in timed], True
    seqs = [sequence_number(p.source_path) for p in profiles]
    if len(profiles) > 1 and all(s is not None for s in seqs) and len(set(seqs)) == len(seqs):
        pairs = sorted(zip(seqs, profiles, strict=True), key=lambda t: t[0])  # type: ignore[arg-type, return-value]
        return [p for _, p in pairs], [float(s) for s, _ in pairs], False  # type: ignore[arg-type]
    return list(profiles), [float(i) for i in range(len(profiles))], False


def _snapshot_group(profiles: Sequence[Profile], libs: dict[str, str]) -> _Group:
    ordered, times, wall_clock = _snapshot_order(profiles)
    if wall_clock and ordered[0].series_point is not None and ordered[0].series_point.unit == "ms":
        times = [t / 1000.0 for t in times]  # massif --time-unit=ms: the axis in seconds like the others
    names = [os.path.basename(p.source_path) for p in ordered]
    label = names[0] if len(names) == 1 else f"{names[0]} → {names[-1]} ({len(names)} snapshots)"
    if len(names) > 1 and len(set(names)) == 1:
        label = f"{names[0]} ({len(names)} snapshots)"
    for p in ordered:
        if pick_metric(p, "inuse_space") < 0:
            raise IncompatibleProfiles(p.source_path, "no in-use values to correlate "
                                       f"(has {', '.join(vt.type for vt in p.sample_types)})")
    per_snapshot = [_in_use(p) for p in ordered]
    axis = _Group(label, (), False, len(ordered), tuple(times), wall_clock, tuple(names),
                  tuple(float(p.total(pick_metric(p, "inuse_space"))) for p in ordered))
    b_last, o_last = per_snapshot[-1]
    stacks: list[StackGrowth] = []
    if len(ordered) == 1:
        for k, v in b_last.items():
            if v > 0:
                stacks.append(StackGrowth(_shown(k, libs), int(v), int(o_last.get(k, 0)), float(v), label))
        return dataclasses.replace(axis, stacks=tuple(stacks))
    b_first, o_first = per_snapshot[0]
    fits: dict[tuple[Frame, ...], tuple[float, float, bool]] = {}
    if len(ordered) >= 3:
        # score_growth keys stacks by normalized frames (`normalize_frame`); map ours onto them.
        for g in score_growth(ordered, "inuse_space", times):
            fits[g.stack] = (g.score, g.r2, g.values[-1] > g.values[len(g.values) // 2])
    for k in dict.fromkeys([*b_last, *b_first]):
        delta = b_last.get(k, 0) - b_first.get(k, 0)
        if delta <= 0:
            continue
        objects = int(o_last.get(k, 0) - o_first.get(k, 0))
        series = tuple(float(b.get(k, 0)) for b, _ in per_snapshot)
        timing = {"series": series, "per_hour": rate_per_hour(times, series) if wall_clock else None,
                  "verdict": trend(times, series)}
        if fits:
            score, r2, rising = fits.get(tuple(normalize_frame(f) for f in k), (0.0, 0.0, False))
            stacks.append(StackGrowth(_shown(k, libs), int(delta), objects, score, label, r2=r2, rising=rising,
                                      **timing))  # type: ignore[arg-type]
        else:
            stacks.append(StackGrowth(_shown(k, libs), int(delta), objects, float(delta), label,
                                      **timing))  # type: ignore[arg-type]
    return dataclasses.replace(axis, stacks=tuple(stacks))


def _in_use(p: Profile) -> tuple[dict[tuple[Frame, ...], float], dict[tuple[Frame, ...], float]]:
    """In-use bytes and objects per symbolized stack (one pass: frames are built once)."""
    si, oi = pick_metric(p, "inuse_space"), pick_metric(p, "inuse_objects")
    nbytes: dict[tuple[Frame, ...], float] = {}
    objs: dict[tuple[Frame, ...], float] = {}
    # Same stack, different addresses (e.g. two call sites on one line): merged by symbols.
    for s in p.samples:
        k = _frames_key(p, s)
        nbytes[k] = nbytes.get(k, 0) + s.values[si]
        if oi >= 0:
            objs[k] = objs.get(k, 0) + s.values[oi]
    return nbytes, objs


def _groups(profiles: Sequence[Profile]) -> list[_Group]:
    """Leak reports one by one; heap snapshots grouped by format and sample types, in given order."""
    groups: list[_Group] = []
    series: dict[tuple[str, tuple[str, ...]], list[Profile]] = {}
    libs = _library_functions(profiles)
    for p in profiles:
        if p.source_format in LEAK_REPORT_FORMATS:
            groups.append(_report_group(p, libs))
        else:
            series.setdefault((p.source_format, tuple(vt.type for vt in p.sample_types)), []).append(p)
    for members in series.values():
        groups.append(_snapshot_group(members, libs))
    return groups


def growth_by_stack(profiles: Sequence[Profile]) -> list[StackGrowth]:
    """Every growing stack of every profile group, strongest first."""
    out = [s for g in _groups(profiles) for s in g.stacks]
    out.sort(key=lambda s: (-s.weight, -s.bytes, s.source, s.frames))
    return out
