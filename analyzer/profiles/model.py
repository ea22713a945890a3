"""A pprof-like heap/leak profile model: frozen dataclasses, validation, JSON, frame views."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# Values are integers except un-sampled heap_v2 estimates, which stay float so that
# totals match pprof exactly (pprof sums the scaled floats and truncates only on print).
Value = int | float

# The comment a profile carries when `time_nanos` is its file's mtime, not a time the profiler recorded.
TIME_FROM_MTIME = "time: file mtime"


@dataclass(frozen=True)
class ValueType:
    type: str
    unit: str


@dataclass(frozen=True)
class Function:
    id: int
    name: str
    system_name: str = ""
    filename: str = ""
    start_line: int = 0


@dataclass(frozen=True)
class Line:
    function_id: int
    line: int = 0


@dataclass(frozen=True)
class Mapping:
    id: int
    start: int
    limit: int
    offset: int
    filename: str
    build_id: str = ""
    # From /proc/self/maps (gperftools, jemalloc): the mapped file's device ("fe:00") and inode,
    # used to tell whether the file now at `filename` is still the one that was mapped.
    device: str = ""
    inode: int = 0


@dataclass(frozen=True)
class SeriesPoint:
    """The profile is one of `count` snapshots recorded in one file: the recorder's snapshot `index`, at `time`.

    `unit` is the recorder's time unit: "ms" or "s" (wall clock), "i" (instructions executed) or
    "B" (bytes allocated so far), as valgrind massif's `--time-unit`.
    """

    index: int
    count: int
    time: float
    unit: str

    @property
    def wall_clock(self) -> bool:
        return self.unit in ("ms", "s")


@dataclass(frozen=True)
class Location:
    """A code address; `lines` lists inlined callees first and the real caller last."""

    id: int
    mapping_id: int = 0
    address: int = 0
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Sample:
    """One stack (leaf first) with values parallel to `Profile.sample_types`."""

    location_ids: tuple[int, ...]
    values: tuple[Value, ...]
    labels: tuple[tuple[str, str], ...] = ()
    num_labels: tuple[tuple[str, int], ...] = ()

    def label(self, key: str, default: str = "") -> str:
        for k, v in self.labels:
            if k == key:
                return v
        return default


class Frame(NamedTuple):
    """A symbolized frame; `function` is a `module+0xOFF` or hex address when unknown."""

    function: str
    file: str
    line: int


class InvalidProfile(ValueError):
    """Raised by `Profile.validate` when an invariant is broken (a bug in a parser)."""


@dataclass(frozen=True)
class Profile:
    sample_types: tuple[ValueType, ...]
    samples: tuple[Sample, ...]
    locations: tuple[Location, ...] = ()
    functions: tuple[Function, ...] = ()
    mappings: tuple[Mapping, ...] = ()
    period: int = 0
    period_type: ValueType | None = None
    time_nanos: int = 0
    source_format: str = ""
    source_path: str = ""
    sampling_rate: int = 0
    warnings: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    default_sample_type: str = ""
    symbolized: bool = False
    series_point: SeriesPoint | None = None
    _index: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ---- invariants ---------------------------------------------------------------
    def validate(self) -> None:
        """Check pprof's `CheckValid` invariants; raise `InvalidProfile` on the first failure."""
        for kind, ids in (
            ("mapping", [m.id for m in self.mappings]),
            ("location", [loc.id for loc in self.locations]),
            ("function", [f.id for f in self.functions]),
        ):
            if any(i == 0 for i in ids):
                raise InvalidProfile(f"{kind} id 0 is reserved")
            if len(set(ids)) != len(ids):
                raise InvalidProfile(f"duplicate {kind} ids")
        n = len(self.sample_types)
        mapping_ids = {m.id for m in self.mappings}
        function_ids = {f.id for f in self.functions}
        location_ids = {loc.id for loc in self.locations}
        for i, s in enumerate(self.samples):
            if len(s.values) != n:
                raise InvalidProfile(f"sample {i} has {len(s.values)} values, want {n}")
            missing = [lid for lid in s.location_ids if lid not in location_ids]
            if missing:
                raise InvalidProfile(f"sample {i} refers to unknown location {missing[0]}")
        for loc in self.locations:
            if loc.mapping_id and loc.mapping_id not in mapping_ids:
                raise InvalidProfile(f"location {loc.id} refers to unknown mapping {loc.mapping_id}")
            for ln in loc.lines:
                if ln.function_id not in function_ids:
                    raise InvalidProfile(f"location {loc.id} refers to unknown function {ln.function_id}")

    # ---- lookups ------------------------------------------------------------------
    def _lookup(self, name: str) -> dict[int, Any]:
        table = self._index.get(name)
        if table is None:
            source: tuple[Any, ...] = {
                "loc": self.locations, "fn": self.functions, "map": self.mappings}[name]
            table = {x.id: x for x in source}
            self._index[name] = table
        return table

    def location(self, location_id: int) -> Location:
        return self._lookup("loc")[location_id]

    def function(self, function_id: int) -> Function:
        return self._lookup("fn")[function_id]

    def mapping(self, mapping_id: int) -> Mapping | None:
        return self._lookup("map").get(mapping_id)

    def value_index(self, type_name: str) -> int:
        """Index of the sample type named `type_name`; -1 when absent."""
        for i, vt in enumerate(self.sample_types):
            if vt.type == type_name:
                return i
        return -1

    def total(self, index: int) -> Value:
        return sum(s.values[index] for s in self.samples)

    # ---- frame views --------------------------------------------------------------
    def location_frames(self, location_id: int) -> tuple[Frame, ...]:
        """Frames of one location, inlined callees first (as pprof orders `Location.line`)."""
        loc = self.location(location_id)
        if not loc.lines:
            return (Frame(self.address_name(loc), "", 0),)
        frames = []
        for ln in loc.lines:
            fn = self.function(ln.function_id)
            frames.append(Frame(fn.name, fn.filename, ln.line))
        return tuple(frames)

    def address_name(self, loc: Location) -> str:
        """A process-independent name for an unsymbolized address: `module+0xOFFSET`."""
        m = self.mapping(loc.mapping_id)
        if m is not None and m.filename and not m.filename.startswith("["):
            return f"{os.path.basename(m.filename)}+0x{loc.address - m.start + m.offset:x}"
        return f"0x{loc.address:x}"

    def frames(self, sample: Sample) -> tuple[Frame, ...]:
        """All frames of a sample, leaf first, inlined frames expanded."""
        out: list[Frame] = []
        for lid in sample.location_ids:
            out.extend(self.location_frames(lid))
        return tuple(out)

    def stacks(self) -> list[tuple[tuple[Frame, ...], Sample]]:
        return [(self.frames(s), s) for s in self.samples]

    # ---- serialization ------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "source_format": self.source_format,
            "source_path": self.source_path,
            "sample_types": [[vt.type, vt.unit] for vt in self.sample_types],
            "default_sample_type": self.default_sample_type,
            "period_type": [self.period_type.type, self.period_type.unit] if self.period_type else None,
            "period": self.period,
            "sampling_rate": self.sampling_rate,
            "time_nanos": self.time_nanos,
            "symbolized": self.symbolized,
            "series_point": ([self.series_point.index, self.series_point.count, self.series_point.time,
                              self.series_point.unit] if self.series_point else None),
            "warnings": list(self.warnings),
            "comments": list(self.comments),
            "mappings": [
                {"id": m.id, "start": m.start, "limit": m.limit, "offset": m.offset,
                 "filename": m.filename, "build_id": m.build_id, "device": m.device, "inode": m.inode}
                for m in self.mappings
            ],
            "functions": [
                {"id": f.id, "name": f.name, "system_name": f.system_name,
                 "filename": f.filename, "start_line": f.start_line}
                for f in self.functions
            ],
            "locations": [
                {"id": loc.id, "mapping_id": loc.mapping_id, "address": loc.address,
                 "lines": [[ln.function_id, ln.line] for ln in loc.lines]}
                for loc in self.locations
            ],
            "samples": [
                {"location_ids": list(s.location_ids), "values": list(s.values),
                 "labels": [list(kv) for kv in s.labels],
                 "num_labels": [list(kv) for kv in s.num_labels]}
                for s in self.samples
            ],
        }

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True)


def format_value(v: Value) -> str:
    """Integers as is; floats with enough digits to round-trip (used by golden dumps)."""
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v)


def dump_text(p: Profile) -> str:
    """A stable, human-readable dump (like pprof's `Profile.String()`) for golden tests."""
    out = [
        f"Format: {p.source_format}",
        "SampleTypes: " + " ".join(f"{vt.type}/{vt.unit}" for vt in p.sample_types),
    ]
    if p.period_type:
        out.append(f"Period: {p.period} {p.period_type.type}/{p.period_type.unit}")
    if p.sampling_rate:
        out.append(f"SamplingRate: {p.sampling_rate}")
    for w in p.warnings:
        out.append(f"Warning: {w}")
    for c in p.comments:
        out.append(f"Comment: {c}")
    out.append("Samples:")
    for s in p.samples:
        vals = " ".join(format_value(v) for v in s.values)
        labels = "".join(f" {k}={v}" for k, v in s.labels) + "".join(
            f" {k}={v}" for k, v in s.num_labels)
        out.append(f"  {vals}:{labels} @ " + " ".join(str(i) for i in s.location_ids))
        for fr in p.frames(s):
            where = f" {fr.file}:{fr.line}" if fr.file else ""
            out.append(f"      {fr.function}{where}")
    out.append("Mappings:")
    for m in p.mappings:
        bid = f" build_id={m.build_id}" if m.build_id else ""
        out.append(f"  {m.id}: 0x{m.start:x}-0x{m.limit:x} off=0x{m.offset:x} {m.filename}{bid}")
    return "\n".join(out) + "\n"
