"""Heap growth ↔ static findings: evidence per finding, ranking, and growth no finding explains.

Profiles are reduced to *growth per symbolized allocation stack* (never per address: stacks of
different processes are only comparable once symbolized):

* one heap snapshot: the bytes in use;
* two snapshots: last minus first;
* three or more: last minus first, ranked by the fitted steady growth (slope x window x R²,
  `analyzer.profiles.growth.score_growth`), so a leak outranks a cache that fills up and stops;
* a LeakSanitizer or valgrind report: the bytes leaked at exit (direct and possible leaks;
  indirect leaks count for the finding whose acquire site allocated them, else for the direct leak
  whose function they went through, else for nobody; still-reachable blocks are not leaks).

A stack explains a finding when its allocation site is the finding's acquire call: walking the
stack from the leaf, a frame in the finding's function within `line_tolerance` lines of the acquire
line, called into the acquirer (`tm_pack_create` ← `Dict::search`) or allocating directly (the
allocator frames are folded). Member findings (`leak-on-overwrite` of a field) also accept the
acquirer called from any method of the class: the leaked old value was allocated by whichever
method stored it.
"""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzer.model import (
    AnalysisResult,
    Diagnostic,
    Evidence,
    Finding,
    GrowthStack,
    ProfileFrame,
    SourceLoc,
    UnexplainedGrowth,
    human_bytes,
)
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
from analyzer.profiles.aggregate import is_project_frame, normalize_frame
from analyzer.profiles.fold import is_allocator_function
from analyzer.profiles.growth import sequence_number, series_times
from analyzer.profiles.model import Frame
from analyzer.profiles.names import join_key

__all__ = ["StackGrowth", "correlate", "correlate_with_files", "growth_by_stack", "load_profiles"]

LEAK_REPORT_FORMATS = frozenset({"lsan", "valgrind-xml", "valgrind-text", "heaptrack"})
# Rules whose findings are leaks, i.e. can have heap growth behind them.
LEAK_RULES = frozenset({"resource-leak", "leak-on-overwrite", "unused-acquire", "member-not-released"})
# Leak-report kinds: counted as leaked, folded into an owner, or ignored.
COUNTED_KINDS = frozenset({"direct", "definite", "possible", ""})
FOLDED_KINDS = frozenset({"indirect"})
MAX_EVIDENCE_STACKS = 5
_ALLOCATING_ACQUIRERS = frozenset({"new", "new[]", "operator new", "operator new[]"})
_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++", ".h", ".hh", ".hpp", ".hxx", ".inl", ".ipp", ".tcc")


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


@dataclass(frozen=True)
class _Group:
    label: str
    stacks: tuple[StackGrowth, ...]
    is_report: bool
    snapshots: int


# ---- profiles → growth per stack ---------------------------------------------------------------

def load_profiles(paths: Sequence[str], binary: str | None = None,
                  search_paths: Sequence[str] = ()) -> list[Profile]:
    """Parse, symbolize and fold every profile; raise `MalformedProfile` (one line) on bad input.

    `binary` may be the profiled executable or a Breakpad `.sym` file of it
    (`analyzer.correlate_symbols`), which symbolizes without the binary or binutils.
    """
    from analyzer.correlate_symbols import SymFileError, is_sym_file, read_sym, symbolize_with_sym

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


def _frames_key(profile: Profile, sample) -> tuple[Frame, ...]:  # type: ignore[no-untyped-def]
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


def _snapshot_order(profiles: Sequence[Profile]) -> tuple[list[Profile], list[float] | None]:
    """Oldest first: by gperftools dump number when every file has one, else as given.

    Dump numbers beat file times: copied or checked-out files have meaningless mtimes.
    """
    recorded = series_times(profiles)  # snapshots of one recording (massif): its own clock
    if recorded is not None:
        return list(profiles), recorded
    seqs = [sequence_number(p.source_path) for p in profiles]
    if len(profiles) > 1 and all(s is not None for s in seqs) and len(set(seqs)) == len(seqs):
        pairs = sorted(zip(seqs, profiles, strict=True), key=lambda t: t[0])  # type: ignore[arg-type, return-value]
        return [p for _, p in pairs], [float(s) for s, _ in pairs]  # type: ignore[arg-type]
    return list(profiles), [float(i) for i in range(len(profiles))]


def _snapshot_group(profiles: Sequence[Profile], libs: dict[str, str]) -> _Group:
    ordered, times = _snapshot_order(profiles)
    first, last = ordered[0], ordered[-1]
    names = [os.path.basename(p.source_path) for p in ordered]
    label = names[0] if len(names) == 1 else f"{names[0]} → {names[-1]} ({len(names)} snapshots)"
    if len(names) > 1 and len(set(names)) == 1:
        label = f"{names[0]} ({len(names)} snapshots)"

    def totals(p: Profile) -> tuple[dict[tuple[Frame, ...], float], dict[tuple[Frame, ...], float]]:
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

    for p in ordered:
        if pick_metric(p, "inuse_space") < 0:
            raise IncompatibleProfiles(f"{p.source_path}: no in-use values to correlate "
                                       f"(has {', '.join(vt.type for vt in p.sample_types)})")
    b_last, o_last = totals(last)
    stacks: list[StackGrowth] = []
    if len(ordered) == 1:
        for k, v in b_last.items():
            if v > 0:
                stacks.append(StackGrowth(_shown(k, libs), int(v), int(o_last.get(k, 0)), float(v), label))
        return _Group(label, tuple(stacks), False, 1)
    b_first, o_first = totals(first)
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
        if fits:
            score, r2, rising = fits.get(tuple(normalize_frame(f) for f in k), (0.0, 0.0, False))
            stacks.append(StackGrowth(_shown(k, libs), int(delta), objects, score, label, r2=r2, rising=rising))
        else:
            stacks.append(StackGrowth(_shown(k, libs), int(delta), objects, float(delta), label))
    return _Group(label, tuple(stacks), False, len(ordered))


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


# ---- matching stacks to findings ---------------------------------------------------------------

def _key(name: str) -> str:
    return join_key(name) if name else ""


def _same_function(a: str, b: str) -> bool:
    """Qualified names that may differ only in leading namespaces ('::f' vs 'ns::f')."""
    if not a or not b:
        return False
    return a == b or a.endswith("::" + b) or b.endswith("::" + a)


@dataclass(frozen=True)
class _Target:
    """What a finding's acquire site looks like in a profile stack."""

    index: int
    function: str
    cls: str  # enclosing class/namespace of a member finding, else ""
    acquirer: str
    allocating: bool  # the acquirer is an allocator: its frames are folded, the site is the leaf
    file: str  # basename of the acquire file
    line: int
    acquire_in_function: bool

    @staticmethod
    def of(index: int, f: Finding) -> _Target:
        fn = _key(f.function)
        acq = f.acquire
        inside = bool(acq) and (
            f.function_span == (0, 0)
            or (os.path.basename(acq.file) == os.path.basename(f.loc.file)  # type: ignore[union-attr]
                and f.function_span[0] <= acq.line <= f.function_span[1]))  # type: ignore[union-attr]
        member = f.rule_id == "member-not-released" or f.rule_source.startswith("member:") or (
            acq is not None and not inside)
        cls = fn.rsplit("::", 1)[0] if member and "::" in fn else ""
        acquirer = _key(f.acquirer)
        return _Target(index, fn, cls, acquirer,
                       f.acquirer in _ALLOCATING_ACQUIRERS or is_allocator_function(f.acquirer),
                       os.path.basename(acq.file) if acq else "", acq.line if acq else 0, inside)


def _is_site(t: _Target, frame: Frame, fn: str, tol: int) -> bool:
    """Is this frame (a call into the acquirer, or the allocating leaf) the finding's acquire site?"""
    near = bool(frame.line and t.line) and abs(frame.line - t.line) <= tol
    same_file = not frame.file or not t.file or os.path.basename(frame.file) == t.file
    if _same_function(fn, t.function):
        if t.acquire_in_function:
            return (near and same_file) or not frame.line
        return True  # member value acquired elsewhere: any store site in this function
    if t.cls and fn.startswith(t.cls + "::"):
        return True  # another method of the class stored the member's value
    return near and same_file and bool(frame.file)


def _matches(t: _Target, frames: Sequence[Frame], keys: Sequence[str], tol: int) -> bool:
    """Walk the stack from the leaf: the allocating leaf itself, or a frame calling the acquirer."""
    if t.allocating and frames and _is_site(t, frames[0], keys[0], tol):
        return True
    return any(_same_function(keys[i - 1], t.acquirer) and _is_site(t, frames[i], keys[i], tol)
               for i in range(1, len(frames)))


def _last(name: str) -> str:
    return name.rsplit("::", 1)[-1]


class _Index:
    """Targets by the names a matching frame must carry, so that each stack is checked against a few.

    Keys: the leaf (allocating acquirers) or the (acquirer, caller) pair, by function name, class
    name (member findings) or file and line.
    """

    def __init__(self, targets: Sequence[_Target], tol: int) -> None:
        self.tol = tol
        self.acquirers: set[str] = set()
        self.by_key: dict[tuple[object, ...], list[_Target]] = {}
        for t in targets:
            acq = _last(t.acquirer)
            self.acquirers.add(acq)
            for via in ((None, acq) if t.allocating else (acq,)):
                keys: list[tuple[object, ...]] = [("fn", via, _last(t.function))]
                if t.cls:
                    keys.append(("cls", via, _last(t.cls)))
                if t.file and t.line:
                    keys.extend(("at", via, t.file, n) for n in range(t.line - tol, t.line + tol + 1))
                for k in keys:
                    self.by_key.setdefault(k, []).append(t)

    def _lookup(self, via: str | None, frame: Frame, key: str, out: dict[int, _Target]) -> None:
        parts = key.split("::")
        keys: list[tuple[object, ...]] = [("fn", via, parts[-1]), ("at", via, os.path.basename(frame.file), frame.line)]
        if len(parts) > 1:
            keys.append(("cls", via, parts[-2]))
        for k in keys:
            for t in self.by_key.get(k, ()):
                out[t.index] = t

    def matches(self, frames: Sequence[Frame]) -> list[int]:
        if not frames:
            return []
        keys = [_key(f.function) for f in frames]
        cands: dict[int, _Target] = {}
        self._lookup(None, frames[0], keys[0], cands)
        for i in range(1, len(frames)):
            acq = _last(keys[i - 1])
            if acq in self.acquirers:
                self._lookup(acq, frames[i], keys[i], cands)
        return sorted(i for i, t in cands.items() if _matches(t, frames, keys, self.tol))


# ---- the correlation ---------------------------------------------------------------------------

@dataclass
class _Acc:
    bytes: int = 0
    objects: int = 0
    weight: float = 0.0
    stacks: list[StackGrowth] = dataclasses.field(default_factory=list)
    sources: set[str] = dataclasses.field(default_factory=set)
    r2: list[tuple[float, int]] = dataclasses.field(default_factory=list)  # (R², bytes) per stack

    def add(self, s: StackGrowth) -> None:
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
    best: dict[int, tuple[_Acc, _Group]] = {}
    unexplained: list[tuple[StackGrowth, _Group]] = []
    for g in groups:
        per_finding: dict[int, _Acc] = {}
        leftovers: list[StackGrowth] = []
        for s in g.stacks:
            hits = index.matches(s.frames)
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
            ev = Evidence("confirmed", acc.bytes, acc.objects, _growth_stacks(acc.stacks), _summary(acc, g))
        elif i in rows:
            ev = rows[i]
        elif f.rule_id in LEAK_RULES:
            ev = Evidence("static-only", summary=_static_summary(groups))
        else:
            ev = Evidence("static-only", summary=f"heap growth does not apply to {f.rule_id}")
        new_findings.append(dataclasses.replace(f, evidence=ev))
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
    return dataclasses.replace(
        result,
        findings=ranked,
        unexplained=_unexplained(unexplained, groups, resolver, _wrappers(result), max_unexplained,
                                 min_unexplained_share),
        profiles=tuple(_profile_summary(p, profiles) for p in {p.source_path: p for p in profiles}.values()),
        diagnostics=tuple(dict.fromkeys([*result.diagnostics, *_profile_diagnostics(profiles)])),
    )


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


def _growth_stacks(stacks: Iterable[StackGrowth]) -> tuple[GrowthStack, ...]:
    top = sorted(stacks, key=lambda s: (-s.bytes, -s.weight, s.frames))[:MAX_EVIDENCE_STACKS]
    return tuple(GrowthStack(tuple(ProfileFrame(f.function, f.file, f.line) for f in s.frames), s.bytes,
                             s.objects, s.source + (f" ({s.kind})" if s.kind else "")) for s in top)


def _summary(acc: _Acc, g: _Group) -> str:
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
    return text


def _static_summary(groups: Sequence[_Group]) -> str:
    if not groups:
        return "no profile given"
    return "no growth at the acquire site in " + "; ".join(g.label for g in groups) + \
        " (path not exercised, or too small to see)"


# ---- unexplained growth ------------------------------------------------------------------------

def _wrappers(result: AnalysisResult) -> frozenset[str]:
    """Functions the scan knows to hand out owned allocations (acquirers of findings and inferred pairs)."""
    names = {f.acquirer for f in result.findings} | {str(p.get("acquirer", "")) for p in result.pairs}
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

class _SourceResolver:
    """Profile file paths (from another machine or build dir) → the scanned source files."""

    def __init__(self, result: AnalysisResult, findings: Sequence[Finding]) -> None:
        self.root = result.root
        self.known: dict[str, list[str]] = {}
        for f in findings:
            for loc in (f.loc, f.acquire, *(ev.loc for ev in f.path)):
                if loc is not None and loc.file:
                    self._add(loc.file)
        self._indexed = False

    def _add(self, path: str) -> None:
        bucket = self.known.setdefault(os.path.basename(path), [])
        if path not in bucket:
            bucket.append(path)

    def _index_root(self) -> None:
        self._indexed = True
        if not self.root or not os.path.isdir(self.root):
            return
        seen = 0
        for d, dirs, files in os.walk(self.root):
            dirs[:] = [x for x in dirs if not x.startswith(".") and x not in ("node_modules", "__pycache__")]
            for name in files:
                if name.endswith(_SOURCE_SUFFIXES):
                    self._add(os.path.join(d, name))
                    seen += 1
            if seen > 50000:
                return

    def resolve(self, path: str) -> str:
        if not path or not path.endswith(_SOURCE_SUFFIXES) or re.match(r"^(/usr/|\.\./|csu/)", path):
            return path
        cands = self.known.get(os.path.basename(path))
        if not cands and not self._indexed:
            self._index_root()
            cands = self.known.get(os.path.basename(path))
        if not cands:
            return path
        if len(cands) == 1:
            return cands[0]
        return max(cands, key=lambda c: (_common_suffix(c, path), -len(c)))


def _common_suffix(a: str, b: str) -> int:
    pa, pb = a.replace("\\", "/").split("/"), b.replace("\\", "/").split("/")
    n = 0
    while n < min(len(pa), len(pb)) and pa[-1 - n] == pb[-1 - n]:
        n += 1
    return n


def _resolve_evidence(ev: Evidence | None, resolver: _SourceResolver) -> Evidence | None:
    if ev is None or not ev.stacks:
        return ev
    stacks = tuple(dataclasses.replace(s, frames=tuple(dataclasses.replace(f, file=resolver.resolve(f.file))
                                                       for f in s.frames)) for s in ev.stacks)
    return dataclasses.replace(ev, stacks=stacks)


def _profile_summary(p: Profile, all_profiles: Sequence[Profile]) -> dict[str, object]:
    space = pick_metric(p, "inuse_space")
    total = int(p.total(space)) if space >= 0 else 0
    role = "leak report" if p.source_format in LEAK_REPORT_FORMATS else "heap snapshot"
    return {"path": p.source_path, "format": p.source_format, "role": role,
            "metric": p.sample_types[space].type if space >= 0 else "",
            "total_bytes": total, "samples": len(p.samples), "warnings": list(p.warnings)}


def _profile_diagnostics(profiles: Sequence[Profile]) -> list[Diagnostic]:
    return [Diagnostic(p.source_path, 0, w, "warning") for p in profiles for w in p.warnings]


def correlate_with_files(result: AnalysisResult, profiles: Sequence[str], *, binary: str | None = None,
                         search_paths: Sequence[str] = (), **options: object) -> AnalysisResult:
    """Load the profile files and correlate; bad input raises `analyzer.cli.UserError` (one line, names the file)."""
    from analyzer.cli import UserError

    try:
        loaded = load_profiles(profiles, binary, search_paths)
        return correlate(result, loaded, **options)  # type: ignore[arg-type]
    except MalformedProfile as exc:
        raise UserError(str(exc)) from None
    except IncompatibleProfiles as exc:
        raise UserError(str(exc)) from None
