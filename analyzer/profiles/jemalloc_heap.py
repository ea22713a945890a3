"""Parser for jemalloc heap profiles (`jeprof.PID.SEQ.[imuf]VSEQ.heap`, `prof.dump`): heap_v2 per thread.

    heap_v2/524288                       <- 2^lg_prof_sample
      t*: 394: 1618328 [790: 3240349]    <- all threads: in use [cumulative, with prof_accum]
      t0: 394: 1618328 [790: 3240349]    <- per thread (an optional thread name may follow)
    @ 0x7f0d57ca2630 0x7f0d57ca2d21 ...  <- one stack, leaf first (jemalloc's own frames first)
      t*: 13: 53248 [0: 0]
      t0: 13: 53248 [0: 0]
    ...
    MAPPED_LIBRARIES:
    /proc/self/maps

Values are un-sampled exactly as jeprof does (`AdjustSamples`, algorithm 2, per stack, with the
header's rate), so totals equal `jeprof --text`'s.
"""

from __future__ import annotations

import re

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.gperf_heap import StackLocations, scale_v2
from analyzer.profiles.model import Profile, Value, ValueType
from analyzer.profiles.procmaps import parse_maps

FORMAT = "jemalloc-heap"

_HEADER_RE = re.compile(r"^heap_v2/(\d+)\s*$")
_COUNTS_RE = re.compile(r"^\s*t(\*|\d+):\s*(\d+):\s*(\d+)\s*\[\s*(\d+):\s*(\d+)\s*\](?:\s.*)?$")
_STACK_RE = re.compile(r"^@((?:\s+0x[0-9a-fA-F]+)*)\s*$")

_INUSE_TYPES = (ValueType("inuse_objects", "count"), ValueType("inuse_space", "bytes"))
_ACCUM_TYPES = (ValueType("alloc_objects", "count"), ValueType("alloc_space", "bytes"), *_INUSE_TYPES)


def sniff(data: bytes) -> bool:
    head = data[:256].lstrip().split(b"\n", 2)
    return (len(head) >= 2 and re.match(rb"^heap_v2/\d+\s*$", head[0]) is not None
            and head[1].lstrip().startswith(b"t*:"))


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    text = data.decode("utf-8", errors="replace").replace("\r", "")
    lines = text.split("\n")
    first = next(i for i, ln in enumerate(lines) if ln.strip())
    header = _HEADER_RE.match(lines[first].strip())
    assert header is not None  # sniffed
    rate = int(header.group(1))
    totals = _counts(lines[first + 1])
    if totals is None:
        raise MalformedProfile(path, first + 2, "bad jemalloc heap profile header (want '  t*: N: B [N: B]')")
    body = _Body(path)
    body.read(lines, first + 2)
    warnings: list[str] = []
    if body.map_lines is None:
        if not text.endswith("\n"):
            raise MalformedProfile(path, len(lines), "truncated jemalloc heap profile: last line is incomplete")
        warnings.append("no MAPPED_LIBRARIES section: addresses cannot be symbolized")
    accum = any(c[2] or c[3] for _, _, c in body.records) or bool(totals[2] or totals[3])
    types = _ACCUM_TYPES if accum else _INUSE_TYPES
    b = ProfileBuilder(len(types), parse_maps(body.map_lines or []))
    locations = StackLocations(b)
    for _, addrs, counts in body.records:
        b.add_sample(locations.ids(addrs), _values(counts, rate, accum))
    if rate == 0:
        warnings.append("sampling rate 0 in the header: values are not un-sampled")
    return b.build(
        sample_types=types,
        period=rate,
        period_type=types[-1],
        source_format=FORMAT,
        source_path=path,
        sampling_rate=rate,
        warnings=tuple(warnings),
        comments=(f"jemalloc heap_v2, 1 sample per {rate} bytes, {body.threads} thread(s)",),
        default_sample_type="inuse_space",
    )


class _Body:
    """Reads the lines after the header: `@` stacks, each followed by its `t*:` and per-thread counts."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.records: list[tuple[int, list[str], tuple[int, int, int, int]]] = []  # (line, stack, t* counts)
        self.threads = 0  # per-thread lines of the header
        self.map_lines: list[str] | None = None  # the lines after MAPPED_LIBRARIES:, None without it
        self._stack: list[str] | None = None  # the stack awaiting its counts
        self._stack_line = 0

    def read(self, lines: list[str], start: int) -> None:
        for i in range(start, len(lines)):
            ln = lines[i]
            if ln.startswith("MAPPED_LIBRARIES:"):
                self.map_lines = lines[i + 1:]
                break
            if ln.strip():
                # A non-blank last line means the text does not end with a newline.
                self._line(ln, i + 1, is_last=i == len(lines) - 1)
        if self._stack is not None:
            raise MalformedProfile(self.path, self._stack_line, "truncated jemalloc heap profile: stack without counts")

    def _line(self, ln: str, lineno: int, is_last: bool) -> None:
        sm = _STACK_RE.match(ln)
        if sm is not None:
            if self._stack is not None:
                raise MalformedProfile(self.path, self._stack_line, "stack without counts ('  t*: ...' line)")
            self._stack, self._stack_line = sm.group(1).split(), lineno
            return
        counts = _counts(ln)
        if counts is None:
            if is_last:
                raise MalformedProfile(self.path, lineno, "truncated jemalloc heap profile: last line is incomplete")
            raise MalformedProfile(self.path, lineno, f"bad jemalloc heap profile line: {ln.strip()[:60]!r}")
        if not ln.lstrip().startswith("t*:"):
            if self._stack is None and not self.records:
                self.threads += 1  # the header's per-thread lines
            return  # per-thread counts: jeprof uses the all-threads line only
        if self._stack is None:
            raise MalformedProfile(self.path, lineno, "'t*:' counts before any '@' stack")
        self.records.append((self._stack_line, self._stack, counts))
        self._stack = None


def _counts(line: str) -> tuple[int, int, int, int] | None:
    m = _COUNTS_RE.match(line)
    if m is None:
        return None
    return int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5))


def _values(counts: tuple[int, int, int, int], rate: int, accum: bool) -> list[Value]:
    n1, s1, n2, s2 = counts
    if rate > 0:
        c1, b1 = scale_v2(n1, s1, rate)
        c2, b2 = scale_v2(n2, s2, rate)
    else:
        c1, b1, c2, b2 = float(n1), float(s1), float(n2), float(s2)
    return [c2, b2, c1, b1] if accum else [c1, b1]
