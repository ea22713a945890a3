"""Parser for gperftools/tcmalloc legacy text heap profiles: `heapprofile`, `heap_v2/R`, `growth`."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile, Value, ValueType
from analyzer.profiles.procmaps import parse_maps

FORMAT = "gperftools-heap"

_HEADER_RE = re.compile(
    r"^heap profile:\s*(\d+):\s*(\d+)\s*\[\s*(\d+):\s*(\d+)\s*\]\s*(?:@\s*([^/\s]*)(?:/(\d+))?)?\s*$"
)
_RECORD_RE = re.compile(r"\s*(\d+):\s*(\d+)\s*\[\s*(\d+):\s*(\d+)\s*\]\s*@(.*)")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+")
_STACK_RE = re.compile(r"(?:0x[0-9a-fA-F]+(?:\s+|$))*")

SAMPLING_DISABLED = "sampling disabled (TCMALLOC_SAMPLE_PARAMETER unset)"

_HEAPPROFILE_TYPES = (
    ValueType("alloc_objects", "count"),
    ValueType("alloc_space", "bytes"),
    ValueType("inuse_objects", "count"),
    ValueType("inuse_space", "bytes"),
)
_SAMPLED_TYPES = (ValueType("inuse_objects", "count"), ValueType("inuse_space", "bytes"))
_GROWTH_TYPES = (ValueType("growth_events", "count"), ValueType("growth_space", "bytes"))


def sniff(data: bytes) -> bool:
    head = data[:4096].lstrip()
    while head.startswith(b"%warn"):
        _, _, head = head.partition(b"\n")
    return head.startswith(b"heap profile:")


def scale_v2(count: int, size: int, rate: int) -> tuple[float, float]:
    """pprof's un-sampling for heap_v2 (perl `ReadHeapProfile`, sampling algorithm 2).

    An allocation of mean size X is sampled with probability 1 - exp(-X/R), so each sampled
    record stands for 1/(1 - exp(-X/R)) records.
    """
    if count == 0:
        return 0.0, float(size)
    ratio = (size / count) / rate
    scale = 1.0 / (1.0 - math.exp(-ratio))
    return count * scale, size * scale


def scale_v1(count: int, size: int, rate: float) -> tuple[float, float]:
    """Legacy `heap/R` adjustment: scale by 1/ratio when the mean size is below the period."""
    if count == 0:
        return 0.0, float(size)
    ratio = (size / count) / rate
    if ratio < 1:
        return count / ratio, size / ratio
    return float(count), float(size)


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    text = data.decode("utf-8", errors="replace").replace("\r", "")
    lines = text.split("\n")
    comments, header_index = _leading_comments(lines)
    totals, tag, rate = _header(lines, header_index, path)
    algorithm, adjust, types, warnings = _classify(tag, rate, totals)
    records, map_lines = _sections(lines, header_index + 1)
    has_maps = map_lines is not None
    if not text.endswith("\n") and not has_maps:
        lineno, last = records[-1] if records else (header_index + 1, lines[header_index])
        raise MalformedProfile(path, lineno, "truncated heap profile: last line is incomplete "
                               f"({last.strip()[:40]!r})")
    b = ProfileBuilder(len(types), parse_maps(map_lines or []))
    locations = StackLocations(b)
    sums = [0, 0, 0, 0]
    for lineno, ln in records:
        raw, addrs = _record(ln, lineno, path)
        sums = [total + value for total, value in zip(sums, raw, strict=True)]
        b.add_sample(locations.ids(addrs), _values(algorithm, adjust, raw, len(types)))
    if sums != totals and records:
        msg = (f"records sum to {sums[0]}: {sums[1]} [{sums[2]}: {sums[3]}] but the header says "
               f"{totals[0]}: {totals[1]} [{totals[2]}: {totals[3]}]")
        if not has_maps:
            raise MalformedProfile(path, records[-1][0], f"truncated heap profile: {msg}")
        warnings.append(msg)
    if not has_maps:
        warnings.append("no MAPPED_LIBRARIES section: addresses cannot be symbolized")
    return b.build(
        sample_types=types,
        period=(rate if algorithm == 2 else int(adjust)) if algorithm else 1,
        period_type=types[-1],
        source_format=f"{FORMAT}/{tag or 'unknown'}",
        source_path=path,
        sampling_rate=rate if algorithm else 0,
        warnings=tuple(warnings),
        comments=tuple(c for c in comments if c),
        default_sample_type=types[-1].type,
    )


class StackLocations:
    """Location ids for raw stacks (hex addresses, leaf first), shared by the heap profile parsers.

    Entries after the first are return addresses: they step back into the call instruction so that
    file:line is the call site (pprof's and jeprof's FixCallerAddresses).
    """

    def __init__(self, builder: ProfileBuilder) -> None:
        self._builder = builder
        self._leaf: dict[str, int] = {}
        self._caller: dict[str, int] = {}

    def ids(self, addrs: Sequence[str]) -> list[int]:
        return [self._id(a, pos > 0) for pos, a in enumerate(addrs)]

    def _id(self, hex_addr: str, is_caller: bool) -> int:
        cache = self._caller if is_caller else self._leaf
        lid = cache.get(hex_addr)
        if lid is None:
            addr = int(hex_addr, 16)
            lid = cache[hex_addr] = self._builder.address_location(addr - 1 if is_caller and addr > 0 else addr)
        return lid


def _leading_comments(lines: list[str]) -> tuple[list[str], int]:
    """The `%warn` lines before the header, and the index of the header line."""
    comments: list[str] = []
    i = 0
    while i < len(lines) and (lines[i].startswith("%warn") or not lines[i].strip()):
        if lines[i].startswith("%warn"):
            comments.append(lines[i][5:].strip())
        i += 1
    return comments, i


def _header(lines: list[str], i: int, path: str) -> tuple[list[int], str, int]:
    """(totals, tag, sampling rate) of the header line `lines[i]`."""
    header = _HEADER_RE.match(lines[i]) if i < len(lines) else None
    if header is None:
        raise MalformedProfile(path, i + 1, "bad heap profile header "
                               "(want 'heap profile: N: B [N: B] @ tag')")
    totals = [int(header.group(k)) for k in range(1, 5)]
    return totals, header.group(5) or "", int(header.group(6)) if header.group(6) else 0


def _sections(lines: list[str], start: int) -> tuple[list[tuple[int, str]], list[str] | None]:
    """The non-blank record lines (1-based line number, text) and the lines after the maps marker (None: none)."""
    records: list[tuple[int, str]] = []
    for j in range(start, len(lines)):
        ln = lines[j]
        if ln.startswith("MAPPED_LIBRARIES:") or ln.startswith("--- Memory map:"):
            return records, lines[j + 1:]
        if ln.strip():
            records.append((j + 1, ln))
    return records, None


def _record(ln: str, lineno: int, path: str) -> tuple[list[int], list[str]]:
    """The four counts and the stack (hex addresses, leaf first) of one record line."""
    m = _RECORD_RE.match(ln)
    if m is None:
        raise MalformedProfile(path, lineno, "bad heap profile record "
                               f"(want 'N: B [N: B] @ 0xADDR ...'): {ln.strip()[:60]!r}")
    raw = [int(m.group(k)) for k in range(1, 5)]
    stack = m.group(5).strip()
    if not _STACK_RE.fullmatch(stack):
        bad = next(a for a in stack.split() if not _HEX_RE.fullmatch(a))
        raise MalformedProfile(path, lineno, f"bad address {bad[:30]!r} in stack")
    return raw, stack.split()


def _classify(tag: str, rate: int, totals: list[int]) -> tuple[int, float, tuple[ValueType, ...], list[str]]:
    """Return (sampling algorithm, sampling period, sample types, warnings) as pprof decides them."""
    warnings: list[str] = []
    if tag == "growth":
        return 0, 0, _GROWTH_TYPES, warnings
    if tag == "heapprofile" or (tag and "heap" not in tag):
        return 0, 0, _HEAPPROFILE_TYPES, warnings
    if tag.endswith("_v2"):
        if rate == 0:
            warnings.append(SAMPLING_DISABLED)
        elif totals[0] == 0:
            warnings.append(f"no live objects sampled (sampling period {rate} bytes)")
        return 2, float(rate or 128 * 1024), _SAMPLED_TYPES, warnings
    if tag:
        return 1, (rate / 2 if rate else 128 * 1024), _SAMPLED_TYPES, warnings
    if totals[0] == totals[2] and totals[1] == totals[3]:
        return 1, 128 * 1024, _SAMPLED_TYPES, warnings
    return 0, 0, _HEAPPROFILE_TYPES, warnings


def _values(algorithm: int, adjust: float, raw: list[int], n_types: int) -> list[Value]:
    n1, s1, n2, s2 = raw
    if algorithm == 0:
        # heapprofile: pprof's order is alloc_* (bracketed pair) then inuse_*; growth: a: b only.
        return [n2, s2, n1, s1] if n_types == 4 else [n1, s1]
    # Sampled live heap: the bracketed pair repeats the first, so only in-use is kept.
    if algorithm == 2:
        c, s = scale_v2(n1, s1, int(adjust))
    else:
        c, s = scale_v1(n1, s1, adjust)
    return [c, s]
