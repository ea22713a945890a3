"""Parser for pprof `--text` reports (also `--lines`, `--base` diffs, brpc /hotspots text pages)."""

from __future__ import annotations

import re

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile, Value, ValueType

FORMAT = "pprof-text"

_NUM = r"-?(?:\d+(?:\.\d*)?|\.\d+)"  # what float() reads: not '.', not '1.2.3'
_TOTAL_RE = re.compile(rf"^Total: ({_NUM}) (B|MB|objects|samples|seconds)\s*$")
_ROW_RE = re.compile(
    rf"^\s*({_NUM})\s+({_NUM}|nan|[+-]inf)%\s+({_NUM}|nan|[+-]inf)%\s+({_NUM})\s+"
    rf"({_NUM}|nan|[+-]inf)%\s+(\S.*)$"  # matched against the line without its trailing blanks
)
_LOCATION_RE = re.compile(r"^(.*\S)\s+(\S+):(\d+)$")

# Total unit → (sample type suffix, unit, multiplier to the unit).
_UNITS = {
    "B": ("space", "bytes", 1),
    "MB": ("space", "bytes", 1048576),
    "objects": ("objects", "count", 1),
    "samples": ("samples", "count", 1),
    "seconds": ("delay", "nanoseconds", 1_000_000_000),
}


def sniff(data: bytes) -> bool:
    return re.search(rb"(?m)^Total: " + _NUM.encode() + rb" (B|MB|objects|samples|seconds)\s*$",
                     data[:65536]) is not None


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    lines = data.decode("utf-8", errors="replace").splitlines()
    start = next(i for i, ln in enumerate(lines) if _TOTAL_RE.match(ln))
    tm = _TOTAL_RE.match(lines[start])
    assert tm is not None
    suffix, unit, mult = _UNITS[tm.group(2)]
    types = (ValueType(f"flat_{suffix}", unit), ValueType(f"cum_{suffix}", unit))
    comments = [ln.strip() for ln in lines[:start + 1] if ln.strip()]
    b = ProfileBuilder(2, aggregate=False)
    rows = 0
    for lineno, ln in enumerate(lines[start + 1:], start + 2):
        if not ln.strip():
            continue
        m = _ROW_RE.match(ln.rstrip())
        if m is None:
            if rows == 0:
                raise MalformedProfile(path, lineno, f"bad pprof text row: {ln.strip()[:60]!r}")
            break  # a trailer (e.g. an HTML page's footer) ends the table
        name, file, line = m.group(6), "", 0
        lm = _LOCATION_RE.match(name)
        if lm:
            name, file, line = lm.group(1), lm.group(2), int(lm.group(3))
            if file == "??":
                file = ""
        loc = b.symbolic_location([(name, file, line)])
        b.add_sample([loc], [_value(m.group(1), mult), _value(m.group(4), mult)])
        rows += 1
    return b.build(
        sample_types=types,
        period=1,
        period_type=types[0],
        source_format=FORMAT,
        source_path=path,
        comments=tuple(comments),
        default_sample_type=types[0].type,
        symbolized=True,
    )


def _value(s: str, mult: int) -> Value:
    if mult == 1 and "." not in s:
        return int(s)
    return round(float(s) * mult)
