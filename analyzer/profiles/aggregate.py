"""Per-function (flat/cum, pprof semantics), per-stack and per-allocation-site totals of a profile."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzer.profiles.model import Frame, Profile, Value
from analyzer.profiles.names import short_name

# Preferred metric per question, first present wins ("space"/"objects" are go pprof's names for
# sampled live heaps; leaked_* come from LSan/valgrind; flat_* from pprof text reports).
METRIC_FALLBACKS: dict[str, tuple[str, ...]] = {
    "inuse_space": ("inuse_space", "space", "leaked_space", "growth_space", "flat_space"),
    "inuse_objects": ("inuse_objects", "objects", "leaked_objects", "growth_events"),
    "alloc_space": ("alloc_space",),
    "alloc_objects": ("alloc_objects",),
}

# Frames that are never "the project's" allocation site: system headers and libraries.
_SYSTEM_FILE_RE = re.compile(r"^(/usr/|/lib|\./|csu/|\.\./sysdeps|\?\?)")
_SYSTEM_FUNC_RE = re.compile(r"^(std::|__gnu_cxx::|__cxxabiv1::|_start$|__libc_|_dl_|_IO_)")

StackKey = tuple[Frame, ...]


def pick_metric(profile: Profile, wanted: str = "inuse_space") -> int:
    """Index of the sample type answering `wanted` (with fallbacks); -1 when absent."""
    for name in METRIC_FALLBACKS.get(wanted, (wanted,)):
        i = profile.value_index(name)
        if i >= 0:
            return i
    return -1


def normalize_frame(fr: Frame) -> Frame:
    """The cross-process identity of a frame: full name, file basename, line.

    System files (libc sources, /usr/include) keep their path so that they stay recognizable
    as not being the project's.
    """
    if not fr.file or _SYSTEM_FILE_RE.match(fr.file):
        return fr
    return Frame(fr.function, os.path.basename(fr.file), fr.line)


def stack_totals(profile: Profile, index: int) -> dict[StackKey, Value]:
    """Value per symbolized stack (normalized frames, leaf first); equal stacks are merged."""
    out: dict[StackKey, Value] = {}
    for s in profile.samples:
        key = tuple(normalize_frame(f) for f in profile.frames(s))
        out[key] = out.get(key, 0) + s.values[index]
    return out


def is_project_frame(fr: Frame) -> bool:
    if fr.function.startswith("(") and not fr.function.startswith("(anonymous namespace)"):
        return False  # a recorder's pseudo frame: "(in 3 places, all below massif's threshold (1.00%))"
    if fr.file:
        return not _SYSTEM_FILE_RE.match(fr.file)
    name = short_name(fr.function).lstrip(":")
    return not _SYSTEM_FUNC_RE.match(name) and "+0x" not in fr.function


def allocation_site(stack: Sequence[Frame]) -> Frame:
    """First project frame of a (folded) stack, else its leaf."""
    for fr in stack:
        if is_project_frame(fr):
            return fr
    return stack[0] if stack else Frame("<empty stack>", "", 0)


@dataclass(frozen=True)
class Row:
    """One line of a pprof-like table: a function (or function at file:line) and its values."""

    name: str
    file: str
    line: int
    flat: Value
    cum: Value

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file else ""


def function_rows(stacks: Iterable[tuple[StackKey, Value]], lines: bool = False) -> list[Row]:
    """pprof `--text` semantics: flat = leaf entry, cum = every distinct entry of a stack once.

    Entries are short function names (or short name + file:line with `lines=True`); recursion
    is counted once per stack, as pprof's `ReduceProfile` does. Rows whose flat and cum are
    both zero are dropped, as pprof does.
    """
    flat: dict[tuple[str, str, int], Value] = {}
    cum: dict[tuple[str, str, int], Value] = {}
    for stack, v in stacks:
        seen: set[tuple[str, str, int]] = set()
        first = True
        for fr in stack:
            key = (short_name(fr.function), fr.file, fr.line) if lines else (
                short_name(fr.function), "", 0)
            if key in seen:
                continue
            seen.add(key)
            if first:
                flat[key] = flat.get(key, 0) + v
                first = False
            cum[key] = cum.get(key, 0) + v
    rows = [Row(k[0], k[1], k[2], flat.get(k, 0), c) for k, c in cum.items() if c or flat.get(k)]
    rows.sort(key=lambda r: (-r.flat, -r.cum, r.name, r.file, r.line))
    return rows


def site_totals(stacks: Iterable[tuple[StackKey, Value]]) -> dict[Frame, Value]:
    out: dict[Frame, Value] = {}
    for stack, v in stacks:
        site = allocation_site(stack)
        out[site] = out.get(site, 0) + v
    return out
