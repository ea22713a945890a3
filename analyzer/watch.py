"""Watching a live service: heap snapshots over HTTP at an interval -> symbolized profiles -> correlated result.

The static scan is done once (by the caller); each snapshot is symbolized (the local binary where it is
here, else the service's own `/pprof/symbol`), its allocator frames folded, and the static result correlated
again with every snapshot since the baseline, on the snapshots' wall-clock times. A service restarted
between two snapshots (a new process: another memory map, allocation counters that went down, another
command line) starts a new baseline. The snapshots kept are thinned past `max_kept` (every other one in the
middle of the series goes, the first and the latest stay), so a long watch keeps a bounded memory.
"""
from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from analyzer.correlate import correlate
from analyzer.model import AnalysisResult, Diagnostic
from analyzer.profiles.fold import fold_allocator_frames
from analyzer.profiles.model import Mapping, Profile
from analyzer.profiles.remote import PprofClient, RemoteError, is_loopback
from analyzer.profiles.symbolize import SymbolizeOptions, symbolize
from analyzer.profiles.symfile import is_sym_file, read_sym, symbolize_with_sym

SYMBOL_MODES = ("auto", "remote", "local")


@dataclass(frozen=True)
class WatchOptions:
    interval: float = 60.0  # seconds between snapshots
    count: int | None = None  # stop after this many snapshots...
    duration: float | None = None  # ...or once this many seconds have passed (neither: until interrupted)
    symbols: str = "auto"  # auto: the local binary where it is here, then the service; remote; local
    binary: str | None = None
    search_paths: tuple[str, ...] = ()
    max_kept: int = 48
    max_failures: int = 3  # snapshots in a row that could not be had before the watch gives up


@dataclass(frozen=True)
class Update:
    """The state after one snapshot."""
    number: int  # snapshots taken since the start, this one included
    baseline: int  # snapshots in the current baseline (since the start or the last restart), this one included
    kept: int  # of those, the ones kept (see `WatchOptions.max_kept`)
    at: float  # when it was taken (seconds since the epoch)
    total_bytes: int  # heap in use in this snapshot
    result: AnalysisResult
    restart: str = ""  # why a new baseline started with this snapshot


class Watch:
    """A service being watched. `take()` one snapshot at a time, or `run()` the schedule."""

    def __init__(self, static: AnalysisResult, client: PprofClient, options: WatchOptions = WatchOptions()) -> None:
        if options.symbols not in SYMBOL_MODES:
            raise ValueError(f"symbols must be one of {SYMBOL_MODES}")
        self.static = static
        self.client = client
        self.options = options
        self.kept: list[Profile] = []
        self.number = 0
        self.baseline = 0
        self.notes: list[str] = []  # restarts, for the report
        self.warnings: dict[str, None] = {}  # symbolization problems, once each
        self._cmdline = ""
        self._unresolved = ""  # what the service could not name in the latest snapshot
        self.result: AnalysisResult | None = None
        self._sym = None
        if options.binary and is_sym_file(options.binary):  # a Breakpad .sym file of the binary
            self._sym = read_sym(options.binary)  # SymFileError (an InputError) when it is broken

    # ---- one snapshot ----------------------------------------------------------------
    def take(self) -> Update:
        """Fetch, symbolize and correlate one snapshot; `RemoteError` when it cannot be had."""
        raw = self.client.heap(self.number + 1)
        cmdline = self.client.cmdline()
        restart = self._restart(raw, cmdline) if self.kept else ""
        self.number += 1
        self._cmdline = cmdline
        if restart:
            self.notes.append(f"snapshot {self.number}: the service restarted ({restart}); new baseline")
            self.kept, self.baseline = [], 0
        self.kept.append(self._symbolized(raw))
        self.baseline += 1
        self._thin()
        result = self._correlated()
        self.result = result
        total = sum(p.values[_inuse(raw)] for p in raw.samples) if _inuse(raw) >= 0 else 0
        return Update(self.number, self.baseline, len(self.kept), raw.time_nanos / 1e9, int(total), result, restart)

    def _symbolized(self, prof: Profile) -> Profile:
        opts = self.options
        if not prof.symbolized and opts.symbols in ("auto", "local"):
            if self._sym is not None:
                prof, _ = symbolize_with_sym(prof, self._sym)
            local = SymbolizeOptions(binary=None if self._sym else opts.binary, search_path=opts.search_paths,
                                     use_recorded_paths=is_loopback(self.client.url))
            prof = symbolize(prof, local)
            for w in prof.warnings:
                self.warnings.setdefault(w)
            prof = dataclasses.replace(prof, warnings=())
        if opts.symbols in ("auto", "remote") and any(not loc.lines for loc in prof.locations):
            prof = self._remote_symbols(prof)
        return fold_allocator_frames(dataclasses.replace(prof, symbolized=True))

    def _remote_symbols(self, prof: Profile) -> Profile:
        if not self.client.has_symbols():
            self.warnings.setdefault(f"the service does not symbolize ({self.client.symbol_url}): "
                                     "frames stay module+0xOFFSET; pass --binary or --search-path")
            return prof
        try:
            out, asked, unresolved = self.client.symbolize(prof)
        except RemoteError as exc:
            self.warnings.setdefault(f"symbols: {exc}")
            return prof
        self._unresolved = (f"{unresolved} of {asked} addresses of snapshot {self.number} did not resolve through "
                            f"{self.client.symbol_url} (shown as module+0xOFFSET)") if unresolved else ""
        return out

    def _restart(self, prof: Profile, cmdline: str) -> str:
        """Why `prof` comes from another process than the previous snapshot ("" when it does not)."""
        prev = self.kept[-1]
        if cmdline and self._cmdline and cmdline != self._cmdline:
            return "its command line changed"
        a, b = _main_mapping(prev.mappings), _main_mapping(prof.mappings)
        if a is not None and b is not None and (a.filename, a.start, a.inode) != (b.filename, b.start, b.inode):
            return "the program is mapped at another address: a new process"
        for metric in ("alloc_space", "alloc_objects"):
            i, j = prev.value_index(metric), prof.value_index(metric)
            if i >= 0 and j >= 0 and prof.total(j) < prev.total(i):
                return f"its cumulative {metric} went down"
        return ""

    def _thin(self) -> None:
        if len(self.kept) > self.options.max_kept:
            middle = self.kept[1:-1]
            self.kept = [self.kept[0], *middle[1::2], self.kept[-1]]

    def _correlated(self) -> AnalysisResult:
        result = correlate(self.static, self.kept)
        diags = [Diagnostic(self.client.url, 0, w) for w in [*self.warnings, self._unresolved] if w]
        diags += [Diagnostic(self.client.url, 0, n, "note") for n in self.notes]
        timeline = result.timeline
        if timeline is not None and self.notes:
            timeline = dataclasses.replace(timeline, notes=tuple(self.notes))
        return dataclasses.replace(result, timeline=timeline,
                                   diagnostics=tuple(dict.fromkeys([*result.diagnostics, *diags])))

    # ---- the schedule ---------------------------------------------------------------
    def run(self, on_update: Callable[[Update], None], on_error: Callable[[RemoteError], None],
            sleep: Callable[[float], None] = time.sleep,
            monotonic: Callable[[], float] = time.monotonic) -> AnalysisResult | None:
        """Take snapshots on the schedule until the count or the duration is reached.

        The first snapshot must succeed (else `RemoteError`); a later failure is reported to `on_error` and
        the watch goes on, until `max_failures` in a row, which raise the last error. Snapshots are due at
        start + k * interval; one that comes late does not shift those after it.
        """
        opts = self.options
        start = monotonic()
        failures = 0
        k = 0
        while True:
            try:
                on_update(self.take())
                failures = 0
            except RemoteError as exc:
                if self.number == 0:
                    raise
                failures += 1
                if failures >= opts.max_failures:
                    raise
                on_error(exc)
            k += 1
            if opts.count is not None and k >= opts.count:
                return self.result
            due = start + k * opts.interval
            if opts.duration is not None and due - start > opts.duration:
                return self.result
            now = monotonic()
            if due > now:
                sleep(due - now)


def _inuse(p: Profile) -> int:
    from analyzer.profiles.aggregate import pick_metric
    return pick_metric(p, "inuse_space")


def _main_mapping(mappings: Sequence[Mapping]) -> Mapping | None:
    """The executable's code mapping: the first file-backed mapping that is not a shared object."""
    for m in mappings:
        if m.filename and not m.filename.startswith("[") and ".so" not in os.path.basename(m.filename):
            return m
    return None
